"""Fixtures for the real-browser tests: a JupyterLab server and a headless Chromium page.

The server runs from the project's environment on 127.0.0.1 with a random port and token, in a
temporary copy of the course's notebooks (the real files are never written), with its own
settings, workspace and runtime folders. Chromium is Debian's (``apt-get install chromium
chromium-driver``), driven by the Playwright Python package; Playwright's own browser download is
not needed. Screenshots and the measured latencies go to ``artifacts/browser/``.

Without Chromium or Playwright the tests are skipped with the reason, except under CI
(``CI=true``), where a missing browser is a failure: CI must always run them.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
    from playwright.sync_api import sync_playwright
except ImportError:  # reported by the lab_page fixture: skipped, or a failure under CI
    sync_playwright = None
    PlaywrightTimeoutError = TimeoutError

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from labtools import (  # noqa: E402
    CHROMIUM_FLAGS,
    OPEN_NOTEBOOK_JS,
    JupyterLabServer,
    copy_course,
    find_chromium,
)

ARTIFACTS = ROOT / "artifacts" / "browser"
LATENCY_FILE = ARTIFACTS / "latency.json"
APP_LOAD_SECONDS = 180
RUN_ALL_SECONDS = 300

# Installed in the page before JupyterLab loads: records the time of every user input and of
# every visible change a widget makes, so a latency is "input event -> first redraw after it".
# An ipympl figure redraws with drawImage onto its canvas; an ipywidgets Image or an inline
# figure changes an <img>; an exercise's verdict changes the text of `.lessons-feedback`.
INSTRUMENTATION_JS = """
(() => {
  const log = { inputs: [], changes: [] };
  window.__lessons = log;
  const now = () => performance.now();
  for (const type of ['mousedown', 'mousemove', 'mouseup', 'keydown']) {
    window.addEventListener(type, () => log.inputs.push({ type, t: now() }), true);
  }
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const result = drawImage.apply(this, args);
    const canvas = this.canvas;
    if (canvas && canvas.isConnected && canvas.closest('.jupyter-matplotlib-canvas-div')) {
      log.changes.push({ kind: 'figure', t: now() });
    }
    return result;
  };
  const images = (node) => node.nodeType !== 1 ? []
    : node.tagName === 'IMG' ? [node] : [...node.querySelectorAll('img')];
  const observe = () => new MutationObserver((records) => {
    const t = now();
    for (const record of records) {
      const node = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      if (!node) continue;
      if (node.closest('.lessons-feedback')) {
        log.changes.push({ kind: 'feedback', t });
      } else if (node.closest('.jp-OutputArea')) {
        const changed = record.type === 'attributes' ? images(node)
          : [...record.addedNodes].flatMap(images);
        if (changed.length) log.changes.push({ kind: 'figure', t });
      }
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true,
    attributes: true, attributeFilter: ['src'],
  });
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', observe);
  } else {
    observe();
  }
})();
"""

# The latency of the last input of a type after `mark`: time to the first change of one of
# `kinds` after it. Returns null (keep waiting) until that change has happened.
LATENCY_JS = """
([mark, inputType, kinds]) => {
  const log = window.__lessons;
  const inputs = log.inputs.filter((e) => e.t > mark && e.type === inputType);
  if (!inputs.length) return null;
  const start = inputs[inputs.length - 1].t;
  const change = log.changes.find((c) => c.t >= start && kinds.includes(c.kind));
  return change ? { ms: change.t - start } : null;
}
"""

KERNEL_IDLE_JS = """
() => {
  const kernel = window.__lessonsPanel.sessionContext.session?.kernel;
  return kernel && kernel.status === 'idle';
}
"""

# Clear the stored outputs, then run every cell; resolves when the last cell has finished.
RUN_ALL_JS = """
async () => {
  const app = window.jupyterapp;
  const panel = window.__lessonsPanel;
  app.shell.activateById(panel.id);
  await app.commands.execute('notebook:clear-all-cell-outputs');
  const ok = await app.commands.execute('notebook:run-all-cells');
  const cells = panel.content.widgets.filter((cell) => cell.model.type === 'code');
  return {
    ok,
    unrun: cells.filter((cell) => cell.model.executionCount === null).length,
    errors: cells.flatMap((cell, index) => cell.model.outputs.toJSON()
      .filter((output) => output.output_type === 'error')
      .map((output) => `code cell ${index + 1}: ${output.ename}: ${output.evalue}`)),
  };
}
"""

# Run code in the notebook's kernel without touching the notebook; return what it printed.
KERNEL_EXEC_JS = """
async (code) => {
  const kernel = window.__lessonsPanel.sessionContext.session.kernel;
  const future = kernel.requestExecute({ code, silent: false, store_history: false });
  let text = '';
  let error = null;
  future.onIOPub = (msg) => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') error = msg.content.ename + ': ' + msg.content.evalue;
  };
  await future.done;
  return { text, error };
}
"""

# What a learner would see as broken: widgets shown as their text repr, figures as a repr or
# blank, widget errors, and outputs still loading.
PAGE_PROBLEMS_JS = r"""
() => {
  const panel = window.__lessonsPanel;
  const problems = [];
  const repr = new RegExp(
    String.raw`\b(VBox|HBox|Box|Canvas|Toolbar|FloatSlider|IntSlider|LabelledSlider|Output` +
    String.raw`|Image|HTML|Text|Button|RadioButtons|Dropdown|Label)` +
    String.raw`\((children|value|layout|toolbar|description|options)|<Figure size|Figure\(\d+x\d+\)`
  );
  const bad = /Error displaying widget|Loading widget\.\.\.|Failed to display/;
  const outputs = panel.node.querySelectorAll('.jp-OutputArea-output');
  outputs.forEach((output, index) => {
    const text = output.innerText || '';
    const match = text.match(repr) || text.match(bad);
    if (match) problems.push(`output ${index + 1} shows "${text.slice(0, 80)}"`);
  });
  const distinctColours = (source, width, height) => {
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.min(width, 200));
    canvas.height = Math.max(1, Math.min(height, 200));
    const context = canvas.getContext('2d');
    context.drawImage(source, 0, 0, canvas.width, canvas.height);
    const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const colours = new Set();
    for (let i = 0; i < data.length && colours.size < 3; i += 4) {
      colours.add(data.slice(i, i + 4).join(','));
    }
    return colours.size;
  };
  const figures = [];
  panel.node.querySelectorAll('.jupyter-matplotlib-canvas-div').forEach((div) => {
    figures.push(['ipympl figure', div.querySelector('canvas')]);
  });
  panel.node.querySelectorAll('.jp-OutputArea-output img').forEach((img) => {
    figures.push(['image', img]);
  });
  figures.forEach(([kind, element], index) => {
    const width = element.naturalWidth ?? element.width;
    const height = element.naturalHeight ?? element.height;
    if (!width || !height) {
      problems.push(`${kind} ${index + 1} has no pixels`);
    } else if (distinctColours(element, width, height) < 2) {
      problems.push(`${kind} ${index + 1} is blank (one colour)`);
    }
  });
  return { problems, figures: figures.length, outputs: outputs.length };
}
"""

# A fingerprint of every figure's pixels in the notebook, to tell whether anything visible moved.
FIGURE_PIXELS_JS = """
() => {
  const panel = window.__lessonsPanel;
  const parts = [];
  panel.node.querySelectorAll('.jupyter-matplotlib-canvas-div canvas:first-child')
    .forEach((canvas) => parts.push(canvas.toDataURL()));
  panel.node.querySelectorAll('.jp-OutputArea-output img').forEach((img) => parts.push(img.src));
  let hash = 0;
  for (const part of parts) {
    for (let i = 0; i < part.length; i += 1) hash = (hash * 31 + part.charCodeAt(i)) | 0;
  }
  return `${parts.length}:${hash}`;
}
"""

# True once every figure has pixels: an ipympl canvas gets its size with its first picture,
# an <img> when it has loaded.
FIGURES_DRAWN_JS = """
() => {
  const node = window.__lessonsPanel.node;
  const canvases = [...node.querySelectorAll('.jupyter-matplotlib-canvas-div canvas')];
  const images = [...node.querySelectorAll('.jp-OutputArea-output img')];
  return canvases.every((canvas) => canvas.width > 0 && canvas.height > 0)
    && images.every((img) => img.complete && img.naturalWidth > 0);
}
"""

MARK_CLEAN_AND_CLOSE_JS = """
async () => {
  const panel = window.__lessonsPanel;
  panel.context.model.dirty = false;  // no "save changes?" dialog: the copy is thrown away
  await panel.sessionContext.shutdown();
  panel.close();
}
"""


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    """Skip with `reason`, or fail under CI, where the browser test must always run."""
    if _in_ci():
        pytest.fail(f"CI=true but the browser test cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


class LabPage:
    """A Playwright page on JupyterLab, with the few actions the tests need.

    Parameters
    ----------
    page : playwright.sync_api.Page
        Already showing JupyterLab (``window.jupyterapp`` exposed).
    """

    def __init__(self, page):
        self.page = page
        self.path = None
        self.console_errors = []  # shown with a failure: a widget's own error is often there
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)[:300]))

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text[:300])

    def open(self, path: str) -> None:
        """Open notebook `path` (relative to the server root) and wait for an idle kernel."""
        self.page.evaluate(OPEN_NOTEBOOK_JS, path)
        self.page.wait_for_function(KERNEL_IDLE_JS, timeout=APP_LOAD_SECONDS * 1000)
        self.path = path

    def close(self) -> None:
        """Shut the notebook's kernel down and close it without saving."""
        self.page.evaluate(MARK_CLEAN_AND_CLOSE_JS)

    def run_all(self) -> float:
        """Clear outputs, run every cell, wait for the widgets; return the seconds it took.

        Fails the test if a cell is left unrun or raised an error.
        """
        start = time.monotonic()
        result = self.page.evaluate(RUN_ALL_JS)
        self.page.wait_for_function(KERNEL_IDLE_JS, timeout=RUN_ALL_SECONDS * 1000)
        assert not result["errors"], f"{self.path}: cells raised errors: {result['errors']}"
        assert result["ok"] and not result["unrun"], f"{self.path}: not every cell ran: {result}"
        # Widgets render after the kernel goes idle; wait until no output is still loading
        # and every figure has its first picture (a blank one is reported by `problems`).
        self.page.wait_for_function(
            "() => !window.__lessonsPanel.node.innerText.includes('Loading widget...')",
            timeout=60_000,
        )
        try:
            self.page.wait_for_function(FIGURES_DRAWN_JS, timeout=60_000)
        except PlaywrightTimeoutError:
            pass  # assert_renders names the figure that never got its picture
        self.page.wait_for_timeout(500)
        return time.monotonic() - start

    def problems(self) -> dict:
        """Outputs rendered as text reprs, blank figures, widget errors (see PAGE_PROBLEMS_JS)."""
        return self.page.evaluate(PAGE_PROBLEMS_JS)

    def assert_renders(self, min_figures: int = 0) -> None:
        """Fail on any rendering problem, or when fewer than `min_figures` figures are shown."""
        report = self.problems()
        if report["problems"]:
            self.screenshot(f"failed-{Path(self.path).stem}")
        assert not report["problems"], (
            f"{self.path}: {report['problems']}; browser console errors: {self.console_errors}"
        )
        assert report["figures"] >= min_figures, (
            f"{self.path}: {report['figures']} figures shown, expected at least {min_figures}"
        )

    def figure_pixels(self) -> str:
        """A fingerprint of the pixels of every figure in the notebook."""
        return self.page.evaluate(FIGURE_PIXELS_JS)

    def kernel(self, code: str) -> str:
        """Run `code` in the notebook's kernel (outside the notebook); return its stdout."""
        result = self.page.evaluate(KERNEL_EXEC_JS, code)
        assert result["error"] is None, f"kernel probe failed: {result['error']}"
        return result["text"]

    def cell(self, text: str):
        """The code cell whose source contains `text` (a Playwright locator)."""
        cell = self.page.locator(".jp-Notebook .jp-CodeCell").filter(has_text=text)
        assert cell.count() == 1, f"{self.path}: {cell.count()} code cells contain {text!r}"
        return cell

    def timed(self, action, input_type: str, kinds, timeout: float = 15.0) -> float:
        """Run `action`; return ms from its last `input_type` event to a change of `kinds`."""
        mark = self.page.evaluate("performance.now()")
        action()
        handle = self.page.wait_for_function(
            LATENCY_JS, arg=[mark, input_type, list(kinds)], timeout=timeout * 1000
        )
        return handle.json_value()["ms"]

    def screenshot_figures(self, prefix: str, limit: int = 12) -> int:
        """Screenshot each output that shows a figure (``PREFIX-figure-K.png``); return how many."""
        outputs = self.page.locator(
            ".jp-Notebook .jp-OutputArea-output:has(img), "
            ".jp-Notebook .jp-OutputArea-output:has(.jupyter-matplotlib-canvas-div)"
        )
        count = min(outputs.count(), limit)
        for index in range(count):
            self.screenshot(f"{prefix}-figure-{index + 1}", outputs.nth(index))
        return count

    def screenshot(self, name: str, element=None) -> Path:
        """Save a screenshot of the page (or of `element`) as ``artifacts/browser/NAME.png``."""
        path = ARTIFACTS / f"{name}.png"
        if element is not None:
            element.scroll_into_view_if_needed()
            element.screenshot(path=path)
        else:
            self.page.screenshot(path=path)
        return path


def summarise(samples_ms) -> dict:
    """Median, 95th percentile and count of latency samples, in milliseconds."""
    ordered = sorted(samples_ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(p95, 1),
        "n": len(ordered),
        "samples_ms": [round(value, 1) for value in samples_ms],
    }


class LatencyLog:
    """What the browser tests measured; saved as ``artifacts/browser/latency.json``."""

    def __init__(self):
        self.data = {"measured_at": time.strftime("%Y-%m-%d %H:%M:%S"), "run_all_s": {},
                     "steps": {}}

    def run_all(self, path: str, seconds: float) -> None:
        """Record how long running every cell of notebook `path` took."""
        self.data["run_all_s"][path] = round(seconds, 1)

    def step(self, name: str, samples_ms, label: str = "") -> None:
        """Record the latencies of one interaction (see `summarise`); `label`: the widget's."""
        self.data["steps"][name] = {**summarise(samples_ms), "label": label}

    def save(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        LATENCY_FILE.write_text(json.dumps(self.data, indent=1, ensure_ascii=False) + "\n")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "browser: drives JupyterLab in headless Chromium (skipped without Chromium, "
        "except under CI=true where it fails)",
    )


_CLEANED = []


def _clean_screenshots_once() -> None:
    """Remove the last run's screenshots, once per session (each test module starts a lab)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if not _CLEANED:
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()
        _CLEANED.append(True)


@pytest.fixture(scope="module")
def latency_log():
    """A `LatencyLog` the tests fill; written to artifacts/browser/latency.json at the end."""
    log = LatencyLog()
    yield log
    if log.data["steps"]:  # a skipped run keeps the last real measurement
        log.save()


@pytest.fixture(scope="module")
def lab_page(latency_log):
    """JupyterLab on a temporary copy of the course, open in headless Chromium."""
    chromium = find_chromium()
    if chromium is None:
        _unavailable(
            "Chromium is not installed (apt-get install chromium chromium-driver; "
            "or set LESSONS_CHROMIUM to its path)"
        )
    if sync_playwright is None:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")

    _clean_screenshots_once()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lessons-browser-") as temp:
        course, home = Path(temp) / "course", Path(temp) / "home"
        course.mkdir()
        home.mkdir()
        copy_course(course)
        server = JupyterLabServer(course, home)
        try:
            latency_log.data["server_start_s"] = round(server.wait_until_ready(), 1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=chromium, headless=True, args=CHROMIUM_FLAGS
                )
                try:
                    page = browser.new_page(viewport={"width": 1280, "height": 900})
                    page.add_init_script(INSTRUMENTATION_JS)
                    load_start = time.monotonic()
                    page.goto(f"{server.url}/lab?token={server.token}")
                    page.wait_for_function(
                        "() => window.jupyterapp !== undefined", timeout=APP_LOAD_SECONDS * 1000
                    )
                    page.evaluate("async () => { await window.jupyterapp.restored; }")
                    latency_log.data["app_load_s"] = round(time.monotonic() - load_start, 1)
                    lab = LabPage(page)
                    lab.course, lab.server_url = course, f"{server.url}/lab?token={server.token}"
                    yield lab
                finally:
                    browser.close()
        finally:
            server.stop()
            latency_log.data["session_s"] = round(time.monotonic() - started, 1)
