"""A learner's answer in a real JupyterLab: typed, saved, kept, and graded as it was judged.

In headless Chromium on a temporary copy of the course:

- every notebook (lectures, solutions, exercises) opens, gets its kernel, and is *not* marked
  modified; closed without saving, its file is byte-identical (the server runs the course's
  contents manager, lessons.labserver, as `make lab` should: without it a notebook stored by
  another Python version opens modified, which this test then reports);
- in ``exercises/01_definitions.ipynb`` one exercise of each kind (choice, number, expression,
  slider value, function) is answered by typing into its answer cell; the notebook is run and
  saved (Ctrl+S), the kernel restarted and the page reloaded; the answers are still in their
  cells, and ``lessons.selfcheck`` and real ``nbgrader autograde`` both count exactly them.

Screenshots go to ``artifacts/browser/answers-*.png``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lessons import build, instructor, selfcheck

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
EXERCISE = "exercises/01_definitions.ipynb"
# One exercise of each checker kind, and what a learner types into its answer cell.
ANSWERS = {
    "01.residual_sign": 'residual_choice = "b"',  # Choice
    "01.mae_delivery": "mae = np.mean(np.abs(times.actual - times.predicted))",  # Number
    "01.mae_formula": 'mae_formula = "(Abs(a) + Abs(b) + Abs(c)) / 3"',  # Expression
    "01.crossing": "crossing = 1.0",  # Slider value
    "01.mae_function": (  # Function
        "def mean_absolute_error(predicted, actual):\n"
        "    return float(np.mean(np.abs(np.asarray(actual) - np.asarray(predicted))))"
    ),
}

DIRTY_JS = "() => window.__lessonsPanel.context.model.dirty"
# JupyterLab applies the kernel's language_info in a callback on `kernel.info`, registered
# before this one: once this resolves, the notebook has been marked modified or not.
LANGUAGE_APPLIED_JS = """
async () => {
  await window.__lessonsPanel.sessionContext.session.kernel.info;
  return true;
}
"""
CLOSE_JS = """
async () => {
  const panel = window.__lessonsPanel;
  await panel.sessionContext.shutdown();
  panel.close();
}
"""
SAVE_JS = """
async () => {
  const panel = window.__lessonsPanel;
  window.jupyterapp.shell.activateById(panel.id);
  await window.jupyterapp.commands.execute('docmanager:save');
  return panel.context.model.dirty;
}
"""
RESTART_JS = "async () => { await window.__lessonsPanel.sessionContext.restartKernel(); }"
CELL_SOURCES_JS = """
() => window.__lessonsPanel.content.widgets.map((cell) => cell.model.sharedModel.getSource())
"""


def _every_notebook():
    return [f"{folder}/{path.name}" for folder in ("notebooks", "solutions", "exercises")
            for path in sorted((ROOT / folder).glob("*.ipynb"))]


def test_opening_and_closing_a_notebook_leaves_it_clean_and_unchanged(lab_page):
    lab = lab_page
    paths = _every_notebook()
    assert len(paths) == 24
    before = {path: (lab.course / path).read_bytes() for path in paths}
    dirty = []
    for path in paths:
        lab.open(path)
        # the kernel has connected: JupyterLab has applied its language_info (or marked dirty)
        lab.page.wait_for_function(LANGUAGE_APPLIED_JS, timeout=60_000)
        lab.page.wait_for_timeout(300)
        if lab.page.evaluate(DIRTY_JS):
            dirty.append(path)
            lab.screenshot(f"answers-dirty-{Path(path).stem}")
        lab.page.evaluate(CLOSE_JS)
    changed = [path for path in paths if (lab.course / path).read_bytes() != before[path]]
    assert not dirty, f"opened as modified: {dirty}"
    assert not changed, f"changed on disk by opening and closing: {changed}"


def _answer_cell_index(sources, key):
    checker = next(i for i, source in enumerate(sources) if f'checks.check("{key}"' in source)
    return checker - 1


def _type_into_cell(lab, index, text):
    cell = lab.page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".cm-content")
    editor.click()
    lab.page.keyboard.press("Control+a")
    lab.page.keyboard.press("Delete")
    lab.page.keyboard.insert_text(text)  # as typed (no auto-indent of the pasted lines)
    lab.page.keyboard.press("Escape")


@pytest.fixture(scope="module")
def answered(lab_page):
    """The exercise answered in the browser, saved, the kernel restarted, the page reloaded."""
    lab = lab_page
    lab.open(EXERCISE)
    sources = lab.page.evaluate(CELL_SOURCES_JS)
    for key, text in ANSWERS.items():
        _type_into_cell(lab, _answer_cell_index(sources, key), text)
    lab.run_all()
    lab.screenshot("answers-1-typed-and-run")
    shown = {key: lab.cell(f'checks.check("{key}"').inner_text() for key in ANSWERS}
    assert not lab.page.evaluate(SAVE_JS), "still modified after saving"
    lab.page.evaluate(RESTART_JS)
    lab.page.wait_for_function(
        "() => window.__lessonsPanel.sessionContext.session?.kernel?.status === 'idle'",
        timeout=120_000,
    )
    lab.page.reload()
    lab.page.wait_for_function("() => window.jupyterapp !== undefined", timeout=180_000)
    lab.page.evaluate("async () => { await window.jupyterapp.restored; }")
    lab.open(EXERCISE)
    after_reload = lab.page.evaluate(CELL_SOURCES_JS)
    lab.screenshot("answers-2-after-restart-and-reload")
    lab.page.evaluate(CLOSE_JS)
    return {"shown": shown, "sources": after_reload, "path": lab.course / EXERCISE}


def test_each_kind_of_answer_was_judged_right_in_the_page(answered):
    for key, text in answered["shown"].items():
        assert "Correct" in text, (key, text)


def test_answers_survive_saving_a_kernel_restart_and_a_reload(answered):
    sources = answered["sources"]
    for key, text in ANSWERS.items():
        assert sources[_answer_cell_index(sources, key)] == text, key
    saved = nbformat.read(answered["path"], as_version=4)
    on_disk = [cell.source for cell in saved.cells]
    for key, text in ANSWERS.items():
        assert on_disk[_answer_cell_index(on_disk, key)] == text, key


def test_selfcheck_counts_exactly_the_answers_given(answered):
    report = selfcheck.selfcheck(answered["path"], ROOT / "solutions")
    right = {exercise.grade_id for exercise in report.exercises if exercise.status == "correct"}
    assert right == {key.replace(".", "-") for key in ANSWERS}, report.lines()
    assert report.score == len(ANSWERS)


def test_nbgrader_autograde_counts_exactly_the_answers_given(answered, tmp_path):
    sys.path.insert(0, str(ROOT / "tests"))
    from test_nbgrader import NBGRADER, _grading_env, install_nbgrader

    problem = install_nbgrader()
    if problem and os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(problem)
    if problem:
        pytest.skip(problem)
    course, env = tmp_path / "course", _grading_env(tmp_path / "home")
    name = Path(EXERCISE).stem
    assert instructor.main([str(course), name, "--solutions", str(ROOT / "solutions"),
                            "--release", "--nbgrader", str(NBGRADER)]) == 0
    folder = course / "submitted" / "browser-learner" / name
    folder.mkdir(parents=True)
    nbformat.write(nbformat.read(answered["path"], as_version=4), folder / f"{name}.ipynb")
    instructor.autograde(course, [name], nbgrader=str(NBGRADER), env=env)
    subprocess.run([str(NBGRADER), "export", "--to", "grades.csv"], cwd=course, env=env,
                   check=True, capture_output=True)
    with open(course / "grades.csv", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert float(row["score"]) == len(ANSWERS)
    assert build.read_notebook(folder / f"{name}.ipynb")  # the submission is the saved file
