"""One JupyterLab server and one Chromium finder for every browser test (tests/browser, tests/a11y,
tests/site).

`JupyterLabServer` runs JupyterLab from this Python environment on 127.0.0.1 with a random port
and token, in a folder of its own (a throwaway copy of the course, see `copy_course`), with its own
settings, workspace and runtime folders.
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

ROOT = Path(__file__).resolve().parents[1]
COURSE_FOLDERS = ("notebooks", "solutions", "exercises")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Without the background-networking flags Chromium keeps retrying connections a closed network
# refuses; --no-sandbox because CI runs as root in a container.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SERVER_START_SECONDS = 180  # a loaded 2-core machine needs ~15 s; leave room

# JupyterLab user settings for the test server: no news or update pop-ups over the screenshots,
# and every cell kept in the page (no windowing), so offscreen outputs can be inspected.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
        "doNotDisturbMode": True,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}


# Opens a notebook in JupyterLab and keeps its panel as window.__lessonsPanel (the browser and
# a11y tests read the panel from there).
OPEN_NOTEBOOK_JS = """
async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  const panel = await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  window.__lessonsPanel = panel;
  return panel.id;
}
"""

def find_chromium() -> str | None:
    """The Chromium binary: $LESSONS_CHROMIUM, else the first of the usual names on PATH."""
    configured = os.environ.get("LESSONS_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def copy_course(destination: Path, source: Path = ROOT) -> None:
    """Copy the notebooks of notebooks/, solutions/ and exercises/ of `source` to `destination`."""
    for folder in COURSE_FOLDERS:
        if (source / folder).is_dir():
            target = destination / folder
            target.mkdir(parents=True)
            for notebook in sorted((source / folder).glob("*.ipynb")):
                shutil.copy2(notebook, target / notebook.name)


class JupyterLabServer:
    """A JupyterLab server from this Python environment, serving folder `root` on localhost.

    Parameters
    ----------
    root : Path
        The folder the server shows (a throwaway copy of the course).
    home : Path
        Where its settings, workspaces, runtime files and IPython profile go.
    env : dict, optional
        Extra environment variables for the server and its kernels (e.g. ``PYTHONPATH``).
    """

    def __init__(self, root: Path, home: Path, env: dict | None = None):
        self.root = root
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.log_path = home / "jupyterlab.log"
        settings = home / "lab-settings"
        for relative, values in LAB_SETTINGS.items():
            path = settings / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        environment = dict(os.environ)
        # `make test` sets MPLBACKEND=Agg for nbval; in a browser the kernel must choose its own.
        environment.pop("MPLBACKEND", None)
        environment.update(
            JUPYTER_CONFIG_DIR=str(home / "config"),
            JUPYTER_RUNTIME_DIR=str(home / "runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"),
            IPYTHONDIR=str(home / "ipython"),
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            **(env or {}),
        )
        command = [
            sys.executable, "-m", "jupyterlab", "--no-browser",
            "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={root}",
            # as `make lab`, Binder and the hub should run it: notebooks served with the local
            # kernel's language_info, so none opens modified whatever Python runs the tests
            # (lessons/labserver.py)
            "--ServerApp.contents_manager_class=lessons.labserver.CourseContentsManager",
        ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            command.append("--allow-root")
        # extra server options, e.g. LESSONS_LAB_ARGS=--ServerApp.contents_manager_class=
        # lessons.labserver.CourseContentsManager (see lessons/labserver.py)
        command.extend(os.environ.get("LESSONS_LAB_ARGS", "").split())
        self._log = open(self.log_path, "w")  # closed in stop()
        self.process = subprocess.Popen(
            command, cwd=root, env=environment, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kernels are stopped with it
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:])

    def wait_until_ready(self, timeout: float = SERVER_START_SECONDS) -> float:
        """Poll ``/api/status`` until the server answers; return the seconds it took."""
        start = time.monotonic()
        request = urllib.request.Request(
            f"{self.url}/api/status", headers={"Authorization": f"token {self.token}"}
        )
        while time.monotonic() - start < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(request, timeout=2):
                    return time.monotonic() - start
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterLab did not answer within {timeout} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server and its kernels: SIGTERM, then SIGKILL to the group if it hangs."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        try:  # kernels left behind by a server killed mid-shutdown
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._log.close()
