"""The set-up files agree: pyproject.toml's ranges, the lock (constraints.txt) and Binder's
environment.yml.

- pyproject.toml states compatible ranges (a lower bound on every dependency, no exact pins);
- constraints.txt is one fully resolved lock: exact pins only, inside those ranges, covering
  every package the course and its extras pull in, and it is what this environment has;
- environment.yml is generated from the lock (`make binder-env`) and has not drifted, and it
  leaves JupyterLab and the notebook server to repo2docker's base image.
"""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from lessons import binder

ROOT = Path(__file__).resolve().parents[1]
# The notebook server and its front end: repo2docker's base image brings its own.
SERVER_SIDE = {"jupyterlab", "notebook", "jupyter-server", "jupyterhub", "jupyterlab-server",
               "notebook-shim", "jupyter-lsp"}


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirements():
    project = _project()
    listed = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        listed += extra
    return [Requirement(text) for text in listed]


def test_pyproject_states_ranges_with_a_lower_bound_not_pins():
    for requirement in _requirements():
        operators = {spec.operator for spec in requirement.specifier}
        assert "==" not in operators and "===" not in operators, (
            f"{requirement}: an exact pin belongs in constraints.txt, not pyproject.toml")
        assert ">=" in operators, f"{requirement}: give the oldest version tested (>=)"


def test_the_lock_is_exact_pins_inside_the_ranges():
    lock = binder.read_lock(ROOT / "constraints.txt")
    for requirement in _requirements():
        key = binder.normalise(requirement.name)
        assert key in lock, f"constraints.txt does not pin {requirement.name}"
        version = lock[key][1]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"constraints.txt has {requirement.name}=={version}, outside {requirement}")


def test_the_lock_is_fully_resolved_and_installed_here():
    """Every package lessons[lab,test] pulls in is pinned, at the version installed here."""
    lock = binder.read_lock(ROOT / "constraints.txt")
    closure = binder.runtime_closure("lessons", extras=("lab", "test"))
    missing = sorted(closure - set(lock))
    assert not missing, f"constraints.txt is not fully resolved; it lacks {missing}"
    differ = {key: (lock[key][1], metadata.version(key)) for key in closure
              if metadata.version(key) != lock[key][1]}
    assert not differ, f"installed versions differ from the lock (lock, here): {differ}"


def test_read_lock_refuses_a_range(tmp_path):
    lock = tmp_path / "constraints.txt"
    lock.write_text("# comment\nnumpy==2.4.6\nscipy>=1.11\n")
    with pytest.raises(ValueError, match="constraints.txt:3: not an exact pin"):
        binder.read_lock(lock)


def test_environment_yml_is_generated_from_the_lock(capsys):
    status = binder.main(["--check", "--root", str(ROOT)])
    assert status == 0, capsys.readouterr().err


def test_environment_yml_pins_the_kernel_side_and_leaves_the_server_to_repo2docker():
    text = (ROOT / "environment.yml").read_text()
    entries = re.findall(r"^ {6}- (\S.*)$", text, re.MULTILINE)
    assert entries[-1] == "-e .", "environment.yml must install the course package itself"
    lock = binder.read_lock(ROOT / "constraints.txt")
    pins = dict(entry.split("==") for entry in entries[:-1])
    for name, version in pins.items():
        assert lock[binder.normalise(name)][1] == version, name
    names = {binder.normalise(name) for name in pins}
    assert {"numpy", "matplotlib", "scipy", "sympy", "ipywidgets", "ipympl", "ipykernel"} <= names
    assert not names & SERVER_SIDE, f"pinning {names & SERVER_SIDE} fights repo2docker's image"
    assert not names & {"pytest", "nbval", "playwright", "ruff", "hypothesis"}
    assert "  - python=3.11" in text and "conda-forge" in text


def test_the_check_notices_drift(tmp_path, monkeypatch, capsys):
    for name in ("constraints.txt", "environment.yml"):
        (tmp_path / name).write_text((ROOT / name).read_text())
    assert binder.main(["--check", "--root", str(tmp_path)]) == 0
    lock = (tmp_path / "constraints.txt").read_text()
    version = binder.read_lock(ROOT / "constraints.txt")["numpy"][1]
    (tmp_path / "constraints.txt").write_text(lock.replace(f"numpy=={version}", "numpy==2.3.5"))
    assert binder.main(["--check", "--root", str(tmp_path)]) == 1
    assert "drifted" in capsys.readouterr().err
    assert binder.main(["--root", str(tmp_path)]) == 0
    assert "numpy==2.3.5" in (tmp_path / "environment.yml").read_text()
