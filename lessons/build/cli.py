"""Command line of :mod:`lessons.build` (see the package docstring)."""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from lessons.build.answers import learner_work
from lessons.build.execute import execute_notebook, kernel_language_info
from lessons.build.exercises import build_exercises
from lessons.build.links import refresh_links
from lessons.build.nbfiles import (
    BuildError,
    normalise,
    notebook_text,
    or_report,
    read_notebook,
    remove_leftovers,
    write_atomic,
)


def _clean_folders(paths) -> None:
    for folder in sorted({Path(path).parent for path in paths}):
        remove_leftovers(folder)


def _default_paths(folders) -> list[Path]:
    return [path for folder in folders for path in sorted(Path(folder).glob("*.ipynb"))]


def _run_exercises(args) -> int:
    return build_exercises(
        args.solutions, args.exercises, args.files, args.check, args.force, args.keep_answers
    )


def _notebook_paths(given_paths, default_folders) -> list[Path] | None:
    """The notebooks named on the command line (folders expanded), or those of `default_folders`.

    A named path that does not exist is reported on stderr and gives None; a missing default
    folder is skipped.
    """
    paths = []
    for given in given_paths or default_folders:
        path = Path(given)
        if path.is_dir():
            paths.extend(_default_paths([path]))
        elif path.is_file():
            paths.append(path)
        elif given_paths:
            print(f"error: {given}: no such notebook or folder.", file=sys.stderr)
            return None
    return paths


def _run_execute(args) -> int:
    paths = _notebook_paths(args.paths, ["notebooks", "solutions"])
    if paths is None:
        return 1
    _clean_folders(paths)
    for changed in refresh_links(sorted({path.parent for path in paths})):
        print(f"updated the Next link in {changed}")
    failed = False
    for path in paths:
        started = time.perf_counter()
        nb = or_report(execute_notebook, path)
        if nb is None:
            failed = True
            continue
        write_atomic(path, notebook_text(nb))
        print(f"{path}: executed in {time.perf_counter() - started:.1f} s")
    if failed:
        return 1
    if args.exercises:
        return build_exercises()
    return 0


def _tracked_notebooks() -> set[Path] | None:
    """The notebooks git tracks here (resolved paths), or None outside a git clone."""
    try:
        result = subprocess.run(["git", "ls-files", "-z", "--full-name", "*.ipynb"],
                                capture_output=True, text=True, check=False)
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, check=False)
    except OSError:
        return None
    if result.returncode != 0 or top.returncode != 0:
        return None
    root = Path(top.stdout.strip())
    return {(root / name).resolve() for name in result.stdout.split("\0") if name}


def _not_the_courses(nb, path: Path, tracked) -> str | None:
    """Why `normalise` must leave this notebook alone (a learner's), or None."""
    metadata = nb.get("metadata", {})
    language = (metadata.get("kernelspec", {}).get("language")
                or metadata.get("language_info", {}).get("name") or "python")
    if str(language).lower() != "python":
        return f"a {language} notebook, not one of the course's"
    if tracked is not None and path.resolve() not in tracked:
        return "not one of the course's files: git does not track it; name it to normalise it"
    if "source_sha256" in (metadata.get("lessons") or {}):
        work = learner_work(nb)
        if work:
            return f"an exercise holding {'; '.join(work)}"
    return None


def _run_normalise(args) -> int:
    paths = _notebook_paths(args.paths, ["notebooks", "solutions", "exercises"])
    if paths is None:
        return 1
    if not args.check:
        _clean_folders(paths)
    info = kernel_language_info()
    tracked = None if args.paths else _tracked_notebooks()
    changed = []
    for path in paths:
        nb = read_notebook(path)
        why = _not_the_courses(nb, path, tracked)
        if why:
            print(f"left as it is: {path} ({why})")
            continue
        nb.metadata["language_info"] = info
        text = notebook_text(normalise(nb))
        if path.read_text(encoding="utf-8") != text:
            changed.append(path)
            if not args.check:
                write_atomic(path, text)
                print(f"normalised {path}")
    if args.check and changed:
        print("notebook metadata not normalised for this kernel (Python "
              f"{info.get('version')}):", file=sys.stderr)
        for path in changed:
            print(f"  {path}", file=sys.stderr)
        print("Run `python -m lessons.build normalise` to fix them.", file=sys.stderr)
        return 1
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
        "--force", action="store_true",
        help="replace exercises even when they hold a learner's answers (they are lost)"
    )
    exercises.add_argument(
        "--keep-answers", action="store_true",
        help="update stale exercises, carrying the learner's answers into the new version",
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

    normalise_command = commands.add_parser(
        "normalise",
        help="store the python3 kernel's language_info and normalised metadata "
        "(outputs untouched), so JupyterLab opens the notebooks unmodified; a learner's "
        "notebooks are left alone (other kernels, exercises holding answers or outputs and, "
        "unless named, notebooks git does not track)",
    )
    normalise_command.add_argument("--check", action="store_true",
                                   help="write nothing; exit 1 if a notebook would change")
    normalise_command.add_argument(
        "paths", nargs="*", metavar="PATHS",
        help="notebooks or folders (default: notebooks solutions exercises)",
    )
    normalise_command.set_defaults(run=_run_normalise)

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
    except OSError as err:  # a read-only folder, a full disk: one line, no traceback
        where = f"{err.filename}: " if err.filename else ""
        print(f"error: {where}{err.strerror or err}", file=sys.stderr)
        return 1
