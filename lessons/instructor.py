"""Instructor kit: lay out an nbgrader course directory from ``solutions/``.

Command line (run from the repository root)::

    python -m lessons.instructor DIR [NOTEBOOK...] [--solutions DIR] [--force] [--release]
                                 [--nbgrader EXE]

writes, for every ``solutions/NN_slug.ipynb`` (or only the NOTEBOOKs named, e.g.
``01_definitions``), one assignment ``NN_slug``::

    DIR/nbgrader_config.py                      (kept if it exists: it is yours to edit)
    DIR/source/NN_slug/NN_slug.ipynb            answers, hidden tests and nbgrader metadata

The source notebooks come from `lessons.build.nbgrader_source`: the exercise's cells and nbgrader
metadata with the answers and hidden tests still in place. ``--release`` then runs
``nbgrader generate_assignment`` on each assignment, which writes the student version to
``DIR/release/NN_slug/`` and records the hidden tests in ``DIR/gradebook.db`` for
``nbgrader autograde``. nbgrader itself is not a course dependency: install it where you grade.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from lessons import build

COURSE_ID = "l1-vs-l2"
CONFIG_NAME = "nbgrader_config.py"
# Generous per-cell limit: a grader machine may be slower than a learner's laptop.
CELL_TIMEOUT_SECONDS = 120

NBGRADER_CONFIG = f'''"""nbgrader settings of the L1 vs L2 course (from lessons.instructor).

Assignments are the folders of source/, one per notebook. Grade with, e.g.:

    nbgrader generate_assignment 01_definitions
    nbgrader autograde 01_definitions
    nbgrader export
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.course_id = "{COURSE_ID}"
c.ExecutePreprocessor.timeout = {CELL_TIMEOUT_SECONDS}
# The answer key the hidden tests call lives in the `lessons` package: grade in a kernel where
# `import lessons` works (the course's environment).
'''


def assignment_name(solution_path) -> str:
    """The nbgrader assignment of a solution notebook: its file name without ``.ipynb``.

    Examples
    --------
    >>> assignment_name("solutions/01_definitions.ipynb")
    '01_definitions'
    """
    return Path(solution_path).stem


def layout_course(
    course_dir, solutions_dir="solutions", names=(), force: bool = False
) -> list[Path]:
    """Write ``nbgrader_config.py`` and ``source/<assignment>/<notebook>`` for each solution.

    Parameters
    ----------
    course_dir : str or Path
        The nbgrader course directory; created if missing.
    solutions_dir : str or Path, default "solutions"
        Where the solution notebooks are.
    names : sequence of str, optional
        Only these notebooks (``01_definitions`` or ``01_definitions.ipynb``); all when empty.
    force : bool, default False
        Overwrite source notebooks that differ from what the solutions give (an instructor's
        edits); without it they are left alone and reported.

    Returns
    -------
    list of Path
        The source notebooks now in place (written or already current).

    Raises
    ------
    lessons.build.BuildError
        When a folder is missing or empty, or a solution notebook cannot be converted (the
        message names the notebook and cell).
    """
    course_dir, solutions_dir = Path(course_dir), Path(solutions_dir)
    if not solutions_dir.is_dir():
        raise build.BuildError(f"there is no folder {solutions_dir}/ of solution notebooks.")
    solutions = sorted(solutions_dir.glob("*.ipynb"))
    if names:
        wanted = [assignment_name(name) + ".ipynb" for name in names]
        missing = [name for name in wanted if not (solutions_dir / name).is_file()]
        if missing:
            raise build.BuildError(f"no such notebook in {solutions_dir}/: {', '.join(missing)}")
        solutions = [solutions_dir / name for name in wanted]
    if not solutions:
        raise build.BuildError(f"{solutions_dir}/ has no notebooks.")
    if course_dir.exists() and not course_dir.is_dir():
        raise build.BuildError(f"{course_dir} is a file; give a folder for the course.")

    texts = {}
    for solution in solutions:  # convert everything before writing anything
        notebook = build.read_notebook(solution)
        build.validate_solution(notebook, str(solution))
        texts[solution] = build.notebook_text(build.nbgrader_source(notebook, str(solution)))

    config = course_dir / CONFIG_NAME
    if not config.exists():
        course_dir.mkdir(parents=True, exist_ok=True)
        build.write_atomic(config, NBGRADER_CONFIG)
        print(f"wrote {config}")
    placed, kept = [], []
    for solution, text in texts.items():
        target = course_dir / "source" / assignment_name(solution) / solution.name
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current is not None and current != text and not force:
            kept.append(target)
            continue
        placed.append(target)
        if current != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            build.write_atomic(target, text)
            print(f"wrote {target}")
    if kept:
        names = "\n  ".join(map(str, kept))
        raise build.BuildError(
            f"these source notebooks differ from solutions/ (edited?) and were left as they "
            f"are:\n  {names}\nUse --force to overwrite them."
        )
    return placed


def generate_release(course_dir, assignments, nbgrader: str = "nbgrader") -> None:
    """Run ``nbgrader generate_assignment NAME --force`` in `course_dir` for each assignment.

    Parameters
    ----------
    course_dir : str or Path
    assignments : iterable of str
    nbgrader : str, default "nbgrader"
        The nbgrader command (a path, or a name looked up on PATH).

    Raises
    ------
    lessons.build.BuildError
        When nbgrader cannot be found or reports a failure.
    """
    executable = shutil.which(nbgrader)
    if executable is None:
        raise build.BuildError(
            f"cannot find the nbgrader command {nbgrader!r}. Install nbgrader "
            "(pip install nbgrader) or pass its path with --nbgrader."
        )
    executable = os.path.abspath(executable)  # the command runs in course_dir
    # nbgrader runs `alembic` from PATH: put its environment's bin/ first, as activating would.
    env = dict(os.environ, PATH=os.pathsep.join([os.path.dirname(executable), os.environ["PATH"]]))
    for name in assignments:
        result = subprocess.run(
            [executable, "generate_assignment", name, "--force"],
            cwd=course_dir, env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise build.BuildError(
                f"nbgrader generate_assignment {name} failed:\n{result.stdout}{result.stderr}"
            )
        print(f"released {name} to {Path(course_dir) / 'release' / name}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lessons.instructor",
        description="Lay out an nbgrader course directory (one assignment per notebook) "
        "from the solution notebooks.",
    )
    parser.add_argument("course_dir", metavar="DIR", help="the nbgrader course directory")
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="only these solution notebooks, e.g. 01_definitions (default: all)")
    parser.add_argument("--solutions", default="solutions", metavar="DIR",
                        help="folder of solution notebooks (default: solutions)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite source notebooks that were edited")
    parser.add_argument("--release", action="store_true",
                        help="also run `nbgrader generate_assignment` for every assignment")
    parser.add_argument("--nbgrader", default="nbgrader", metavar="EXE",
                        help="the nbgrader command to use with --release (default: nbgrader)")
    return parser


def main(argv=None) -> int:
    """Command-line entry point; returns the exit status (0 on success, 1 otherwise)."""
    args = _parser().parse_args(argv)
    try:
        sources = layout_course(
            args.course_dir, args.solutions, names=args.notebooks, force=args.force
        )
        if args.release:
            generate_release(args.course_dir, [path.parent.name for path in sources],
                             nbgrader=args.nbgrader)
    except build.BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{len(sources)} assignment(s) in {Path(args.course_dir) / 'source'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
