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

from lessons.build.nbfiles import cell_source

FUNCTION_STUB = 'raise NotImplementedError("Replace this line with your code.")'
VALUE_STUB_COMMENT = "# Your answer: replace ... with your code."
EMPTY_STUB = "# Your code here."
MARKDOWN_STUB = "_Write your answer here._"

#: the cell metadata the course sets; everything else (collapsed, scrolled, trusted, jupyter,
#: execution times, ...) is the reader's and does not count
COURSE_CELL_METADATA = ("nbgrader", "tags", "lessons")
_VALUE_STUB_LINE = re.compile(r"^\s*[A-Za-z_][A-Za-z_0-9]*\s*=\s*\.\.\.\s*$")


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


def is_blank_answer(source: str) -> bool:
    """Whether an answer cell still holds only the build's stub (nothing the learner wrote).

    Examples
    --------
    >>> is_blank_answer("# Your answer: replace ... with your code.\\nmae = ...")
    True
    >>> is_blank_answer("mae = 0.5")
    False
    >>> is_blank_answer("**Exercise 3.** Why?\n\n_Write your answer here._")
    True
    """
    text = source.strip()
    if not text or text in (MARKDOWN_STUB, EMPTY_STUB):
        return True
    if FUNCTION_STUB in text or MARKDOWN_STUB in text.split("\n"):
        return True
    lines = [line for line in text.split("\n") if line.strip() and not line.strip().startswith("#")]
    return all(_VALUE_STUB_LINE.match(line) for line in lines)


def saved_answers(nb) -> dict[str, str]:
    """The learner's answers: answer key -> source, for every answer cell not left blank.

    Parameters
    ----------
    nb : NotebookNode or dict

    Returns
    -------
    dict
        In notebook order.
    """
    found = {}
    for cell in nb.get("cells", []):
        if is_answer_cell(cell) and not is_blank_answer(cell_source(cell)):
            found[answer_key(cell)] = cell_source(cell)
    return found


def added_cells(nb) -> list:
    """Cells the learner added (no nbgrader metadata), excluding empty ones."""
    return [
        cell for cell in nb.get("cells", [])
        if not is_course_cell(cell) and cell_source(cell).strip()
    ]


def course_view(nb) -> str:
    """The course's part of an exercise notebook, as canonical text.

    Kept: each course cell's type, id, course metadata (nbgrader, tags, lessons) and source,
    except the source of answer cells; the notebook's ``lessons`` metadata (the generated
    version's hash). Left out: outputs, execution counts, every other metadata (kernel and
    language versions, widget state, collapsed/scrolled), answer-cell sources and cells the
    learner added. Two notebooks with equal views differ only by the learner's work.

    Parameters
    ----------
    nb : NotebookNode or dict

    Returns
    -------
    str
    """
    cells = []
    for cell in nb.get("cells", []):
        if not is_course_cell(cell):
            continue
        metadata = cell.get("metadata", {})
        cells.append({
            "cell_type": cell.get("cell_type"),
            "id": cell.get("id"),
            "metadata": {key: metadata[key] for key in COURSE_CELL_METADATA if key in metadata},
            "source": "" if is_answer_cell(cell) else cell_source(cell),
        })
    payload = {"cells": cells, "lessons": nb.get("metadata", {}).get("lessons")}
    return json.dumps(payload, sort_keys=True, ensure_ascii=False)


def learner_work(nb) -> list[str]:
    """What a learner would lose if this exercise notebook were replaced, in words.

    Returns
    -------
    list of str
        E.g. ``["your answers in 02-mse_derivative, cell-b6d0", "the outputs of 12 cells"]``;
        empty when the notebook holds nothing of the learner's.
    """
    lost = []
    answered = saved_answers(nb)
    if answered:
        lost.append("your answers in " + ", ".join(answered))
    added = added_cells(nb)
    if added:
        lost.append(f"{len(added)} cell(s) you added")
    with_outputs = sum(1 for cell in nb.get("cells", []) if cell.get("outputs"))
    if with_outputs:
        lost.append(f"the outputs of {with_outputs} cell(s)")
    return lost


def merge_answers(new_nb, old_nb) -> tuple[nbformat.NotebookNode, list[str]]:
    """Carry a learner's answers and added cells from `old_nb` into the course's `new_nb`.

    Each answered cell of `old_nb` goes into the answer cell of `new_nb` with the same grade_id
    (else the same cell id); cells the learner added follow the course cell they followed
    before (or go to the end). Outputs are not carried (run the notebook again).

    Parameters
    ----------
    new_nb : NotebookNode
        The new exercise notebook (not modified).
    old_nb : NotebookNode
        The learner's notebook.

    Returns
    -------
    (NotebookNode, list of str)
        The merged notebook and, for every answer with no place in the new version, a note
        (those answers are also kept as added cells at the end, so nothing is lost).
    """
    merged = copy.deepcopy(new_nb)
    old_answers = saved_answers(old_nb)
    placed = set()
    for cell in merged.cells:
        key = answer_key(cell)
        if is_answer_cell(cell) and key in old_answers:
            cell.source = old_answers[key]
            placed.add(key)
    by_id = {}
    for cell in old_nb.get("cells", []):  # answers matched by cell id when grade_id changed
        if is_answer_cell(cell):
            by_id[cell.get("id")] = answer_key(cell)
    for cell in merged.cells:
        old_key = by_id.get(cell.get("id"))
        if (is_answer_cell(cell) and old_key in old_answers and old_key not in placed
                and is_blank_answer(cell_source(cell))):
            cell.source = old_answers[old_key]
            placed.add(old_key)

    # the learner's own cells, each after the course cell it followed
    positions = {cell.get("id"): index for index, cell in enumerate(merged.cells)}
    inserts: dict[int, list] = {}
    previous_id = None
    for cell in old_nb.get("cells", []):
        if is_course_cell(cell):
            previous_id = cell.get("id")
            continue
        if not cell_source(cell).strip():
            continue
        carried = copy.deepcopy(nbformat.from_dict(dict(cell)))
        if carried.get("cell_type") == "code":
            carried.outputs, carried.execution_count = [], None
        inserts.setdefault(positions.get(previous_id, len(merged.cells) - 1), []).append(carried)
    notes = []
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
