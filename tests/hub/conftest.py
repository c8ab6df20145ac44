"""A real JupyterHub on localhost for tests/hub: the hub, its proxy and the students' servers.

The hub runs from ``.venv-hub/`` (the course from the lock + JupyterHub, nbgitpuller, nbgrader;
``tests/hub/install.py`` makes it) with configurable-http-proxy from npm (``.hub-node/``), the
DummyAuthenticator (one shared password) and the SimpleLocalProcessSpawner: every user's
single-user server runs ``.venv-hub/bin/jupyterhub-singleuser`` with its own home folder. All
of it listens on 127.0.0.1 only, so it runs inside a network namespace that has nothing but the
loopback.

The hub is started in its own process group. At the end, on success or failure, it is stopped
with SIGTERM (JupyterHub then stops the proxy and every user's server), and anything of its
process tree still alive 20 s later is killed; the fixture then checks that nothing survived.

These tests are slow (a minute or two) and need the install step, so `make test` leaves them out;
`make hub-test` runs them (it sets LESSONS_HUB_TEST=1).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HUB_VENV = ROOT / ".venv-hub"
PROXY = ROOT / ".hub-node" / "node_modules" / ".bin" / "configurable-http-proxy"
COURSE_ID = "l1-vs-l2"
START_SECONDS = 120

if os.environ.get("LESSONS_HUB_TEST") != "1":
    collect_ignore_glob = ["test_*.py"]

# JupyterLab settings every student starts with: no news pop-up, every cell kept in the page.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True,
    },
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

HUB_CONFIG = """\
# JupyterHub for tests/hub (written by tests/hub/conftest.py)
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.pid_file = {proxy_pid!r}
c.JupyterHub.db_url = "sqlite:///{db}"
c.JupyterHub.cookie_secret_file = {cookie_secret!r}
c.JupyterHub.pid_file = {hub_pid!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True

c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {homes!r} + "/{{username}}"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# What a hub's /etc/jupyter is: the shared nbgrader_config.py (the exchange) lives there.
c.Spawner.environment = {{"JUPYTER_CONFIG_PATH": {etc_jupyter!r}}}
"""

# The students' side of the exchange, as in docs/instructors.md ("The nbgrader exchange").
STUDENT_NBGRADER_CONFIG = """\
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "{course_id}"
c.Exchange.root = {exchange!r}
# Every server here runs as one Unix account (SimpleLocalProcessSpawner), so nbgrader must take
# the student's name from the hub rather than from the account.
c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER", "*")
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Hub:
    """A JupyterHub process with its proxy; `url`, `password`, `homes`, `exchange`."""

    def __init__(self, base: Path):
        self.base = base
        self.port = free_port()
        self.password = secrets.token_hex(8)
        self.homes = base / "home"
        self.exchange = base / "exchange"
        self.etc_jupyter = base / "etc-jupyter"
        for folder in (self.homes, self.exchange, self.etc_jupyter, base / "hub"):
            folder.mkdir(parents=True, exist_ok=True)
        self.exchange.chmod(0o777)
        (self.etc_jupyter / "nbgrader_config.py").write_text(STUDENT_NBGRADER_CONFIG.format(
            course_id=COURSE_ID, exchange=str(self.exchange)))
        args = ["--LabApp.expose_app_in_browser=True"]
        if os.geteuid() == 0:
            args.insert(0, "--allow-root")
        self.config = base / "hub" / "jupyterhub_config.py"
        self.config.write_text(HUB_CONFIG.format(
            port=self.port, hub_port=free_port(), proxy_api_port=free_port(),
            proxy=str(PROXY), proxy_pid=str(base / "hub" / "proxy.pid"),
            db=base / "hub" / "jupyterhub.sqlite",
            cookie_secret=str(base / "hub" / "cookie_secret"),
            hub_pid=str(base / "hub" / "hub.pid"), password=self.password,
            homes=str(self.homes), singleuser=str(HUB_VENV / "bin" / "jupyterhub-singleuser"),
            args=args, etc_jupyter=str(self.etc_jupyter),
        ))
        self.log_path = base / "hub" / "jupyterhub.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare_home(self, user: str) -> Path:
        """Create a user's home before the first login, with the lab settings above."""
        home = self.homes / user
        settings = home / ".jupyter" / "lab" / "user-settings"
        for relative, values in LAB_SETTINGS.items():
            path = settings / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        return home

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def start(self) -> float:
        """Start the hub in its own process group; seconds until its API answered."""
        env = dict(os.environ, PATH=f"{HUB_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}")
        env.pop("MPLBACKEND", None)  # the students' kernels choose their own backend
        started = time.monotonic()
        self._log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(HUB_VENV / "bin" / "jupyterhub"), "-f", str(self.config)],
            cwd=self.base / "hub", env=env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        while time.monotonic() - started < START_SECONDS:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterHub exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/hub/api", timeout=2):
                    return time.monotonic() - started
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"JupyterHub did not answer in {START_SECONDS} s:\n{self.log_tail()}")

    def stop(self) -> list[str]:
        """Stop the hub, its proxy and every user's server; what had to be killed, if anything."""
        import psutil

        if self.process is None:
            return []
        try:
            tree = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            tree = []
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        _, alive = psutil.wait_procs(tree, timeout=20)
        killed = []
        for process in alive:
            try:
                killed.append(" ".join(process.cmdline()[:3]))
                process.kill()
            except psutil.NoSuchProcess:
                pass
        for group in {self.process.pid}:
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait(timeout=10)
        psutil.wait_procs(alive, timeout=10)
        self._log.close()
        return killed


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """A started hub; stopped at the end whatever happens. Yields (Hub, seconds to start)."""
    missing = [str(path) for path in (HUB_VENV / "bin" / "jupyterhub", PROXY) if not path.exists()]
    if missing:
        pytest.fail(f"run `python tests/hub/install.py` first; missing {missing}", pytrace=False)
    server = Hub(tmp_path_factory.mktemp("hub"))
    try:
        seconds = server.start()
        yield server, seconds
    finally:
        import psutil

        pids = []
        if server.process is not None:
            try:
                pids = [p.pid for p in psutil.Process(server.process.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        killed = server.stop()
        survivors = [pid for pid in pids if psutil.pid_exists(pid)
                     and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        print(f"\nhub stopped: {len(pids)} processes of its tree (proxy, servers, kernels) ended"
              + (f"; had to kill {killed}" if killed else ""))
        assert not survivors, f"processes of the hub survived: {survivors}"
