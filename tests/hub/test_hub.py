"""The course on a real JupyterHub, as two students and an instructor use it.

1. The instructor's course lives in a git repository (here a local bare repository; on a real
   hub, GitHub or the university's GitLab). Each student follows the nbgitpuller link that
   docs/instructors.md documents (`lessons.readme.nbgitpuller_url`): the hub spawns their server,
   nbgitpuller clones the course into their home, and JupyterLab opens exercise notebook 01.
   They run it (the checker widgets must render and answer), type answers and save.
2. The instructor pushes an update; the students follow the same link again: the update arrives
   and every answer they saved is still there, on disk and in JupyterLab.
3. The nbgrader exchange on the hub: the instructor releases assignment 01, each student fetches
   it and submits through their own server (the requests the nbgrader Assignments panel sends),
   one with every answer, one with half; the instructor collects, autogrades and exports; each
   grade must be what the submission deserves.

Timings (hub start, pull, first notebook rendered, exchange round trip) are printed and written
to artifacts/hub/timings.json.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from lessons import readme

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - reported below
    sync_playwright = None

ROOT = Path(__file__).resolve().parents[2]
HUB_VENV = ROOT / ".venv-hub"  # as in conftest.py
COURSE_ID = "l1-vs-l2"
CHROMIUM = os.environ.get("LESSONS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--disable-sync"]
ASSIGNMENT = "01_definitions"
EXERCISE = f"exercises/{ASSIGNMENT}.ipynb"
STUDENTS = ("alice", "bob")
ARTIFACTS = ROOT / "artifacts" / "hub"
TIMEOUT_MS = 120_000
UPDATE_NOTE = "Update from your instructor: this note arrived with `git pull`."
ERRATA = "notebooks/ERRATA.md"

# The end of both scripts below: wait for the notebook panel, make it the one the test reads
# (window.__hubPanel, [data-hub-current]) and tag its cells with their ids.
ADOPT_PANEL_JS = """  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  window.__hubPanel = panel;
  document.querySelectorAll('[data-hub-current]')
    .forEach((n) => n.removeAttribute('data-hub-current'));
  panel.node.setAttribute('data-hub-current', '1');
  panel.content.widgets.forEach((cell) => cell.node.setAttribute('data-cell-id', cell.model.id));
  return panel.context.path;
}
"""

# Wait for JupyterLab, take the notebook it opened, wait for its kernel.
CURRENT_NOTEBOOK_JS = """
async (path) => {
  const app = window.jupyterapp;
  await app.restored;
  let panel = null;
  for (let i = 0; i < 600 && !panel; i += 1) {
    const widgets = [...app.shell.widgets('main')];
    panel = widgets.find((w) => w.context && w.context.path.endsWith(path)) || null;
    if (!panel) await new Promise((r) => setTimeout(r, 200));
  }
  if (!panel) throw new Error('JupyterLab did not open ' + path);
""" + ADOPT_PANEL_JS

OPEN_JS = """
async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', { path, factory: 'Notebook' });
""" + ADOPT_PANEL_JS

KERNEL_IDLE_JS = """
() => { const k = window.__hubPanel.sessionContext.session?.kernel;
        return !!k && k.status === 'idle'; }
"""

RUN_ALL_JS = """
async () => {
  const app = window.jupyterapp;
  app.shell.activateById(window.__hubPanel.id);
  return await app.commands.execute('notebook:run-all-cells');
}
"""

CELL_SOURCES_JS = """
() => Object.fromEntries(window.__hubPanel.content.widgets.map(
  (cell) => [cell.model.id, cell.model.sharedModel.getSource()]))
"""

DIRTY_JS = "() => window.__hubPanel.context.model.dirty"

# What the nbgrader Assignments panel sends when a student clicks Fetch or Submit.
NBGRADER_ACTION_JS = """
async ([action, course, assignment]) => {
  const settings = window.jupyterapp.serviceManager.serverSettings;
  const xsrf = (document.cookie.match(/(?:^|; )_xsrf=([^;]*)/) || [])[1];
  const response = await fetch(settings.baseUrl + 'assignments/' + action, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded',
               'X-XSRFToken': xsrf ? decodeURIComponent(xsrf) : '' },
    body: new URLSearchParams({ course_id: course, assignment_id: assignment }),
  });
  return [response.status, await response.text()];
}
"""


def _answers() -> dict[str, str]:
    """Cell id -> the worked answer of each answer cell of solutions/01 (markers removed)."""
    solution = nbformat.read(ROOT / "solutions" / f"{ASSIGNMENT}.ipynb", as_version=4)
    exercise = nbformat.read(ROOT / EXERCISE, as_version=4)
    answer_ids = [cell.id for cell in exercise.cells
                  if cell.metadata.get("nbgrader", {}).get("solution")]
    sources = {cell.id: cell.source for cell in solution.cells}
    answers = {}
    for cell_id in answer_ids:
        lines = [line for line in sources[cell_id].splitlines()
                 if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")]
        answers[cell_id] = "\n".join(lines)
    assert len(answers) >= 4, "notebook 01 should have several exercises"
    return answers


def _git(*args, cwd):
    return subprocess.run(
        ["git", "-c", "user.name=Instructor", "-c", "user.email=instructor@example.edu",
         "-c", "init.defaultBranch=main", *args],
        cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def course_repository(tmp_path_factory):
    """A bare repository with the course (the instructor's remote) and the instructor's clone."""
    base = tmp_path_factory.mktemp("git")
    # Named like a GitHub URL (no .git): nbgitpuller clones into a folder of the same name.
    remote, work = base / "remote" / COURSE_ID, base / "instructor"
    remote.parent.mkdir()
    _git("init", "--bare", "-q", str(remote), cwd=base)
    work.mkdir()
    for name in ("README.md", "LICENSE", "LICENSE-CONTENT"):
        if (ROOT / name).exists():
            shutil.copy2(ROOT / name, work / name)
    for folder in ("notebooks", "exercises"):
        shutil.copytree(ROOT / folder, work / folder)
    _git("init", "-q", cwd=work)
    _git("add", "-A", cwd=work)
    _git("commit", "-q", "-m", "The course", cwd=work)
    _git("push", "-q", str(remote), "HEAD:main", cwd=work)
    return remote, work


def _push_update(work: Path, remote: Path) -> None:
    lecture = work / "notebooks" / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(lecture, as_version=4)
    notebook.cells.append(nbformat.v4.new_markdown_cell(UPDATE_NOTE))
    nbformat.write(notebook, lecture)
    (work / ERRATA).write_text(f"# Errata\n\n{UPDATE_NOTE}\n")
    _git("add", "-A", cwd=work)
    _git("commit", "-q", "-m", "Update: a note in notebook 01 and an errata file", cwd=work)
    _git("push", "-q", str(remote), "HEAD:main", cwd=work)


def _type_answer(page, cell_id: str, text: str) -> None:
    editor = page.locator(f'[data-hub-current] [data-cell-id="{cell_id}"] .cm-content')
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def _save(page) -> None:
    page.keyboard.press("Control+s")
    page.wait_for_function(f"() => !({DIRTY_JS[6:]})", timeout=TIMEOUT_MS)


def _login(context, hub, user):
    page = context.new_page()
    page.goto(f"{hub.url}/hub/login", timeout=TIMEOUT_MS)
    page.fill("#username_input", user)
    page.fill("#password_input", hub.password)
    page.click("#login_submit")
    page.wait_for_url(re.compile(r".*/(hub/(home|spawn|spawn-pending).*|user/.*)"),
                      timeout=TIMEOUT_MS)
    return page


def _follow_link(page, link: str) -> tuple[float, float]:
    """Open the nbgitpuller link; (seconds until JupyterLab opened the notebook, until the
    notebook was rendered with an idle kernel)."""
    started = time.monotonic()
    page.goto(link, timeout=TIMEOUT_MS)
    page.wait_for_url(re.compile(r".*/lab/tree/.*"), timeout=TIMEOUT_MS)
    page.wait_for_function("() => !!window.jupyterapp", timeout=TIMEOUT_MS)
    page.evaluate(CURRENT_NOTEBOOK_JS, EXERCISE)
    pulled = time.monotonic() - started
    _wait_rendered(page)
    return pulled, time.monotonic() - started


def _wait_rendered(page) -> None:
    """Until the notebook's code cells are on screen and its kernel is idle."""
    page.locator(".jp-Notebook .jp-CodeCell .cm-content >> visible=true").first.wait_for(
        timeout=TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE_JS, timeout=TIMEOUT_MS)


def _nbgrader(course: Path, *args: str) -> str:
    env = dict(os.environ, PATH=f"{HUB_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}",
               JUPYTER_CONFIG_DIR=str(course / ".jupyter"), MPLBACKEND="Agg")
    result = subprocess.run([str(HUB_VENV / "bin" / "nbgrader"), *args], cwd=course, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout}{result.stderr}"
    return result.stdout + result.stderr


@pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed")
def test_two_students_pull_answer_update_and_submit(hub, course_repository, tmp_path):
    server, hub_start = hub
    remote, work = course_repository
    answers = _answers()
    answer_ids = list(answers)
    half = answer_ids[: len(answer_ids) // 2]
    link = readme.nbgitpuller_url(server.url, str(remote), "main", EXERCISE)
    timings: dict = {"hub start (s)": round(hub_start, 1)}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM} (apt-get install chromium)", pytrace=False)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        pages = {}
        try:
            # 1. First pull, a first answer, save.
            for user in STUDENTS:
                server.prepare_home(user)
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = _login(context, server, user)
                pages[user] = page
                pulled, rendered = _follow_link(page, link)
                timings[f"{user}: first pull, until JupyterLab opened the notebook (s)"] = \
                    round(pulled, 1)
                timings[f"{user}: first notebook rendered, kernel idle (s)"] = round(rendered, 1)
                home = server.homes / user / COURSE_ID
                assert (home / EXERCISE).is_file(), f"nbgitpuller did not clone into {home}"
                # Run it as a learner does, then answer the first exercise and check it.
                assert page.evaluate(RUN_ALL_JS) is not False
                page.wait_for_function(KERNEL_IDLE_JS, timeout=TIMEOUT_MS)
                first = answer_ids[0]
                _type_answer(page, first, answers[first])
                page.keyboard.press("Shift+Enter")  # runs the answer, moves to its checker
                page.keyboard.press("Shift+Enter")  # runs the checker
                checker = page.locator(
                    f'[data-hub-current] [data-cell-id="{first}"] + .jp-CodeCell')
                checker.locator(".jupyter-widgets").first.wait_for(timeout=TIMEOUT_MS)
                page.wait_for_function(
                    f"""() => (document.querySelector(
                    '[data-hub-current] [data-cell-id="{first}"] + .jp-CodeCell')
                    ?.innerText || '').includes('✅')""", timeout=TIMEOUT_MS)
                text = checker.inner_text()
                assert "Error displaying widget" not in text and "VBox(" not in text, text
                second = answer_ids[1]
                _type_answer(page, second, answers[second])
                _save(page)
                page.screenshot(path=str(ARTIFACTS / f"{user}-answered.png"))
                on_disk = nbformat.read(home / EXERCISE, as_version=4)
                saved = {cell.id: cell.source for cell in on_disk.cells}
                assert saved[first] == answers[first] and saved[second] == answers[second]
                pages[user] = page

            # 2. The instructor pushes an update; the students follow the link again.
            _push_update(work, remote)
            for user, page in pages.items():
                started = time.monotonic()
                page.goto(link, timeout=TIMEOUT_MS)
                page.wait_for_url(re.compile(r".*/lab/tree/.*"), timeout=TIMEOUT_MS)
                page.wait_for_function("() => !!window.jupyterapp", timeout=TIMEOUT_MS)
                page.evaluate(CURRENT_NOTEBOOK_JS, EXERCISE)
                timings[f"{user}: second pull (update), until the notebook opened (s)"] = \
                    round(time.monotonic() - started, 1)
                home = server.homes / user / COURSE_ID
                assert (home / ERRATA).is_file(), "the instructor's new file did not arrive"
                lecture = nbformat.read(home / "notebooks" / f"{ASSIGNMENT}.ipynb", as_version=4)
                assert lecture.cells[-1].source == UPDATE_NOTE, "the changed notebook did not"
                on_disk = {c.id: c.source for c in nbformat.read(home / EXERCISE, 4).cells}
                in_lab = page.evaluate(CELL_SOURCES_JS)
                for cell_id in answer_ids[:2]:
                    assert on_disk[cell_id] == answers[cell_id], f"{user} lost an answer on disk"
                    assert in_lab[cell_id] == answers[cell_id], f"{user} lost an answer in lab"
                page.screenshot(path=str(ARTIFACTS / f"{user}-after-update.png"))

            # 3. The nbgrader exchange.
            exchange_started = time.monotonic()
            course = tmp_path / "course"
            subprocess.run(
                [str(HUB_VENV / "bin" / "python"), "-m", "lessons.instructor", str(course),
                 ASSIGNMENT, "--release", "--nbgrader", str(HUB_VENV / "bin" / "nbgrader")],
                cwd=ROOT, check=True, capture_output=True, text=True,
                env=dict(os.environ, PATH=f"{HUB_VENV / 'bin'}{os.pathsep}{os.environ['PATH']}"),
            )
            with open(course / "nbgrader_config.py", "a") as config:
                config.write(f"\nc.Exchange.root = {str(server.exchange)!r}\n")
            _nbgrader(course, "release_assignment", ASSIGNMENT, "--force")
            exchange = {"instructor: generate and release (s)":
                        time.monotonic() - exchange_started}
            release_ids = {cell.id for cell in nbformat.read(
                course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4).cells}
            assert set(answer_ids) <= release_ids, "the release lost the answer cells' ids"
            for user, page in pages.items():
                started = time.monotonic()
                status, body = page.evaluate(NBGRADER_ACTION_JS, ["fetch", COURSE_ID, ASSIGNMENT])
                exchange[f"{user}: fetch (s)"] = time.monotonic() - started
                assert status == 200 and '"success": true' in body, body[:2000]
                fetched = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
                assert (server.homes / user / fetched).is_file(), body[:2000]
                page.evaluate(OPEN_JS, fetched)
                _wait_rendered(page)
                for cell_id in answer_ids if user == "alice" else half:
                    _type_answer(page, cell_id, answers[cell_id])
                _save(page)
                started = time.monotonic()
                status, body = page.evaluate(NBGRADER_ACTION_JS, ["submit", COURSE_ID, ASSIGNMENT])
                exchange[f"{user}: submit (s)"] = time.monotonic() - started
                assert status == 200 and '"success": true' in body, body[:2000]
        except Exception:
            for user, page in pages.items():
                page.screenshot(path=str(ARTIFACTS / f"{user}-failure.png"))
            raise
        finally:
            browser.close()

    started = time.monotonic()
    _nbgrader(course, "collect", ASSIGNMENT)
    for user in STUDENTS:
        assert (course / "submitted" / user / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), user
    _nbgrader(course, "autograde", ASSIGNMENT, "--create")
    _nbgrader(course, "export")
    exchange["instructor: collect, autograde, export (s)"] = time.monotonic() - started
    timings.update({key: round(value, 1) for key, value in exchange.items()})
    timings["exchange round trip without the students' typing (s)"] = \
        round(sum(exchange.values()), 1)
    with open(course / "grades.csv") as grades_file:
        grades = {row["student_id"]: row for row in csv.DictReader(grades_file)}
    source = nbformat.read(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    points, follows = {}, None
    for cell in source.cells:  # each grade cell (checker) follows its answer cell
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            follows = cell.id
        elif meta.get("grade"):
            points[follows] = float(meta["points"])
    full, deserved_half = sum(points.values()), sum(points[i] for i in half)
    got = {user: float(grades[user]["score"]) for user in STUDENTS}
    timings["grades"] = {"alice": f"{got['alice']:g} / {full:g}",
                         "bob": f"{got['bob']:g} / {full:g} (deserves {deserved_half:g})"}
    (ARTIFACTS / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    print("\nJupyterHub test timings:\n" + json.dumps(timings, indent=2))
    assert float(grades["alice"]["max_score"]) == full
    assert got == {"alice": full, "bob": deserved_half}, got
