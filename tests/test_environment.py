"""The set-up files agree: environment.yml (Binder) pins what pyproject.toml pins."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _pins(requirements):
    pins = {}
    for requirement in requirements:
        match = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;]+)\s*", requirement)
        assert match, f"not an exact pin: {requirement!r}"
        pins[match.group(1).lower()] = match.group(2)
    return pins


def _pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _environment_pip_lines():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- pip:")
    entries = []
    for line in lines[start + 1:]:
        if not line.startswith(" " * 6):
            break
        entries.append(line.strip().removeprefix("- ").strip())
    return entries


def test_runtime_dependencies_are_exact_pins():
    assert len(_pins(_pyproject()["dependencies"])) >= 7
    assert len(_pins(_pyproject()["optional-dependencies"]["test"])) >= 3


def test_environment_yml_pins_match_pyproject():
    entries = _environment_pip_lines()
    assert "-e ." in entries, "environment.yml must install the course package itself"
    environment = _pins([entry for entry in entries if entry != "-e ."])
    assert environment == _pins(_pyproject()["dependencies"])
    text = (ROOT / "environment.yml").read_text()
    assert "python=3.11" in text and "conda-forge" in text


def test_constraints_agree_with_pyproject():
    lines = [line for line in (ROOT / "constraints.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    constraints = _pins(lines)
    for requirement_list in (_pyproject()["dependencies"],
                             _pyproject()["optional-dependencies"]["test"]):
        for name, version in _pins(requirement_list).items():
            key = name.replace("_", "-")
            found = constraints.get(key, constraints.get(key.replace("-", "_")))
            assert found == version, f"{name}: pyproject {version}, constraints.txt {found}"
