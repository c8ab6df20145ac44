"""Generate Binder's ``environment.yml`` from the lock, so Binder runs what CI tested.

Command line (run from the repository root, in the course's environment)::

    python -m lessons.binder [--check]

writes ``environment.yml``; ``--check`` writes nothing and exits 1 when the file differs from
what the lock gives (tests/test_environment.py runs the same check).

What goes in: conda supplies only Python and pip; pip then installs, at the lock's exact versions
(``constraints.txt``), every package the course's kernel needs — the ``lessons`` package's
runtime dependencies and everything they require, followed from the installed packages'
metadata — and the course itself (``-e .``). What stays out: the notebook server and its front
end (JupyterLab, Notebook, Jupyter Server, JupyterHub's single-user server). repo2docker's base
image brings its own, tested together; pinning the lock's JupyterLab on top of its Notebook 7.4
would break that image (Notebook 7.4 needs JupyterLab 4.4). The test-only tools of the
``test`` extra (pytest, nbval, ...) stay out too.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement

DISTRIBUTION = "lessons"
PYTHON = "3.11"  # Binder's Python: CI's main Python, the lock's
HEADER = """\
# Binder's environment, GENERATED from constraints.txt by `make binder-env`
# (python -m lessons.binder); tests/test_environment.py fails when it drifts from the lock.
# conda supplies Python and pip only; pip installs the lock's exact versions of everything the
# course's kernel needs, then the course. JupyterLab and the notebook server are left to
# repo2docker's base image (see lessons/binder.py for why).
"""


def normalise(name: str) -> str:
    """A distribution name in its canonical form (PEP 503).

    Examples
    --------
    >>> normalise("Jinja2"), normalise("jupyter_client"), normalise("ruamel.yaml")
    ('jinja2', 'jupyter-client', 'ruamel-yaml')
    """
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path="constraints.txt") -> dict[str, tuple[str, str]]:
    """The lock as {canonical name: (name as written, version)}.

    Raises
    ------
    ValueError
        When a line is not an exact ``name==version`` pin.
    """
    pins = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9_.\-]*)==([^\s;,]+)", line)
        if not match:
            raise ValueError(f"{path}:{number}: not an exact pin (name==version): {line!r}")
        pins[normalise(match.group(1))] = (match.group(1), match.group(2))
    return pins


def requirements_of(name: str, extras=()) -> list[Requirement]:
    """The requirements of an installed distribution that apply here (markers evaluated)."""
    requirements = []
    for text in metadata.requires(name) or []:
        requirement = Requirement(text)
        if requirement.marker is None:
            requirements.append(requirement)
            continue
        environments = [dict(default_environment(), extra=extra) for extra in ("", *extras)]
        if any(requirement.marker.evaluate(environment) for environment in environments):
            requirements.append(requirement)
    return requirements


def runtime_closure(name: str = DISTRIBUTION, extras=()) -> set[str]:
    """Canonical names of every distribution that installing `name` pulls in (not itself)."""
    seen: set[str] = set()
    todo = [(name, tuple(extras))]
    while todo:
        current, current_extras = todo.pop()
        for requirement in requirements_of(current, current_extras):
            key = normalise(requirement.name)
            if key not in seen:
                seen.add(key)
                todo.append((requirement.name, tuple(requirement.extras)))
    return seen


def environment_yml(lock="constraints.txt") -> str:
    """The text of environment.yml: the lock's pins of the course's runtime closure."""
    pins = read_lock(lock)
    closure = runtime_closure()
    missing = sorted(closure - set(pins))
    if missing:
        raise ValueError(f"{lock} does not pin {', '.join(missing)}: the lock is not complete.")
    lines = [
        HEADER.rstrip("\n"),
        "name: l1-vs-l2",
        "channels:",
        "  - conda-forge",
        "dependencies:",
        f"  - python={PYTHON}",
        "  - pip",
        "  - pip:",
        *(f"      - {pins[key][0]}=={pins[key][1]}" for key in sorted(closure)),
        "      - -e .",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m lessons.binder",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--root", default=".", help="repository root (default: .)")
    args = parser.parse_args(argv)
    root = Path(args.root)
    try:
        fresh = environment_yml(root / "constraints.txt")
    except (OSError, ValueError, metadata.PackageNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    target = root / "environment.yml"
    current = target.read_text(encoding="utf-8") if target.exists() else ""
    if current == fresh:
        print(f"{target}: matches the lock.")
        return 0
    if args.check:
        print(f"{target} has drifted from constraints.txt; run `make binder-env`.",
              file=sys.stderr)
        return 1
    target.write_text(fresh, encoding="utf-8")
    print(f"{target}: rewritten from constraints.txt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
