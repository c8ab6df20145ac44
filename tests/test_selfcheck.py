"""`lessons.selfcheck` agrees with real `nbgrader autograde` on a corpus of submissions.

The corpus: for each of three notebooks, seven learners — complete, blank, half-done, a
widget-only answerer (✅ shown in the saved outputs, but the answer never reached the file), a
hidden-state answer (an answer that needs a cell the learner deleted), an edited locked cell
(a checker cell replaced by ``pass``, a data cell changed) and a syntax error in one answer.
nbgrader grades all 21 in one ``autograde`` run (one course, many students), from its own
environment ``.venv-nbgrader`` as in tests/test_nbgrader.py; the self-check grades each file.
Scores must agree per graded cell and in total.
"""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import nbformat
import pytest
from test_nbgrader import exported_grades, nbgrader, released_course, submit  # noqa: I001

from lessons import build, selfcheck
from lessons.build.links import point_next_at_lectures

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
NOTEBOOKS = ("01_definitions", "02_gradients", "04_outliers")
KINDS = ("complete", "blank", "half", "widget-only", "hidden-state", "edited-locked",
         "syntax-error")


def _answer_cells(nb):
    return [cell for cell in nb.cells if build.nbgrader_of(cell).get("solution")]


def _value_name(cell) -> str | None:
    for line in cell.source.split("\n"):
        name, sep, rest = line.partition(" = ")
        if sep and rest.strip() == "..." and name.isidentifier():
            return name
    return None


def make_submission(name: str, kind: str) -> tuple[nbformat.NotebookNode, float | None]:
    """One learner's saved notebook, and the score it must get (None: whatever nbgrader says)."""
    solution = build.read_notebook(SOLUTIONS / f"{name}.ipynb")
    source = build.nbgrader_source(solution, name)
    exercise = build.make_exercise(solution, name)
    point_next_at_lectures(exercise, ROOT / "notebooks")  # as exercises/ has it
    answers = {build.nbgrader_of(cell)["grade_id"]: cell.source for cell in _answer_cells(source)}
    points = [build.nbgrader_of(cell).get("points", 0) for cell in exercise.cells
              if build.nbgrader_of(cell).get("grade")]
    cells = _answer_cells(exercise)
    value_cells = [cell for cell in cells if _value_name(cell)]
    names = {id(cell): _value_name(cell) for cell in value_cells}  # before answers replace stubs
    if kind == "blank":
        return exercise, 0
    if kind == "widget-only":  # outputs of a run where every widget said ✅; the file has stubs
        stored = {build.nbgrader_of(cell).get("grade_id"): cell for cell in solution.cells
                  if build.nbgrader_of(cell)}
        for cell in exercise.cells:
            grade_id = build.nbgrader_of(cell).get("grade_id")
            if cell.cell_type == "code" and grade_id in stored:
                cell.outputs = stored[grade_id].get("outputs", [])
        return exercise, 0
    fill = cells[: len(cells) // 2] if kind == "half" else cells
    for cell in fill:
        cell.source = answers[build.nbgrader_of(cell)["grade_id"]]
    if kind == "complete":
        return exercise, sum(points)
    if kind == "hidden-state":  # `x = _value` where `_value` came from a deleted cell
        target = value_cells[0]
        target.source = f"{names[id(target)]} = _from_a_deleted_cell"
        return exercise, sum(points) - 1
    if kind == "syntax-error":
        target = value_cells[-1]
        target.source = f"{names[id(target)]} = (1 +"
        return exercise, sum(points) - 1
    if kind == "edited-locked":
        checker = next(cell for cell in exercise.cells if build.nbgrader_of(cell).get("grade"))
        checker.source = "pass  # no checking here"
        data = next(cell for cell in exercise.cells if cell.cell_type == "code"
                    and build.nbgrader_of(cell).get("locked")
                    and not build.nbgrader_of(cell).get("grade"))
        data.source += "\nimport math  # an edit the grader undoes"
        return exercise, sum(points)
    return exercise, None  # half: as nbgrader says


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The submissions on disk, nbgrader's scores per (student, notebook) and per cell."""
    course, env = released_course(tmp_path_factory, "selfcheck", NOTEBOOKS)
    submissions = {}
    for name in NOTEBOOKS:
        for kind in KINDS:
            notebook, expected = make_submission(name, kind)
            submissions[kind, name] = (submit(course, kind, name, notebook), expected)
    log = nbgrader(course, env, "autograde", "*", timeout=1200)
    totals = {(row["student_id"], row["assignment"]): float(row["score"])
              for row in exported_grades(course, env)}
    with sqlite3.connect(course / "gradebook.db") as db:
        cells = {
            (student, assignment, cell): (auto or 0.0)
            for student, assignment, cell, auto in db.execute(
                "SELECT submitted_assignment.student_id, assignment.name, base_cell.name, "
                "grade.auto_score FROM grade "
                "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
                "JOIN submitted_assignment "
                "  ON submitted_notebook.assignment_id = submitted_assignment.id "
                "JOIN assignment ON submitted_assignment.assignment_id = assignment.id "
                "JOIN base_cell ON grade.cell_id = base_cell.id"
            )
        }
    return {"submissions": submissions, "totals": totals, "cells": cells,
            "log": log}


@pytest.fixture(scope="module")
def selfchecked(corpus):
    from concurrent.futures import ThreadPoolExecutor

    keys = list(corpus["submissions"])
    with ThreadPoolExecutor(max_workers=2) as pool:  # each check runs its own kernel
        reports = pool.map(
            lambda key: selfcheck.selfcheck(corpus["submissions"][key][0], SOLUTIONS), keys
        )
    return dict(zip(keys, reports, strict=True))


def test_the_corpus_is_at_least_twenty_submissions(corpus):
    assert len(corpus["submissions"]) >= 20
    assert len(corpus["totals"]) == len(corpus["submissions"])


def test_selfcheck_total_agrees_with_nbgrader_autograde(corpus, selfchecked):
    table = []
    for (kind, name), report in selfchecked.items():
        table.append((kind, name, report.score, corpus["totals"][kind, name], report.max_score))
    print("\nsubmission, notebook, selfcheck, autograde, out of")
    for row in table:
        print(*row, sep=", ")
    out = ROOT / "artifacts" / "selfcheck"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "agreement.csv", "w", newline="") as handle:
        csv.writer(handle).writerows(
            [("submission", "notebook", "selfcheck", "autograde", "out of"), *table]
        )
    disagreements = [row for row in table if row[2] != row[3]]
    assert not disagreements


def test_selfcheck_agrees_with_nbgrader_on_every_graded_cell(corpus, selfchecked):
    disagreements = []
    for (kind, name), report in selfchecked.items():
        for exercise in report.exercises:
            theirs = corpus["cells"].get((kind, name, exercise.grade_id))
            if theirs != exercise.points:
                disagreements.append((kind, name, exercise.grade_id, exercise.points, theirs))
    assert not disagreements


def test_scores_are_what_each_kind_of_learner_should_get(corpus, selfchecked):
    for (kind, name), (_, expected) in corpus["submissions"].items():
        report = selfchecked[kind, name]
        if expected is not None:
            assert report.score == expected, (kind, name, report.lines())
        elif kind == "half":
            assert 0 < report.score < report.max_score, (kind, name, report.lines())


def test_the_report_says_what_happened(selfchecked):
    blank = selfchecked["blank", "02_gradients"].lines()
    assert blank[-1] == "score: 0/5"
    assert all(line.startswith("⏳") for line in blank[:-1])
    complete = selfchecked["complete", "02_gradients"].lines()
    assert all(line.startswith("✅") for line in complete[:-1])
    hidden = "\n".join(selfchecked["hidden-state", "01_definitions"].lines())
    assert "_from_a_deleted_cell" in hidden and "a cell you deleted" in hidden
    edited = selfchecked["edited-locked", "04_outliers"].notes
    assert len(edited) == 2 and all("puts the course's version back" in note for note in edited)
    assert "SyntaxError" in "\n".join(selfchecked["syntax-error", "02_gradients"].lines())


def test_selfcheck_explains_a_missing_notebook_or_course_version(tmp_path, capsys):
    assert selfcheck.main([str(tmp_path / "nothing.ipynb")]) == 1
    assert "no such notebook" in capsys.readouterr().err
    stray = tmp_path / "my_work.ipynb"
    nbformat.write(nbformat.v4.new_notebook(), stray)
    assert selfcheck.main([str(stray), "--solutions", str(SOLUTIONS)]) == 1
    err = capsys.readouterr().err
    assert "no course notebook" in err and "--solutions" in err and "Traceback" not in err
