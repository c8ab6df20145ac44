"""ruff over the package, the tests, the benchmarks and every notebook's code cells."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the `test` extra)")
    result = subprocess.run(
        [ruff, "check", "--output-format", "concise", "--no-cache",
         "lessons", "tests", "benchmarks", "notebooks", "solutions"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
