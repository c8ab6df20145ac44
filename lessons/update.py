"""Take a course update and keep every answer the learner saved (``make update``).

Command line (from the root of your clone of the course)::

    python -m lessons.update [--remote NAME] [--branch NAME]

What it does, in order:

1. copies every file you changed (and every exercise notebook holding answers) into
   ``.lessons-backup/<time>/`` (ignored by git), so nothing can be lost whatever happens next;
2. reads your answers from ``exercises/*.ipynb`` (the answer cells, matched by nbgrader
   ``grade_id``) and the cells you added;
3. puts the course's files back as they were (``git checkout HEAD -- ...``) and runs
   ``git pull`` (``-X theirs``: where your commits and the course's touch the same lines, the
   course's version is taken; your answers come back in the next step, so no conflict markers);
4. writes your answers into the matching answer cells of the new exercise notebooks (an
   exercise the course did not change gets your file back exactly, outputs included), and puts
   back every other file you changed that the course did not change. A file the course did
   change stays the course's new version; your copy is in the backup and the report says so.

If the pull fails (no network, say), your files are put back as they were.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from lessons import build

BACKUP_DIR = build.BACKUP_DIR
EXERCISES = "exercises"
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")


class UpdateError(Exception):
    """The update cannot go on; the message says why and what was done."""


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if check and result.returncode != 0:
        message = (result.stderr or result.stdout).strip()
        raise UpdateError(f"`git {' '.join(args)}` failed: {message}")
    return result


def changed_files(root: Path) -> list[str]:
    """Tracked files that differ from HEAD (modified, deleted, staged), relative to `root`."""
    result = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=no")
    paths = []
    entries = result.stdout.split("\0")
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if not entry:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            index += 1  # the original name follows a rename
        paths.append(path)
    return paths


def _head(root: Path) -> str:
    return _git(root, "rev-parse", "HEAD").stdout.strip()


def _blob(root: Path, commit: str, path: str) -> str | None:
    result = _git(root, "rev-parse", "--verify", "--quiet", f"{commit}:{path}", check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def _upstream_remote(root: Path) -> str:
    """The remote the current branch pulls from (``origin`` when it has none)."""
    branch = _git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
    configured = _git(root, "config", f"branch.{branch}.remote", check=False).stdout.strip()
    return configured if branch and configured else "origin"


def _restore(target: Path, data: bytes, mode: int | None) -> None:
    """Put the learner's bytes back at `target`, with the permissions the file had."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    if mode is not None:
        target.chmod(mode)


def _exercise_work(root: Path) -> dict[str, tuple[bytes, object]]:
    """Every exercise notebook holding the learner's answers or cells: path -> (bytes, nb)."""
    found = {}
    for path in sorted((root / EXERCISES).glob("*.ipynb")):
        try:
            nb = build.read_notebook(path)
        except build.BuildError:
            continue
        if build.saved_answers(nb) or build.added_cells(nb):
            found[str(path.relative_to(root))] = (path.read_bytes(), nb)
    return found


def update(root=".", remote: str | None = None, branch: str | None = None) -> list[str]:
    """Pull the course's update into the clone at `root`, keeping the learner's answers.

    Parameters
    ----------
    root : str or Path
        The clone (any folder inside it).
    remote, branch : str, optional
        What to pull; git's defaults (the branch's upstream) when not given. A branch given
        alone is pulled from the current branch's remote (``origin`` if it has none).

    Returns
    -------
    list of str
        The report, one line per thing done.

    Raises
    ------
    UpdateError
        When this is not a git clone or the pull fails (the learner's files are then as
        they were before).
    """
    start = Path(root).resolve()
    result = _git(start, "rev-parse", "--show-toplevel", check=False)
    if result.returncode != 0:
        raise UpdateError(f"{start} is not inside a git clone of the course; `make update` "
                          "needs one (git clone the course, then copy your exercises/ into it).")
    root = Path(result.stdout.strip())
    if (root / ".git" / "MERGE_HEAD").exists():
        raise UpdateError("a git merge is in progress here; finish or abort it first "
                          "(`git merge --abort`), then run `make update` again.")
    changed = changed_files(root)
    work = _exercise_work(root)
    to_save = sorted(set(changed) | set(work))
    backup = build.backup_files(root, to_save)
    saved = {path: (root / path).read_bytes() for path in changed if (root / path).is_file()}
    modes = {path: (root / path).stat().st_mode & 0o7777 for path in set(saved) | set(work)}
    report = [f"saved a copy of {len(to_save)} file(s) you changed in {backup.relative_to(root)}"]
    before = _head(root)

    if changed:
        _git(root, "checkout", "HEAD", "--", *changed)
    pull = ["pull", "--no-rebase", "--no-edit", "-X", "theirs"]
    if branch and not remote:  # git pull names a branch only after a remote
        remote = _upstream_remote(root)
    if remote:
        pull.append(remote)
        if branch:
            pull.append(branch)
    result = _git(root, *pull, check=False)
    if result.returncode != 0:
        _git(root, "merge", "--abort", check=False)
        for path, data in saved.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(data)
        raise UpdateError("git pull failed, so nothing was updated and your files are as they "
                          f"were: {(result.stderr or result.stdout).strip()}")
    after = _head(root)
    report.append("the course is up to date" if before == after
                  else f"updated the course from {before[:8]} to {after[:8]}")

    for path, data in saved.items():
        if path in work:
            continue
        target = root / path
        if _blob(root, before, path) == _blob(root, after, path):
            _restore(target, data, modes.get(path))
        else:
            report.append(f"the course changed {path}: you now have its new version; your "
                          f"copy is {backup.relative_to(root) / path}")
    for path, (data, old) in work.items():
        target = root / path
        if not target.is_file():
            report.append(f"the course removed {path}; your answers are in "
                          f"{backup.relative_to(root) / path}")
            continue
        new = build.read_notebook(target)
        if build.course_view(new) == build.course_view(old):
            if target.read_bytes() != data:  # unchanged by the course: your file, exactly
                _restore(target, data, modes.get(path))
            report.append(f"kept your {path} (the course did not change it)")
            continue
        merged, notes = build.merge_answers(new, old)
        build.write_atomic(target, build.notebook_text(merged))
        answered = ", ".join(build.saved_answers(old, new))
        report.append(f"updated {path} to the course's new version with your answers "
                      f"({answered}); run it again to see their outputs")
        report.extend(f"  note: {note}" for note in notes)
    marked = conflict_markers(root)
    if marked:
        raise UpdateError("conflict markers in " + ", ".join(marked) +
                          f"; your own copies are in {backup.relative_to(root)}")
    return report


def conflict_markers(root: Path) -> list[str]:
    """Notebooks under `root` (outside the backup) with a git conflict marker line."""
    marked = []
    for path in sorted(Path(root).rglob("*.ipynb")):
        relative = path.relative_to(root)
        if relative.parts[0] in (BACKUP_DIR, ".git") or ".ipynb_checkpoints" in relative.parts:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        if any(line.lstrip(' "').startswith(CONFLICT_MARKERS) for line in text.splitlines()):
            marked.append(str(relative))
    return marked


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m lessons.update",
        description="Pull the course's update and keep every answer you saved in exercises/.",
    )
    parser.add_argument("--remote", help="the remote to pull from (default: the upstream)")
    parser.add_argument("--branch", help="the branch to pull (default: the upstream's), from "
                        "--remote or else the current branch's remote")
    parser.add_argument("--root", default=".", help="the clone (default: this folder)")
    return parser


def main(argv=None) -> int:
    """Command-line entry point; returns 0 on success, 1 otherwise."""
    args = _parser().parse_args(argv)
    try:
        lines = update(args.root, args.remote, args.branch)
    except (UpdateError, build.BuildError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: {err.filename or ''}: {err.strerror or err}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
