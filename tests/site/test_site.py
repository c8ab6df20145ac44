"""The course website (make site): home page, pages, links, figures' alt text, hidden pin cells.

Reads the built ``_site/`` (built on demand when missing). Every figure must have its
``lessons.alt`` (the figures lacking one are also listed in artifacts/site/missing_alt.json).
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import sitetools

ROOT = sitetools.ROOT
sys.path.insert(0, str(ROOT / "site"))
site_build = importlib.import_module("build")  # site/build.py
check_links = importlib.import_module("check_links")  # site/check_links.py

NUMBERS = [p.name.split("_", 1)[0] for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))]


class _Text(HTMLParser):
    """Visible-ish text, images and links of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images, self.links, self.classes, self._skip = [], [], [], 0
        self.text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.classes += (attrs.get("class") or "").split()
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "img":
            self.images.append(attrs)
        if tag == "a":
            self.links.append(attrs)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def page(relative: str) -> _Text:
    parser = _Text()
    parser.feed((sitetools.built_site() / relative).read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module")
def site() -> Path:
    return sitetools.built_site()


def test_every_internal_link_and_anchor_resolves(site):
    assert check_links.check_site(site) == []


def test_the_link_checker_finds_a_broken_link_and_anchor(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#here">b</a><a href="c.html">c</a>'
                                     '<a href="#top">top</a><p id="top"></p>')
    (tmp_path / "b.html").write_text('<p id="there"></p>')
    problems = check_links.check_site(tmp_path)
    assert len(problems) == 2
    assert "no anchor #here" in problems[0] and "missing c.html" in problems[1]


def test_home_page_is_the_course_table_generated_from_the_notebooks(site):
    home = page("index.html")
    text = " ".join(home.text)
    html = (site / "index.html").read_text(encoding="utf-8")
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
             for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S)]
    rows = [[re.sub(r"<[^>]+>", "", c).strip() for c in row] for row in cells if row]
    assert [row[0] for row in rows] == NUMBERS, rows
    assert all(re.fullmatch(r"\d+ min", row[3]) for row in rows), rows
    hrefs = {a.get("href") for a in home.links}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"notebooks/{path.stem}.html" in hrefs
        assert f"exercises/{path.stem}.html" in hrefs
        title, _ = site_build.readme.notebook_summary(nbformat.read(path, 4), path.stem)
        assert title in text
    assert "$" not in "".join(home.text)


@pytest.mark.parametrize("folder", ["notebooks", "exercises", "solutions"])
def test_every_notebook_page_has_banner_prev_next_and_its_other_pages(site, folder):
    kind = site_build.KINDS[folder][0]
    for path in sorted((ROOT / folder).glob("[0-9][0-9]_*.ipynb")):
        html = page(f"{folder}/{path.stem}.html")
        assert f"lessons-banner-{kind}" in html.classes, path.name
        rels = [a for a in html.links if "prev-next" in " ".join(a.get("class", "").split()) or
                "left-prev" in a.get("class", "") or "right-next" in a.get("class", "")]
        assert rels, f"{folder}/{path.name}: no previous/next links"
        hrefs = {a.get("href") for a in html.links}
        if folder == "notebooks":
            assert f"../exercises/{path.stem}.html" in hrefs, f"{path.name}: no exercises link"
            assert "objectives" in " ".join(html.text).lower(), f"{path.name}: no objectives"
        else:
            assert f"../notebooks/{path.stem}.html" in hrefs, f"{folder}/{path.name}: no lecture"
        raw = (site / folder / f"{path.stem}.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", raw, re.S).group(1)
        if folder == "solutions":
            assert "Worked solutions" in title and "Exercises:" not in title, path.name


def test_widgets_show_their_stored_text_never_a_blank_box_or_repr(site):
    reprs = re.compile(r"\b(VBox|HBox|Canvas|Output|HTML|Button|IntSlider|FloatSlider)\(")
    verdicts = 0
    for html_path in sorted(site.glob("*/[0-9][0-9]_*.html")):
        html = html_path.read_text(encoding="utf-8")
        assert "application/vnd.jupyter.widget-view+json" not in html, html_path.name
        text = " ".join(page(str(html_path.relative_to(site))).text)
        assert not reprs.search(text), f"{html_path.name}: {reprs.search(text).group(0)}"
        verdicts += text.count("Not answered yet") + text.count("✅") + text.count("❌")
    assert verdicts > 10  # the checkers' stored verdicts are on the pages


def test_solution_pages_show_no_grading_markers(site):
    import doctest

    assert doctest.testmod(site_build).failed == 0
    for html_path in sorted((site / "solutions").glob("*.html")):
        text = " ".join(page(f"solutions/{html_path.name}").text)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text, html_path.name


def test_formulas_use_the_bundled_mathjax_not_a_cdn(site):
    html = (site / "notebooks" / "01_definitions.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    assert any("_static/mathjax/tex-chtml.js" in s for s in scripts), scripts
    assert not [s for s in scripts if s.startswith(("http:", "https:", "//"))]
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_every_figure_has_a_text_alternative_on_the_page(site):
    for html_path in sorted(site.glob("*/*.html")):
        for image in page(str(html_path.relative_to(site))).images:
            alt = image.get("alt") or ""
            assert alt and not alt.endswith((".png", ".svg", ".jpg")), (html_path.name, image)


def test_every_figure_has_its_lessons_alt_sentence():
    missing = site_build.missing_alt()
    sitetools.write_json("site/missing_alt.json", missing)
    assert not missing, f"{len(missing)} figures without lessons.alt: {missing}"


def test_a_small_course_builds_with_alt_text_and_folded_pin_cells(tmp_path):
    """End to end on a two-notebook course: alt from lessons.alt, pin cells folded, no widget."""
    pytest.importorskip("myst_nb")
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    png = ("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGA"
           "WjR9awAAAABJRU5ErkJggg==")
    figure = new_code_cell("plt.plot([1, 2])", metadata={"lessons": {"alt": "A rising line."}},
                           outputs=[new_output("display_data", {"image/png": png,
                                                                "text/plain": "<Figure>"})])
    pin = new_code_cell("assert 1 + 1 == 2", metadata={"tags": ["hide-input"]})
    bare_pin = new_code_cell("assert 2 + 2 == 4")
    widget = new_code_cell("checks.check('x', x)", outputs=[new_output(
        "display_data", {"application/vnd.jupyter.widget-view+json": {"model_id": "1"},
                         "text/plain": "✅ Right: 4."})])
    for folder in ("notebooks", "exercises"):
        nb = new_notebook(cells=[
            new_markdown_cell("# 01 · Tiny\n\nAfter this notebook you can add. "
                              "**Learning objectives.** Add.\n\n*Time: about 5 minutes.*"),
            new_markdown_cell("Formula $e = y - \\hat y$. [Home](../README.md)"),
            figure, pin, bare_pin, widget])
        (tmp_path / folder).mkdir()
        nbformat.write(nb, tmp_path / folder / "01_tiny.ipynb")
    (tmp_path / "README.md").write_text("# Tiny\n\nA tiny course.\n\n## More\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lessons]\nrepository = "https://github.com/me/tiny"\nbranch = "main"\n')
    command = [sys.executable, str(ROOT / "site" / "build.py"), "--root", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    html = (tmp_path / "_site" / "notebooks" / "01_tiny.html").read_text(encoding="utf-8")
    assert 'alt="A rising line."' in html
    assert html.count("tag_hide-input") == 2 and "<details" in html  # both pin cells folded
    assert "✅ Right: 4." in html and "widget-view+json" not in html
    assert 'href="../index.html"' in html
    home = (tmp_path / "_site" / "index.html").read_text(encoding="utf-8")
    assert "5 min" in home and "A tiny course." in home
    assert json.loads(json.dumps(site_build.missing_alt(tmp_path))) == []


def test_readme_read_online_line_follows_the_configured_repository(tmp_path):
    import doctest

    import readme_link

    assert doctest.testmod(readme_link).failed == 0
    assert readme_link.main(["--check", "--root", str(ROOT)]) == 0
    (tmp_path / "README.md").write_text("x\n<!-- site:start -->\n<!-- site:end -->\n")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lessons]\nrepository = "https://github.com/Ada/course"\n')
    assert readme_link.main(["--check", "--root", str(tmp_path)]) == 1
    assert readme_link.main(["--root", str(tmp_path)]) == 0
    assert "https://ada.github.io/course/" in (tmp_path / "README.md").read_text()
