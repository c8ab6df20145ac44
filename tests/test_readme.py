"""The README's links and Binder badges point at files that exist, and its table is current."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from lessons import readme

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
# [text](target) and ![alt](target), also nested as [![alt](image)](target); HTML href/src.
MARKDOWN_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']""")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.MULTILINE)


def _targets(text: str) -> list[str]:
    return [
        *MARKDOWN_LINK.findall(text),
        *HTML_LINK.findall(text),
        *REFERENCE_LINK.findall(text),
    ]


def _binder_path(url: str, owner: str, repository: str, branch: str) -> str:
    """The repository path a mybinder.org link opens; asserts it launches this repository."""
    parts = urlsplit(url)
    assert parts.path.startswith("/v2/gh/"), url
    assert unquote(parts.path) == f"/v2/gh/{owner}/{repository}/{branch}", (
        f"{url} does not launch [tool.lessons] repository/branch of pyproject.toml"
    )
    urlpath = parse_qs(parts.query).get("urlpath", [""])[0]
    assert urlpath.startswith("lab/tree/"), f"{url} should open JupyterLab (urlpath=lab/tree/...)"
    return unquote(urlpath.removeprefix("lab/tree/"))


def test_every_link_and_badge_points_to_an_existing_file():
    launch = readme.launch_settings(ROOT / "pyproject.toml")
    owner, repository, branch = launch or ("", "", "")
    targets = _targets(README.read_text(encoding="utf-8"))
    assert targets, "found no links in README.md"
    checked, missing = 0, []
    for target in targets:
        parts = urlsplit(target)
        if parts.scheme in ("http", "https"):
            if parts.netloc == "mybinder.org" and parts.path.startswith("/v2/"):
                assert launch, f"{target}: a Binder link while no repository is set (dead link)"
                path = _binder_path(target, owner, repository, branch)
            elif target == readme.BINDER_BADGE:
                continue  # the badge picture itself
            elif parts.netloc == "github.com" and parts.path.startswith(
                f"/{owner}/{repository}/blob/{branch}/"
            ):
                path = unquote(parts.path.split(f"/blob/{branch}/", 1)[1])
            else:
                continue  # another site: nothing in this repository to check
        elif parts.scheme or target.startswith("#"):
            continue  # mailto:, an anchor in the page
        else:
            path = unquote(parts.path)
        checked += 1
        if not (README.parent / path).exists():
            missing.append(target)
    assert not missing, f"README.md points to files that do not exist: {missing}"
    assert checked >= 2


def test_each_notebook_has_a_row_and_a_binder_badge_only_when_a_repository_is_set():
    launch = readme.launch_settings(ROOT / "pyproject.toml")
    text = README.read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("[0-9]*_*.ipynb")):
        lecture = f"notebooks/{path.name}"
        assert f"]({lecture})" in text, f"no README link to {lecture}"
        if launch:
            assert readme.binder_url(*launch, lecture) in text, f"no Binder badge for {lecture}"
    if launch:
        assert readme.LAUNCH_HINT not in text
    else:
        assert "mybinder.org/v2" not in text and "OWNER" not in text, (
            "no repository is set, so every Binder link would be dead")
        assert readme.LAUNCH_HINT in text, "the launch column should say how to enable Binder"


@pytest.mark.parametrize(
    ("repository", "launches"),
    [("", False), ("https://github.com/OWNER/l1-vs-l2", False),
     ("https://github.com/stats-dept/l1-vs-l2", True)],
)
def test_binder_links_only_for_a_real_repository(tmp_path, repository, launches):
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.lessons]\nrepository = "{repository}"\nbranch = "main"\n')
    (tmp_path / "notebooks").mkdir()
    cell = new_markdown_cell("# 01 · A\n\nLearn. More.")
    nbformat.write(new_notebook(cells=[cell]), tmp_path / "notebooks" / "01_a.ipynb")
    table = readme.notebook_table(tmp_path)
    assert ("mybinder.org" in table) is launches
    assert (readme.LAUNCH_HINT in table) is not launches
    row = table.splitlines()[2]
    assert row.count("|") == 6, "the row keeps its five columns"


def test_the_licence_files_exist_and_the_readme_and_metadata_name_them():
    import tomllib

    text = README.read_text(encoding="utf-8")
    licence_section = text.split("## Licence", 1)[1]
    assert "](LICENSE)" in licence_section and "](LICENSE-CONTENT)" in licence_section
    assert "MIT" in (ROOT / "LICENSE").read_text()
    assert "Attribution 4.0 International" in (ROOT / "LICENSE-CONTENT").read_text()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE", "LICENSE-CONTENT"]


def test_nbgitpuller_url_opens_the_path_inside_the_cloned_folder():
    url = readme.nbgitpuller_url("http://127.0.0.1:8000/", "/srv/git/l1-vs-l2", "main",
                                 "exercises/01_definitions.ipynb")
    query = parse_qs(urlsplit(url).query)
    assert url.startswith("http://127.0.0.1:8000/hub/user-redirect/git-pull?")
    assert query == {"repo": ["/srv/git/l1-vs-l2"], "branch": ["main"],
                     "urlpath": ["lab/tree/l1-vs-l2/exercises/01_definitions.ipynb"]}
    # nbgitpuller keeps a ".git" suffix in the folder's name
    dotgit = readme.nbgitpuller_url("http://h", "https://example.org/x/course.git", "main", "a")
    assert parse_qs(urlsplit(dotgit).query)["urlpath"] == ["lab/tree/course.git/a"]


def test_the_notebook_table_is_current(capsys):
    status = readme.main(["--check", "--root", str(ROOT)])
    assert status == 0, capsys.readouterr().err


def test_the_readme_has_each_generated_section_once():
    text = README.read_text(encoding="utf-8")
    for marker in ("notebooks:start", "notebooks:end", "bench:start", "bench:end"):
        assert text.count(f"<!-- {marker} -->") == 1, marker


# -- lessons.readme on small inputs ---------------------------------------------------------


def test_binder_url_opens_jupyterlab_on_the_path():
    url = readme.binder_url("me", "course", "main", "notebooks/01 a.ipynb")
    assert url == "https://mybinder.org/v2/gh/me/course/main?urlpath=lab/tree/notebooks/01%20a.ipynb"


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("One. Two.", "One."),
        ("Compare fits, e.g. L1 and L2, i.e. two lines. Then more.",
         "Compare fits, e.g. L1 and L2, i.e. two lines."),
        ("A value of 0.35 is\nright! Yes.", "A value of 0.35 is right!"),
        ("No full stop at all", "No full stop at all"),
    ],
)
def test_first_sentence(text, sentence):
    assert readme.first_sentence(text) == sentence


def test_notebook_summary_reads_the_title_and_first_sentence():
    nb = new_notebook(cells=[
        new_markdown_cell("# 04 · Outliers: one point | many\n\nAfter this notebook you can drag "
                          "a point and see the fit move. Later text."),
        new_markdown_cell("# Another heading\n\nIgnored."),
    ])
    assert readme.notebook_summary(nb, "04_x") == (
        "Outliers: one point | many", "Drag a point and see the fit move."
    )


def test_table_rows_escape_pipes_and_link_what_exists(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lessons]\nrepository = "https://github.com/fork/course"\nbranch = "dev"\n'
    )
    for folder in ("notebooks", "exercises"):
        (tmp_path / folder).mkdir()
        cell = new_markdown_cell("# 01 · A | B\n\nLearn |e|. More.")
        nbformat.write(new_notebook(cells=[cell]), tmp_path / folder / "01_a.ipynb")
    table = readme.notebook_table(tmp_path)
    row = table.splitlines()[2]
    assert row.startswith(r"| 01 | [A \| B](notebooks/01_a.ipynb) | Learn \|e\|. |")
    assert "https://mybinder.org/v2/gh/fork/course/dev?urlpath=lab/tree/notebooks/01_a.ipynb" in row
    assert "[exercises](exercises/01_a.ipynb)" in row and "solutions" not in row


def test_settings_explain_a_repository_that_is_not_on_github(tmp_path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[tool.lessons]\nrepository = "gitlab.com/me/course"\n')
    with pytest.raises(readme.ReadmeError, match="https://github.com/OWNER/REPO"):
        readme.settings(pyproject)


def test_replace_between_markers_needs_both_markers_once():
    text = "a\n<!-- s -->\nold\n<!-- e -->\nb"
    assert readme.replace_between_markers(text, "<!-- s -->", "<!-- e -->", "new") == (
        "a\n<!-- s -->\nnew\n<!-- e -->\nb"
    )
    with pytest.raises(readme.ReadmeError):
        readme.replace_between_markers("<!-- e --> <!-- s -->", "<!-- s -->", "<!-- e -->", "x")


def test_check_mode_reports_a_stale_table_and_writes_nothing(tmp_path, capsys):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.lessons]\nrepository = "https://github.com/me/course"\n'
    )
    (tmp_path / "notebooks").mkdir()
    stale = f"# Course\n\n{readme.START_MARKER}\nold table\n{readme.END_MARKER}\n"
    (tmp_path / "README.md").write_text(stale)
    assert readme.main(["--check", "--root", str(tmp_path)]) == 1
    assert "out of date" in capsys.readouterr().err
    assert (tmp_path / "README.md").read_text() == stale
    assert readme.main(["--root", str(tmp_path)]) == 0
    assert readme.main(["--check", "--root", str(tmp_path)]) == 0
    assert "old table" not in (tmp_path / "README.md").read_text()
