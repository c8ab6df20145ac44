"""Every graded cell keeps its hidden test, and a blank submission scores 0 on every point.

nbgrader grades a checker cell by running it: no error earns its points. The visible
``checks.check(...)`` only shows a widget and never raises, so the point is earned or lost by the
hidden test, ``checks.grade(key, answer)``, that solutions/*.ipynb keep between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. Deleting it (or grading the wrong key or
variable) gives every learner that point, blank or not. So:

* statically, for every graded cell of every solution (as `lessons.build.nbgrader_source` marks
  them): one visible ``checks.check("K", v)`` and, inside the hidden-test markers, exactly
  ``checks.grade("K", v)`` with the same key and variable; every key of `lessons.keys` is
  graded somewhere, once;
* cheaply, for every graded cell: the blank exercise's stub for that answer (as exercises/
  ships it, executed on its own) fails ``checks.grade`` — nbgrader's 0;
* once for real: `lessons.selfcheck` (which grades like nbgrader autograde, in a fresh kernel,
  with the course's hidden tests put back) gives the shipped blank exercise 0 on every point.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import numpy as np
import pytest

from lessons import build, checks, selfcheck

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
HIDDEN = re.compile(
    re.escape(build.BEGIN_HIDDEN_TESTS) + r"\n(.*?)\n?" + re.escape(build.END_HIDDEN_TESTS),
    re.S,
)
CHECK = re.compile(r'^checks\.check\("([0-9]{2}\.\w+)", (\w+)\)$', re.M)
GRADE = re.compile(r'^checks\.grade\("([0-9]{2}\.\w+)", (\w+)\)$')
REAL_RUN = "02_gradients"  # the one notebook graded for real (small and quick)


def _graded_cells(path: Path):
    """(grade_id, checker source) of every graded cell of one solution, in order."""
    source = build.nbgrader_source(build.read_notebook(path), path.name)
    return [(build.nbgrader_of(cell)["grade_id"], cell.source) for cell in source.cells
            if build.nbgrader_of(cell).get("grade")]


def _hidden_test(cell_source: str):
    """(key, variable) the visible check names, and the hidden blocks' contents."""
    visible = CHECK.findall(HIDDEN.sub("", cell_source))
    hidden = [block.strip() for block in HIDDEN.findall(cell_source)]
    return visible, hidden


GRADED = [(path.stem, grade_id, text) for path in SOLUTIONS for grade_id, text in
          _graded_cells(path)]


def test_every_solution_has_graded_cells():
    assert {name for name, _, _ in GRADED} == {path.stem for path in SOLUTIONS}
    assert len(SOLUTIONS) == 8 and len(GRADED) >= 40


@pytest.mark.parametrize(("name", "grade_id", "text"), GRADED,
                         ids=[f"{name}:{grade_id}" for name, grade_id, _ in GRADED])
def test_every_graded_cell_keeps_its_hidden_test(name, grade_id, text):
    visible, hidden = _hidden_test(text)
    assert len(visible) == 1, f"{name} {grade_id}: one visible checks.check(...) expected"
    assert len(hidden) == 1, f"{name} {grade_id}: one hidden-test block expected, got {hidden}"
    key, variable = visible[0]
    found = GRADE.fullmatch(hidden[0])
    assert found, f"{name} {grade_id}: the hidden test is {hidden[0]!r}, not checks.grade(...)"
    assert found.groups() == (key, variable), (name, grade_id, found.groups(), (key, variable))
    assert key.startswith(name[:2] + "."), (name, key)
    checks.lookup(key)  # a key that exists


def test_every_key_is_graded_exactly_once_or_asked_in_a_lecture():
    # The "check your understanding" questions are asked in the lectures (notebooks/), ungraded;
    # every other key is an exercise of a solution, graded in exactly one cell.
    graded = [_hidden_test(text)[0][0][0] for _, _, text in GRADED]
    lectures = [key for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                for cell in build.read_notebook(path).cells if cell.cell_type == "code"
                for key, _ in CHECK.findall(cell.source)]
    keys = [key for module in sorted((ROOT / "lessons" / "keys").glob("nb[0-9][0-9].py"))
            for key in importlib.import_module(f"lessons.keys.{module.stem}").EXERCISES]
    assert len(lectures) == 8 and not set(lectures) & set(graded)
    assert sorted(graded + lectures) == sorted(keys)


# -- a blank submission ---------------------------------------------------------------------------


def _stubs(name: str) -> dict:
    """The names a blank exercise's answer cells define, each cell run on its own (as shipped)."""
    exercise = build.read_notebook(ROOT / "exercises" / f"{name}.ipynb")
    namespace: dict = {"np": np}
    for cell in exercise.cells:
        if build.nbgrader_of(cell).get("solution") and cell.cell_type == "code":
            assert build.is_blank_answer(cell.source), (name, cell.source)
            exec(compile(ast.parse(cell.source), f"<{name} stub>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("path", SOLUTIONS, ids=[path.stem for path in SOLUTIONS])
def test_every_blank_answer_fails_its_hidden_test(path):
    namespace = _stubs(path.stem)
    for grade_id, text in _graded_cells(path):
        (key, variable), = _hidden_test(text)[0]
        assert variable in namespace, (path.stem, grade_id, variable)
        with pytest.raises(AssertionError):  # nbgrader: an error in the cell, 0 points
            checks.grade(key, namespace[variable])


def test_a_blank_exercise_scores_zero_on_every_point_when_graded_for_real():
    report = selfcheck.selfcheck(ROOT / "exercises" / f"{REAL_RUN}.ipynb", ROOT / "solutions")
    graded = [grade_id for grade_id, _ in _graded_cells(ROOT / "solutions" / f"{REAL_RUN}.ipynb")]
    assert [exercise.grade_id for exercise in report.exercises] == graded
    assert report.max_score > 0
    assert [exercise.points for exercise in report.exercises] == [0.0] * len(graded), \
        report.lines()
    assert all(exercise.status == "unanswered" for exercise in report.exercises), report.lines()
