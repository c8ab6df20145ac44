"""Shared helpers of the site and accessibility browser tests (tests/site, tests/a11y).

Chromium is Debian's (``apt-get install chromium``), driven by Playwright's Python package;
axe-core comes from npm into ``.a11y/`` (``npm install --prefix .a11y axe-core@AXE_VERSION``, done
by ``.ci/run``). Without them the tests skip, except under CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import socketserver
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from labtools import CHROMIUM_FLAGS, find_chromium  # noqa: E402, F401 (re-exported)

SITE = Path(os.environ.get("LESSONS_SITE_DIR", ROOT / "_site"))
AXE_VERSION = "4.14.1"
AXE_JS = ROOT / ".a11y" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts"
SERIOUS = ("serious", "critical")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unavailable(reason: str):
    """Skip with `reason`, or fail under CI, where these tests must run."""
    if in_ci():
        pytest.fail(f"CI=true but this test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


def built_site() -> Path:
    """The built site folder; builds it (site/build.py) when it is missing."""
    if not (SITE / "index.html").is_file():
        try:
            import myst_nb  # noqa: F401
        except ImportError:
            unavailable("the site tools are not installed (make site installs them)")
        done = subprocess.run([sys.executable, str(ROOT / "site" / "build.py"), "--out", str(SITE)],
                              cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            pytest.fail(f"site/build.py failed:\n{done.stderr[-3000:]}", pytrace=False)
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path):
    """Serve `folder` over HTTP on 127.0.0.1 (a free port) for the duration; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()


@contextmanager
def chromium():
    """A headless Chromium browser (Playwright)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright is not installed")
    binary = find_chromium()
    if not binary:
        unavailable("no Chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=binary, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def axe_source() -> str:
    if not AXE_JS.is_file():
        unavailable(f"axe-core is not installed: npm install --prefix .a11y axe-core@{AXE_VERSION}")
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(page, context: str | None = None) -> list[dict]:
    """axe-core's violations on `page` (WCAG 2.0/2.1 A and AA rules), each with its nodes."""
    page.add_script_tag(content=axe_source())
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                     "best-practice"]},
               "resultTypes": ["violations"]}
    result = page.evaluate(
        "([context, options]) => axe.run(context ? document.querySelector(context) : document,"
        " options)", [context, options])
    return result["violations"]


def summarise(violations: list[dict], owner=None) -> dict:
    """Counts by impact, split by who made the offending element (`owner(node) -> str`)."""
    counts: dict = {}
    for violation in violations:
        for node in violation["nodes"]:
            who = owner(node) if owner else "page"
            key = f"{who}:{violation['impact']}"
            counts.setdefault(key, {}).setdefault(violation["id"], 0)
            counts[key][violation["id"]] += 1
    return counts


def write_json(relative: str, data) -> Path:
    path = ARTIFACTS / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True))
    return path
