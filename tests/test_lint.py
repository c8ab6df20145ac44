"""ruff over the package, the tests, the benchmarks and every notebook's code cells."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


# What ruff checks; `make lint` runs the same (test_make_lint_checks_the_same_paths).
PATHS = ["lessons", "tests", "benchmarks", "tools", "notebooks", "solutions"]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the `test` extra)")
    result = subprocess.run(
        [ruff, "check", "--output-format", "concise", "--no-cache", *PATHS],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_make_lint_checks_the_same_paths():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    command = next(line for line in recipe.splitlines() if "ruff check" in line)
    assert command.split()[-len(PATHS):] == PATHS, command
