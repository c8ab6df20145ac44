"""Blank exercise notebooks run top to bottom, and exercises/ and the Next links are current.

A learner's own answers never make these fail: the blank-exercise test runs the version the
build generates from solutions/ (not the file in exercises/, which may hold answers), and the
sync test compares the course's part of each notebook only (answers and outputs do not count).
"""

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from lessons import build

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "exercises"
SOLUTIONS = ROOT / "solutions"
EXERCISE_PATHS = sorted(EXERCISES.glob("*.ipynb"))

# The verdicts lessons.checks prints (text/plain of its widget); a blank exercise may only show
# the two "not yet" ones.
VERDICT = re.compile(
    r"✅ Correct|❌ Not quite|⏳ Not answered yet|⏳ Not implemented yet|⚠\ufe0f? Can['’]t check"
)
BLANK_VERDICTS = {"⏳ Not answered yet", "⏳ Not implemented yet"}
CHECKER_CALL = re.compile(r"\bchecks\s*\.\s*check\s*\(")


def _output_texts(output):
    """Every piece of text an output shows: stream text, text/plain and text/html data."""
    if output.get("output_type") == "stream":
        yield output.get("text", "")
    for mime in ("text/plain", "text/html", "text/markdown"):
        value = output.get("data", {}).get(mime)
        if value:
            yield "".join(value) if isinstance(value, list) else value


@pytest.mark.parametrize(
    "path",
    EXERCISE_PATHS
    or [pytest.param(None, marks=pytest.mark.skip(reason="no exercises/*.ipynb yet"))],
    ids=lambda path: path.name if path else "none",
)
def test_blank_exercise_runs_and_shows_only_not_yet_verdicts(path):
    solution = SOLUTIONS / path.name
    if solution.is_file():  # the blank version, whatever a learner saved in exercises/
        nb = nbformat.reads(build.exercise_text(solution), as_version=4)
    else:
        nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(EXERCISES)}}
    )
    try:
        client.execute()
    except CellExecutionError as err:
        pytest.fail(f"{path.name} fails when run blank:\n{err}")
    verdicts = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{path.name}, cell {index + 1}"
            for text in _output_texts(output):
                verdicts.extend((index, found) for found in VERDICT.findall(text))
    wrong = [(index + 1, found) for index, found in verdicts if found not in BLANK_VERDICTS]
    assert not wrong, f"{path.name}: a blank exercise got these verdicts (cell, verdict): {wrong}"
    has_checker = any(
        cell.cell_type == "code" and CHECKER_CALL.search(cell.source) for cell in nb.cells
    )
    if has_checker:
        assert verdicts, f"{path.name} calls checks.check but no verdict was shown"


def test_exercises_are_in_sync_with_solutions(capsys):
    if not (ROOT / "solutions").is_dir():  # git keeps no empty folder
        assert EXERCISE_PATHS == [], "exercises/ has notebooks but there is no solutions/"
        return
    status = build.main(
        [
            "exercises",
            "--check",
            "--solutions",
            str(ROOT / "solutions"),
            "--exercises",
            str(EXERCISES),
        ]
    )
    assert status == 0, capsys.readouterr().err


def test_next_links_are_current(capsys):
    folders = [ROOT / "notebooks", ROOT / "solutions"]
    existing = [str(folder) for folder in folders if folder.is_dir()]
    if not existing:
        pytest.skip("no notebooks/ or solutions/ folder yet")
    status = build.main(["links", "--check", *existing])
    assert status == 0, capsys.readouterr().err
