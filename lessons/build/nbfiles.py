"""Notebook files: reading, canonical text, atomic writes, hashing and normalised metadata.

The lowest layer of :mod:`lessons.build`; it knows nothing about exercises or links.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import nbformat

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN_TESTS = "### BEGIN HIDDEN TESTS"
END_HIDDEN_TESTS = "### END HIDDEN TESTS"
#: marker line -> (action, kind of region)
MARKERS = {
    BEGIN_SOLUTION: ("begin", "solution"),
    END_SOLUTION: ("end", "solution"),
    BEGIN_HIDDEN_TESTS: ("begin", "hidden tests"),
    END_HIDDEN_TESTS: ("end", "hidden tests"),
}

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
DROPPED_CELL_METADATA = ("execution", "collapsed", "scrolled", "ExecuteTime")


class BuildError(Exception):
    """A notebook cannot be built; the message names the notebook and cell and says why."""


def cell_source(cell) -> str:
    """Return a cell's source as one string (nbformat allows a list of lines on disk)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def cell_tags(cell) -> list[str]:
    """Return the string tags of a cell's metadata."""
    tags = cell.get("metadata", {}).get("tags", [])
    return [tag for tag in tags if isinstance(tag, str)]


def describe_cell(name: str, index: int, cell) -> str:
    """Describe a cell for a message: notebook, 1-based position and its first line."""
    lines = [line.strip() for line in cell_source(cell).splitlines()]
    first_line = next((line for line in lines if line and line not in MARKERS), "")
    if len(first_line) > 40:
        first_line = first_line[:37] + "..."
    label = f" ({first_line!r})" if first_line else ""
    return f"{name}, cell {index + 1}{label}"


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
        The notebook to write; it must be valid (nbformat 4).

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
    handle_fd, temp_name = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=TEMPORARY_SUFFIX
    )
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


BACKUP_DIR = ".lessons-backup"


def backup_files(root, paths) -> Path:
    """Copy the files `paths` (relative to `root`) into a new ``.lessons-backup/<time>/``.

    Every command that replaces a learner's file keeps a copy here first and says where. Git
    ignores the folder (it gets its own ``.gitignore``).

    Parameters
    ----------
    root : str or Path
        The folder the backup goes into (the course's clone).
    paths : iterable of str or Path
        Files relative to `root`; missing ones are skipped.

    Returns
    -------
    Path
        The new folder.
    """
    root = Path(root)
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = root / BACKUP_DIR / stamp
    folder.mkdir(parents=True)
    ignore = root / BACKUP_DIR / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# your copies, kept before a course command replaced them; git "
                          "ignores this folder\n*\n")
    for path in paths:
        source = root / path
        if source.is_file():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return folder

TEMPORARY_SUFFIX = ".tmp"
#: a temporary file younger than this may belong to a write still under way
TEMPORARY_GRACE_SECONDS = 60


def clean_temporary_files(folder, grace_seconds: float = TEMPORARY_GRACE_SECONDS) -> list[Path]:
    """Remove the temporary files that a killed :func:`write_atomic` left in `folder`.

    Only files named like ours (``.NAME.ipynb.XXXX.tmp``, ``.NAME.py.XXXX.tmp``) and older than
    `grace_seconds` are removed.

    Parameters
    ----------
    folder : str or Path
        A missing folder holds nothing.
    grace_seconds : float, default 60

    Returns
    -------
    list of Path
        The files removed.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    now = time.time()
    for path in sorted(folder.glob(f".*{TEMPORARY_SUFFIX}")):
        with contextlib.suppress(FileNotFoundError):
            if now - path.stat().st_mtime >= grace_seconds and path.is_file():
                path.unlink()
                removed.append(path)
    return removed


def remove_leftovers(folder) -> None:
    """:func:`clean_temporary_files` in `folder`, naming each removed file on stdout.

    Examples
    --------
    >>> remove_leftovers("no/such/folder")  # nothing to remove, nothing printed
    """
    for leftover in clean_temporary_files(folder):
        print(f"removed {leftover} (left by an interrupted write)")


def or_report(build, path):
    """``build(path)``, or None after printing its `BuildError` to stderr as ``error: ...``.

    The one way the command line reports a notebook it could not build, so that a loop over
    notebooks carries on with the next one.

    Examples
    --------
    >>> or_report(read_notebook, "missing.ipynb") is None
    True
    """
    try:
        return build(path)
    except BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return None


def source_hash(nb) -> str:
    """Hash of a notebook's cell types and sources (outputs and metadata do not count).

    Parameters
    ----------
    nb : NotebookNode
        Any notebook, run or not.

    Returns
    -------
    str
        64 hexadecimal digits (SHA-256). Running a notebook leaves it unchanged; editing,
        adding or deleting a cell changes it.
    """
    cells = [[cell.get("cell_type", ""), cell_source(cell)] for cell in nb.get("cells", [])]
    payload = json.dumps(cells, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def language_info(nb) -> dict:
    """The ``language_info`` to store: the kernel's own, as JupyterLab would write it.

    JupyterLab 4 (``NotebookPanel._updateLanguage``) calls
    ``model.setMetadata("language_info", info)`` with the kernel's ``kernel_info`` reply
    when the kernel connects, and ``YNotebook.setMetadata`` marks the notebook dirty unless
    the stored value is ``JSONExt.deepEqual`` to it. So a notebook opens clean only when it
    stores exactly what its kernel reports: the whole dict, ``version`` included. nbclient
    puts that dict into the notebook when it runs it; this keeps it. A notebook that holds
    only ``{"name": "python"}`` (never run by a kernel) keeps that.

    Parameters
    ----------
    nb : NotebookNode

    Returns
    -------
    dict
        A new dict; ``{"name": "python"}`` when the notebook holds nothing usable.

    Examples
    --------
    >>> language_info({"metadata": {"language_info": {"name": "python", "version": "3.11.7"}}})
    {'name': 'python', 'version': '3.11.7'}
    >>> language_info({"metadata": {"language_info": {"name": "R"}}})
    {'name': 'python'}
    """
    stored = nb.get("metadata", {}).get("language_info")
    if isinstance(stored, dict) and stored.get("name") == "python":
        return copy.deepcopy(dict(stored))
    return {"name": "python"}


def normalise(nb) -> nbformat.NotebookNode:
    """Return a copy of a notebook with machine- and run-specific metadata removed.

    The notebook metadata keeps only the standard Python 3 ``kernelspec`` (what JupyterLab
    writes for the ``python3`` kernel), the kernel's ``language_info`` (see
    :func:`language_info`: storing it whole is what keeps JupyterLab from marking the notebook
    modified on open) and ``lessons`` (if present), so widget state and other tools' metadata
    never enter the repository. Cells lose ``execution``, ``collapsed``, ``scrolled`` and
    ``ExecuteTime`` metadata. Consecutive stream outputs of the same stream are merged, since
    where the kernel happened to flush stdout is not part of the output.

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
        {"kernelspec": dict(KERNELSPEC), "language_info": language_info(nb)}
    )
    if "lessons" in nb.get("metadata", {}):
        metadata["lessons"] = copy.deepcopy(nb["metadata"]["lessons"])
    result["metadata"] = metadata
    for cell in result.get("cells", []):
        cell_metadata = cell.setdefault("metadata", nbformat.NotebookNode())
        for key in DROPPED_CELL_METADATA:
            cell_metadata.pop(key, None)
        if cell.get("outputs"):
            cell["outputs"] = merge_streams(cell["outputs"])
    return result


def merge_streams(outputs):
    """Join consecutive stream outputs of the same stream (stdout or stderr) into one."""
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
