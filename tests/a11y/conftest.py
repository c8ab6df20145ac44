"""A JupyterLab server on a throwaway copy of the course, and a Chromium page on it (tests/a11y).

LESSONS_COURSE_ROOT points the tests at another checkout's notebooks (to measure "before" on main
with this branch's tests): ``LESSONS_COURSE_ROOT=/path/to/main pytest tests/a11y``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / folder) for folder in ("site", "")]
import labtools  # noqa: E402
import sitetools  # noqa: E402

COURSE = Path(os.environ.get("LESSONS_COURSE_ROOT", sitetools.ROOT))
OPEN_NOTEBOOK_JS = labtools.OPEN_NOTEBOOK_JS
KERNEL_IDLE_JS = """
() => {
  const panel = window.__lessonsPanel;
  const kernel = panel && panel.sessionContext.session?.kernel;
  return kernel && kernel.status === 'idle'
    && !panel.content.widgets.some((c) => c.model.type === 'code' && c.promptNode
                                    && c.promptNode.textContent.includes('*'));
}
"""


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """(base URL with token, course copy): JupyterLab serving a copy of the course."""
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        sitetools.unavailable("JupyterLab is not installed")
    root = tmp_path_factory.mktemp("course")
    labtools.copy_course(root, COURSE)
    server = labtools.JupyterLabServer(root, tmp_path_factory.mktemp("labhome"),
                                       env={"PYTHONPATH": str(COURSE)})
    try:
        try:
            server.wait_until_ready()
        except RuntimeError as error:
            pytest.fail(str(error))
        # ?reset: every page starts from an empty workspace, not the previous test's tabs.
        yield f"{server.url}/lab?reset&token={server.token}", root
    finally:
        server.stop()


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
    page.evaluate("() => window.__lessonsPanel && window.__lessonsPanel.sessionContext.shutdown()")
    page.close()
