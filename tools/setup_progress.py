"""Run a ``pip install`` and say what it is doing and how far along it is.

Used by ``make setup``: pip's own ``--quiet`` output is one line and then minutes of silence, and
its normal output is hundreds of lines. This prints one line per package found (``[ 12/121]
numpy 2.4.6``, counted against the lock), then, during pip's long silent "installing" step, the
elapsed time every 10 seconds, and at the end the total time. pip's errors are shown in full.

Usage::

    python tools/setup_progress.py --lock constraints.txt -- <pip install arguments>
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from pathlib import Path

HEARTBEAT_SECONDS = 10
_COLLECTING = re.compile(r"^(?:Collecting|Requirement already satisfied:|Processing|Obtaining)\s+"
                         r"(?:file://\S+/)?([A-Za-z0-9_.\-]+)")
_VERSION = re.compile(r"\((\d[^)\s]*)\)\s*$|-(\d[\w.]*)(?:-py|\.tar|-cp)")


def _lock_size(path: str | None) -> int:
    if not path or not Path(path).exists():
        return 0
    return sum(1 for line in Path(path).read_text().splitlines()
               if line.strip() and not line.lstrip().startswith("#"))


def main(argv: list[str]) -> int:
    lock = None
    if "--lock" in argv:
        lock = argv[argv.index("--lock") + 1]
    pip_args = argv[argv.index("--") + 1:] if "--" in argv else []
    total = _lock_size(lock)
    started = time.monotonic()
    print(f"setup: pip install {' '.join(pip_args)}", flush=True)
    print(f"setup: resolving{f' {total} locked packages' if total else ''} "
          "(a line per package; already-installed ones go fast)", flush=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "pip", "install", "--progress-bar", "off",
         "--disable-pip-version-check", *pip_args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
    )
    seen: set[str] = set()
    phase = {"name": "resolving", "since": time.monotonic()}
    done = threading.Event()

    def heartbeat():
        while not done.wait(HEARTBEAT_SECONDS):
            if time.monotonic() - phase["since"] >= HEARTBEAT_SECONDS:
                print(f"setup: still {phase['name']}… {time.monotonic() - started:.0f} s so far",
                      flush=True)

    threading.Thread(target=heartbeat, daemon=True).start()
    tail: list[str] = []
    assert process.stdout is not None
    for line in process.stdout:
        line = line.rstrip("\n")
        tail = (tail + [line])[-60:]
        if line.startswith("WARNING: Location") or not line.strip():
            continue  # a machine's extra index folders that lack a project: noise
        if line.startswith(("Obtaining", "Processing ./", "Processing /")):
            print(f"setup: the course itself, {line.split(None, 1)[1]}", flush=True)
            continue
        match = _COLLECTING.match(line)
        if match:
            name = match.group(1).lower()
            if name not in seen:
                seen.add(name)
                version = _VERSION.search(line)
                version = next((v for v in version.groups() if v), "") if version else ""
                count = f"[{len(seen):3d}/{total}]" if total else f"[{len(seen):3d}]"
                print(f"setup: {count} {match.group(1)} {version}".rstrip(), flush=True)
                phase.update(since=time.monotonic())
        elif line.startswith("Installing collected packages"):
            names = line.split(":", 1)[1].split(",")
            print(f"setup: installing {len(names)} new or changed packages (pip is silent "
                  "while it unpacks them; the time is shown every 10 s)", flush=True)
            phase.update(name="installing", since=time.monotonic())
        elif line.startswith("Successfully installed"):
            print(f"setup: installed {len(line.split()) - 2} packages", flush=True)
        elif line.startswith(("ERROR", "error")) or "conflict" in line.lower():
            print(line, flush=True)
    status = process.wait()
    done.set()
    if status != 0:
        print("setup: pip failed; its last lines:", *tail, sep="\n", flush=True)
    else:
        print(f"setup: done in {time.monotonic() - started:.0f} s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
