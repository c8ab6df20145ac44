"""Install the course into a fresh venv, then run unit tests and notebooks there.

This is how the version ranges in ``pyproject.toml`` are tested, and how the other Pythons are::

    python tests/install/check_install.py --python python3.12 --pin numpy==2.2.6 ...   # no lock
    python tests/install/check_install.py --python python3.13 --lock                    # the lock

Without ``--lock`` the package is installed from ``pyproject.toml``'s ranges only (as in someone
else's environment), plus the ``--pin`` versions asked for; with ``--lock`` through
``constraints.txt``. Then it runs the chosen unit tests with pytest and executes the chosen
notebooks top to bottom in a kernel of that venv (nbclient).

What a notebook run checks: no cell raises, and every checker verdict and printed number that
the stored notebook shows is reproduced after rounding to 4 significant figures (other versions
of NumPy and Matplotlib may differ in the last float digits or in reprs such as
``np.float64(...)``, which is not what a learner reads). Every step prints what it does and how
long it took. Exit status 0 when everything passed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The quick unit tests of the maths layer (the lower bounds were checked with a wider set:
# add test_checks.py, test_answer_keys.py, test_demos_outliers_huber.py with --tests).
DEFAULT_TESTS = [
    "tests/test_losses.py",
    "tests/test_fitting.py",
    "tests/test_estimators.py",
]
# What the tests above need besides the course (not the whole `test` extra: no browser, linter).
TEST_TOOLS = ["pytest", "hypothesis"]
DEFAULT_NOTEBOOKS = ["notebooks/01_definitions.ipynb", "notebooks/04_outliers.ipynb"]
# What runs the notebooks inside the venv: nbclient, then a JSON list of problems on stdout.
RUNNER = r"""
import json, re, sys, nbformat
from pathlib import Path
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

def texts(cell):
    out = []
    for o in cell.get("outputs", []):
        if o.get("output_type") == "stream" and o.get("name") == "stdout":
            out.append(o.get("text", ""))
        elif o.get("output_type") in ("execute_result", "display_data"):
            out.append(o.get("data", {}).get("text/plain", ""))
    return "".join(t if isinstance(t, str) else "".join(t) for t in out)

NUMBER = re.compile(r"-?\d+\.\d+(?:e[-+]?\d+)?|-?\d+e[-+]?\d+")
def normal(text):
    text = re.sub(r"np\.(?:float|int)\d+\(([^()]*)\)", r"\1", text)
    text = re.sub(r" at 0x[0-9a-f]+", "", text)
    text = NUMBER.sub(lambda m: f"{float(m.group()):.4g}", text)
    return " ".join(text.split())

problems = []
for path in sys.argv[1:]:
    stored = nbformat.read(path, as_version=4)
    fresh = nbformat.read(path, as_version=4)
    try:
        where = {"metadata": {"path": str(Path(path).parent)}}
        NotebookClient(fresh, timeout=300, kernel_name="python3", resources=where).execute()
    except CellExecutionError as err:
        problems.append(f"{path}: a cell raised: {str(err)[:1500]}")
        continue
    for i, (a, b) in enumerate(zip(stored.cells, fresh.cells)):
        if a.cell_type != "code" or "nbval-ignore-output" in a.metadata.get("tags", []):
            continue
        if "NBVAL_IGNORE_OUTPUT" in a.source or "NBVAL_SKIP" in a.source:
            continue
        if normal(texts(a)) != normal(texts(b)):
            problems.append(f"{path} cell {i}: stored {normal(texts(a))[:300]!r} "
                            f"but got {normal(texts(b))[:300]!r}")
print(json.dumps(problems))
"""


def find_python(name: str) -> str | None:
    """The interpreter `name` (e.g. ``python3.12``) as a real path, or None.

    A pyenv shim for a version that is installed but not selected fails when run, so the pyenv
    versions folder is searched too.
    """
    candidates = [shutil.which(name)] if shutil.which(name) else []
    minor = re.fullmatch(r"python(\d+\.\d+)", Path(name).name)
    if minor:
        root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
        candidates += sorted(map(str, root.glob(f"versions/{minor.group(1)}*/bin/{name}")),
                             reverse=True)
    for candidate in candidates:
        result = subprocess.run([candidate, "-c", "import sys; print(sys.executable)"],
                                capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return None


def step(message: str) -> float:
    print(f"[install-check] {message}", flush=True)
    return time.monotonic()


def run(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(command, text=True, **kwargs)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable, help="the Python to make the venv")
    parser.add_argument("--venv", help="where (default: a temporary folder, removed after)")
    parser.add_argument("--lock", action="store_true", help="install through constraints.txt")
    parser.add_argument("--pin", action="append", default=[], help="e.g. numpy==2.2.6")
    parser.add_argument("--tests", nargs="*", default=DEFAULT_TESTS)
    parser.add_argument("--notebooks", nargs="*", default=DEFAULT_NOTEBOOKS)
    args = parser.parse_args(argv)

    python = find_python(args.python)
    if python is None:
        print(f"[install-check] FAILED: no {args.python} on this machine (pyenv install, or "
              "apt-get install it; `make install-test INSTALL_OLD=... INSTALL_NEW=...` picks "
              "others)", flush=True)
        return 1
    scratch = Path(args.venv) if args.venv else Path(tempfile.mkdtemp(prefix="lessons-install-"))
    venv_python = scratch / "bin" / "python"
    started = time.monotonic()
    failures: list[str] = []
    try:
        t = step(f"1/4 creating a venv with {python} in {scratch}")
        run([python, "-m", "venv", "--clear", str(scratch)], check=True)
        version = run([str(venv_python), "-c", "import sys; print(sys.version.split()[0])"],
                      capture_output=True, check=True).stdout.strip()
        print(f"    Python {version} ({time.monotonic() - t:.1f} s)", flush=True)

        how = "through constraints.txt" if args.lock else "from pyproject.toml's ranges, no lock"
        t = step(f"2/4 installing the course {how}" + (f", with {' '.join(args.pin)}" if args.pin
                                                        else ""))
        # A copy of the package, so that the build leaves nothing in the working tree.
        source = scratch / "src"
        shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
            ".venv*", ".git", "node_modules", "artifacts", "build", "*.egg-info", "__pycache__"))
        command = [str(venv_python), "-m", "pip", "install", "--progress-bar", "off",
                   "--disable-pip-version-check", str(source), *TEST_TOOLS, *args.pin]
        if args.lock:
            command[4:4] = ["-c", str(ROOT / "constraints.txt")]
        result = run(command, capture_output=True)
        if result.returncode != 0:
            print(result.stdout[-3000:], result.stderr[-3000:], sep="\n")
            return 1
        freeze = run([str(venv_python), "-m", "pip", "freeze"], capture_output=True).stdout
        wanted = ("numpy", "matplotlib", "sympy", "ipywidgets", "scipy", "ipympl", "ipykernel",
                  "nbformat", "nbclient", "jupyterlab")
        got = [line for line in freeze.splitlines()
               if re.split(r"[=@ ]", line)[0].lower() in wanted]
        print(f"    {' '.join(got)} ({time.monotonic() - t:.1f} s)", flush=True)

        env = dict(os.environ, MPLBACKEND="Agg", PYTHONDONTWRITEBYTECODE="1")
        if args.tests:
            t = step(f"3/4 unit tests: {' '.join(args.tests)}")
            # importlib mode: the tests import the installed package, not the working tree.
            result = run([str(venv_python), "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", "--import-mode=importlib", "-W",
                          "ignore::DeprecationWarning", *args.tests],
                         cwd=source, env=env, capture_output=True)
            tail = result.stdout.strip().splitlines()[-1:] or [""]
            print(f"    {tail[0]} ({time.monotonic() - t:.1f} s)", flush=True)
            if result.returncode != 0:
                print(result.stdout[-6000:], result.stderr[-2000:], sep="\n")
                failures.append("unit tests")
        if args.notebooks:
            t = step(f"4/4 notebooks: {' '.join(args.notebooks)}")
            env.pop("MPLBACKEND")  # the notebooks choose their backends
            result = run([str(venv_python), "-c", RUNNER, *args.notebooks], cwd=source, env=env,
                         capture_output=True)
            try:
                problems = json.loads(result.stdout.strip().splitlines()[-1])
            except (IndexError, json.JSONDecodeError):
                problems = [f"the notebook runner failed: {result.stderr[-3000:]}"]
            for problem in problems:
                print(f"    {problem}")
            print(f"    {len(problems)} problems ({time.monotonic() - t:.1f} s)", flush=True)
            if problems:
                failures.append("notebooks")
    finally:
        if not args.venv:
            shutil.rmtree(scratch, ignore_errors=True)
    verdict = f"FAILED: {', '.join(failures)}" if failures else "passed"
    print(f"[install-check] {verdict} in {time.monotonic() - started:.0f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
