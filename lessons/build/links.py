"""The ``**Next:**`` line at the end of every numbered notebook."""

from __future__ import annotations

import re
from pathlib import Path

from lessons.build.nbfiles import cell_source, notebook_text, read_notebook, write_atomic

LAST_NEXT_LINE = (
    "**Next:** that was the last notebook; back to the [course overview](../README.md)."
)
_NUMBERED = re.compile(r"^(\d+)_.*\.ipynb$")


def numbered_notebooks(folder: Path) -> list[Path]:
    found = [path for path in folder.glob("*.ipynb") if _NUMBERED.match(path.name)]
    return sorted(found, key=lambda path: (int(_NUMBERED.match(path.name).group(1)), path.name))


def notebook_title(nb, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell_source(cell).split("\n"):
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
        lines = cell_source(cell).split("\n")
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
        notebook_paths = numbered_notebooks(folder)
        notebooks = [read_notebook(path) for path in notebook_paths]
        for position, (path, nb) in enumerate(zip(notebook_paths, notebooks, strict=True)):
            if position + 1 < len(notebook_paths):
                following = notebook_paths[position + 1]
                title = notebook_title(notebooks[position + 1], fallback=following.stem)
                next_line = _next_line(following, title)
            else:
                next_line = _next_line(None, "")
            if _with_next_line(nb, next_line):
                changed.append(path)
                if not check:
                    write_atomic(path, notebook_text(nb))
    return changed


_NEXT_TARGET = re.compile(r"^\*\*Next:\*\* \[.*\]\((\d+_[^()/]*\.ipynb)\)$")


def point_next_at_lectures(nb, lectures_dir) -> bool:
    """Make an exercise's ``**Next:**`` line lead to the next *lecture*, in place.

    In ``solutions/`` the line points at the next solution notebook; an exercise notebook's
    reader goes on to the next lecture instead: ``[title](../notebooks/NN_x.ipynb)``, with that
    lecture's title. Lines whose lecture does not exist are left alone.

    Parameters
    ----------
    nb : NotebookNode
        An exercise notebook (modified in place).
    lectures_dir : str or Path
        The lectures folder (``notebooks/``), to read the next lecture's title.

    Returns
    -------
    bool
        Whether a line changed.
    """
    lectures_dir = Path(lectures_dir)
    changed = False
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        lines = cell_source(cell).split("\n")
        for index, line in enumerate(lines):
            match = _NEXT_TARGET.match(line)
            lecture = lectures_dir / match.group(1) if match else None
            if lecture is None or not lecture.is_file():
                continue
            title = notebook_title(read_notebook(lecture), lecture.stem)
            escaped = title.replace("[", r"\[").replace("]", r"\]")
            lines[index] = (f"**Next:** the lecture [{escaped}]"
                            f"(../{lectures_dir.name}/{lecture.name})")
            changed = True
        if changed:
            cell.source = "\n".join(lines)
    return changed
