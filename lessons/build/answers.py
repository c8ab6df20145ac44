"""The learner's work in an exercise notebook: what is theirs, what is the course's.

An exercise notebook mixes two owners. The *answer cells* (nbgrader ``solution`` cells) and
any cell the learner added are the learner's; every other cell is the course's. Running a
notebook adds outputs, execution counts and metadata, which belong to nobody. The build compares
notebooks by their :func:`course_view` (the course's part only), so an exercise that a learner
ran, answered and saved is still "in sync", and :func:`merge_answers` carries the learner's part
into a new version of the course's part (``make update``, ``build exercises --keep-answers``).
"""

from __future__ import annotations

import copy
import json
import re

import nbformat

from lessons.build.nbfiles import cell_source, source_hash

FUNCTION_STUB = 'raise NotImplementedError("Replace this line with your code.")'
VALUE_STUB_COMMENT = "# Your answer: replace ... with your code."
EMPTY_STUB = "# Your code here."
MARKDOWN_STUB = "_Write your answer here._"

#: the cell metadata the course sets; everything else (collapsed, scrolled, trusted, jupyter,
#: execution times, ...) is the reader's and does not count
COURSE_CELL_METADATA = ("nbgrader", "tags", "lessons")
_VALUE_STUB_LINE = re.compile(r"^\s*[A-Za-z_][A-Za-z_0-9]*\s*=\s*\.\.\.\s*$")
_STUB_LINES = frozenset({FUNCTION_STUB, VALUE_STUB_COMMENT, EMPTY_STUB, MARKDOWN_STUB,
                         f"pass  {EMPTY_STUB}"})
_DEF_LINE = re.compile(r"^def [A-Za-z_][A-Za-z_0-9]*\(.*\)\s*(->.*)?:$")
_DOCSTRING_LINE = re.compile(r'^(\"\"\"|\'\'\').*\1$')


def nbgrader_of(cell) -> dict:
    """The cell's nbgrader metadata (an empty dict when it has none)."""
    metadata = cell.get("metadata", {}).get("nbgrader")
    return metadata if isinstance(metadata, dict) else {}


def is_answer_cell(cell) -> bool:
    """Whether a cell is an answer cell (nbgrader ``solution``): the learner writes in it."""
    return bool(nbgrader_of(cell).get("solution"))


def is_course_cell(cell) -> bool:
    """Whether a cell came from the course (it carries nbgrader metadata, answer cells too)."""
    return bool(nbgrader_of(cell))


def answer_key(cell) -> str:
    """How an answer cell is matched across versions: its grade_id, else its cell id."""
    return str(nbgrader_of(cell).get("grade_id") or cell.get("id") or "")


def is_blank_answer(source: str, stub: str | None = None) -> bool:
    r"""Whether an answer cell still holds only the build's stub (nothing the learner wrote).

    Blank means the cell is exactly `stub` (the course's current stub for this cell, when the
    caller has it), or every line but comments is one the build writes: a stub line
    (``name = ...``, ``raise NotImplementedError(...)``, ``_Write your answer here._``) or the
    ``def`` line and one-line docstring around a function stub. Any other line is the
    learner's, so a stub line left beside their own code (or commented out) does not make the
    cell blank.

    Examples
    --------
    >>> is_blank_answer("# Your answer: replace ... with your code.\nmae = ...")
    True
    >>> is_blank_answer("mae = 0.5")
    False
    >>> stub = "def f(x):\n    '''Twice x.'''\n    " + FUNCTION_STUB
    >>> is_blank_answer(stub)
    True
    >>> is_blank_answer(stub.replace("raise", "# raise") + "\n    return 2 * x")
    False
    >>> prompt = "**Exercise 3.** Why?\n\n_Write your answer here._"
    >>> is_blank_answer(prompt), is_blank_answer(prompt, stub=prompt)
    (False, True)
    """
    if stub is not None and source.strip() == stub.strip():
        return True
    lines = [line.strip() for line in source.split("\n")]
    return all(_is_stub_line(line) for line in lines if line and not line.startswith("#"))


def _is_stub_line(line: str) -> bool:
    return (line in _STUB_LINES or bool(_VALUE_STUB_LINE.match(line))
            or bool(_DEF_LINE.match(line)) or bool(_DOCSTRING_LINE.match(line)))


def _stubs(reference) -> dict[str, str]:
    """The stub of every answer cell of `reference` (a freshly built exercise): key -> source."""
    if reference is None:
        return {}
    return {answer_key(cell): cell_source(cell)
            for cell in reference.get("cells", []) if is_answer_cell(cell)}


def _answer_cells(nb, reference=None):
    """(key, cell, is_first) for every answered cell, in notebook order.

    A learner who copies an answer cell in JupyterLab gets a second cell with the same
    nbgrader metadata; only the first of them is *the* answer cell, the others are copies.
    """
    stubs = _stubs(reference)
    seen = set()
    for cell in nb.get("cells", []):
        if not is_answer_cell(cell):
            continue
        key = answer_key(cell)
        first = key not in seen
        seen.add(key)
        if not is_blank_answer(cell_source(cell), stubs.get(key)):
            yield key, cell, first


def saved_answers(nb, reference=None) -> dict[str, str]:
    """The learner's answers: answer key -> source, for every answer cell not left blank.

    Parameters
    ----------
    nb : NotebookNode or dict
    reference : NotebookNode, optional
        The freshly built exercise: a cell equal to its stub there counts as blank.

    Returns
    -------
    dict
        In notebook order; a copy of an answer cell (same grade_id) is not in it, see
        `added_cells`.
    """
    return {key: cell_source(cell) for key, cell, first in _answer_cells(nb, reference) if first}


def _is_own(cell, copies) -> bool:
    return (not is_course_cell(cell) and bool(cell_source(cell).strip())) or id(cell) in copies


def _copies(nb, reference=None) -> set[int]:
    return {id(cell) for _, cell, first in _answer_cells(nb, reference) if not first}


def added_cells(nb, reference=None) -> list:
    """Cells the learner added, in order: cells without nbgrader metadata (empty ones
    excluded) and answered copies of an answer cell."""
    copies = _copies(nb, reference)
    return [cell for cell in nb.get("cells", []) if _is_own(cell, copies)]


def _recorded_hash(nb):
    """The hash of the cells as the build wrote them (see `make_exercise`), if stored."""
    lessons = nb.get("metadata", {}).get("lessons")
    return lessons.get("source_sha256") if isinstance(lessons, dict) else None


def edited_course_cells(nb, fresh) -> list[str]:
    """Ids of the course cells (not answer cells) whose text the learner changed.

    Known only while the course has not changed the notebook since it was built (the hash the
    build stored in `nb` is `fresh`'s): then every difference from `fresh` is the learner's.
    Otherwise the empty list.
    """
    if _recorded_hash(nb) is None or _recorded_hash(nb) != _recorded_hash(fresh):
        return []
    course = {cell.get("id"): cell_source(cell) for cell in fresh.get("cells", [])
              if is_course_cell(cell) and not is_answer_cell(cell)}
    return [cell.get("id") for cell in nb.get("cells", [])
            if cell.get("id") in course and cell_source(cell) != course[cell.get("id")]
            and not is_answer_cell(cell)]


def course_view(nb, edited=()) -> str:
    """The course's part of an exercise notebook, as canonical text.

    Kept: each course cell's type, id, course metadata (nbgrader, tags, lessons) and source,
    except the source of answer cells and of the cells in `edited` (see
    `edited_course_cells`); the notebook's ``lessons`` metadata (the generated version's hash).
    Left out: outputs, execution counts, every other metadata (kernel and language versions,
    widget state, collapsed/scrolled), answer-cell sources, copies of an answer cell and cells
    the learner added. Two notebooks with equal views differ only by the learner's work.

    Parameters
    ----------
    nb : NotebookNode or dict
    edited : collection of str, optional
        Ids of course cells whose source does not count.

    Returns
    -------
    str
    """
    cells = []
    seen = set()
    for cell in nb.get("cells", []):
        if not is_course_cell(cell):
            continue
        if is_answer_cell(cell):
            if answer_key(cell) in seen:
                continue  # a copy the learner made
            seen.add(answer_key(cell))
        metadata = cell.get("metadata", {})
        mine = is_answer_cell(cell) or cell.get("id") in edited
        cells.append({
            "cell_type": cell.get("cell_type"),
            "id": cell.get("id"),
            "metadata": {key: metadata[key] for key in COURSE_CELL_METADATA if key in metadata},
            "source": "" if mine else cell_source(cell),
        })
    payload = {"cells": cells, "lessons": nb.get("metadata", {}).get("lessons")}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def learner_work(nb, fresh=None) -> list[str]:
    """What a learner would lose if this exercise notebook were replaced, in words.

    Parameters
    ----------
    nb : NotebookNode or dict
        The exercise notebook as it is.
    fresh : NotebookNode, optional
        The course's version built now: with it, a cell equal to its stub counts as blank, and
        edits to the course's own cells are found (see `edited_course_cells`).

    Returns
    -------
    list of str
        E.g. ``["your answers in 02-mse_derivative, cell-b6d0", "the outputs of 12 cells"]``;
        empty when the notebook holds nothing of the learner's.
    """
    lost = []
    answered = saved_answers(nb, fresh)
    if answered:
        lost.append("your answers in " + ", ".join(answered))
    added = added_cells(nb, fresh)
    if added:
        lost.append(f"{len(added)} cell(s) you added")
    edited = edited_course_cells(nb, fresh) if fresh is not None else []
    if edited:
        lost.append(f"your edits to {len(edited)} of the course's cell(s)")
    elif not answered and not added and _recorded_hash(nb) not in (None, source_hash(nb)):
        lost.append("your edits to the course's cells")  # the course changed them too
    with_outputs = sum(1 for cell in nb.get("cells", []) if cell.get("outputs"))
    if with_outputs:
        lost.append(f"the outputs of {with_outputs} cell(s)")
    return lost


def merge_answers(new_nb, old_nb) -> tuple[nbformat.NotebookNode, list[str]]:
    """Carry a learner's answers and added cells from `old_nb` into the course's `new_nb`.

    Each answered cell of `old_nb` goes into the answer cell of `new_nb` with the same grade_id
    (else the same cell id); cells the learner added, and copies they made of an answer cell,
    follow the course cell they followed before (or go to the end). Outputs are not carried
    (run the notebook again), nor edits to the course's own cells (the caller keeps a copy).

    Parameters
    ----------
    new_nb : NotebookNode
        The new exercise notebook (not modified).
    old_nb : NotebookNode
        The learner's notebook.

    Returns
    -------
    (NotebookNode, list of str)
        The merged notebook and a note for every answer with no place in the new version
        (kept in a new cell at the end, so nothing is lost) and every copy of an answer cell
        (kept as the learner's own cell).
    """
    merged = copy.deepcopy(new_nb)
    old_answers = saved_answers(old_nb, new_nb)
    placed = set()
    for cell in merged.cells:
        key = answer_key(cell)
        if is_answer_cell(cell) and key in old_answers:
            cell.source = old_answers[key]
            placed.add(key)
    by_id = {}
    for cell in old_nb.get("cells", []):  # answers matched by cell id when grade_id changed
        if is_answer_cell(cell):
            by_id.setdefault(cell.get("id"), answer_key(cell))
    for cell in merged.cells:
        old_key = by_id.get(cell.get("id"))
        if (is_answer_cell(cell) and old_key in old_answers and old_key not in placed
                and is_blank_answer(cell_source(cell))):
            cell.source = old_answers[old_key]
            placed.add(old_key)

    # the learner's own cells (and copies of answer cells), each after the course cell it
    # followed
    notes = []
    copies = _copies(old_nb, new_nb)
    positions = {cell.get("id"): index for index, cell in enumerate(merged.cells)}
    inserts: dict[int, list] = {}
    previous_id = None
    for cell in old_nb.get("cells", []):
        if not _is_own(cell, copies):
            if is_course_cell(cell):
                previous_id = cell.get("id")
            continue
        carried = copy.deepcopy(nbformat.from_dict(dict(cell)))
        if id(cell) in copies:  # no longer an answer cell: nbgrader needs one per grade_id
            carried.metadata.pop("nbgrader", None)
            notes.append(f"a copy you made of the answer cell {answer_key(cell)} is kept as "
                         "your own cell after it")
        if carried.get("cell_type") == "code":
            carried.outputs, carried.execution_count = [], None
        inserts.setdefault(positions.get(previous_id, len(merged.cells) - 1), []).append(carried)
    leftover = [key for key in old_answers if key not in placed]
    for key in leftover:
        notes.append(f"your answer for {key} has no answer cell in the new version; "
                     "it is kept in a new cell at the end of the notebook")
        inserts.setdefault(len(merged.cells) - 1, []).append(nbformat.v4.new_markdown_cell(
            f"**Your earlier answer for `{key}`** (the course changed; move it where it "
            f"belongs):\n\n```python\n{old_answers[key]}\n```"
        ))
    cells = []
    for index, cell in enumerate(merged.cells):
        cells.append(cell)
        cells.extend(inserts.get(index, []))
    if not merged.cells:
        cells.extend(inserts.get(-1, []))
    used_ids = set()
    for cell in cells:  # nbformat needs unique ids
        while cell.get("id") in used_ids or not cell.get("id"):
            cell["id"] = nbformat.v4.new_code_cell().id
        used_ids.add(cell["id"])
    merged.cells = cells
    return merged, notes
