"""Build tool: solutions/ into exercises/, re-execution, and the "Next" links.

Command line (run from the repository root; every default folder is relative to the current
working directory, not to the package)::

    python -m lessons.build exercises [--check] [--force] [--solutions DIR] [--exercises DIR]
                                      [FILES...]
    python -m lessons.build execute [--exercises] [PATHS...]
    python -m lessons.build links [--check] [DIR...]

``exercises`` turns each ``solutions/NN_x.ipynb`` into ``exercises/NN_x.ipynb``: answers between
``### BEGIN SOLUTION`` and ``### END SOLUTION`` become stubs, ``### BEGIN HIDDEN TESTS`` ...
``### END HIDDEN TESTS`` disappear, outputs are cleared and nbgrader (schema 3) metadata is added.
It never overwrites an exercise notebook whose cells were edited (a learner's work) unless given
``--force``; ``--check`` writes nothing and exits 1 when ``exercises/`` is out of date.

``execute`` refreshes the "Next" links, runs each notebook top to bottom in a fresh kernel and
stores the outputs with normalised metadata. ``links`` only refreshes (or checks) the links.

Cell tags understood: ``solution-only`` (cell left out of the exercise), ``exercise-only`` (cell
kept only in the exercise), ``points=N`` (points of a checker cell in nbgrader).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import copy
import hashlib
import json
import os
import re
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"

FUNCTION_STUB = 'raise NotImplementedError("Replace this line with your code.")'
VALUE_STUB_COMMENT = "# Your answer: replace ... with your code."
EMPTY_STUB = "# Your code here."
MARKDOWN_STUB = "_Write your answer here._"

SOLUTION_ONLY_TAG = "solution-only"
EXERCISE_ONLY_TAG = "exercise-only"

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
DROPPED_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")
CELL_TIMEOUT_SECONDS = 600
LAST_NEXT_LINE = (
    "**Next:** that was the last notebook; back to the [course overview](../README.md)."
)

_MARKERS = {
    BEGIN_SOLUTION: ("begin", "solution"),
    END_SOLUTION: ("end", "solution"),
    BEGIN_HIDDEN_TESTS: ("begin", "hidden tests"),
    END_HIDDEN_TESTS: ("end", "hidden tests"),
}
_CHECKER_CALL = re.compile(r"\bchecks\s*\.\s*(?:check|grade)\s*\(")
_CHECK_KEY = re.compile(r"""\bchecks\s*\.\s*check\s*\(\s*(["'])(.*?)\1""")
_NUMBERED = re.compile(r"^(\d+)_.*\.ipynb$")
_DEF_LINE = re.compile(r"^(?:async\s+)?def\s")
_RERUN_ADVICE = "Open it, choose Kernel > Restart Kernel and Run All Cells, save, and build again."


class BuildError(Exception):
    """A notebook cannot be built; the message names the notebook and cell and says why."""


@dataclass(frozen=True)
class _Region:
    """Lines ``begin``..``end`` (the marker lines) of one marked region of a cell."""

    kind: str  # "solution" or "hidden tests"
    begin: int
    end: int
    indent: str


# --------------------------------------------------------------------------- small helpers


def _source(cell) -> str:
    """Return a cell's source as one string (nbformat allows a list of lines on disk)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _tags(cell) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [tag for tag in tags if isinstance(tag, str)]


def _where(name: str, index: int, cell) -> str:
    """Describe a cell for a message: notebook, 1-based position and its first line."""
    lines = [line.strip() for line in _source(cell).splitlines()]
    first_line = next((line for line in lines if line and line not in _MARKERS), "")
    if len(first_line) > 40:
        first_line = first_line[:37] + "..."
    label = f" ({first_line!r})" if first_line else ""
    return f"{name}, cell {index + 1}{label}"


def _indent_width(line: str) -> int:
    expanded = line.expandtabs(4)
    return len(expanded) - len(expanded.lstrip())


def read_notebook(path) -> nbformat.NotebookNode:
    """Read a notebook (nbformat 4), turning an unreadable file into a clear BuildError.

    Parameters
    ----------
    path : str or Path
        The ``.ipynb`` file.

    Returns
    -------
    NotebookNode
    """
    try:
        with open(path, encoding="utf-8") as handle:
            return nbformat.read(handle, as_version=4)
    except FileNotFoundError:
        raise BuildError(f"{path}: no such notebook.") from None
    except Exception as err:  # nbformat raises several kinds for a damaged file
        raise BuildError(f"{path}: not a readable notebook ({err}).") from None


def notebook_text(nb) -> str:
    """Serialise a notebook the way Jupyter does (sorted keys, indent 1), ending in a newline.

    Parameters
    ----------
    nb : NotebookNode

    Returns
    -------
    str
        The same notebook always gives the same text.
    """
    problems: dict = {}
    text = nbformat.writes(nb, capture_validation_error=problems)
    if "ValidationError" in problems:
        raise BuildError(f"the notebook would not be valid: {problems['ValidationError'].message}")
    return text if text.endswith("\n") else text + "\n"


def _file_mode(path: Path) -> int:
    """Permissions for a rewritten file: keep the old file's, else the usual umask default."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path, text: str) -> None:
    """Write text to path through a temporary file in the same folder and ``os.replace``.

    A reader (or a crash) sees either the old file or the new one, never half of one, and no
    temporary file is left behind.

    Parameters
    ----------
    path : str or Path
        Destination; its folder must exist.
    text : str
        Written as UTF-8 with ``\\n`` line ends.
    """
    path = Path(path)
    mode = _file_mode(path)
    handle_fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle_fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, mode)
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


# --------------------------------------------------------------------------- pure functions


def source_hash(nb) -> str:
    """Hash of a notebook's cell types and sources (outputs and metadata do not count).

    Parameters
    ----------
    nb : NotebookNode

    Returns
    -------
    str
        64 hexadecimal digits (SHA-256). Running a notebook leaves it unchanged; editing,
        adding or deleting a cell changes it.
    """
    cells = [[cell.get("cell_type", ""), _source(cell)] for cell in nb.get("cells", [])]
    payload = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def normalise(nb) -> nbformat.NotebookNode:
    """Return a copy of a notebook with machine- and run-specific metadata removed.

    The notebook metadata keeps only the standard Python 3 ``kernelspec``,
    ``language_info = {"name": "python"}`` and ``lessons`` (if present), so widget state and
    version numbers never enter the repository. Cells lose ``execution``, ``collapsed``,
    ``scrolled`` and ``ExecuteTime`` metadata. Consecutive stream outputs of the same stream are
    merged, since where the kernel happened to flush stdout is not part of the output.

    Parameters
    ----------
    nb : NotebookNode

    Returns
    -------
    NotebookNode
        A new notebook; `nb` is not modified.
    """
    result = copy.deepcopy(nb)
    metadata = nbformat.from_dict(
        {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    )
    if "lessons" in nb.get("metadata", {}):
        metadata["lessons"] = copy.deepcopy(nb["metadata"]["lessons"])
    result["metadata"] = metadata
    for cell in result.get("cells", []):
        cell_metadata = cell.setdefault("metadata", nbformat.NotebookNode())
        for key in DROPPED_CELL_METADATA:
            cell_metadata.pop(key, None)
        if cell.get("outputs"):
            cell["outputs"] = _merge_streams(cell["outputs"])
    return result


def _merge_streams(outputs):
    merged = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (output.get("output_type") == "stream" and previous is not None
                and previous.get("output_type") == "stream"
                and previous.get("name") == output.get("name")):
            previous["text"] = previous["text"] + output["text"]
        else:
            merged.append(output)
    return merged


def _find_regions(source: str, where: str) -> list[_Region]:
    """Locate the marked regions of a cell; raise BuildError when markers are unbalanced."""
    regions = []
    open_kind = None
    open_line = 0
    for number, line in enumerate(source.split("\n")):
        marker = _MARKERS.get(line.strip())
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
        tags = _tags(cell)
        if SOLUTION_ONLY_TAG in tags:
            continue
        where = _where(name, index, cell)
        source = _source(cell)
        regions = _find_regions(source, where) if cell.cell_type != "raw" else []
        if regions and not keep_answers:
            cell.source = _exercise_source(source, regions, cell.cell_type, where)
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


def nbgrader_source(nb, name: str = "the solution notebook") -> nbformat.NotebookNode:
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

    Returns
    -------
    NotebookNode
    """
    return _convert(nb, name, keep_answers=True)


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
        raise BuildError(f"{name}: none of its code cells has been run. {_RERUN_ADVICE}")
    problems = []
    rerun_needed = False
    expected_count = 1
    order_reported = False
    for index, cell in enumerate(nb.cells):
        where = _where(name, index, cell)
        if cell.cell_type != "raw":
            try:
                _find_regions(_source(cell), where)
            except BuildError as err:
                problems.append(str(err))
        if cell.cell_type != "code":
            continue
        count = cell.get("execution_count")
        if count is None:
            if _source(cell).strip():
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
        advice = [_RERUN_ADVICE] if rerun_needed else []
        raise BuildError("\n".join(problems + advice))


# --------------------------------------------------------------------------- links


def _numbered_notebooks(folder: Path) -> list[Path]:
    found = [path for path in folder.glob("*.ipynb") if _NUMBERED.match(path.name)]
    return sorted(found, key=lambda path: (int(_NUMBERED.match(path.name).group(1)), path.name))


def _title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in _source(cell).split("\n"):
            if line.startswith("# "):
                return line[2:].strip()
    return fallback


def _next_line(following: Path | None, title: str) -> str:
    if following is None:
        return LAST_NEXT_LINE
    escaped = title.replace("[", r"\[").replace("]", r"\]")
    return f"**Next:** [{escaped}]({following.name})"


def _with_next_line(nb, next_line: str) -> bool:
    """Rewrite every ``**Next:**`` line of the markdown cells in place; True if any changed."""
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = _source(cell).split("\n")
        rewritten = [next_line if line.startswith("**Next:**") else line for line in lines]
        if rewritten != lines:
            cell.source = "\n".join(rewritten)
            changed = True
    return changed


def refresh_links(paths, check: bool = False) -> list[Path]:
    """Point every ``**Next:**`` line at the following ``NN_*.ipynb`` notebook of its folder.

    Parameters
    ----------
    paths : iterable of str or Path
        Folders (a notebook path stands for its folder).
    check : bool, default False
        Only report; write nothing.

    Returns
    -------
    list of Path
        The notebooks whose links were (or, with `check`, would be) rewritten.
    """
    folders = []
    for path in map(Path, paths):
        folder = path if path.is_dir() else path.parent
        if folder not in folders:
            folders.append(folder)
    changed = []
    for folder in folders:
        notebook_paths = _numbered_notebooks(folder)
        notebooks = [read_notebook(path) for path in notebook_paths]
        for position, (path, nb) in enumerate(zip(notebook_paths, notebooks, strict=True)):
            if position + 1 < len(notebook_paths):
                following = notebook_paths[position + 1]
                title = _title(notebooks[position + 1], fallback=following.stem)
                next_line = _next_line(following, title)
            else:
                next_line = _next_line(None, "")
            if _with_next_line(nb, next_line):
                changed.append(path)
                if not check:
                    write_atomic(path, notebook_text(nb))
    return changed


# --------------------------------------------------------------------------- commands


def exercise_text(solution_path, name: str | None = None) -> str:
    """Read, validate and convert one solution notebook; return the exercise file's text.

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
    return notebook_text(make_exercise(solution, name))


def _was_edited(exercise_path: Path) -> bool:
    """True unless the file's cells still hash to the value recorded when we generated it."""
    try:
        nb = read_notebook(exercise_path)
    except BuildError:
        return True
    lessons_metadata = nb.metadata.get("lessons")
    if not isinstance(lessons_metadata, dict):
        return True
    return lessons_metadata.get("source_sha256") != source_hash(nb)


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
) -> int:
    """Generate (or with `check`, verify) exercise notebooks; return the exit status.

    Parameters
    ----------
    solutions_dir, exercises_dir : str or Path
        Folders, relative to the current working directory unless absolute.
    files : sequence of str
        Solution notebooks to build; all of `solutions_dir` when empty.
    check : bool
        Write nothing; report missing, stale and orphaned exercises.
    force : bool
        Overwrite exercises even when their cells were edited.

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
    failed = False
    out_of_sync = []
    up_to_date = 0
    for source in sources:
        target = exercises_dir / source.name
        try:
            text = exercise_text(source)
        except BuildError as err:
            print(f"error: {err}", file=sys.stderr)
            failed = True
            continue
        current = target.read_bytes() if target.is_file() else None
        if current == text.encode("utf-8"):
            up_to_date += 1
            continue
        if check:
            out_of_sync.append(f"{'stale' if current is not None else 'missing'}: {target}")
            continue
        if current is not None and not force and _was_edited(target):
            print(
                f"{target} has been edited (a learner's work?); left as it is. "
                "Use --force to overwrite.",
                file=sys.stderr,
            )
            failed = True
            continue
        exercises_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text)
        print(f"wrote {target}")
    if not files and exercises_dir.is_dir():
        solution_names = {path.name for path in solutions_dir.glob("*.ipynb")}
        for orphan in sorted(exercises_dir.glob("*.ipynb")):
            if orphan.name in solution_names:
                continue
            if check:
                out_of_sync.append(f"orphaned (no solution): {orphan}")
            else:
                print(f"note: {orphan} has no solution in {solutions_dir}/; left as it is.")
    if out_of_sync:
        print("exercises out of sync with solutions:", file=sys.stderr)
        for line in out_of_sync:
            print(f"  {line}", file=sys.stderr)
        print("Run `python -m lessons.build exercises` to regenerate them.", file=sys.stderr)
        failed = True
    elif check and not failed:
        print(f"{exercises_dir}/ is in sync with {solutions_dir}/.")
    elif up_to_date:
        print(f"{up_to_date} exercise notebook(s) already up to date.")
    return 1 if failed else 0


def _failed_cell(nb) -> tuple[int, str]:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    return -1, ""


def execute_notebook(path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh ``python3`` kernel; return it normalised.

    The kernel's working directory is the notebook's folder and ``MPLBACKEND`` is unset, so
    ``%matplotlib`` magics behave as in JupyterLab. Nothing is written.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    NotebookNode

    Raises
    ------
    BuildError
        Naming the cell that failed.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = read_notebook(path)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    kernel_env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    try:
        client.execute(env=kernel_env)
    except CellExecutionError as err:
        index, error = _failed_cell(nb)
        where = _where(str(path), index, nb.cells[index]) if index >= 0 else str(path)
        raise BuildError(f"{where} raised {error or err.ename}; nothing written.") from None
    except CellTimeoutError:
        raise BuildError(
            f"{path}: a cell ran longer than {CELL_TIMEOUT_SECONDS} s; nothing written."
        ) from None
    except DeadKernelError:
        raise BuildError(f"{path}: the kernel died while running it; nothing written.") from None
    for cell in nb.cells:
        # nbclient skips blank code cells, which would otherwise keep a stale count
        if cell.cell_type == "code" and not _source(cell).strip():
            cell.outputs = []
            cell.execution_count = None
    return normalise(nb)


def _default_paths(folders) -> list[Path]:
    return [path for folder in folders for path in sorted(Path(folder).glob("*.ipynb"))]


def _run_exercises(args) -> int:
    return build_exercises(args.solutions, args.exercises, args.files, args.check, args.force)


def _run_execute(args) -> int:
    paths = []
    for given in args.paths or ["notebooks", "solutions"]:
        path = Path(given)
        if path.is_dir():
            paths.extend(_default_paths([path]))
        elif path.is_file():
            paths.append(path)
        elif args.paths:
            print(f"error: {given}: no such notebook or folder.", file=sys.stderr)
            return 1
    for changed in refresh_links(sorted({path.parent for path in paths})):
        print(f"updated the Next link in {changed}")
    failed = False
    for path in paths:
        started = time.perf_counter()
        try:
            nb = execute_notebook(path)
        except BuildError as err:
            print(f"error: {err}", file=sys.stderr)
            failed = True
            continue
        write_atomic(path, notebook_text(nb))
        print(f"{path}: executed in {time.perf_counter() - started:.1f} s")
    if failed:
        return 1
    if args.exercises:
        return build_exercises()
    return 0


def _run_links(args) -> int:
    folders = [Path(folder) for folder in args.dirs or ["notebooks", "solutions"]]
    missing = [folder for folder in folders if not folder.is_dir()]
    if args.dirs and missing:
        print(f"error: no such folder: {', '.join(map(str, missing))}", file=sys.stderr)
        return 1
    changed = refresh_links([folder for folder in folders if folder.is_dir()], check=args.check)
    if args.check:
        if changed:
            print("Next links out of date in:", file=sys.stderr)
            for path in changed:
                print(f"  {path}", file=sys.stderr)
            print("Run `python -m lessons.build links` to fix them.", file=sys.stderr)
            return 1
        print("Next links are up to date.")
        return 0
    for path in changed:
        print(f"updated the Next link in {path}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lessons.build",
        description="Build exercises from solutions, re-execute notebooks, refresh Next links. "
        "Folders are relative to the current working directory.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    exercises = commands.add_parser(
        "exercises", help="generate exercises/NN_x.ipynb from solutions/NN_x.ipynb"
    )
    exercises.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    exercises.add_argument(
        "--force", action="store_true", help="overwrite exercises even if they were edited"
    )
    exercises.add_argument("--solutions", default="solutions", metavar="DIR")
    exercises.add_argument("--exercises", default="exercises", metavar="DIR")
    exercises.add_argument("files", nargs="*", metavar="FILES", help="solution notebooks")
    exercises.set_defaults(run=_run_exercises)

    execute = commands.add_parser(
        "execute", help="run notebooks in fresh kernels and store normalised outputs"
    )
    execute.add_argument(
        "--exercises", action="store_true", help="regenerate exercises/ afterwards"
    )
    execute.add_argument(
        "paths",
        nargs="*",
        metavar="PATHS",
        help="notebooks or folders (default: notebooks solutions)",
    )
    execute.set_defaults(run=_run_execute)

    links = commands.add_parser("links", help="rewrite the **Next:** line of each notebook")
    links.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    links.add_argument(
        "dirs", nargs="*", metavar="DIR", help="folders (default: notebooks solutions)"
    )
    links.set_defaults(run=_run_links)
    return parser


def main(argv=None) -> int:
    """Command-line entry point (``python -m lessons.build`` and ``lessons-build``).

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; ``sys.argv[1:]`` when None.

    Returns
    -------
    int
        The exit status: 0 on success, 1 when something needs attention.
    """
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
