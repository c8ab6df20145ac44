"""The instructor kit with the real nbgrader: lay out a course, release, autograde, export.

nbgrader is not a course dependency. It is installed into its own environment,
``.venv-nbgrader/`` (created on first use, reused afterwards), while the notebooks are graded
in a kernel of the course's environment, as on a JupyterHub where nbgrader and the course's
kernel live side by side. A copy of a solution must get full marks, a blank exercise zero
(both nbgrader's release version and the course's own ``exercises/`` version), and a half-done
one the points of the exercises it answered.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lessons import build, instructor

ROOT = Path(__file__).resolve().parents[1]
NBGRADER_PIN = "nbgrader==0.9.6"
NBGRADER_VENV = ROOT / ".venv-nbgrader"
NBGRADER = NBGRADER_VENV / "bin" / "nbgrader"
INSTALL_SECONDS = 900
NOTEBOOK = "01_definitions"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def install_nbgrader() -> str | None:
    """Create (once) ``.venv-nbgrader`` with nbgrader, pinned; return None, or why it failed.

    The course's constraints.txt keeps the packages nbgrader shares with the course (Jupyter,
    nbformat, ...) at the tested versions. `.ci/run` calls this (``python
    tests/test_nbgrader.py``) before the tests, which then need no network.
    """
    stamp = NBGRADER_VENV / f".installed-{NBGRADER_PIN}"
    if stamp.exists():
        return None
    commands = [
        [sys.executable, "-m", "venv", "--clear", str(NBGRADER_VENV)],
        [str(NBGRADER_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "-c", str(ROOT / "constraints.txt"), NBGRADER_PIN],
    ]
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True, timeout=INSTALL_SECONDS)
        if result.returncode != 0:
            return f"could not install {NBGRADER_PIN} in {NBGRADER_VENV}: {result.stderr[-800:]}"
    stamp.touch()
    return None


# A grading kernel that dies while starting (on a shared 2-core machine another process can take
# the ports it was given) is an accident of the machine, not a grade: autograde removes that
# submission's result, and one more run grades just the removed ones (it skips the others).
KERNEL_START_FAILURE = "Kernel died before replying to kernel_info"


def nbgrader(course: Path, env: dict, *args: str, timeout: int = 600) -> str:
    output = ""  # both runs' logs, when there are two
    for _ in range(2):
        result = subprocess.run(
            [str(NBGRADER), *args], cwd=course, env=env, capture_output=True, text=True,
            timeout=timeout,
        )
        output += result.stdout + result.stderr
        if result.returncode == 0 or args[0] != "autograde" or KERNEL_START_FAILURE not in output:
            break
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{output}"
    return output


def _grading_env(home: Path) -> dict:
    """nbgrader's bin/ on PATH (it runs `alembic`), its own Jupyter folders, and a ``python3``
    kernel that is the course's Python (where `import lessons` works)."""
    kernel = home / "jupyter" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (the course's environment)",
        "language": "python",
    }))
    env = dict(os.environ)
    env.update(
        PATH=os.pathsep.join([str(NBGRADER.parent), env.get("PATH", "")]),
        JUPYTER_PATH=str(home / "jupyter"),
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
        MPLBACKEND="Agg",
    )
    return env


def released_course(tmp_path_factory, label: str, notebooks=()) -> tuple[Path, dict]:
    """A course directory with `notebooks` (every one when empty) released by the real
    nbgrader, and the environment to grade it in (`_grading_env`).

    Installs ``.venv-nbgrader`` on first use; without it the test is skipped (failed on CI).
    The fixtures here and in tests/test_selfcheck.py all start this way.
    """
    problem = install_nbgrader()
    if problem and _in_ci():
        pytest.fail(problem, pytrace=False)
    if problem:
        pytest.skip(problem)
    work = tmp_path_factory.mktemp(label)
    course = work / "course"
    env = _grading_env(work / "home")
    assert instructor.main([str(course), *notebooks, "--solutions", str(ROOT / "solutions"),
                            "--release", "--nbgrader", str(NBGRADER)]) == 0
    return course, env


def submit(course: Path, student: str, name: str, notebook) -> Path:
    """Put `notebook` where nbgrader autograde looks for `student`'s submission of `name`."""
    folder = course / "submitted" / student / name
    folder.mkdir(parents=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def exported_grades(course: Path, env: dict) -> list[dict]:
    """``nbgrader export`` of the gradebook: one row (dict) per student and assignment."""
    nbgrader(course, env, "export", "--to", "grades.csv")
    with open(course / "grades.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def _half_done(source: Path, release: Path) -> tuple[nbformat.NotebookNode, float]:
    """A release notebook with the first half of its answer cells filled in from the source.

    Returns the notebook and the points it should earn: those of the grade cells that follow
    an answered cell (each exercise is an answer cell, then its checker).
    """
    answered = nbformat.read(source, as_version=4)
    notebook = nbformat.read(release, as_version=4)
    answers = {
        cell.metadata["nbgrader"]["grade_id"]: cell.source
        for cell in answered.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }
    to_fill = list(answers)[: len(answers) // 2]
    expected, filled = 0.0, False
    for cell in notebook.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("solution"):
            filled = nbgrader["grade_id"] in to_fill
            if filled:
                cell.source = answers[nbgrader["grade_id"]]
        elif nbgrader.get("grade") and filled:
            expected += nbgrader["points"]
    assert to_fill and 0 < expected, "the half-done notebook needs at least one answer"
    return notebook, expected


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Scores per student from a real generate_assignment, autograde and export run."""
    course, env = released_course(tmp_path_factory, "nbgrader", [NOTEBOOK])
    source = course / "source" / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    release = course / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    half_done, half_points = _half_done(source, release)
    submissions = {
        "full": nbformat.read(source, as_version=4),  # a copy of the solution
        "blank-release": nbformat.read(release, as_version=4),
        "blank-exercise": nbformat.read(ROOT / "exercises" / f"{NOTEBOOK}.ipynb", as_version=4),
        "half": half_done,
    }
    for student, notebook in submissions.items():
        submit(course, student, NOTEBOOK, notebook)
    report = instructor.autograde(course, [NOTEBOOK], nbgrader=str(NBGRADER), env=env)
    rows = {row["student_id"]: row for row in exported_grades(course, env)}
    nbgrader(course, env, "generate_feedback", NOTEBOOK)
    return {
        "scores": {student: float(row["score"]) for student, row in rows.items()},
        "max": {student: float(row["max_score"]) for student, row in rows.items()},
        "half_expected": half_points,
        "course": course,
        "env": env,
        "report": report,
    }


def _exercise_count() -> int:
    nb = nbformat.read(ROOT / "exercises" / f"{NOTEBOOK}.ipynb", as_version=4)
    return sum(bool(cell.metadata.get("nbgrader", {}).get("grade")) for cell in nb.cells)


def test_every_submission_was_graded_out_of_every_checker(graded):
    assert set(graded["scores"]) == {"full", "blank-release", "blank-exercise", "half"}
    assert set(graded["max"].values()) == {float(_exercise_count())}


def test_a_copy_of_the_solution_gets_full_marks(graded):
    assert graded["scores"]["full"] == graded["max"]["full"] > 0


@pytest.mark.parametrize("student", ["blank-release", "blank-exercise"])
def test_a_blank_exercise_gets_zero(graded, student):
    assert graded["scores"][student] == 0


def test_a_half_done_exercise_gets_the_points_of_its_answers(graded):
    score = graded["scores"]["half"]
    assert score == graded["half_expected"]
    assert 0 < score < graded["max"]["half"]


def test_autograde_explains_the_checksum_warnings(graded):
    count = _exercise_count()
    # every checker cell of the three submissions made from a handed-out version gets its
    # hidden test back; the copy of the solution already has them (no warning)
    assert graded["report"][0] == (
        f"autograded {NOTEBOOK}: {3 * count} checker cell(s) got their hidden tests back "
        "(expected)"
    )
    assert len(graded["report"]) == 1  # no learner edited a locked cell


def test_feedback_html_shows_the_verdicts(graded):
    feedback = graded["course"] / "feedback"
    full = (feedback / "full" / NOTEBOOK / f"{NOTEBOOK}.html").read_text()
    half = (feedback / "half" / NOTEBOOK / f"{NOTEBOOK}.html").read_text()
    assert full.count("✅ Correct") == _exercise_count()
    # the half-done release notebook: a verdict for each answered exercise; the others fail
    # before their checker can speak (nbgrader's stub raises NotImplementedError)
    assert half.count("✅ Correct") == graded["half_expected"]
    assert "❌" not in half


def test_zip_collect_works_with_the_documented_pattern(graded):
    """docs/instructors.md gives the file-name pattern for `nbgrader zip_collect`."""
    guide = (ROOT / "docs" / "instructors.md").read_text()
    pattern = re.search(r"--FileNameCollectorPlugin\.named_regexp='([^']+)'", guide).group(1)
    course = graded["course"]
    archive = course / "downloaded" / NOTEBOOK / "archive"
    archive.mkdir(parents=True)
    shutil.copy(course / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb",
                archive / f"zoe_{NOTEBOOK}.ipynb")
    nbgrader(course, graded["env"], "zip_collect", NOTEBOOK, "--force",
              f"--FileNameCollectorPlugin.named_regexp={pattern}")
    assert (course / "submitted" / "zoe" / NOTEBOOK / f"{NOTEBOOK}.ipynb").is_file()


def test_a_kernel_that_cannot_import_the_course_is_a_loud_error(tmp_path):
    """nbgrader in its own environment with its own python3 kernel: every exercise would
    score 0 because `import lessons` fails; the instructor kit refuses, naming the cause."""
    problem = install_nbgrader()
    if problem:
        pytest.skip(problem)
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "none"),
               JUPYTER_DATA_DIR=str(tmp_path / "data"), PYTHONPATH="")
    with pytest.raises(build.BuildError, match=r"cannot import the course \(ModuleNotFoundError"):
        instructor.check_grading_kernel(str(NBGRADER), env)
    good = _grading_env(tmp_path / "home")
    assert instructor.check_grading_kernel(str(NBGRADER), good) == sys.executable


def test_nbgrader_is_found_in_the_course_environment(tmp_path, monkeypatch):
    """The guide's first way: nbgrader installed into the course's environment (.venv)."""
    fake = tmp_path / "venv" / "bin"
    fake.mkdir(parents=True)
    (fake / "nbgrader").write_text("#!/bin/sh\n")
    (fake / "nbgrader").chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(fake / "python"))
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert instructor.find_nbgrader() == str(fake / "nbgrader")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "elsewhere" / "python"))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(build.BuildError, match=r"\.venv-nbgrader"):
        instructor.find_nbgrader()


def test_every_answer_cell_of_the_release_names_what_to_fill_in(whole_course):
    names_found = 0
    for name in whole_course["names"]:
        exercise = nbformat.read(ROOT / "exercises" / f"{name}.ipynb", as_version=4)
        wanted = {}
        for cell in exercise.cells:
            if cell.metadata.get("nbgrader", {}).get("solution"):
                wanted[cell.metadata["nbgrader"]["grade_id"]] = re.findall(
                    r"^\s*(?:def\s+([A-Za-z_]\w*)|([A-Za-z_]\w*) = \.\.\.)", cell.source, re.M)
        release = nbformat.read(whole_course["course"] / "release" / name / f"{name}.ipynb",
                                as_version=4)
        for cell in release.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in wanted:
                for function, variable in wanted[grade_id]:
                    assert (function or variable) in cell.source, (name, grade_id, cell.source)
                    names_found += 1
    assert names_found >= 41


def test_the_release_hides_answers_and_hidden_tests(graded):
    release = graded["course"] / "release" / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    text = release.read_text()
    for marker in (build.BEGIN_SOLUTION, build.BEGIN_HIDDEN_TESTS, "checks.grade("):
        assert marker not in text



@pytest.fixture(scope="module")
def whole_course(tmp_path_factory):
    """Every notebook released by nbgrader, and a copy of each solution autograded."""
    course, env = released_course(tmp_path_factory, "nbgrader-all")
    names = sorted(path.name for path in (course / "source").iterdir())
    for name in names:
        source = course / "source" / name / f"{name}.ipynb"
        submit(course, "solution-copy", name, nbformat.read(source, as_version=4))
    nbgrader(course, env, "autograde", "*")  # one run for all: nbgrader starts once
    rows = {row["assignment"]: row for row in exported_grades(course, env)}
    return {"names": names, "rows": rows, "course": course}


def test_every_notebook_is_an_assignment_whose_solution_gets_full_marks(whole_course):
    expected = sorted(path.stem for path in (ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
    assert whole_course["names"] == expected and len(expected) == 8
    for name in expected:
        row = whole_course["rows"][name]
        assert float(row["max_score"]) > 0, name
        assert float(row["score"]) == float(row["max_score"]), (name, row)
        release = whole_course["course"] / "release" / name / f"{name}.ipynb"
        assert build.BEGIN_SOLUTION not in release.read_text(), name

# -- lessons.instructor without nbgrader ---------------------------------------------------


def test_layout_writes_config_and_one_assignment_per_notebook(tmp_path, capsys):
    course = tmp_path / "course"
    assert instructor.main([str(course), NOTEBOOK, "--solutions", str(ROOT / "solutions")]) == 0
    source = course / "source" / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(source, as_version=4)
    metadata = [cell.metadata.get("nbgrader") for cell in nb.cells]
    assert all(meta and meta["schema_version"] == 3 for meta in metadata)
    assert sum(meta["grade"] for meta in metadata) == _exercise_count()
    assert build.BEGIN_HIDDEN_TESTS in source.read_text()  # nbgrader strips them on release
    assert 'course_id = "l1-vs-l2"' in (course / instructor.CONFIG_NAME).read_text()
    assert "1 assignment(s)" in capsys.readouterr().out


def test_layout_keeps_an_edited_source_notebook_unless_forced(tmp_path, capsys):
    course = tmp_path / "course"
    arguments = [str(course), NOTEBOOK, "--solutions", str(ROOT / "solutions")]
    assert instructor.main(arguments) == 0
    source = course / "source" / NOTEBOOK / f"{NOTEBOOK}.ipynb"
    source.write_text(source.read_text().replace("Exercise 1", "Task 1"))
    assert instructor.main(arguments) == 1
    assert "Use --force" in capsys.readouterr().err
    assert "Task 1" in source.read_text()
    assert instructor.main([*arguments, "--force"]) == 0
    assert "Task 1" not in source.read_text()


def test_layout_explains_a_missing_notebook_or_folder(tmp_path, capsys):
    assert instructor.main([str(tmp_path / "c"), "--solutions", str(tmp_path / "none")]) == 1
    assert "no folder" in capsys.readouterr().err
    assert instructor.main([str(tmp_path / "c"), "99_nothing",
                            "--solutions", str(ROOT / "solutions")]) == 1
    assert "no such notebook" in capsys.readouterr().err


def test_release_without_nbgrader_says_how_to_get_it(tmp_path, capsys):
    status = instructor.main([str(tmp_path / "c"), NOTEBOOK, "--solutions",
                              str(ROOT / "solutions"), "--release",
                              "--nbgrader", str(tmp_path / "no-nbgrader")])
    assert status == 1
    assert "pip install nbgrader" in capsys.readouterr().err


def test_autograde_without_submissions_does_nothing(tmp_path):
    problem = install_nbgrader()
    if problem:
        pytest.skip(problem)
    assert instructor.autograde(tmp_path, [NOTEBOOK], nbgrader=str(NBGRADER),
                                env=_grading_env(tmp_path / "home")) == []


def test_nbgrader_environment_is_ignored_by_git():
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert any(line.strip().strip("/") == NBGRADER_VENV.name for line in ignored)


if __name__ == "__main__":
    failure = install_nbgrader()
    sys.exit(f"error: {failure}" if failure else None)


def test_autograde_grades_again_when_a_grading_kernel_dies_while_starting(tmp_path):
    fake = tmp_path / "bin" / "nbgrader"  # dies once as a kernel that lost its ports, then works
    fake.parent.mkdir()
    fake.write_text(
        f"#!{sys.executable}\n"
        "import pathlib, sys\n"
        "count = pathlib.Path(sys.argv[0]).with_name('count')\n"
        "calls = int(count.read_text()) if count.exists() else 0\n"
        "count.write_text(str(calls + 1))\n"
        "if calls == 0:\n"
        "    print('RuntimeError: Kernel died before replying to kernel_info')\n"
        "    sys.exit(1)\n")
    fake.chmod(0o755)
    (tmp_path / "course" / "submitted" / "dee" / NOTEBOOK).mkdir(parents=True)
    report = instructor.autograde(tmp_path / "course", [NOTEBOOK], nbgrader=str(fake))
    assert (fake.parent / "count").read_text() == "2"
    assert any("died while starting" in line for line in report)
    assert report[-1].startswith(f"autograded {NOTEBOOK}")
