"""Check every internal link and anchor of the built site.

Command line::

    python site/check_links.py [_site]

Reads every ``*.html`` under the folder; for each ``href``/``src`` that is not external
(``http(s):``, ``mailto:``, ``data:``, ``javascript:``) it checks that the file exists and, for a
``#fragment``, that the target page has an element with that ``id`` (or ``name``). Exits 1 and
lists the broken ones.
"""

from __future__ import annotations

import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

_EXTERNAL = ("http:", "https:", "mailto:", "data:", "javascript:", "tel:", "//")


class _Page(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag in ("a", "span", "div", "section") else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(("href", attrs["href"]))
        elif tag in ("img", "script", "source") and attrs.get("src"):
            self.links.append(("src", attrs["src"]))
        elif tag == "link" and attrs.get("href") and "stylesheet" in (attrs.get("rel") or ""):
            self.links.append(("href", attrs["href"]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def check_site(site) -> list[str]:
    """Broken internal links and anchors of the site in folder `site`, one message each."""
    site = Path(site).resolve()
    # _static/ holds the theme's Jinja templates (*.html with {{ … }}), not pages.
    pages = {p.resolve(): _parse(p) for p in site.rglob("*.html")
             if "_static" not in p.relative_to(site).parts}
    problems = []
    for path, page in sorted(pages.items()):
        where = path.relative_to(site)
        for _, url in page.links:
            if not url or url.startswith(_EXTERNAL):
                continue
            parts = urlsplit(url)
            if parts.scheme:
                continue
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{where}: {url} -> missing {unquote(parts.path)}")
                continue
            if not parts.path.startswith("/") and site not in target.parents and target != site:
                problems.append(f"{where}: {url} -> outside the site")
                continue
            fragment = unquote(parts.fragment)
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if fragment not in ids:
                    problems.append(f"{where}: {url} -> no anchor #{fragment}")
    return problems


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    site = Path(argv[0] if argv else "_site")
    if not site.is_dir():
        print(f"error: {site} is not a built site; run `make site` first.", file=sys.stderr)
        return 1
    problems = check_site(site)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} broken internal links or anchors in {site}.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
