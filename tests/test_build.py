"""Tests for lessons.build on the tiny fixture notebooks in tests/fixtures/build/."""

import importlib.util
import json
import os
import platform
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from lessons import build

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "build"
SOLUTION_FIXTURES = ("marked.ipynb", "unmarked.ipynb", "out_of_order.ipynb", "unbalanced.ipynb")
NBGRADER_KEYS = {"grade", "grade_id", "locked", "points", "schema_version", "solution"}


def _load_fixture_maker():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _read(path):
    return nbformat.read(path, as_version=4)


def _fixture(name):
    return _read(FIXTURES / name)


def _cells_by_id(nb):
    return {cell.id: cell for cell in nb.cells}


def _write(path, nb):
    path.write_text(build.notebook_text(nb), encoding="utf-8")


def _solutions_dir(tmp_path, names=("marked.ipynb", "unmarked.ipynb")):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    for name in names:
        shutil.copy(FIXTURES / name, solutions / name)
    return solutions, tmp_path / "exercises"


def _build(solutions, exercises, *extra):
    return build.main(
        ["exercises", "--solutions", str(solutions), "--exercises", str(exercises), *extra]
    )


def _executed(nb, cells):
    """A notebook with the given cells, stored as if run top to bottom."""
    count = 0
    for cell in cells:
        if cell.cell_type == "code" and cell.source.strip():
            count += 1
            cell.execution_count = count
    nb.cells = cells
    return nb


def _nbgrader_problems(nb):
    """The rules nbgrader's schema-3 validator applies (nbgrader itself is not installed)."""
    problems, seen = [], set()
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        if set(meta) - NBGRADER_KEYS or meta.get("schema_version") != 3:
            problems.append(f"{cell.id}: keys {sorted(meta)}")
        if not re.fullmatch(r"[A-Za-z0-9_-]+", meta.get("grade_id", "")):
            problems.append(f"{cell.id}: grade_id {meta.get('grade_id')!r}")
        if meta["grade"] and not (isinstance(meta.get("points"), (int, float))):
            problems.append(f"{cell.id}: graded without points")
        if cell.cell_type == "markdown" and meta["grade"] != meta["solution"]:
            problems.append(
                f"{cell.id}: markdown cells must be both grade and solution, or neither"
            )
        if meta["grade_id"] in seen:
            problems.append(f"{cell.id}: duplicate grade_id {meta['grade_id']}")
        seen.add(meta["grade_id"])
    return problems


@pytest.fixture(scope="module")
def marked_exercise():
    return build.make_exercise(_fixture("marked.ipynb"), "marked.ipynb")


# --------------------------------------------------------------------------- fixtures


def test_stored_fixtures_match_their_generator():
    maker = _load_fixture_maker()
    for relative, nb in maker.fixtures().items():
        path = FIXTURES / relative
        assert path.is_file(), f"{path} missing: run python {FIXTURES / 'make_fixtures.py'}"
        assert path.read_text(encoding="utf-8") == maker.fixture_text(nb), relative


def test_marked_fixture_is_a_valid_solution():
    build.validate_solution(_fixture("marked.ipynb"), "marked.ipynb")  # raises if not


# --------------------------------------------------------------------------- stubs


def test_top_level_answer_becomes_one_stub_per_assigned_name(marked_exercise):
    assert _cells_by_id(marked_exercise)["mae-answer"].source == (
        "# the learner's cell\n"
        "# Your answer: replace ... with your code.\n"
        "mae = ...\n"
        "count = ...\n"
        "low = ...\n"
        "rest = ..."
    )


def test_function_answer_keeps_def_and_docstring(marked_exercise):
    assert _cells_by_id(marked_exercise)["double-answer"].source == (
        "def double(x):\n"
        '    """Return twice x."""\n'
        '    raise NotImplementedError("Replace this line with your code.")'
    )


def test_markdown_answer_becomes_a_prompt(marked_exercise):
    assert _cells_by_id(marked_exercise)["why"].source == (
        "**Exercise 3.** Why does one outlier move the mean more than the median?\n"
        "\n"
        "_Write your answer here._"
    )


def test_hidden_tests_are_removed(marked_exercise):
    assert _cells_by_id(marked_exercise)["mae-check"].source == 'checks.check("fixture.mae", mae)'
    for cell in marked_exercise.cells:
        assert "###" not in cell.source
        assert "checks.grade" not in cell.source
        assert "sum(abs(" not in cell.source and "2 * x" not in cell.source


def test_solution_only_cells_dropped_and_other_cells_keep_order_and_ids(marked_exercise):
    solution_ids = [cell.id for cell in _fixture("marked.ipynb").cells]
    solution_ids.remove("teacher-note")
    assert [cell.id for cell in marked_exercise.cells] == solution_ids
    assert "learner-note" in solution_ids


def test_unmarked_cells_keep_their_source(marked_exercise):
    solution = _cells_by_id(_fixture("marked.ipynb"))
    for cell_id in ("intro", "setup", "data", "double-check", "shown", "summary"):
        assert _cells_by_id(marked_exercise)[cell_id].source == solution[cell_id].source


def test_outputs_and_execution_counts_are_cleared(marked_exercise):
    code_cells = [cell for cell in marked_exercise.cells if cell.cell_type == "code"]
    assert code_cells
    for cell in code_cells:
        assert cell.outputs == []
        assert cell.execution_count is None


def test_top_level_region_that_assigns_nothing():
    nb = _executed(
        new_notebook(), [new_code_cell("### BEGIN SOLUTION\nprint(1)\n### END SOLUTION")]
    )
    assert build.make_exercise(nb).cells[0].source == "# Your code here."


def test_indented_region_outside_a_function_keeps_its_indent():
    source = (
        "total = 0\nfor v in [1, 2]:\n    ### BEGIN SOLUTION\n    total += v\n    ### END SOLUTION"
    )
    nb = _executed(new_notebook(), [new_code_cell(source)])
    assert build.make_exercise(nb).cells[0].source == (
        "total = 0\nfor v in [1, 2]:\n"
        "    # Your answer: replace ... with your code.\n    total = ..."
    )


def test_region_in_a_method_inside_an_if_is_a_function_body():
    source = (
        "class Model:\n    def fit(self, x):\n        if x:\n"
        "            ### BEGIN SOLUTION\n            return x\n            ### END SOLUTION\n"
        "        return None"
    )
    nb = _executed(new_notebook(), [new_code_cell(source)])
    assert build.make_exercise(nb).cells[0].source == (
        "class Model:\n    def fit(self, x):\n        if x:\n"
        '            raise NotImplementedError("Replace this line with your code.")\n'
        "        return None"
    )


def test_region_that_is_not_whole_statements_is_a_clear_error():
    nb = _executed(
        new_notebook(), [new_code_cell("x = (\n### BEGIN SOLUTION\n1 +\n### END SOLUTION\n2)")]
    )
    with pytest.raises(build.BuildError, match=r"demo, cell 1 .*not complete Python"):
        build.make_exercise(nb, "demo")


# --------------------------------------------------------------------------- metadata


def test_nbgrader_metadata_per_cell(marked_exercise):
    meta = {cell.id: cell.metadata["nbgrader"] for cell in marked_exercise.cells}
    assert meta["mae-answer"] == {
        "grade": False,
        "grade_id": "cell-mae-answer",
        "locked": False,
        "schema_version": 3,
        "solution": True,
    }
    assert meta["double-answer"]["solution"] is True
    assert meta["mae-check"] == {
        "grade": True,
        "grade_id": "fixture-mae",
        "locked": True,
        "points": 2,
        "schema_version": 3,
        "solution": False,
    }
    assert meta["double-check"] == {
        "grade": True,
        "grade_id": "fixture-double",
        "locked": True,
        "points": 1,
        "schema_version": 3,
        "solution": False,
    }
    # nbgrader accepts a written answer only as a manually graded (grade + solution) cell
    assert meta["why"] == {
        "grade": True,
        "grade_id": "cell-why",
        "locked": False,
        "points": 1,
        "schema_version": 3,
        "solution": True,
    }
    for cell_id in ("intro", "setup", "data", "shown", "blank", "summary", "learner-note"):
        assert meta[cell_id] == {
            "grade": False,
            "grade_id": f"cell-{cell_id}",
            "locked": True,
            "schema_version": 3,
            "solution": False,
        }
    assert _nbgrader_problems(marked_exercise) == []


def test_grade_ids_are_unique():
    cells = [
        new_code_cell('checks.check("a.b", 1)'),
        new_code_cell('checks.check("a b", 2)'),
        new_code_cell("x = 1"),
    ]
    cells[2].id = "a-b"  # its fallback id "cell-a-b" must not collide either
    exercise = build.make_exercise(_executed(new_notebook(), cells))
    ids = [cell.metadata["nbgrader"]["grade_id"] for cell in exercise.cells]
    assert ids == ["a-b", "a-b-2", "cell-a-b"]
    assert _nbgrader_problems(exercise) == []


def test_bad_points_tag_is_a_clear_error():
    cell = new_code_cell('checks.check("k", 1)', metadata={"tags": ["points=many"]})
    with pytest.raises(build.BuildError, match="points=many"):
        build.make_exercise(_executed(new_notebook(), [cell]), "demo")


def test_notebook_and_cell_metadata_are_normalised(marked_exercise):
    assert marked_exercise.metadata == {
        "kernelspec": {
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
            "name": "python3",
        },
        # the kernel's language_info, whole: JupyterLab then opens the notebook clean
        "language_info": {"mimetype": "text/x-python", "name": "python", "version": "3.11.9"},
        "lessons": {"source_sha256": build.source_hash(marked_exercise)},
    }
    for cell in marked_exercise.cells:
        assert not {"execution", "scrolled", "collapsed", "ExecuteTime"} & set(cell.metadata)


def test_normalise_keeps_lessons_metadata_and_does_not_modify_its_input():
    solution = _fixture("marked.ipynb")
    solution.metadata["lessons"] = {"level": 1}
    normalised = build.normalise(solution)
    assert set(normalised.metadata) == {"kernelspec", "language_info", "lessons"}
    assert normalised.metadata["lessons"] == {"level": 1}
    assert "widgets" in solution.metadata
    assert "execution" in _cells_by_id(solution)["data"].metadata
    assert "execution" not in _cells_by_id(normalised)["data"].metadata


def test_source_hash_ignores_outputs_and_sees_edits():
    solution = _fixture("marked.ipynb")
    exercise = build.make_exercise(solution)
    original = build.source_hash(exercise)
    assert re.fullmatch(r"[0-9a-f]{64}", original)
    exercise.cells[1].outputs = [new_output("stream", name="stdout", text="ran\n")]
    exercise.cells[1].execution_count = 4
    assert build.source_hash(exercise) == original
    exercise.cells[1].source += "\n# my note"
    assert build.source_hash(exercise) != original


def test_nbgrader_source_keeps_answers_with_the_exercise_metadata(marked_exercise):
    source_nb = build.nbgrader_source(_fixture("marked.ipynb"))
    solution = _cells_by_id(_fixture("marked.ipynb"))
    assert [cell.id for cell in source_nb.cells] == [cell.id for cell in marked_exercise.cells]
    for cell, exercise_cell in zip(source_nb.cells, marked_exercise.cells, strict=True):
        # the answer is kept; a top-level value answer gets a comment naming its variables,
        # which survives nbgrader's ClearSolutions (it replaces the whole marked region)
        assert cell.source.replace(
            "# Your answer: assign it to `mae`, `count`, `low` and `rest`.\n", ""
        ) == solution[cell.id].source
        assert cell.metadata["nbgrader"] == exercise_cell.metadata["nbgrader"]
    assert "### BEGIN HIDDEN TESTS" in _cells_by_id(source_nb)["mae-check"].source
    answer = _cells_by_id(source_nb)["mae-answer"].source
    assert "assign it to `mae`, `count`, `low` and `rest`.\n### BEGIN SOLUTION" in answer


# --------------------------------------------------------------------------- validation


def test_unmarked_notebook_passes_through_with_outputs_cleared():
    solution = _fixture("unmarked.ipynb")
    exercise = build.make_exercise(solution)
    assert [(c.cell_type, c.source) for c in exercise.cells] == [
        (c.cell_type, c.source) for c in solution.cells
    ]
    assert all(c.outputs == [] for c in exercise.cells if c.cell_type == "code")
    assert all(c.metadata["nbgrader"]["locked"] for c in exercise.cells)


def test_out_of_order_execution_is_rejected(tmp_path, capsys):
    with pytest.raises(build.BuildError, match=r"out_of_order, cell 3 .*execution count 3"):
        build.validate_solution(_fixture("out_of_order.ipynb"), "out_of_order")
    solutions, exercises = _solutions_dir(tmp_path, ["out_of_order.ipynb"])
    assert _build(solutions, exercises) == 1
    assert "Restart Kernel and Run All Cells" in capsys.readouterr().err
    assert not (exercises / "out_of_order.ipynb").exists()


def test_unrun_cell_and_stored_error_are_rejected():
    nb = _executed(new_notebook(), [new_code_cell("a = 1"), new_code_cell("b = 2")])
    nb.cells[1].execution_count = None
    with pytest.raises(build.BuildError, match=r"demo, cell 2 .*never run"):
        build.validate_solution(nb, "demo")
    nb = _executed(new_notebook(), [new_code_cell("1 / 0")])
    nb.cells[0].outputs = [new_output("error", ename="ZeroDivisionError", evalue="division")]
    with pytest.raises(build.BuildError, match=r"demo, cell 1 .*ZeroDivisionError"):
        build.validate_solution(nb, "demo")


def test_unclosed_marker_is_rejected(tmp_path, capsys):
    with pytest.raises(build.BuildError, match=r"unbalanced, cell 2 .*never closed"):
        build.validate_solution(_fixture("unbalanced.ipynb"), "unbalanced")
    solutions, exercises = _solutions_dir(tmp_path, ["unbalanced.ipynb"])
    assert _build(solutions, exercises) == 1
    assert "### END SOLUTION" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("### END SOLUTION\nx = 1", "no matching"),
        ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\nx = 1\n### END HIDDEN TESTS", "cannot nest"),
        ("### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS", "closes a region opened"),
        ("x = 1\n### BEGIN HIDDEN TESTS", "never closed"),
    ],
)
def test_unbalanced_markers_are_rejected(source, message):
    nb = _executed(new_notebook(), [new_markdown_cell("# T"), new_code_cell(source)])
    with pytest.raises(build.BuildError, match=rf"demo, cell 2 .*{message}"):
        build.validate_solution(nb, "demo")
    with pytest.raises(build.BuildError, match=message):
        build.make_exercise(nb, "demo")


# --------------------------------------------------------------------------- command line


def test_output_is_deterministic_bytes(tmp_path):
    first = build.exercise_text(FIXTURES / "marked.ipynb")
    assert first == build.exercise_text(FIXTURES / "marked.ipynb")
    assert first.endswith("}\n")
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises) == 0
    stored = (exercises / "marked.ipynb").read_bytes()
    assert stored == first.encode("utf-8")
    (exercises / "marked.ipynb").unlink()
    assert _build(solutions, exercises) == 0
    assert (exercises / "marked.ipynb").read_bytes() == stored


def test_check_reports_missing_stale_and_orphaned(tmp_path, capsys):
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises, "--check") == 1
    assert f"missing: {exercises / 'marked.ipynb'}" in capsys.readouterr().err
    assert not exercises.exists()  # --check writes nothing

    assert _build(solutions, exercises) == 0
    assert _build(solutions, exercises, "--check") == 0

    solution = _read(solutions / "unmarked.ipynb")
    solution.cells[0].source = "# Unmarked fixture, retitled"
    _write(solutions / "unmarked.ipynb", solution)
    before = (exercises / "unmarked.ipynb").read_bytes()
    capsys.readouterr()
    assert _build(solutions, exercises, "--check") == 1
    assert f"stale: {exercises / 'unmarked.ipynb'}" in capsys.readouterr().err
    assert (exercises / "unmarked.ipynb").read_bytes() == before

    assert _build(solutions, exercises) == 0
    assert _build(solutions, exercises, "--check") == 0
    shutil.copy(exercises / "unmarked.ipynb", exercises / "99_gone.ipynb")
    capsys.readouterr()
    assert _build(solutions, exercises, "--check") == 1
    assert "orphaned (no solution of that name" in capsys.readouterr().err


def test_learner_answers_are_kept_unless_forced_or_merged(tmp_path, capsys):
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises) == 0
    target = exercises / "marked.ipynb"
    learner_copy = _read(target)
    _cells_by_id(learner_copy)["mae-answer"].source = "mae = 7 / 3"
    _write(target, learner_copy)
    edited = target.read_bytes()
    # answering is not staleness: in sync, and nothing is rewritten
    assert _build(solutions, exercises, "--check") == 0
    assert _build(solutions, exercises) == 0
    assert target.read_bytes() == edited

    solution = _read(solutions / "marked.ipynb")
    solution.cells[0].source = "# Marked fixture, revised"
    _write(solutions / "marked.ipynb", solution)
    capsys.readouterr()
    assert _build(solutions, exercises) == 1
    err = capsys.readouterr().err
    assert (f"{target}: the course's version of this exercise has changed, and your copy holds "
            "your answers in ") in err
    assert "--keep-answers" in err and "--force to replace it" in err
    assert f"your copy is saved first in {build.BACKUP_DIR}/" in err
    assert target.read_bytes() == edited
    assert (exercises / "unmarked.ipynb").exists()  # the others are still built

    assert _build(solutions, exercises, "--keep-answers") == 0
    merged = _read(target)
    assert merged.cells[0].source == "# Marked fixture, revised"
    assert _cells_by_id(merged)["mae-answer"].source == "mae = 7 / 3"
    assert _build(solutions, exercises, "--check") == 0

    answered = target.read_bytes()
    assert _build(solutions, exercises, "--force") == 0
    assert target.read_bytes() == build.exercise_text(solutions / "marked.ipynb").encode()
    # each replacement kept the learner's copy first: the edited one, then the merged one
    assert [path.read_bytes() for path in _backups(tmp_path)] == [edited, answered]


def test_exercise_only_run_by_a_learner_is_neither_stale_nor_overwritten(tmp_path):
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises) == 0
    target = exercises / "marked.ipynb"
    ran = _read(target)
    ran.cells[2].execution_count = 1
    ran.cells[2].outputs = [new_output("stream", name="stdout", text="3\n")]
    ran.cells[2].metadata["scrolled"] = True
    ran.cells[2].metadata["jupyter"] = {"outputs_hidden": True}
    ran.metadata["widgets"] = {"state": {}}
    ran.metadata["language_info"] = {"name": "python", "version": "3.13.0"}
    _write(target, ran)
    before = target.read_bytes()
    assert _build(solutions, exercises, "--check") == 0
    assert _build(solutions, exercises) == 0
    assert target.read_bytes() == before


def test_stale_exercise_with_outputs_names_them_before_replacing(tmp_path, capsys):
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises) == 0
    target = exercises / "marked.ipynb"
    ran = _read(target)
    ran.cells[2].outputs = [new_output("stream", name="stdout", text="3\n")]
    _write(target, ran)
    solution = _read(solutions / "marked.ipynb")
    solution.cells[0].source = "# Marked fixture, revised"
    _write(solutions / "marked.ipynb", solution)
    assert _build(solutions, exercises) == 1
    assert "your copy holds the outputs of 1 cell(s)" in capsys.readouterr().err


def test_a_learners_added_cell_is_carried_into_the_new_version():
    solution = _fixture("marked.ipynb")
    old = build.make_exercise(solution, "marked")
    answer_position = [cell.id for cell in old.cells].index("mae-answer")
    old.cells.insert(answer_position + 1, new_code_cell("scratch = 1 + 1"))
    _cells_by_id(old)["mae-answer"].source = "mae = 7 / 3"
    solution.cells[0].source = "# Revised"
    new = build.make_exercise(solution, "marked")
    merged, notes = build.merge_answers(new, old)
    ids = [cell.id for cell in merged.cells]
    assert notes == []
    assert merged.cells[ids.index("mae-answer") + 1].source == "scratch = 1 + 1"
    assert merged.cells[0].source == "# Revised"
    nbformat.validate(merged)


def test_an_answer_whose_cell_is_gone_is_kept_at_the_end():
    solution = _fixture("marked.ipynb")
    old = build.make_exercise(solution, "marked")
    _cells_by_id(old)["mae-answer"].source = "mae = 7 / 3"
    solution.cells = [cell for cell in solution.cells if cell.id != "mae-answer"]
    merged, notes = build.merge_answers(build.make_exercise(solution, "marked"), old)
    assert len(notes) == 1 and "no answer cell in the new version" in notes[0]
    assert "mae = 7 / 3" in merged.cells[-1].source


def test_blank_answers_are_recognised():
    exercise = build.make_exercise(_fixture("marked.ipynb"), "marked")
    stubs = {cell.id: cell.source for cell in exercise.cells if build.is_answer_cell(cell)}
    prompt = stubs.pop("why")  # markdown: the prompt is in the cell, beside the stub
    assert stubs and all(build.is_blank_answer(source) for source in stubs.values())
    assert not build.is_blank_answer(prompt)  # without the course's stub it is kept, to be safe
    again = build.make_exercise(_fixture("marked.ipynb"), "marked")  # the course's stub
    assert build.saved_answers(exercise, again) == {}
    assert build.saved_answers(exercise) == {"cell-why": prompt}
    _cells_by_id(exercise)["why"].source = prompt + "\n\nOne outlier moves the mean."
    assert list(build.saved_answers(exercise, again)) == ["cell-why"]
    assert not build.is_blank_answer("mae = ...\nmae = 2")
    assert not build.is_blank_answer("def f(x):\n    return x")


def test_file_we_did_not_generate_is_not_overwritten(tmp_path, capsys):
    solutions, exercises = _solutions_dir(tmp_path, ["unmarked.ipynb"])
    exercises.mkdir()
    hand_made = exercises / "unmarked.ipynb"
    hand_made.write_text("not even a notebook", encoding="utf-8")
    assert _build(solutions, exercises) == 1
    assert "is not a notebook this tool can read; left as it is" in capsys.readouterr().err
    assert hand_made.read_text(encoding="utf-8") == "not even a notebook"
    assert _build(solutions, exercises, "--force") == 0
    assert _read(hand_made).metadata["lessons"]["source_sha256"]


def test_leftover_temporary_files_are_cleaned_on_the_next_run(tmp_path, capsys):
    solutions, exercises = _solutions_dir(tmp_path)
    exercises.mkdir()
    old = exercises / ".marked.ipynb.k1ll3d.tmp"
    young = exercises / ".unmarked.ipynb.wr1t1ng.tmp"  # a write still under way elsewhere
    old.write_text("{half a notebook")
    young.write_text("{half")
    os.utime(old, (0, 0))
    assert _build(solutions, exercises) == 0
    assert not old.exists() and young.exists()
    assert f"removed {old}" in capsys.readouterr().out


def test_or_report_prints_one_error_line_and_gives_none(tmp_path, capsys):
    missing = tmp_path / "missing.ipynb"
    assert build.nbfiles.or_report(build.read_notebook, missing) is None
    assert capsys.readouterr().err == f"error: {missing}: no such notebook.\n"
    assert build.nbfiles.or_report(str.upper, "fine") == "FINE"
    with pytest.raises(ValueError):  # only a BuildError is reported; anything else is a bug
        build.nbfiles.or_report(int, "not a number")


def test_execute_reports_a_broken_notebook_and_carries_on(tmp_path, capsys, monkeypatch):
    broken, fine = tmp_path / "01_broken.ipynb", tmp_path / "02_fine.ipynb"
    for path in (broken, fine):
        path.write_text(build.notebook_text(new_notebook(cells=[new_code_cell("1")])))

    def execute(path):
        if path == broken:
            raise build.BuildError(f"{path}: cell 1 raised")
        return build.read_notebook(path)

    monkeypatch.setattr(build.cli, "execute_notebook", execute)
    monkeypatch.setattr(build.cli, "refresh_links", lambda folders: [])
    assert build.main(["execute", str(broken), str(fine)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"error: {broken}: cell 1 raised\n"
    assert f"{fine}: executed in" in captured.out


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_exercises_folder_is_one_line_naming_file_and_reason(tmp_path, capsys):
    solutions, exercises = _solutions_dir(tmp_path)
    exercises.mkdir()
    exercises.chmod(0o555)
    try:
        assert _build(solutions, exercises) == 1
    finally:
        exercises.chmod(0o755)
    err = capsys.readouterr().err
    assert f"error: cannot write {exercises / 'marked.ipynb'}: Permission denied" in err
    assert "Traceback" not in err


def test_an_oserror_becomes_one_line(tmp_path, capsys, monkeypatch):
    solutions, exercises = _solutions_dir(tmp_path)

    def refuse(path, text):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(build.exercises, "write_atomic", refuse)
    assert _build(solutions, exercises) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == f"error: cannot write {exercises / 'marked.ipynb'}: Permission denied"
    assert "Traceback" not in "".join(err)


def test_named_files_are_built_alone(tmp_path):
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises, "unmarked.ipynb") == 0
    assert sorted(path.name for path in exercises.iterdir()) == ["unmarked.ipynb"]
    assert _build(solutions, exercises, "nope.ipynb") == 1


def test_writes_leave_no_temporary_files(tmp_path, monkeypatch):
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises) == 0
    assert sorted(os.listdir(exercises)) == ["marked.ipynb", "unmarked.ipynb"]

    target = exercises / "marked.ipynb"
    target.write_bytes(target.read_bytes().replace(b'"fixture.mae"', b'"fixture.old"'))
    before = target.read_bytes()

    def failing_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        build.write_atomic(target, "new text")
    assert target.read_bytes() == before
    assert sorted(os.listdir(exercises)) == ["marked.ipynb", "unmarked.ipynb"]


def test_missing_solutions_folder_is_a_clear_error(tmp_path, capsys):
    assert _build(tmp_path / "nowhere", tmp_path / "exercises") == 1
    assert "no folder" in capsys.readouterr().err


# --------------------------------------------------------------------------- links


def _next_lines(path):
    return [
        line
        for cell in _read(path).cells
        if cell.cell_type == "markdown"
        for line in cell.source.split("\n")
        if line.startswith("**Next:**")
    ]


def test_links_are_rewritten_in_number_order(tmp_path):
    folder = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "links", folder)
    changed = build.refresh_links([folder])
    assert sorted(path.name for path in changed) == [
        "01_first.ipynb",
        "02_second.ipynb",
        "10_tenth.ipynb",
    ]
    assert _next_lines(folder / "01_first.ipynb") == [
        r"**Next:** [Second: \[L1\] and L2](02_second.ipynb)"
    ]
    assert _next_lines(folder / "02_second.ipynb") == ["**Next:** [Tenth](10_tenth.ipynb)"]
    assert _next_lines(folder / "10_tenth.ipynb") == [
        "**Next:** that was the last notebook; back to the [course overview](../README.md)."
    ]
    second = _read(folder / "02_second.ipynb")
    assert second.cells[1].source == "**Next:** [Tenth](10_tenth.ipynb)\nAfter."
    tenth = _read(folder / "10_tenth.ipynb")
    assert tenth.cells[1].source == "# **Next:** is only rewritten in markdown"
    assert build.refresh_links([folder]) == []


def test_links_check_catches_stale_links(tmp_path, capsys):
    folder = tmp_path / "notebooks"
    shutil.copytree(FIXTURES / "links", folder)
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert build.main(["links", "--check", str(folder)]) == 1
    assert "01_first.ipynb" in capsys.readouterr().err
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert build.main(["links", str(folder)]) == 0
    assert build.main(["links", "--check", str(folder)]) == 0
    (folder / "10_tenth.ipynb").rename(folder / "03_third.ipynb")
    assert build.main(["links", "--check", str(folder)]) == 1
    assert build.main(["links", "--check", str(tmp_path / "missing")]) == 1


# --------------------------------------------------------------------------- execution


def test_generated_exercise_runs_without_error(tmp_path):
    exercise = nbformat.reads(build.exercise_text(FIXTURES / "marked.ipynb"), as_version=4)
    NotebookClient(
        exercise, timeout=60, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    outputs = "".join(
        output.get("text", "") for cell in exercise.cells for output in cell.get("outputs", [])
    )
    assert "⏳ Not answered yet: fixture.mae" in outputs
    assert "⏳ Not answered yet: fixture.double" in outputs
    assert "Correct" not in outputs
    assert all(
        output.output_type != "error"
        for cell in exercise.cells
        for output in cell.get("outputs", [])
    )


def test_execute_stores_outputs_and_normalises(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    folder = tmp_path / "run_here"
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Runs\n\n**Next:** old"),
            new_code_cell("import os, pathlib\nprint(os.environ.get('MPLBACKEND'))"),
            new_code_cell("", execution_count=9),
            new_code_cell("print(pathlib.Path.cwd().name)", execution_count=3),
        ],
        metadata={"widgets": {"state": {}}, "language_info": {"name": "python", "version": "x"}},
    )
    path = folder / "01_runs.ipynb"
    _write(path, nb)
    assert build.main(["execute", str(path)]) == 0
    assert re.search(r"01_runs.ipynb: executed in \d+\.\d s", capsys.readouterr().out)
    result = _read(path)
    assert result.cells[0].source == (
        "# Runs\n\n**Next:** that was the last notebook; back to the "
        "[course overview](../README.md)."
    )
    # MPLBACKEND=Agg did not reach the kernel: ipykernel chose its own inline backend
    assert "backend_inline" in result.cells[1].outputs[0].text
    assert result.cells[3].outputs[0].text == "run_here\n"  # cwd = the notebook's folder
    assert [cell.get("execution_count") for cell in result.cells[1:]] == [1, None, 2]
    assert set(result.metadata) == {"kernelspec", "language_info"}
    # exactly what the kernel reports on connect (JupyterLab compares it and marks a notebook
    # dirty when it differs), not the "x" version the file had
    kernel_info = _kernel_language_info()
    assert result.metadata.language_info == kernel_info
    assert kernel_info["version"] == platform.python_version()
    assert all("execution" not in cell.metadata for cell in result.cells)
    build.validate_solution(result, str(path))


def _kernel_language_info():
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name="python3")
    try:
        return client.kernel_info(reply=True)["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_execute_error_names_the_cell_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "01_broken.ipynb"
    _write(path, new_notebook(cells=[new_code_cell("x = 1"), new_code_cell("x / 0")]))
    before = path.read_bytes()
    assert build.main(["execute", str(path)]) == 1
    err = capsys.readouterr().err
    assert "01_broken.ipynb, cell 2 ('x / 0') raised ZeroDivisionError" in err
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["01_broken.ipynb"]


def test_normalise_merges_split_stream_outputs():
    cell = new_code_cell("print('a', 'b')", execution_count=1)
    cell.outputs = [
        new_output("stream", name="stdout", text="a"),
        new_output("stream", name="stdout", text=" b\n"),
        new_output("stream", name="stderr", text="warning\n"),
        new_output("stream", name="stdout", text="c\n"),
    ]
    nb = new_notebook(cells=[cell])
    outputs = build.normalise(nb).cells[0].outputs
    assert [(o.name, o.text) for o in outputs] == [
        ("stdout", "a b\n"), ("stderr", "warning\n"), ("stdout", "c\n")
    ]
    assert len(nb.cells[0].outputs) == 4  # the input is not modified


def test_an_exercises_next_line_leads_to_the_next_lecture(tmp_path):
    solutions, lectures = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    lectures.mkdir()
    for folder, title in ((solutions, "01 · Exercises: one"), (lectures, "01 · Lecture one")):
        _write(folder / "01_one.ipynb", _executed(new_notebook(), [
            new_markdown_cell(f"# {title}\n\n**Next:** [02 · x](02_two.ipynb)")]))
    for folder, title in ((solutions, "02 · Exercises: two"), (lectures, "02 · Lecture [two]")):
        _write(folder / "02_two.ipynb", _executed(new_notebook(), [
            new_markdown_cell(f"# {title}\n\n**Next:** old")]))
    exercise = nbformat.reads(build.exercise_text(solutions / "01_one.ipynb"), as_version=4)
    assert exercise.cells[0].source.endswith(
        r"**Next:** the lecture [02 · Lecture \[two\]](../notebooks/02_two.ipynb)")
    assert exercise.metadata.lessons.source_sha256 == build.source_hash(exercise)
    last = nbformat.reads(build.exercise_text(solutions / "02_two.ipynb"), as_version=4)
    assert last.cells[0].source.endswith("**Next:** old")  # no lecture 03: left alone


def test_normalise_stores_the_kernels_language_info_and_keeps_outputs(tmp_path, capsys):
    cell = new_code_cell("print(1)", execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text="1\n")]
    path = tmp_path / "01_a.ipynb"
    _write(path, new_notebook(cells=[cell], metadata={"language_info": {"name": "python"}}))
    assert build.main(["normalise", "--check", str(path)]) == 1
    assert "not normalised" in capsys.readouterr().err
    assert build.main(["normalise", str(path)]) == 0
    result = _read(path)
    assert result.metadata.language_info == _kernel_language_info()
    assert result.cells[0].outputs[0].text == "1\n"
    assert build.main(["normalise", "--check", str(path)]) == 0


def _backups(root):
    return sorted((root / build.BACKUP_DIR).glob("*/exercises/*.ipynb"))


def test_a_commented_out_stub_beside_the_learners_code_is_an_answer():
    solution = _fixture("marked.ipynb")
    old = build.make_exercise(solution, "marked")
    function_cell = next(cell for cell in old.cells if build.FUNCTION_STUB in cell.source)
    function_cell.source = (function_cell.source.replace("raise", "# raise")
                            + "\n    return 42")
    assert not build.is_blank_answer(function_cell.source)
    answers = build.saved_answers(old)
    assert answers["cell-double-answer"] == function_cell.source
    solution.cells[0].source = "# Revised"
    merged, _ = build.merge_answers(build.make_exercise(solution, "marked"), old)
    assert any(cell.source == function_cell.source for cell in merged.cells)
    # a stub left in place above the learner's own lines is not blank either
    assert not build.is_blank_answer("mae = ...\n# my try\nmae = 7 / 3")


def test_a_copy_of_an_answer_cell_is_carried_as_the_learners_own_cell():
    solution = _fixture("marked.ipynb")
    old = build.make_exercise(solution, "marked")
    position = [cell.id for cell in old.cells].index("mae-answer")
    first = old.cells[position]
    copy_ = nbformat.from_dict(json.loads(json.dumps(first)))
    first.source, copy_.source, copy_.id = "mae = 1", "mae = 2", "my-copy"
    old.cells.insert(position + 1, copy_)
    fresh = build.make_exercise(_fixture("marked.ipynb"), "marked")
    assert build.saved_answers(old, fresh) == {"cell-mae-answer": "mae = 1"}
    assert [cell.source for cell in build.added_cells(old, fresh)] == ["mae = 2"]
    solution.cells[0].source = "# Revised"
    merged, notes = build.merge_answers(build.make_exercise(solution, "marked"), old)
    sources = [cell.source for cell in merged.cells]
    assert sources[sources.index("mae = 1") + 1] == "mae = 2"
    carried = merged.cells[sources.index("mae = 2")]
    assert "nbgrader" not in carried.metadata  # one answer cell per grade_id for nbgrader
    assert len(notes) == 1 and "copy you made of the answer cell cell-mae-answer" in notes[0]
    nbformat.validate(merged)


def test_an_edit_to_a_course_cell_is_kept_while_the_course_has_not_changed(tmp_path, capsys):
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises) == 0
    target = exercises / "marked.ipynb"
    noted = _read(target)
    course_cell = next(cell for cell in noted.cells
                       if cell.cell_type == "markdown" and not build.is_answer_cell(cell))
    course_cell.source += "\n\nmy note"
    _write(target, noted)
    edited = target.read_bytes()
    assert _build(solutions, exercises) == 0
    assert target.read_bytes() == edited
    capsys.readouterr()
    assert _build(solutions, exercises, "--check") == 1  # the repository's copy must be pristine
    assert f"edited by hand: {target}" in capsys.readouterr().err

    solution = _read(solutions / "marked.ipynb")
    solution.cells[0].source = "# Marked fixture, revised"
    _write(solutions / "marked.ipynb", solution)
    assert _build(solutions, exercises) == 1
    assert "your edits to the course's cells" in capsys.readouterr().err
    assert target.read_bytes() == edited
    assert _build(solutions, exercises, "--keep-answers") == 0
    out = capsys.readouterr().out
    assert "not carried: your edits to the course's cells" in out
    [backup] = _backups(tmp_path)
    assert backup.read_bytes() == edited and str(backup.relative_to(tmp_path)) in out


def test_normalise_leaves_a_learners_notebooks_alone(tmp_path, capsys, monkeypatch):
    other = tmp_path / "notebooks" / "my_r.ipynb"
    other.parent.mkdir()
    _write(other, new_notebook(metadata={"kernelspec": {"name": "ir", "language": "R",
                                                        "display_name": "R"}}))
    solutions, exercises = _solutions_dir(tmp_path)
    assert _build(solutions, exercises) == 0
    answered = exercises / "marked.ipynb"
    nb = _read(answered)
    _cells_by_id(nb)["mae-answer"].source = "mae = 7 / 3"
    nb.metadata["widgets"] = {"state": "the learner's sliders"}
    _write(answered, nb)
    before = {path: path.read_bytes() for path in (other, answered)}
    capsys.readouterr()
    assert build.main(["normalise", str(other), str(answered)]) == 0
    out = capsys.readouterr().out
    assert f"left as it is: {other} (a R notebook" in out
    assert f"left as it is: {answered} (an exercise holding your answers in" in out
    assert {path: path.read_bytes() for path in before} == before

    # with no paths: only what git tracks (a learner's own notebook is not the course's)
    for folder in ("solutions", "exercises"):
        shutil.rmtree(tmp_path / folder)
    own = tmp_path / "notebooks" / "01_definitions-Copy1.ipynb"
    _write(own, new_notebook(metadata={"language_info": {"name": "python"}}))
    course = tmp_path / "notebooks" / "01_definitions.ipynb"
    _write(course, new_notebook(metadata={"language_info": {"name": "python"}}))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run(["git", "add", str(course)], cwd=tmp_path, check=True)
    own_bytes = own.read_bytes()
    monkeypatch.chdir(tmp_path)
    assert build.main(["normalise"]) == 0
    out = capsys.readouterr().out
    assert f"normalised {Path('notebooks') / course.name}" in out
    assert "git does not track it" in out and own.read_bytes() == own_bytes
