"""Know your grade before you submit: grade exercise notebooks as nbgrader autograde would.

Command line (from the repository root)::

    python -m lessons.selfcheck NOTEBOOK... [--solutions DIR] [--timeout SECONDS]

For each notebook (an ``exercises/NN_x.ipynb`` you answered, or the release version an
instructor handed out), it does what ``nbgrader autograde`` does:

1. restores every locked and graded cell from the course's version (the checker cells get their
   hidden tests back; edits to them are undone and reported);
2. runs the whole notebook top to bottom in a fresh kernel, so an answer that needs a deleted
   cell, or that lived only in the kernel (a widget, a cell run and then changed), fails here
   as it will there;
3. scores each graded cell: its points when it ran without an error, else 0;

and prints one line per graded exercise (✅ right, ❌ wrong or failing, ⏳ not answered yet,
with the checker's message), then ``score: X/Y`` in nbgrader's points.

The course's version comes from ``solutions/NN_x.ipynb`` (found by file name). Nothing is
written; the notebook file is only read.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from lessons import build, instructor

CELL_TIMEOUT_SECONDS = instructor.CELL_TIMEOUT_SECONDS  # as the graders' nbgrader_config.py
SYMBOLS = {"correct": "✅", "incorrect": "❌", "unanswered": "⏳"}
_VERDICT = re.compile(
    r"(✅ Correct|❌ Not quite|⏳ Not answered yet|⏳ Not implemented yet|⚠\ufe0f? Can['’]t check"
    r"|Close)[^\n]*"
)
_NOT_YET = re.compile(r"Not answered yet|Not implemented yet|NotImplementedError")


class SelfCheckError(Exception):
    """The notebook cannot be self-checked; the message says why and what to do."""


@dataclass
class Exercise:
    """The grade of one graded cell."""

    grade_id: str
    points: float
    max_points: float
    status: str  # "correct", "incorrect" or "unanswered"
    message: str

    def line(self) -> str:
        """One line: symbol, exercise, points, the checker's message."""
        message = self.message
        for symbol in (*SYMBOLS.values(), "⚠️", "⚠"):
            message = message.removeprefix(symbol).strip()
        return (f"{SYMBOLS[self.status]} {self.grade_id} ({_number(self.points)}/"
                f"{_number(self.max_points)}): {message}")


@dataclass
class Report:
    """Everything the self-check found in one notebook."""

    path: Path
    exercises: list[Exercise] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(exercise.points for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_points for exercise in self.exercises)

    def lines(self) -> list[str]:
        """The printed report: notes, one line per exercise, ``score: X/Y``."""
        return [f"note: {note}" for note in self.notes] + [
            exercise.line() for exercise in self.exercises
        ] + [f"score: {_number(self.score)}/{_number(self.max_score)}"]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def course_version(path, solutions_dir="solutions") -> nbformat.NotebookNode:
    """The nbgrader source version of a notebook: answers, hidden tests, nbgrader metadata.

    Parameters
    ----------
    path : str or Path
        The learner's notebook; its file name finds ``solutions_dir/<name>``.
    solutions_dir : str or Path

    Raises
    ------
    SelfCheckError
        When there is no solution notebook of that name.
    """
    solution = Path(solutions_dir) / Path(path).name
    if not solution.is_file():
        raise SelfCheckError(
            f"{path}: no course notebook {solution} to grade it against (give the course's "
            "solutions folder with --solutions DIR)."
        )
    return build.nbgrader_source(
        build.read_notebook(solution), str(solution), solution.parent.parent / "notebooks"
    )


def restore(submission, source) -> tuple[nbformat.NotebookNode, list[str]]:
    """Restore locked and graded cells from the course's version, as nbgrader autograde does.

    A cell is matched by its nbgrader ``grade_id``: a locked cell or a graded cell that is not
    an answer gets the course's source and cell type back (graded cells with their hidden
    tests); answer cells keep the learner's source; cells with an unknown grade_id lose their
    nbgrader metadata; cells without nbgrader metadata (the learner's own) stay.

    Returns
    -------
    (NotebookNode, list of str)
        The notebook to run and a note for each locked cell the learner had changed.
    """
    restored = nbformat.from_dict(build.normalise(submission))
    by_id = {
        build.nbgrader_of(cell).get("grade_id"): cell
        for cell in source.cells if build.nbgrader_of(cell)
    }
    notes = []
    for index, cell in enumerate(restored.cells):
        meta = build.nbgrader_of(cell)
        if not meta:
            continue
        original = by_id.get(meta.get("grade_id"))
        if original is None:
            del cell.metadata["nbgrader"]
            continue
        cell.metadata["nbgrader"] = dict(original.metadata["nbgrader"])
        locked = original.metadata["nbgrader"].get("locked") or (
            original.metadata["nbgrader"].get("grade")
            and not original.metadata["nbgrader"].get("solution")
        )
        if not locked:
            continue
        visible = _without_hidden_tests(build.cell_source(original))
        if build.cell_source(cell).strip() != visible.strip() and build.cell_source(cell).strip():
            notes.append(
                f"you changed locked cell {index + 1} ({meta.get('grade_id')}); the grader "
                "puts the course's version back, so your change does not count."
            )
        if cell.cell_type != original.cell_type:
            cell.cell_type = original.cell_type
        cell.source = build.cell_source(original)
        if cell.cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
    missing = set(by_id) - {
        build.nbgrader_of(cell).get("grade_id") for cell in restored.cells
    }
    for grade_id in sorted(missing):
        if by_id[grade_id].metadata["nbgrader"].get("grade"):
            notes.append(f"the graded cell {grade_id} is missing (deleted?): it scores 0.")
    return restored, notes


def _without_hidden_tests(source: str) -> str:
    kept, hidden = [], False
    for line in source.split("\n"):
        if line.strip() == build.BEGIN_HIDDEN_TESTS:
            hidden = True
        elif line.strip() == build.END_HIDDEN_TESTS:
            hidden = False
        elif not hidden:
            kept.append(line)
    return "\n".join(kept)


def _run(nb, folder: Path, timeout: int) -> None:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", allow_errors=True,
        interrupt_on_timeout=True, resources={"metadata": {"path": str(folder)}},
    )
    kernel_env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    try:
        client.execute(env=kernel_env)
    except CellTimeoutError:  # interrupt_on_timeout records it as an error output instead
        pass
    except DeadKernelError as err:
        raise SelfCheckError(f"the kernel died while running the notebook ({err}).") from None


def _texts(cell) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            texts.append(output.get("text", ""))
        for mime in ("text/plain", "text/markdown"):
            value = output.get("data", {}).get(mime)
            if value:
                texts.append("".join(value) if isinstance(value, list) else value)
    return texts


def _error(cell):
    for output in cell.get("outputs", []):
        if output.get("output_type") == "error":
            return output
    return None


def score_cell(cell, answer_error=None) -> Exercise:
    """Grade one executed graded cell the way nbgrader does (error -> 0, else its points).

    `answer_error` is the error output of the answer cell before it, if that failed: the
    message then names it (usually the real cause).
    """
    meta = build.nbgrader_of(cell)
    max_points = float(meta.get("points", 0))
    error = _error(cell)
    shown = [match.group(0) for text in _texts(cell) for match in _VERDICT.finditer(text)]
    verdict = shown[0] if shown else ""
    if error is None:
        return Exercise(meta["grade_id"], max_points, max_points, "correct",
                        verdict or "ran without an error")
    ename, evalue = error.get("ename", "Error"), error.get("evalue", "")
    unanswered = bool(_NOT_YET.search(verdict) or _NOT_YET.search(f"{ename} {evalue}"))
    if ename == "AssertionError" and evalue:
        message = f"{verdict.split(':', 1)[0]}: {evalue}" if verdict else evalue
    elif verdict and not verdict.startswith("✅"):
        message = verdict
    else:
        message = f"{ename}: {evalue}".strip(": ") + " (in a fresh kernel)"
    if answer_error is not None and not unanswered:
        cause = f"{answer_error.get('ename', 'Error')}: {answer_error.get('evalue', '')}"
        if answer_error.get("ename") in ("SyntaxError", "IndentationError", "TabError"):
            message = f"your answer cell is not valid Python ({cause.strip(': ')})"
        else:
            message = (f"your answer cell raised {cause.strip(': ')} in a fresh kernel: does it "
                       "use something from a cell you deleted, changed or ran out of order?")
    return Exercise(meta["grade_id"], 0.0, max_points,
                    "unanswered" if unanswered else "incorrect", message)


def selfcheck(path, solutions_dir="solutions", timeout: int = CELL_TIMEOUT_SECONDS) -> Report:
    """Grade one notebook as nbgrader autograde would; nothing is written.

    Parameters
    ----------
    path : str or Path
        The learner's notebook.
    solutions_dir : str or Path, default "solutions"
        Where the course's version of the notebook is (by file name).
    timeout : int
        Seconds per cell.

    Returns
    -------
    Report

    Raises
    ------
    SelfCheckError
        When the notebook cannot be read or graded.
    """
    path = Path(path)
    try:
        submission = build.read_notebook(path)
    except build.BuildError as err:
        raise SelfCheckError(str(err)) from None
    source = course_version(path, solutions_dir)
    nb, notes = restore(submission, source)
    _run(nb, path.resolve().parent, timeout)
    report = Report(path, notes=notes)
    graded = {}
    answer_error = None
    for cell in nb.cells:
        meta = build.nbgrader_of(cell)
        if meta.get("solution") and cell.cell_type == "code":
            answer_error = _error(cell)
        elif meta.get("grade") and cell.cell_type == "code":
            graded[meta["grade_id"]] = score_cell(cell, answer_error)
            answer_error = None
    for cell in source.cells:  # in the course's order; a deleted graded cell scores 0
        meta = build.nbgrader_of(cell)
        if meta.get("grade") and cell.cell_type == "code":
            report.exercises.append(graded.get(meta["grade_id"]) or Exercise(
                meta["grade_id"], 0.0, float(meta.get("points", 0)), "incorrect",
                "this graded cell is missing from your notebook",
            ))
    return report


def _parser() -> argparse.ArgumentParser:
    parser = instructor.grading_parser(
        "selfcheck", "Grade exercise notebooks in a fresh kernel exactly as nbgrader "
        "autograde would, and print one line per exercise and the score.")
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT_SECONDS, metavar="SECONDS",
                        help=f"time limit per cell (default: {CELL_TIMEOUT_SECONDS})")
    return parser


def main(argv=None) -> int:
    """Command-line entry point; 0 when every notebook could be graded, else 1."""
    args = _parser().parse_args(argv)
    failed = False
    total = maximum = 0.0
    for index, notebook in enumerate(args.notebooks):
        if len(args.notebooks) > 1:
            print(("\n" if index else "") + f"{notebook}")
        try:
            report = selfcheck(notebook, args.solutions, args.timeout)
        except SelfCheckError as err:
            print(f"error: {err}", file=sys.stderr)
            failed = True
            continue
        for line in report.lines():
            print(line)
        total, maximum = total + report.score, maximum + report.max_score
    if len(args.notebooks) > 1 and not failed:
        print(f"\ntotal: {_number(total)}/{_number(maximum)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
