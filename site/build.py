"""Build the course website into ``_site/`` from the notebooks' stored outputs (none executed).

Command line (from the repository root)::

    python site/build.py [--out _site] [--no-check]

Steps: copy notebooks/, exercises/ and solutions/ into ``build/site-src/`` and prepare the copies
(each figure's ``lessons.alt`` sentence becomes its image's alt text; a banner says what kind of
page it is and links lecture, exercises and solutions; the home page's table is generated from the
notebooks), run Sphinx with myst-nb (``site/conf.py``), then check every internal link and anchor
of the result (``site/check_links.py``). Exits 1 with a readable message when anything is wrong.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import check_links  # noqa: E402
import nbformat  # noqa: E402

from lessons import readme  # noqa: E402

KINDS = {
    "notebooks": ("lecture", "Lecture"),
    "exercises": ("exercise", "Exercises"),
    "solutions": ("solution", "Worked solutions"),
}
CAPTIONS = {"notebooks": "Lectures", "exercises": "Exercises", "solutions": "Worked solutions"}
_TIME = re.compile(r"Time:\s*about\s*(\d+)\s*minutes", re.I)
_IMAGE_MIMES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


def numbered(folder: Path) -> list[Path]:
    """The course's numbered notebooks in `folder` (``01_*.ipynb`` …), in order."""
    return sorted(p for p in Path(folder).glob("[0-9][0-9]_*.ipynb"))


def read(path: Path):
    return nbformat.read(path, as_version=4)


def source(cell) -> str:
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


def _is_figure(data) -> bool:
    """An image output: an image mime type, or ``lessons.plotting.show``'s ``<img>`` HTML."""
    return (any(mime in data for mime in _IMAGE_MIMES)
            or str(data.get("text/html", "")).lstrip().startswith('<img src="data:image/'))


def figure_cells(nb):
    """Indices of the code cells whose stored outputs hold an image (a figure)."""
    return [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code"
        and any(_is_figure(out.get("data", {})) for out in cell.get("outputs", []))
    ]


def alt_text(cell) -> str:
    """The figure's one-sentence description from cell metadata ``lessons.alt`` ("" if none)."""
    alt = cell.get("metadata", {}).get("lessons", {}).get("alt", "")
    return " ".join(str(alt).split())


def missing_alt(root=ROOT) -> list[str]:
    """``folder/notebook.ipynb cell N`` for every stored figure without a ``lessons.alt``."""
    missing = []
    for folder in KINDS:
        for path in numbered(Path(root) / folder):
            nb = read(path)
            missing += [f"{folder}/{path.name} cell {i}" for i in figure_cells(nb)
                        if not alt_text(nb.cells[i])]
    return missing


def _banner(folder: str, name: str, root: Path) -> str:
    kind, title = KINDS[folder]
    links = []
    for other, (_, other_title) in KINDS.items():
        if other != folder and (root / other / name).is_file():
            links.append(f"[{other_title.lower()}](../{other}/{name})")
    others = f" · Also: {' · '.join(links)}" if links else ""
    return (f'<p class="lessons-banner lessons-banner-{kind}"><strong>{title}</strong>'
            f' · notebook {name.split("_", 1)[0]}</p>\n\n'
            f"*This page is the {title.lower()} notebook, shown with its stored outputs; "
            f"open the notebook in JupyterLab to run it.*{others}\n")


MISSING_ALT = ("A figure drawn by the code above "
               "(its one-sentence description is still to be written).")


def is_pin_cell(cell) -> bool:
    """A code cell that only pins numbers: tagged hide-input, or nothing but asserts, no output."""
    if cell.cell_type != "code":
        return False
    if "hide-input" in cell.get("metadata", {}).get("tags", []):
        return True
    try:
        body = ast.parse(source(cell)).body
    except SyntaxError:
        return False
    return bool(body) and not cell.get("outputs") and all(isinstance(n, ast.Assert) for n in body)


_HIDDEN_TESTS = re.compile(r"(?ms)^[ \t]*### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS[ \t]*\n?")
_SOLUTION_MARKER = re.compile(r"(?m)^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?")


def strip_grading_markers(text: str) -> str:
    r"""Code without nbgrader's solution markers and hidden-test blocks (graders' business).

    Examples
    --------
    >>> strip_grading_markers("### BEGIN SOLUTION\nx = 1\n### END SOLUTION")
    'x = 1'
    >>> strip_grading_markers("check(x)\n### BEGIN HIDDEN TESTS\ngrade(x)\n### END HIDDEN TESTS")
    'check(x)'
    """
    return _SOLUTION_MARKER.sub("", _HIDDEN_TESTS.sub("", text)).rstrip()


def prepare_notebook(nb, folder: str, name: str, root: Path):
    """A copy of `nb` ready for the site: alt texts, pin cells folded, a banner, no widget state."""
    nb = copy.deepcopy(nb)
    figures = set(figure_cells(nb))
    for index, cell in enumerate(nb.cells):
        if index in figures:
            meta = cell.metadata.setdefault("mystnb", {})
            meta.setdefault("image", {})["alt"] = alt_text(cell) or MISSING_ALT
        if cell.cell_type == "code" and "###" in source(cell):
            cell.source = strip_grading_markers(source(cell))
        if is_pin_cell(cell):
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
        elif cell.cell_type == "markdown":
            # The README is the site's home page.
            cell.source = re.sub(r"\]\(\.\./README\.md(#[^)]*)?\)", "](../index.md)", source(cell))
    nb.metadata.pop("widgets", None)  # the site shows the stored text/image fallbacks
    kind = KINDS[folder][0]
    nb.metadata.setdefault("lessons_site", {})["kind"] = kind
    if folder == "solutions":  # in the menu and the title, not a second "Exercises: …"
        for cell in nb.cells:
            if cell.cell_type == "markdown" and source(cell).lstrip().startswith("# "):
                cell.source = re.sub(r"^(\s*# [^\n]*?)Exercises\b", r"\1Worked solutions",
                                     source(cell), count=1)
                break
    # First on the page, above the title: which kind of page this is, in words and colour.
    nb.cells.insert(0, nbformat.v4.new_markdown_cell(_banner(folder, name, root)))
    return nb


def home_page(root: Path) -> str:
    """The site's index.md: the course table (order, what you learn, time) from the notebooks."""
    intro = (root / "README.md").read_text(encoding="utf-8").split("## ", 1)[0]
    intro = re.sub(r"^# .*\n", "", intro).strip()
    rows = ["| # | lecture | what you learn | time | practice |", "| --- | --- | --- | --- | --- |"]
    pages = {folder: [] for folder in KINDS}
    total = 0
    for path in numbered(root / "notebooks"):
        nb = read(path)
        title, learn = readme.notebook_summary(nb, path.stem)
        text = "\n".join(source(c) for c in nb.cells if c.cell_type == "markdown")
        minutes = _TIME.search(text)
        total += int(minutes.group(1)) if minutes else 0
        number = path.name.split("_", 1)[0]
        practice = [f"[exercises](exercises/{path.stem})" if (root / "exercises" / path.name)
                    .is_file() else "", f"[solutions](solutions/{path.stem})" if
                    (root / "solutions" / path.name).is_file() else ""]
        rows.append(f"| {number} | [{readme._cell(title)}](notebooks/{path.stem}) | "
                    f"{readme._cell(learn)} | {minutes.group(1) + ' min' if minutes else '—'} | "
                    f"{' · '.join(p for p in practice if p) or '—'} |")
    for folder in KINDS:
        pages[folder] = [f"{folder}/{p.stem}" for p in numbered(root / folder)]
    toctrees = "\n".join(
        f"```{{toctree}}\n:caption: {CAPTIONS[folder]}\n:maxdepth: 1\n:hidden:\n\n"
        + "\n".join(pages[folder]) + "\n```\n"
        for folder in KINDS if pages[folder]
    )
    return (f"# L1 vs L2: an open course on regression losses\n\n{intro}\n\n"
            f"## The course, in order\n\nAbout {total // 60} h {total % 60} min of lectures; "
            "each lecture has an exercise notebook (checked as you answer) and worked "
            "solutions.\n\n" + "\n".join(rows) + "\n\n"
            "To run the notebooks yourself, clone the repository and run `make lab` "
            "(see the README).\n\n" + toctrees)


def prepare_source(src: Path, root=ROOT) -> None:
    """Lay out the Sphinx source folder `src` from the repository at `root`."""
    root = Path(root)
    if src.exists():
        shutil.rmtree(src)
    for folder in KINDS:
        (src / folder).mkdir(parents=True)
        for path in numbered(root / folder):
            nb = prepare_notebook(read(path), folder, path.name, root)
            (src / folder / path.name).write_text(
                nbformat.writes(nb) + "\n", encoding="utf-8")
    (src / "index.md").write_text(home_page(root), encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python site/build.py",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=str(ROOT), help="the course (default: this repository)")
    parser.add_argument("--out", default=None, help="output folder (default ROOT/_site)")
    parser.add_argument("--src", default=None, help="work folder (default ROOT/build/site-src)")
    parser.add_argument("--no-check", action="store_true", help="skip the link check")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    src = Path(args.src or root / "build" / "site-src")
    out = Path(args.out or root / "_site")
    try:
        prepare_source(src, root)
    except (ValueError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    missing = missing_alt(root)
    if missing:
        print(f"note: {len(missing)} figures have no lessons.alt description yet "
              f"(tests/site fails on them): {', '.join(missing[:5])}"
              + (" …" if len(missing) > 5 else ""), file=sys.stderr)
    # Sphinx writes into build/ (myst-nb puts its jupyter_execute/ beside the output folder),
    # then the finished site replaces `out` in one move.
    html, doctrees = src.parent / "site-html", src.parent / "site-doctrees"
    for stale in (html, doctrees):  # always a full build: the source was just rewritten
        if stale.exists():
            shutil.rmtree(stale)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-c", str(ROOT / "site"),
               "-d", str(doctrees), str(src), str(html)]
    if subprocess.run(command).returncode:
        print("error: Sphinx failed; see the messages above.", file=sys.stderr)
        return 1
    if out.exists():
        shutil.rmtree(out)
    shutil.move(html, out)
    (out / ".nojekyll").touch()
    if not args.no_check:
        problems = check_links.check_site(out)
        if problems:
            print(f"error: {len(problems)} broken internal links or anchors:", file=sys.stderr)
            for problem in problems[:40]:
                print(f"  {problem}", file=sys.stderr)
            return 1
    print(f"site built: {out}/index.html ({len(list(out.rglob('*.html')))} pages), links checked.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
