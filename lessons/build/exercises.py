"""Solution notebooks into exercise notebooks (stubs, hidden tests removed, nbgrader metadata).

A solution cell may hold regions between ``### BEGIN SOLUTION`` / ``### END SOLUTION`` (the
answer, replaced by a stub) and ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` (removed).
Cell tags understood: ``solution-only`` (cell left out of the exercise), ``exercise-only`` (cell
kept only in the exercise), ``points=N`` (points of a checker cell in nbgrader).
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

from lessons.build.answers import (
    EMPTY_STUB,
    FUNCTION_STUB,
    MARKDOWN_STUB,
    VALUE_STUB_COMMENT,
    course_view,
    edited_course_cells,
    learner_work,
    merge_answers,
)
from lessons.build.links import point_next_at_lectures
from lessons.build.nbfiles import (
    BACKUP_DIR,
    MARKERS,
    BuildError,
    backup_files,
    cell_source,
    cell_tags,
    describe_cell,
    normalise,
    notebook_text,
    or_report,
    read_notebook,
    remove_leftovers,
    source_hash,
    write_atomic,
)

LECTURES_DIR = "notebooks"  # beside solutions/: where an exercise's "Next" line leads
SOLUTION_ONLY_TAG = "solution-only"
EXERCISE_ONLY_TAG = "exercise-only"
RERUN_ADVICE = "Open it, choose Kernel > Restart Kernel and Run All Cells, save, and build again."

_CHECKER_CALL = re.compile(r"\bchecks\s*\.\s*(?:check|grade)\s*\(")
_CHECK_KEY = re.compile(r"""\bchecks\s*\.\s*check\s*\(\s*(["'])(.*?)\1""")
_DEF_LINE = re.compile(r"^(?:async\s+)?def\s")


@dataclass(frozen=True)
class _Region:
    """Lines ``begin``..``end`` (the marker lines) of one marked region of a cell."""

    kind: str  # "solution" or "hidden tests"
    begin: int
    end: int
    indent: str


def _indent_width(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def _find_regions(source: str, where: str) -> list[_Region]:
    """Locate the marked regions of a cell; raise BuildError when markers are unbalanced."""
    regions = []
    open_kind = None
    open_line = 0
    for number, line in enumerate(source.split("\n")):
        marker = MARKERS.get(line.strip())
        if marker is None:
            continue
        action, kind = marker
        if action == "begin":
            if open_kind is not None:
                raise BuildError(
                    f"{where}: '### BEGIN {kind.upper()}' on line {number + 1} is inside the "
                    f"{open_kind} region opened on line {open_line + 1}; regions cannot nest. "
                    f"Close the first one with '### END {open_kind.upper()}'."
                )
            open_kind, open_line = kind, number
        elif open_kind is None:
            raise BuildError(
                f"{where}: '### END {kind.upper()}' on line {number + 1} has no matching "
                f"'### BEGIN {kind.upper()}' before it."
            )
        elif kind != open_kind:
            raise BuildError(
                f"{where}: '### END {kind.upper()}' on line {number + 1} closes a region opened "
                f"as '### BEGIN {open_kind.upper()}' on line {open_line + 1}."
            )
        else:
            begin_line = source.split("\n")[open_line]
            indent = begin_line[: len(begin_line) - len(begin_line.lstrip())]
            regions.append(_Region(kind, open_line, number, indent))
            open_kind = None
    if open_kind is not None:
        raise BuildError(
            f"{where}: '### BEGIN {open_kind.upper()}' on line {open_line + 1} is never closed; "
            f"add '### END {open_kind.upper()}' after the answer."
        )
    return regions


def _inside_function(lines: list[str], marker_index: int) -> bool:
    """Whether an indented marker line sits in the body of a ``def`` (by indentation)."""
    level = _indent_width(lines[marker_index])
    for line in reversed(lines[:marker_index]):
        stripped = line.strip()
        if level == 0:
            return False
        if not stripped or stripped.startswith("#"):
            continue
        line_level = _indent_width(line)
        if line_level < level:
            if _DEF_LINE.match(stripped):
                return True
            level = line_level
    return False


def _target_names(target) -> list[str]:
    if isinstance(target, ast.Name):
        return [target.id]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _target_names(element)]
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    return []  # attributes and subscripts change an existing object: no new name


def _assigned_names(code: str, where: str) -> list[str]:
    """Names assigned by the top-level statements of some code, in order of first assignment."""
    try:
        tree = ast.parse(code)
    except SyntaxError as err:
        raise BuildError(
            f"{where}: the answer between the SOLUTION markers is not complete Python code on "
            f"its own ({err.msg}). Put the markers around whole statements; inside a function, "
            "indent the markers like the body."
        ) from None
    names: list[str] = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets = statement.targets
        elif isinstance(statement, (ast.AnnAssign, ast.AugAssign)):
            targets = [statement.target]
        else:
            continue
        for target in targets:
            names.extend(name for name in _target_names(target) if name not in names)
    return names


def _solution_stub(lines: list[str], region: _Region, cell_type: str, where: str) -> list[str]:
    indent = region.indent
    if cell_type == "markdown":
        return [indent + MARKDOWN_STUB]
    if indent and _inside_function(lines, region.begin):
        return [indent + FUNCTION_STUB]
    body = textwrap.dedent("\n".join(lines[region.begin + 1 : region.end]))
    names = _assigned_names(body, where)
    if names:
        return [indent + VALUE_STUB_COMMENT] + [f"{indent}{name} = ..." for name in names]
    if indent:  # an indented block (a loop body, say) cannot be left with only a comment
        return [f"{indent}pass  {EMPTY_STUB}"]
    return [EMPTY_STUB]


def answer_names_comment(names: list[str]) -> str:
    """The comment that names what an answer must assign (it survives nbgrader's release).

    Examples
    --------
    >>> answer_names_comment(["mae"])
    '# Your answer: assign it to `mae`.'
    >>> answer_names_comment(["low", "high"])
    '# Your answer: assign it to `low` and `high`.'
    """
    quoted = [f"`{name}`" for name in names]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return f"# Your answer: assign it to {listed}."


def _named_source(source: str, regions: list[_Region], cell_type: str, where: str) -> str:
    """The solution cell for nbgrader: each top-level value answer preceded by a comment
    naming its variables, since nbgrader's ClearSolutions replaces the whole region."""
    if cell_type != "code":
        return source
    lines = source.split("\n")
    kept: list[str] = []
    position = 0
    for region in regions:
        kept.extend(lines[position : region.begin])
        if region.kind == "solution" and not (
            region.indent and _inside_function(lines, region.begin)
        ):
            body = textwrap.dedent("\n".join(lines[region.begin + 1 : region.end]))
            names = _assigned_names(body, where)
            comment = region.indent + answer_names_comment(names) if names else None
            if comment and comment.strip() not in (line.strip() for line in kept):
                kept.append(comment)
        kept.extend(lines[region.begin : region.end + 1])
        position = region.end + 1
    kept.extend(lines[position:])
    return "\n".join(kept)


def _exercise_source(source: str, regions: list[_Region], cell_type: str, where: str) -> str:
    lines = source.split("\n")
    kept: list[str] = []
    position = 0
    for region in regions:
        kept.extend(lines[position : region.begin])
        if region.kind == "solution":
            kept.extend(_solution_stub(lines, region, cell_type, where))
        position = region.end + 1
    kept.extend(lines[position:])
    while kept and not kept[-1].strip():
        kept.pop()
    return "\n".join(kept)


def _points(tags: list[str], where: str):
    for tag in tags:
        if tag.startswith("points="):
            text = tag.removeprefix("points=")
            try:
                value = float(text)
            except ValueError:
                value = -1.0
            if not value >= 0 or value == float("inf"):
                raise BuildError(
                    f"{where}: the tag {tag!r} should give a number of points, like 'points=2'."
                )
            return int(value) if value.is_integer() else value
    return 1


def _unique_id(base: str, used: set[str]) -> str:
    candidate, suffix = base, 2
    while candidate in used:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate


def _nbgrader_metadata(cell, index, source, regions, tags, where, used_ids) -> dict:
    """nbgrader schema-3 metadata for one cell of the exercise (see the module docstring)."""
    had_solution = any(region.kind == "solution" for region in regions)
    had_hidden_tests = any(region.kind == "hidden tests" for region in regions)
    is_checker = cell.cell_type == "code" and (
        had_hidden_tests or _CHECKER_CALL.search(source) is not None
    )
    fallback = f"cell-{cell['id']}" if cell.get("id") else f"cell-{index + 1}"
    base = fallback
    if is_checker and not had_solution:
        match = _CHECK_KEY.search(source)
        if match and match.group(2):
            base = re.sub(r"[^A-Za-z0-9_-]", "-", match.group(2))
    metadata = {"grade_id": _unique_id(base, used_ids), "schema_version": 3}
    if had_solution and cell.cell_type == "markdown":
        # nbgrader accepts a written answer only as a manually graded cell (grade and solution)
        metadata.update(grade=True, locked=False, solution=True, points=_points(tags, where))
    elif had_solution:
        metadata.update(grade=False, locked=False, solution=True)
    elif is_checker:
        metadata.update(grade=True, locked=True, solution=False, points=_points(tags, where))
    else:
        metadata.update(grade=False, locked=True, solution=False)
    return metadata


def _convert(solution_nb, name: str, keep_answers: bool) -> nbformat.NotebookNode:
    nb = normalise(solution_nb)
    used_ids: set[str] = set()
    cells = []
    for index, cell in enumerate(nb.cells):
        tags = cell_tags(cell)
        if SOLUTION_ONLY_TAG in tags:
            continue
        where = describe_cell(name, index, cell)
        source = cell_source(cell)
        regions = _find_regions(source, where) if cell.cell_type != "raw" else []
        if regions and not keep_answers:
            cell.source = _exercise_source(source, regions, cell.cell_type, where)
        elif regions:
            cell.source = _named_source(source, regions, cell.cell_type, where)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if cell.cell_type in ("code", "markdown"):
            cell.metadata["nbgrader"] = _nbgrader_metadata(
                cell, index, source, regions, tags, where, used_ids
            )
        cells.append(cell)
    nb.cells = cells
    return nb


def make_exercise(solution_nb, name: str = "the solution notebook") -> nbformat.NotebookNode:
    """Turn a solution notebook into the learner's exercise notebook.

    Answers become stubs (``name = ...`` for top-level values, ``raise NotImplementedError``
    in a function body, ``_Write your answer here._`` in markdown), hidden tests and
    ``solution-only`` cells are removed, outputs cleared, and every code and markdown cell gets
    nbgrader schema-3 metadata. The hash of the result is stored in
    ``metadata["lessons"]["source_sha256"]`` so a later build can tell a learner's edits.

    Parameters
    ----------
    solution_nb : NotebookNode
        Not modified.
    name : str, optional
        How to call the notebook in error messages.

    Returns
    -------
    NotebookNode
        The exercise; the same input always gives the same notebook.
    """
    exercise = _convert(solution_nb, name, keep_answers=False)
    lessons_metadata = exercise.metadata.get("lessons")
    if not isinstance(lessons_metadata, dict):
        lessons_metadata = nbformat.NotebookNode()
    lessons_metadata["source_sha256"] = source_hash(exercise)
    exercise.metadata["lessons"] = lessons_metadata
    return exercise


def nbgrader_source(
    nb, name: str = "the solution notebook", lectures_dir=None
) -> nbformat.NotebookNode:
    """The solution as an nbgrader source notebook: exercise metadata, answers still in place.

    Cells are those of the exercise (``solution-only`` cells dropped, ``exercise-only`` kept),
    sources keep their SOLUTION and HIDDEN TESTS regions for ``nbgrader generate_assignment``
    to strip, outputs are cleared, and the nbgrader metadata is the exercise's.

    Parameters
    ----------
    nb : NotebookNode
        A solution notebook; not modified.
    name : str, optional
        How to call the notebook in error messages.
    lectures_dir : str or Path, optional
        The lectures folder: when given, the ``**Next:**`` line leads to the next lecture, as
        in the generated exercise (so a submission made from ``exercises/`` matches it).

    Returns
    -------
    NotebookNode
    """
    source = _convert(nb, name, keep_answers=True)
    if lectures_dir is not None:
        point_next_at_lectures(source, Path(lectures_dir))
    return source


def validate_solution(nb, name: str) -> None:
    """Check that a solution notebook can be built into an exercise.

    It must have been run top to bottom in one go (execution counts 1, 2, 3, ... in cell order,
    no code cell left unrun), hold no stored error, and have balanced, unnested markers.

    Parameters
    ----------
    nb : NotebookNode
    name : str
        How to call the notebook in messages (usually its path).

    Raises
    ------
    BuildError
        Listing every problem found, each with its cell.
    """
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    if code_cells and all(cell.get("execution_count") is None for cell in code_cells):
        raise BuildError(f"{name}: none of its code cells has been run. {RERUN_ADVICE}")
    problems = []
    rerun_needed = False
    expected_count = 1
    order_reported = False
    for index, cell in enumerate(nb.cells):
        where = describe_cell(name, index, cell)
        if cell.cell_type != "raw":
            try:
                _find_regions(cell_source(cell), where)
            except BuildError as err:
                problems.append(str(err))
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count")
        if count is None:
            if cell_source(cell).strip():
                problems.append(f"{where}: this code cell was never run.")
                rerun_needed = True
        else:
            if count != expected_count and not order_reported:
                problems.append(
                    f"{where}: execution count {count} where {expected_count} was expected; "
                    "the cells were not run in order from a fresh kernel."
                )
                order_reported = rerun_needed = True
            expected_count += 1
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                error = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".strip()
                problems.append(f"{where}: the stored output is an error ({error}).")
                rerun_needed = True
                break
    if problems:
        advice = [RERUN_ADVICE] if rerun_needed else []
        raise BuildError("\n".join(problems + advice))


def exercise_text(solution_path, name: str | None = None) -> str:
    """Read, validate and convert one solution notebook; return the exercise file's text.

    Its ``**Next:**`` line leads to the next lecture (``../notebooks/NN_x.ipynb``) when the
    solutions folder has a ``notebooks/`` sibling holding it.

    Parameters
    ----------
    solution_path : str or Path
    name : str, optional
        How to call the notebook in messages; defaults to the path.

    Returns
    -------
    str
    """
    name = name or str(solution_path)
    solution = read_notebook(solution_path)
    validate_solution(solution, name)
    exercise = make_exercise(solution, name)
    if point_next_at_lectures(exercise, Path(solution_path).parent.parent / LECTURES_DIR):
        metadata = exercise.metadata["lessons"]
        metadata["source_sha256"] = source_hash(exercise)
    return notebook_text(exercise)


def _solution_paths(files: list[str], solutions_dir: Path) -> list[Path]:
    paths = []
    for file in files:
        path = Path(file)
        if not path.exists() and (solutions_dir / path.name).exists():
            path = solutions_dir / path.name
        if not path.exists():
            raise BuildError(f"{file}: no such solution notebook (looked in {solutions_dir}/ too).")
        paths.append(path)
    return paths


def build_exercises(
    solutions_dir="solutions",
    exercises_dir="exercises",
    files=(),
    check: bool = False,
    force: bool = False,
    keep_answers: bool = False,
) -> int:
    """Generate (or with `check`, verify) exercise notebooks; return the exit status.

    An exercise notebook is judged by its :func:`lessons.build.answers.course_view`: outputs,
    run metadata, the learner's answers and added cells do not count, so a notebook a learner
    ran, answered and saved is up to date (and left as it is) while the course's part is.

    Parameters
    ----------
    solutions_dir, exercises_dir : str or Path
        Folders, relative to the current working directory unless absolute.
    files : sequence of str
        Solution notebooks to build; all of `solutions_dir` when empty.
    check : bool
        Write nothing; report missing, stale and orphaned exercises.
    force : bool
        Replace exercises even when they hold a learner's work (which is lost).
    keep_answers : bool
        Replace stale exercises by the new version with the learner's answers (and added
        cells) carried into it.

    Returns
    -------
    int
        0 when everything is built (or in sync), 1 otherwise.
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    if not solutions_dir.is_dir():
        print(f"error: there is no folder {solutions_dir}/ of solutions.", file=sys.stderr)
        return 1
    sources = (
        _solution_paths(list(files), solutions_dir)
        if files
        else sorted(solutions_dir.glob("*.ipynb"))
    )
    if not check:
        remove_leftovers(exercises_dir)
    failed = False
    out_of_sync = []
    up_to_date = 0
    for source in sources:
        target = exercises_dir / source.name
        text = or_report(exercise_text, source)
        if text is None:
            failed = True
            continue
        current = target.read_bytes() if target.is_file() else None
        if current == text.encode("utf-8"):
            up_to_date += 1
            continue
        fresh = nbformat.reads(text, as_version=4)
        existing = _readable(target) if current is not None else None
        edited = edited_course_cells(existing, fresh) if existing is not None else []
        work = learner_work(existing, fresh) if existing is not None else []
        if check and edited:
            out_of_sync.append(f"edited by hand: {target} (its cells {', '.join(edited)})")
            continue
        if (not force and work and existing is not None
                and course_view(existing, edited) == course_view(fresh, edited)):
            up_to_date += 1  # only the learner's part (answers, outputs, edits) differs
            continue
        if check:
            out_of_sync.append(f"{'stale' if current is not None else 'missing'}: {target}")
            continue
        learners = current is not None and (existing is None or bool(work))
        merging = keep_answers and existing is not None
        if learners and not force and not merging:
            what = ("is not a notebook this tool can read" if existing is None
                    else f"holds {'; '.join(work)}")
            print(
                f"{target}: the course's version of this exercise has changed, and your copy "
                f"{what}; left as it is. Use --keep-answers to take the new version with your "
                "answers and added cells carried into it (`make update` does this), or --force "
                f"to replace it; either way your copy is saved first in {BACKUP_DIR}/.",
                file=sys.stderr,
            )
            failed = True
            continue
        kept = ""
        if learners:
            relative = Path(exercises_dir.name) / target.name
            kept = f"your copy is in {backup_files(exercises_dir.parent, [relative]) / relative}"
            if merging:
                merged, notes = merge_answers(fresh, existing)
                text = notebook_text(merged)
                print("".join(f"note: {target}: {note}\n" for note in notes), end="")
                dropped = "; ".join(item for item in work if not (
                    item.startswith("your answers") or item.endswith("you added")))
                kept = ("your answers and added cells kept; "
                        + (f"not carried: {dropped}; " if dropped else "") + kept)
            kept = f" ({kept})"
        try:
            exercises_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(target, text)
        except OSError as err:
            print(f"error: cannot write {target}: {err.strerror or err}", file=sys.stderr)
            failed = True
            continue
        print(f"wrote {target}{kept}")
    if not files and exercises_dir.is_dir():
        solution_names = {path.name for path in solutions_dir.glob("*.ipynb")}
        for orphan in sorted(exercises_dir.glob("*.ipynb")):
            if orphan.name in solution_names:
                continue
            if check:
                out_of_sync.append(f"orphaned (no solution of that name; a notebook of your own is "
                                   f"fine there, this is only a note): {orphan}")
            else:
                print(f"note: {orphan} has no solution in {solutions_dir}/; left as it is.")
    if out_of_sync:
        print("exercises out of sync with solutions:", file=sys.stderr)
        for line in out_of_sync:
            print(f"  {line}", file=sys.stderr)
        print("Run `python -m lessons.build exercises` to regenerate them "
              "(it keeps any exercise holding a learner's work).", file=sys.stderr)
        failed = True
    elif check and not failed:
        print(f"{exercises_dir}/ is in sync with {solutions_dir}/.")
    elif up_to_date:
        print(f"{up_to_date} exercise notebook(s) already up to date.")
    return 1 if failed else 0


def _readable(path: Path):
    """The notebook at `path`, or None when it cannot be read as one."""
    try:
        return read_notebook(path)
    except BuildError:
        return None
