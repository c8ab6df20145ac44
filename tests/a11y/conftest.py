"""A JupyterLab server on a throwaway copy of the course, and a Chromium page on it (tests/a11y).

LESSONS_COURSE_ROOT points the tests at another checkout's notebooks (to measure "before" on main
with this branch's tests): ``LESSONS_COURSE_ROOT=/path/to/main pytest tests/a11y``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "site"))
import sitetools  # noqa: E402

COURSE = Path(os.environ.get("LESSONS_COURSE_ROOT", sitetools.ROOT))
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}
OPEN_NOTEBOOK_JS = """
async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  const panel = await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  window.__a11yPanel = panel;
  return panel.id;
}
"""
KERNEL_IDLE_JS = """
() => {
  const panel = window.__a11yPanel;
  const kernel = panel && panel.sessionContext.session?.kernel;
  return kernel && kernel.status === 'idle'
    && !panel.content.widgets.some((c) => c.model.type === 'code' && c.promptNode
                                    && c.promptNode.textContent.includes('*'));
}
"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """(base URL with token, course copy): JupyterLab serving a copy of the course."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        sitetools.unavailable("JupyterLab is not installed")
    root = tmp_path_factory.mktemp("course")
    home = tmp_path_factory.mktemp("labhome")
    for folder in ("notebooks", "exercises", "solutions"):
        (root / folder).mkdir()
        for nb in sorted((COURSE / folder).glob("*.ipynb")):
            shutil.copy2(nb, root / folder / nb.name)
    settings = home / "settings"
    for relative, values in LAB_SETTINGS.items():
        path = settings / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(16)
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(home / "config"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "ws"), IPYTHONDIR=str(home / "ipython"),
               PYTHONPATH=str(COURSE), PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("MPLBACKEND", None)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", "--LabApp.expose_app_in_browser=True",
               f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = open(home / "lab.log", "w")
    process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        start = time.monotonic()
        while True:
            if process.poll() is not None or time.monotonic() - start > 180:
                pytest.fail(f"JupyterLab did not start:\n{(home / 'lab.log').read_text()[-2000:]}")
            try:
                request = urllib.request.Request(f"{url}/api/status",
                                                 headers={"Authorization": f"token {token}"})
                with urllib.request.urlopen(request, timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        # ?reset: every page starts from an empty workspace, not the previous test's tabs.
        yield f"{url}/lab?reset&token={token}", root
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


@pytest.fixture(scope="session")
def browser():
    with sitetools.chromium() as chromium:
        yield chromium


@pytest.fixture
def lab_page(lab, browser):
    """A Chromium page on JupyterLab; `open_notebook(path)` opens one and waits for its kernel."""
    url, _ = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=180_000)

    def open_notebook(path: str):
        page.evaluate(OPEN_NOTEBOOK_JS, path)
        page.wait_for_function(KERNEL_IDLE_JS, timeout=180_000)

    page.open_notebook = open_notebook
    page.wait_idle = lambda timeout=120_000: (page.wait_for_timeout(300),
                                              page.wait_for_function(KERNEL_IDLE_JS,
                                                                     timeout=timeout))
    yield page
    page.evaluate("() => window.__a11yPanel && window.__a11yPanel.sessionContext.shutdown()")
    page.close()
