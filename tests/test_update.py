"""`make update` with real git repositories: a course update never costs a learner an answer.

The course is a git repository with the real exercises/ and a lecture notebook; the learner
clones it, answers two exercises of 02, runs 03 and a lecture, saves. The course then changes
02 (a new sentence and a changed exercise) and 03, and pushes. ``python -m lessons.update``
in the learner's clone must bring the course's changes, keep both answers, and leave no
conflict marker in any notebook.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from lessons import build, update

ROOT = Path(__file__).resolve().parents[1]
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Course", "GIT_AUTHOR_EMAIL": "course@example.org",
    "GIT_COMMITTER_NAME": "Course", "GIT_COMMITTER_EMAIL": "course@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


@pytest.fixture(autouse=True)
def _git_identity(monkeypatch):
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)


def git(folder, *args):
    result = subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _answers_from_solution(name):
    source = build.nbgrader_source(build.read_notebook(ROOT / "solutions" / f"{name}.ipynb"))
    return {build.nbgrader_of(cell)["grade_id"]: cell.source for cell in source.cells
            if build.nbgrader_of(cell).get("solution")}


@pytest.fixture
def course_and_clone(tmp_path):
    course = tmp_path / "course"
    for folder, names in (("exercises", ("02_gradients", "03_likelihood", "04_outliers")),
                          ("notebooks", ("01_definitions",))):
        (course / folder).mkdir(parents=True)
        for name in names:
            shutil.copy(ROOT / folder / f"{name}.ipynb", course / folder / f"{name}.ipynb")
    git(course, "init", "-q", "-b", "main")
    git(course, "add", "-A")
    git(course, "commit", "-q", "-m", "the course")
    clone = tmp_path / "learner"
    git(tmp_path, "clone", "-q", str(course), str(clone))
    return course, clone


def _answer(path, answers, how_many):
    nb = nbformat.read(path, as_version=4)
    answered = {}
    for cell in nb.cells:
        grade_id = build.nbgrader_of(cell).get("grade_id")
        if build.nbgrader_of(cell).get("solution") and len(answered) < how_many:
            cell.source = answers[grade_id]
            cell.execution_count = 1
            answered[grade_id] = cell.source
    nbformat.write(nb, path)
    return answered


def _run_outputs(path):
    """As if the learner ran the notebook and saved: outputs and a newer language_info."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ran\n")]
    nb.metadata["language_info"] = {"name": "python", "version": "3.13.1"}
    nbformat.write(nb, path)


def _course_changes(course):
    for name, sentence in (("02_gradients", "A new sentence from the course."),
                           ("03_likelihood", "Another new sentence.")):
        path = course / "exercises" / f"{name}.ipynb"
        nb = nbformat.read(path, as_version=4)
        first = next(cell for cell in nb.cells if cell.cell_type == "markdown")
        first.source += f"\n\n{sentence}"
        if name == "02_gradients":  # and a changed (locked) checker cell of an unanswered one
            checker = [cell for cell in nb.cells if build.nbgrader_of(cell).get("grade")][-1]
            checker.source += "\n# checked again"
        path.write_text(build.notebook_text(nb))
    git(course, "commit", "-q", "-am", "course update")


def _no_conflict_markers(folder):
    for path in folder.rglob("*.ipynb"):
        text = path.read_text()
        assert "<<<<<<<" not in text and ">>>>>>>" not in text, path


def test_update_keeps_answers_and_brings_the_course_changes(course_and_clone, capsys):
    course, clone = course_and_clone
    exercise = clone / "exercises" / "02_gradients.ipynb"
    answered = _answer(exercise, _answers_from_solution("02_gradients"), 2)
    assert len(answered) == 2
    _run_outputs(clone / "exercises" / "03_likelihood.ipynb")
    _run_outputs(clone / "notebooks" / "01_definitions.ipynb")
    lecture = (clone / "notebooks" / "01_definitions.ipynb").read_bytes()
    _course_changes(course)

    assert update.main(["--root", str(clone)]) == 0
    report = capsys.readouterr().out
    assert "updated the course" in report

    merged = nbformat.read(exercise, as_version=4)
    assert "A new sentence from the course." in merged.cells[0].source or any(
        "A new sentence from the course." in cell.source for cell in merged.cells)
    assert any("# checked again" in cell.source for cell in merged.cells)
    kept = {build.nbgrader_of(cell)["grade_id"]: cell.source for cell in merged.cells
            if build.nbgrader_of(cell).get("solution")}
    for grade_id, source in answered.items():
        assert kept[grade_id] == source
    other = nbformat.read(clone / "exercises" / "03_likelihood.ipynb", as_version=4)
    assert any("Another new sentence." in cell.source for cell in other.cells)
    assert "the course changed exercises/03_likelihood.ipynb" in report
    # a lecture the course did not change comes back exactly as the learner saved it
    assert (clone / "notebooks" / "01_definitions.ipynb").read_bytes() == lecture
    _no_conflict_markers(clone)
    status = git(clone, "status", "--porcelain")
    assert ".lessons-backup" not in status  # the backup is there, but git ignores it
    backups = list((clone / ".lessons-backup").glob("*/exercises/02_gradients.ipynb"))
    assert len(backups) == 1
    # the learner's answers are in sync with the course: `build exercises --check` agrees
    assert build.course_view(merged) == build.course_view(
        nbformat.read(course / "exercises" / "02_gradients.ipynb", as_version=4))

    # a second update with nothing new keeps everything
    before = exercise.read_bytes()
    assert update.main(["--root", str(clone)]) == 0
    assert exercise.read_bytes() == before


def test_update_with_answers_the_learner_committed(course_and_clone):
    course, clone = course_and_clone
    exercise = clone / "exercises" / "02_gradients.ipynb"
    answered = _answer(exercise, _answers_from_solution("02_gradients"), 2)
    git(clone, "commit", "-q", "-am", "my answers")
    _course_changes(course)
    assert update.main(["--root", str(clone)]) == 0
    merged = nbformat.read(exercise, as_version=4)
    kept = {build.nbgrader_of(cell)["grade_id"]: cell.source for cell in merged.cells
            if build.nbgrader_of(cell).get("solution")}
    assert all(kept[grade_id] == source for grade_id, source in answered.items())
    assert any("# checked again" in cell.source for cell in merged.cells)
    _no_conflict_markers(clone)


def test_a_failed_pull_leaves_everything_as_it_was(course_and_clone, capsys):
    course, clone = course_and_clone
    exercise = clone / "exercises" / "02_gradients.ipynb"
    _answer(exercise, _answers_from_solution("02_gradients"), 2)
    before = exercise.read_bytes()
    shutil.rmtree(course)  # the course cannot be reached
    assert update.main(["--root", str(clone)]) == 1
    assert "git pull failed" in capsys.readouterr().err
    assert exercise.read_bytes() == before


def test_outside_a_clone_is_a_clear_error(tmp_path, capsys):
    assert update.main(["--root", str(tmp_path)]) == 1
    assert "not inside a git clone" in capsys.readouterr().err


def test_a_commented_out_stub_and_a_copied_answer_cell_survive_an_update(course_and_clone,
                                                                          capsys):
    course, clone = course_and_clone
    exercise = clone / "exercises" / "02_gradients.ipynb"
    nb = nbformat.read(exercise, as_version=4)
    answers = [cell for cell in nb.cells if build.nbgrader_of(cell).get("solution")]
    function = next(cell for cell in answers if build.FUNCTION_STUB in cell.source)
    function.source = function.source.replace("raise", "# raise") + "\n    return 0.0"
    value = next(cell for cell in answers if "= ..." in cell.source)
    copied = nbformat.from_dict(dict(value, id="my-copy", source="first_try = 1"))
    value.source = "second_try = 2"  # JupyterLab's copy keeps the nbgrader metadata
    nb.cells.insert(nb.cells.index(value) + 1, copied)
    nbformat.write(nb, exercise)
    _course_changes(course)

    assert update.main(["--root", str(clone)]) == 0
    report = capsys.readouterr().out
    merged = [cell.source for cell in nbformat.read(exercise, as_version=4).cells]
    assert function.source in merged
    assert merged[merged.index("second_try = 2") + 1] == "first_try = 1"
    assert "a copy you made of the answer cell" in report


def test_a_branch_alone_is_pulled_from_the_clones_remote(course_and_clone, capsys):
    course, clone = course_and_clone
    git(course, "checkout", "-q", "-b", "next")
    _course_changes(course)
    git(course, "checkout", "-q", "main")
    assert update.main(["--root", str(clone), "--branch", "next"]) == 0
    assert "updated the course" in capsys.readouterr().out
    other = nbformat.read(clone / "exercises" / "03_likelihood.ipynb", as_version=4)
    assert any("Another new sentence." in cell.source for cell in other.cells)
    assert update.main(["--root", str(clone), "--branch", "no-such-branch"]) == 1
    assert "git pull failed" in capsys.readouterr().err


def test_an_exercise_the_course_did_not_change_is_not_rewritten(course_and_clone):
    course, clone = course_and_clone
    exercise = clone / "exercises" / "04_outliers.ipynb"
    _answer(exercise, _answers_from_solution("04_outliers"), 1)
    git(clone, "commit", "-q", "-am", "my answer")
    exercise.chmod(0o444)  # the learner protected it
    before = exercise.stat()
    _course_changes(course)
    assert update.main(["--root", str(clone)]) == 0
    after = exercise.stat()
    assert (after.st_mtime_ns, after.st_mode) == (before.st_mtime_ns, before.st_mode)
