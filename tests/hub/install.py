"""Install what the JupyterHub test needs, once: ``.venv-hub/`` and ``.hub-node/``.

``.venv-hub/`` is a hub machine's Python environment built the way docs/instructors.md tells a
university to build its image: the course from the lock (``-c constraints.txt``, with the ``lab``
extra), plus JupyterHub, nbgitpuller and nbgrader. The hub runs from it and so does every
student's single-user server. ``.hub-node/`` holds configurable-http-proxy from npm.

Both are skipped when already installed with the same pins (a stamp file per pin set). Run before
the tests, with the network (``.ci/run`` does); the test itself then needs only the loopback.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HUB_VENV = ROOT / ".venv-hub"
NODE_DIR = ROOT / ".hub-node"
# The hub side's own pins (not course dependencies).
HUB_PINS = ["jupyterhub==6.1.1", "nbgitpuller==1.3.0", "nbgrader==0.9.6"]
PROXY_PIN = "configurable-http-proxy@5.3.0"
PROXY = NODE_DIR / "node_modules" / ".bin" / "configurable-http-proxy"


def _stamp(folder: Path, *parts: str) -> Path:
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]
    return folder / f".installed-{digest}"


def install_venv() -> None:
    # The pins only: a changed comment in the lock does not reinstall everything.
    lock = [line for line in (ROOT / "constraints.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    stamp = _stamp(HUB_VENV, *lock, repr(dependencies), *HUB_PINS)
    if stamp.exists():
        print(f"hub-install: {HUB_VENV.name} is current", flush=True)
        return
    started = time.monotonic()
    print(f"hub-install: creating {HUB_VENV.name} (the course from the lock + "
          f"{' '.join(HUB_PINS)})", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(HUB_VENV)], check=True)
    subprocess.run([str(HUB_VENV / "bin" / "python"), str(ROOT / "tools" / "setup_progress.py"),
                    "--", "-c", str(ROOT / "constraints.txt"), "-e", f"{ROOT}[lab]",
                    *HUB_PINS], check=True)
    stamp.touch()
    print(f"hub-install: {HUB_VENV.name} ready in {time.monotonic() - started:.0f} s", flush=True)


def install_proxy() -> None:
    stamp = _stamp(NODE_DIR, PROXY_PIN)
    if stamp.exists() and PROXY.exists():
        print(f"hub-install: {PROXY_PIN} is current", flush=True)
        return
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("hub-install: npm is missing: apt-get install nodejs npm")
    started = time.monotonic()
    print(f"hub-install: npm install {PROXY_PIN} into {NODE_DIR.name}/", flush=True)
    NODE_DIR.mkdir(exist_ok=True)
    subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error",
                    "--prefix", str(NODE_DIR), PROXY_PIN], check=True)
    stamp.touch()
    print(f"hub-install: proxy ready in {time.monotonic() - started:.0f} s", flush=True)


if __name__ == "__main__":
    install_venv()
    install_proxy()
