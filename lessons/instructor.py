"""Instructor kit: lay out an nbgrader course directory from ``solutions/``.

Command line (run from the repository root)::

    python -m lessons.instructor DIR [NOTEBOOK...] [--solutions DIR] [--force] [--release]
                                 [--autograde] [--nbgrader EXE]

writes, for every ``solutions/NN_slug.ipynb`` (or only the NOTEBOOKs named, e.g.
``01_definitions``), one assignment ``NN_slug``::

    DIR/nbgrader_config.py                      (kept if it exists: it is yours to edit)
    DIR/source/NN_slug/NN_slug.ipynb            answers, hidden tests and nbgrader metadata

The source notebooks come from `lessons.build.nbgrader_source`: the exercise's cells and
nbgrader metadata with the answers and hidden tests still in place. ``--release`` then runs
``nbgrader generate_assignment`` (once for the whole course: `generate_release`), which writes
the student version to ``DIR/release/NN_slug/`` and records the hidden tests in
``DIR/gradebook.db`` for ``nbgrader autograde``. ``--autograde`` runs ``nbgrader autograde`` on
each assignment after checking that nbgrader's ``python3`` kernel can import the course (else
every exercise would silently score 0), and fails loudly, naming the cause, when a notebook
could not run its setup; it also sorts nbgrader's "checksum has changed" warnings into the
expected ones (a checker cell getting its hidden test back) and real edits of locked cells by a
learner.

nbgrader itself is not a course dependency: install it where you grade. It is looked for, in
order: ``--nbgrader EXE``; next to the Python running this (the course's environment,
``.venv/bin/nbgrader``); ``.venv-nbgrader/bin/nbgrader`` (its own environment, as CI does);
then on ``PATH``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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
# `import lessons` works (the course's environment). `python -m lessons.instructor DIR
# --autograde` checks that before grading.

# Feedback HTML: show each checker's verdict as text (✅/❌ and its message). The checkers
# display a widget with a text fallback; without a browser the widget would render empty.
c.NbConvertBase.display_data_priority = [
    "text/html", "text/markdown", "image/svg+xml", "text/latex", "image/png", "image/jpeg",
    "text/plain",
]

# About autograde's "Attribute 'checksum' for cell ... has changed!" warnings: nbgrader stores
# each checker cell WITH its hidden test and hands it out without, so every checker cell of
# every submission differs from the stored one and is put back (with the hidden test) before
# grading. That is expected. The same warning for any other cell means the learner edited a
# locked cell; nbgrader restores it too. `--autograde` tells the two apart.
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
        texts[solution] = build.notebook_text(
            build.nbgrader_source(notebook, str(solution), solution.parent.parent / "notebooks")
        )

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


def find_nbgrader(given: str | None = None) -> str:
    """The nbgrader command, wherever the instructors' guide says it may be installed.

    Parameters
    ----------
    given : str, optional
        A path or command name given by the user; used alone when given.

    Returns
    -------
    str
        An absolute path.

    Raises
    ------
    lessons.build.BuildError
        Naming every place looked at.
    """
    if given:
        candidates = [given]
    else:
        candidates = [
            str(Path(sys.executable).parent / "nbgrader"),  # the course's environment
            str(Path.cwd() / ".venv-nbgrader" / "bin" / "nbgrader"),  # its own environment
            "nbgrader",  # PATH
        ]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return os.path.abspath(found)
    raise build.BuildError(
        "cannot find the nbgrader command (looked for "
        + ", ".join(repr(candidate) for candidate in candidates)
        + "). Install nbgrader (pip install nbgrader) in the course's environment or in "
        ".venv-nbgrader, or pass its path with --nbgrader."
    )


_KERNEL_PROBE = r"""
import json, os, subprocess, sys
from jupyter_client.kernelspec import KernelSpecManager
spec = KernelSpecManager().get_kernel_spec("python3")
python = spec.argv[0]
if python in {"python", "python%i" % sys.version_info[0], "python%i.%i" % sys.version_info[:2]}:
    python = sys.executable
probe = subprocess.run([python, "-c", "import lessons.checks, lessons.keys"],
                       capture_output=True, text=True)
error = probe.stderr.strip().splitlines()[-1:] if probe.returncode else []
print(json.dumps({"python": python, "error": error[0] if error else ""}))
"""


def check_grading_kernel(nbgrader: str, env: dict | None = None) -> str:
    """Check that nbgrader's ``python3`` kernel can import the course; return its Python.

    Raises
    ------
    lessons.build.BuildError
        Naming the kernel's Python and the import error, and how to fix it.
    """
    folder = Path(nbgrader).parent
    python = folder / "python"
    if not python.exists():
        first = Path(nbgrader).read_text(errors="replace").split("\n", 1)[0]
        python = Path(first.removeprefix("#!").strip().split()[0]) if first.startswith("#!") \
            else Path(sys.executable)
    with tempfile.TemporaryDirectory() as elsewhere:  # not the checkout: `lessons` is there
        result = subprocess.run([str(python), "-c", _KERNEL_PROBE], capture_output=True,
                                text=True, env=env, cwd=elsewhere, check=False)
    if result.returncode != 0:
        raise build.BuildError(
            f"cannot ask nbgrader's Python ({python}) for its python3 kernel: "
            f"{result.stderr.strip()[-400:]}"
        )
    found = json.loads(result.stdout.strip().splitlines()[-1])
    if found["error"]:
        raise build.BuildError(
            f"nbgrader's python3 kernel ({found['python']}) cannot import the course "
            f"({found['error']}), so every exercise would score 0. Install the course there "
            "(pip install -c constraints.txt -e .) or make the python3 kernel nbgrader sees "
            "the course's Python (docs/instructors.md, 'Grading with nbgrader')."
        )
    return found["python"]


def _nbgrader_env(executable: str, base: dict | None = None) -> dict:
    # nbgrader runs `alembic` from PATH: put its environment's bin/ first, as activating would.
    base = dict(os.environ if base is None else base)
    return dict(base, PATH=os.pathsep.join([os.path.dirname(executable), base.get("PATH", "")]))


_NBGRADER_ERROR = re.compile(r"\| ERROR\]")  # "[GenerateAssignmentApp | ERROR] ..."
_CHECKSUM_WARNING = re.compile(r"Attribute 'checksum' for cell (\S+) has changed")
# On a machine shared with other Jupyter users a new kernel can lose its ports to another one
# started at the same moment and die before it answers; that kernel, not the notebook, failed.
_KERNEL_DIED = "Kernel died before replying to kernel_info"
KERNEL_START_ATTEMPTS = 3


def autograde(course_dir, assignments, nbgrader: str | None = None,
              env: dict | None = None) -> list[str]:
    """Run ``nbgrader autograde`` loudly: a setup failure is an error, not a silent 0.

    Before grading, nbgrader's ``python3`` kernel must import the course. After grading,
    every autograded notebook is read: an error in a cell that is neither an answer nor a
    checker (the imports, the data) means the notebook could not be set up, and is reported
    with its cause. nbgrader's checksum warnings are sorted into the expected ones (checker
    cells getting their hidden tests back) and locked cells a learner edited.

    Parameters
    ----------
    course_dir : str or Path
    assignments : iterable of str
        Those without submissions are skipped.
    nbgrader : str, optional
        See :func:`find_nbgrader`.
    env : dict, optional
        The environment to grade in (default: this process's).

    Returns
    -------
    list of str
        The report lines.

    Raises
    ------
    lessons.build.BuildError
        When the kernel cannot import the course, nbgrader fails, or a notebook's setup failed.
    """
    executable = find_nbgrader(nbgrader)
    env = _nbgrader_env(executable, env)
    check_grading_kernel(executable, env)
    course_dir = Path(course_dir)
    report, problems = [], []
    for name in submitted_assignments(course_dir, assignments):
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            result = subprocess.run([executable, "autograde", name], cwd=course_dir, env=env,
                                    capture_output=True, text=True, check=False)
            log = result.stdout + result.stderr
            if result.returncode == 0 or _KERNEL_DIED not in log:
                break
            if attempt < KERNEL_START_ATTEMPTS:  # nbgrader removed the half-graded copy
                report.append(f"note: a grading kernel died while starting ({name}); "
                              "graded that assignment again")
        if result.returncode != 0:
            raise build.BuildError(f"nbgrader autograde {name} failed:\n{log[-3000:]}")
        checkers = _checker_ids(course_dir, name)
        changed = _CHECKSUM_WARNING.findall(log)
        edited = sorted({cell for cell in changed if cell not in checkers})
        report.append(f"autograded {name}: {len(changed) - len(edited)} checker cell(s) got "
                      "their hidden tests back (expected)")
        if edited:
            report.append(f"  note: learners edited locked cells {', '.join(edited)}; "
                          "nbgrader restored them")
        problems.extend(_setup_failures(course_dir, name))
    if problems:
        raise build.BuildError(
            "these notebooks could not be set up, so their scores are not the learners':\n  "
            + "\n  ".join(problems)
        )
    return report


def submitted_assignments(course_dir, assignments) -> list[str]:
    """The assignments with at least one submission in ``submitted/STUDENT/NAME/``.

    Examples
    --------
    >>> submitted_assignments("no-such-course", ["01_definitions"])
    []
    """
    submitted = Path(course_dir) / "submitted"
    return [name for name in assignments if any(submitted.glob(f"*/{name}"))]


def _checker_ids(course_dir: Path, name: str) -> set[str]:
    ids = set()
    for path in (course_dir / "source" / name).glob("*.ipynb"):
        for cell in build.read_notebook(path).cells:
            meta = build.nbgrader_of(cell)
            if meta.get("grade") and not meta.get("solution"):
                ids.add(meta.get("grade_id"))
    return ids


def _setup_failures(course_dir: Path, name: str) -> list[str]:
    """Errors in autograded notebooks' cells that are neither answers nor checkers."""
    failures = []
    for path in sorted((course_dir / "autograded").glob(f"*/{name}/*.ipynb")):
        nb = build.read_notebook(path)
        for index, cell in enumerate(nb.cells):
            meta = build.nbgrader_of(cell)
            if not meta or meta.get("solution") or meta.get("grade"):
                continue
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    failures.append(
                        f"{path.relative_to(course_dir)}, cell {index + 1}: "
                        f"{output.get('ename')}: {output.get('evalue')}"
                    )
                    break
    return failures


def generate_release(course_dir, assignments, nbgrader: str | None = None) -> None:
    """Run ``nbgrader generate_assignment NAME --force`` in `course_dir` for the assignments.

    When they are all the assignments in ``source/`` (the usual case: the whole course), one
    ``nbgrader generate_assignment '*'`` does them all: nbgrader then starts once instead of
    once per notebook, which is most of its time. Otherwise each is released on its own, so an
    assignment of your own in the same course directory is never released with them.

    Parameters
    ----------
    course_dir : str or Path
    assignments : iterable of str
    nbgrader : str, optional
        The nbgrader command (a path, or a name looked up on PATH); see :func:`find_nbgrader`.

    Raises
    ------
    lessons.build.BuildError
        When nbgrader cannot be found or reports a failure.

    Examples
    --------
    >>> try:
    ...     generate_release("no-such-course", ["01_definitions"], nbgrader="no-nbgrader")
    ... except build.BuildError as err:
    ...     print(str(err)[:32])
    cannot find the nbgrader command
    """
    executable = find_nbgrader(nbgrader)  # absolute: the command runs in course_dir
    env = _nbgrader_env(executable)
    assignments = list(assignments)
    everything = sorted(path.name for path in (Path(course_dir) / "source").iterdir()
                        if path.is_dir())
    runs = ["*"] if len(assignments) > 1 and sorted(assignments) == everything else assignments
    for name in runs:
        result = subprocess.run(
            [executable, "generate_assignment", name, "--force"],
            cwd=course_dir, env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0 or _NBGRADER_ERROR.search(result.stdout + result.stderr):
            raise build.BuildError(
                f"nbgrader generate_assignment {name} failed:\n{result.stdout}{result.stderr}"
            )
    for name in assignments:
        print(f"released {name} to {Path(course_dir) / 'release' / name}")


def grading_parser(module: str, description: str) -> argparse.ArgumentParser:
    """The command line of a ``python -m lessons.MODULE`` grading tool, with ``--solutions``.

    The instructor kit and the learners' self-check (`lessons.selfcheck`) both grade against
    the course's solution notebooks, found with the same option.

    Parameters
    ----------
    module : str
        The module's name in ``lessons``, for the usage line.
    description : str
        What the command does, for ``--help``.

    Returns
    -------
    argparse.ArgumentParser
        To which the command adds its own arguments.

    Examples
    --------
    >>> parser = grading_parser("selfcheck", "Grade notebooks.")
    >>> parser.prog, parser.parse_args([]).solutions
    ('python -m lessons.selfcheck', 'solutions')
    """
    parser = argparse.ArgumentParser(prog=f"python -m lessons.{module}", description=description)
    parser.add_argument("--solutions", default="solutions", metavar="DIR",
                        help="folder of the course's solution notebooks (default: solutions)")
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = grading_parser("instructor", "Lay out an nbgrader course directory (one "
                            "assignment per notebook) from the solution notebooks.")
    parser.add_argument("course_dir", metavar="DIR", help="the nbgrader course directory")
    parser.add_argument("notebooks", nargs="*", metavar="NOTEBOOK",
                        help="only these solution notebooks, e.g. 01_definitions (default: all)")
    parser.add_argument("--force", action="store_true",
                        help="overwrite source notebooks that were edited")
    parser.add_argument("--release", action="store_true",
                        help="also run `nbgrader generate_assignment` for every assignment")
    parser.add_argument("--autograde", action="store_true",
                        help="also run `nbgrader autograde` on every assignment, after checking "
                        "that its kernel can import the course")
    parser.add_argument("--nbgrader", default=None, metavar="EXE",
                        help="the nbgrader command (default: the course's environment, then "
                        ".venv-nbgrader, then PATH)")
    return parser


def _check_submissions(course_dir, names) -> None:
    """Say which assignments have nothing to grade; stop when none has anything."""
    submitted = submitted_assignments(course_dir, names)
    if not submitted:
        raise build.BuildError(
            f"nothing to grade: no submissions in {Path(course_dir) / 'submitted'}/STUDENT/"
            "NN_slug/. Collect them first (nbgrader collect, or zip_collect: a file its "
            "pattern does not match is skipped with the warning \"Regular expression ... did "
            "not match anything\"); see docs/instructors.md, step 3."
        )
    if len(submitted) < len(names):
        skipped = [name for name in names if name not in submitted]
        print(f"no submissions for {', '.join(skipped)}: not graded")


def main(argv=None) -> int:
    """Command-line entry point; returns the exit status (0 on success, 1 otherwise)."""
    args = _parser().parse_intermixed_args(argv)  # "DIR --release 01_definitions" too
    try:
        sources = layout_course(
            args.course_dir, args.solutions, names=args.notebooks, force=args.force
        )
        names = [path.parent.name for path in sources]
        if args.release:
            generate_release(args.course_dir, names, nbgrader=args.nbgrader)
        if args.autograde:
            _check_submissions(args.course_dir, names)
            for line in autograde(args.course_dir, names, nbgrader=args.nbgrader):
                print(line)
    except build.BuildError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"{len(sources)} assignment(s) in {Path(args.course_dir) / 'source'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
