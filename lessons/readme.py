"""Keep the README's notebook table current, with a Binder launch badge per notebook.

Command line (run from the repository root)::

    python -m lessons.readme [--check]

rewrites the table between ``<!-- notebooks:start -->`` and ``<!-- notebooks:end -->`` in
README.md; ``--check`` writes nothing and exits 1 when the table is out of date. Each row takes
its title from the notebook's first ``#`` heading and its description from the first sentence
after it, so the table follows the notebooks. The Binder links come from one setting in
pyproject.toml, so a fork changes one place::

    [tool.lessons]
    repository = "https://github.com/OWNER/REPO"
    branch = "main"

Until ``repository`` names a real repository (it is empty, or still the ``OWNER`` placeholder),
the table has no Binder badge or link at all, since each would be a dead link, and one line
under it says how to switch them on.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

from lessons import build

START_MARKER = "<!-- notebooks:start -->"
END_MARKER = "<!-- notebooks:end -->"
BINDER_BADGE = "https://mybinder.org/badge_logo.svg"
TABLE_HEADER = (
    "| # | notebook | what you learn | exercises | launch |\n"
    "| --- | --- | --- | --- | --- |"
)
_GITHUB_REPOSITORY = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?")
_NUMBER_PREFIX = re.compile(r"^\d+\s*[·:.\-–—]\s*")  # "01 · Definitions" -> "Definitions"
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
# The course's notebooks open with "After this notebook you can <do X>."; the table says "Do X."
_LEAD_IN = re.compile(r"^after (?:this|the) notebook,? you (?:can|will be able to)\s+", re.I)
_ABBREVIATIONS = ("e.g", "i.e", "etc", "vs", "cf", "approx", "fig", "eq", "resp")


class ReadmeError(Exception):
    """The README or the settings cannot be used; the message says what to fix."""


LAUNCH_HINT = (
    "*launch*: Binder badges appear here once `[tool.lessons] repository` in pyproject.toml "
    "names the course's public GitHub repository; then run `make readme`."
)
_PLACEHOLDER_OWNERS = {"owner", "your-name", "username", "user", "example"}


def is_placeholder(repository: str | None) -> bool:
    """True when `repository` is empty or still a template's placeholder (``OWNER``).

    Examples
    --------
    >>> is_placeholder(""), is_placeholder("https://github.com/OWNER/l1-vs-l2")
    (True, True)
    >>> is_placeholder("https://github.com/uni-stats/l1-vs-l2")
    False
    """
    if not repository or not repository.strip():
        return True
    match = _GITHUB_REPOSITORY.fullmatch(repository.strip())
    return bool(match) and match.group(1).lower() in _PLACEHOLDER_OWNERS


def launch_settings(pyproject="pyproject.toml") -> tuple[str, str, str] | None:
    """(owner, repository name, branch) for Binder links, or None while none should be made.

    None when ``[tool.lessons] repository`` is empty or the ``OWNER`` placeholder: a link to
    it would be dead (or, one day, a stranger's repository).

    Raises
    ------
    ReadmeError
        When the setting is set but is not a GitHub URL.
    """
    try:
        config = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ReadmeError(f"cannot read {pyproject}: {err}") from None
    repository = config.get("tool", {}).get("lessons", {}).get("repository")
    if isinstance(repository, str) and is_placeholder(repository):
        return None
    return settings(pyproject)


def settings(pyproject="pyproject.toml") -> tuple[str, str, str]:
    """Read ``[tool.lessons]`` from pyproject.toml: (owner, repository name, branch).

    Raises
    ------
    ReadmeError
        When the section is missing or the repository is not a GitHub URL.
    """
    try:
        config = tomllib.loads(Path(pyproject).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise ReadmeError(f"cannot read {pyproject}: {err}") from None
    section = config.get("tool", {}).get("lessons", {})
    repository, branch = section.get("repository"), section.get("branch", "main")
    match = _GITHUB_REPOSITORY.fullmatch(repository or "")
    if not match:
        raise ReadmeError(
            f"{pyproject}: [tool.lessons] repository should be the course's GitHub URL, like "
            f'"https://github.com/OWNER/REPO"; found {repository!r}.'
        )
    if not isinstance(branch, str) or not branch.strip():
        raise ReadmeError(f"{pyproject}: [tool.lessons] branch should be a branch name.")
    return match.group(1), match.group(2), branch.strip()


def binder_url(owner: str, repository: str, branch: str, path: str) -> str:
    """The mybinder.org link that opens JupyterLab on notebook `path` of the repository.

    Examples
    --------
    >>> binder_url("me", "course", "main", "notebooks/01_a.ipynb")
    'https://mybinder.org/v2/gh/me/course/main?urlpath=lab/tree/notebooks/01_a.ipynb'
    """
    return (
        f"https://mybinder.org/v2/gh/{quote(owner)}/{quote(repository)}/{quote(branch, safe='')}"
        f"?urlpath=lab/tree/{quote(path)}"
    )


def nbgitpuller_url(hub: str, repository: str, branch: str, path: str) -> str:
    """The nbgitpuller link that pulls `repository` into a JupyterHub user's home and opens `path`.

    nbgitpuller clones into a folder named after the last component of the repository's URL
    (kept as it is: a URL ending in ``.git`` gives a folder ending in ``.git``), so `path` is
    opened inside that folder. On a second click it merges the
    instructor's updates, keeping the files the user changed (tests/hub/ checks both).

    Examples
    --------
    >>> nbgitpuller_url("https://hub.example.edu", "https://github.com/me/course", "main",
    ...                 "exercises/01_a.ipynb")  # doctest: +NORMALIZE_WHITESPACE
    'https://hub.example.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fme%2Fcourse&branch=main&urlpath=lab%2Ftree%2Fcourse%2Fexercises%2F01_a.ipynb'
    """
    folder = repository.rstrip("/").rsplit("/", 1)[-1]  # as nbgitpuller 1.3 names it
    query = urlencode({"repo": repository, "branch": branch,
                       "urlpath": f"lab/tree/{folder}/{path}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph, skipping the full stops of "e.g." and the like.

    Examples
    --------
    >>> first_sentence("Fit a line, e.g. with L1. Then compare.")
    'Fit a line, e.g. with L1.'
    """
    text = " ".join(text.split())
    for match in _SENTENCE_END.finditer(text):
        words = text[: match.start()].split()
        last_word = words[-1].lower() if words else ""
        if last_word.strip("(") in _ABBREVIATIONS:
            continue
        return text[: match.end()]
    return text


def notebook_summary(nb, fallback: str) -> tuple[str, str]:
    """(title, description) of a notebook from its first ``#`` heading and the paragraph after it.

    The title loses its number ("01 · "); the description is the paragraph's first sentence
    without the lead-in "After this notebook you can" ("" when there is no paragraph).

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> cell = new_markdown_cell("# 01 · Sums\\n\\nAfter this notebook you can add. More.")
    >>> notebook_summary(new_notebook(cells=[cell]), "01_sums")
    ('Sums', 'Add.')
    """
    title = _NUMBER_PREFIX.sub("", build.notebook_title(nb, fallback))
    lines = [
        line
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in build.cell_source(cell).split("\n")
    ]
    heading = next((i for i, line in enumerate(lines) if line.startswith("# ")), -1)
    paragraph = []
    for line in lines[heading + 1 :]:
        if not line.strip():
            if paragraph:
                break
            continue
        if line.lstrip().startswith(("#", "|", "-", "*", ">", "```", "$$")):
            if paragraph:
                break
            continue  # a heading, table, list or formula is not a one-line description
        paragraph.append(line.strip())
    sentence = _LEAD_IN.sub("", first_sentence(" ".join(paragraph)))
    return title, sentence[:1].upper() + sentence[1:]


def _cell(text: str) -> str:
    """Text made safe for one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", r"\|")


def notebook_table(root=".", pyproject=None) -> str:
    """The Markdown table of the numbered notebooks in ``root/notebooks``, one row each.

    Parameters
    ----------
    root : str or Path
        The repository root (holds notebooks/, exercises/, solutions/, pyproject.toml).
    pyproject : str or Path, optional
        Where the Binder settings are; ``root/pyproject.toml`` by default.

    Returns
    -------
    str
        Header and rows, no trailing newline.
    """
    root = Path(root)
    launch = launch_settings(pyproject or root / "pyproject.toml")
    rows = [TABLE_HEADER]
    for path in build.numbered_notebooks(root / "notebooks"):
        title, description = notebook_summary(build.read_notebook(path), path.stem)
        number = path.name.split("_", 1)[0]
        lecture = f"notebooks/{path.name}"
        practice = []
        if (root / "exercises" / path.name).is_file():
            exercise = f"exercises/{path.name}"
            practice.append(f"[exercises]({exercise})")
            if launch:
                practice.append(f"[exercises on Binder]({binder_url(*launch, exercise)})")
        if (root / "solutions" / path.name).is_file():
            practice.append(f"[solutions](solutions/{path.name})")
        badge = "—"
        if launch:
            badge = f"[![Open in Binder]({BINDER_BADGE})]({binder_url(*launch, lecture)})"
        rows.append(
            f"| {number} | [{_cell(title)}]({lecture}) | {_cell(description)} | "
            f"{' · '.join(practice) or '—'} | {badge} |"
        )
    if not launch:
        rows += ["", LAUNCH_HINT]
    return "\n".join(rows)


def replace_between_markers(text: str, start: str, end: str, content: str) -> str:
    """`text` with everything between the lines `start` and `end` replaced by `content`.

    Raises
    ------
    ReadmeError
        When a marker is missing, repeated, or the end comes before the start.
    """
    if text.count(start) != 1 or text.count(end) != 1 or text.index(start) > text.index(end):
        raise ReadmeError(f"the README needs exactly one {start} followed by one {end}.")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{content}\n{end}{tail}"


def updated_readme(root=".") -> tuple[str, str]:
    """(current text, text with a fresh notebook table) of ``root/README.md``."""
    readme = Path(root) / "README.md"
    try:
        current = readme.read_text(encoding="utf-8")
    except OSError as err:
        raise ReadmeError(f"cannot read {readme}: {err}") from None
    fresh = replace_between_markers(current, START_MARKER, END_MARKER, notebook_table(root))
    return current, fresh


def main(argv=None) -> int:
    """Command-line entry point; returns the exit status (0 when current or rewritten)."""
    parser = argparse.ArgumentParser(
        prog="python -m lessons.readme",
        description="Regenerate the README's notebook table (titles, descriptions, Binder "
        "badges) from the notebooks and [tool.lessons] in pyproject.toml.",
    )
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    parser.add_argument("--root", default=".", help="repository root (default: .)")
    args = parser.parse_args(argv)
    try:
        current, fresh = updated_readme(args.root)
    except (ReadmeError, build.BuildError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    readme = Path(args.root) / "README.md"
    if current == fresh:
        print(f"{readme}: the notebook table is current.")
        return 0
    if args.check:
        print(
            f"{readme}: the notebook table is out of date; run `python -m lessons.readme`.",
            file=sys.stderr,
        )
        return 1
    build.write_atomic(readme, fresh)
    print(f"{readme}: notebook table rewritten.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
