"""Keep the README's "Read online" line: present only when a real repository is configured.

Command line (from the repository root)::

    python site/readme_link.py [--check]

Rewrites the lines between ``<!-- site:start -->`` and ``<!-- site:end -->`` in README.md from
``[tool.lessons] repository`` in pyproject.toml: a link to the GitHub Pages address of the
published site (.github/workflows/site.yml publishes it) when the repository is a real GitHub URL,
nothing while it is the placeholder ``OWNER``. ``--check`` writes nothing and exits 1 when stale.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- site:start -->", "<!-- site:end -->"
_GITHUB = re.compile(r"https://github\.com/([\w.-]+)/([\w.-]+?)(?:\.git)?/?")


def pages_url(pyproject: Path) -> str | None:
    """The GitHub Pages address of the course site, or None when no repository is configured.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "pyproject.toml"
    >>> _ = p.write_text('[tool.lessons]\\nrepository = "https://github.com/Ada/l1-vs-l2"\\n')
    >>> pages_url(p)
    'https://ada.github.io/l1-vs-l2/'
    >>> _ = p.write_text('[tool.lessons]\\nrepository = "https://github.com/OWNER/l1-vs-l2"\\n')
    >>> pages_url(p) is None
    True
    """
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    repository = config.get("tool", {}).get("lessons", {}).get("repository", "")
    match = _GITHUB.fullmatch(repository or "")
    if not match or match.group(1).upper() == "OWNER":
        return None
    return f"https://{match.group(1).lower()}.github.io/{match.group(2)}/"


def section(url: str | None) -> str:
    if url is None:
        return ("<!-- No repository configured in pyproject.toml [tool.lessons]: no link to a "
                "published site. `make site` builds it locally into _site/. -->")
    return (f"**Read online:** the whole course as a website, with every output, at <{url}> "
            "(or build it yourself with `make site`).")


def updated(readme: str, url: str | None) -> str:
    if readme.count(START) != 1 or readme.count(END) != 1:
        raise ValueError(f"README.md needs one {START} and one {END} line.")
    head, rest = readme.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{section(url)}\n{END}{tail}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python site/readme_link.py")
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--root", default=str(ROOT))
    args = parser.parse_args(argv)
    root = Path(args.root)
    readme = root / "README.md"
    current = readme.read_text(encoding="utf-8")
    try:
        fresh = updated(current, pages_url(root / "pyproject.toml"))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if fresh == current:
        return 0
    if args.check:
        print("README.md: the 'Read online' section is stale; run python site/readme_link.py",
              file=sys.stderr)
        return 1
    readme.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
