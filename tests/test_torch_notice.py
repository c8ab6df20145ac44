"""Without torch, the torch parity tests skip, and the test summary says so in one loud line.

`make test` does not install torch (only `.ci/run` does), so the parity checks against
``torch.nn.functional`` skip there; tests/conftest.py then prints ``NOT CHECKED: N tests
skipped: torch parity not checked ...``. Here pytest runs the parity tests of
tests/test_losses.py in a subprocess where ``import torch`` fails (a stand-in package that
raises ModuleNotFoundError comes first on the path), and the summary must carry that line.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_skipped_torch_parity_is_named_in_the_summary(tmp_path):
    blocked = tmp_path / "no-torch" / "torch"
    blocked.mkdir(parents=True)
    (blocked / "__init__.py").write_text(
        "raise ModuleNotFoundError('torch blocked for this test', name='torch')\n")
    path = os.pathsep.join([str(blocked.parent), os.environ.get("PYTHONPATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/test_losses.py", "-k", "torch"],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": path}, capture_output=True, text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    notice = [line for line in result.stdout.splitlines() if line.startswith("NOT CHECKED:")]
    assert len(notice) == 1, result.stdout[-2000:]
    assert "torch parity not checked" in notice[0] and "pip install torch" in notice[0]
    skipped = int(notice[0].split()[2])
    assert skipped >= 10 and f"{skipped} skipped" in result.stdout
