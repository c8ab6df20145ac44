"""docs/instructors.md, "Grading with nbgrader", followed literally on a fresh clone.

The commands come from the guide itself, so editing the guide changes what is tested:

* the inline ``.venv/bin/python ...`` set-up commands of the section (creating
  ``.venv-nbgrader`` and pointing its ``python3`` kernel at the course's Python), and
* every fenced ``bash`` block of the section, in order, typed into one emulated terminal (the
  working directory and the environment, e.g. an activated venv, carry over from block to
  block, as in a real terminal), starting in the clone,

with only the guide's placeholders substituted: ``NN_slug`` (a line naming it is run once per
assignment handed in) and ``STUDENT``. The course directory is the guide's literal
``../l1-vs-l2-grading``, next to the clone. Between the blocks the test does what the guide
says a person does: it puts downloaded submissions in ``downloaded/NN_slug/archive/`` named
``STUDENT_NN_slug.ipynb``. Then it checks what the guide promises: every notebook released
with its answers replaced, ``zip_collect`` filing each submission, full marks for a copy of a
solution, 0 for an untouched release and for the course's own blank exercise, the points of
the right answers for a partly wrong one, the "checker cell(s) got their hidden tests back
(expected)" line, ``grades.csv``, and feedback HTML with the ✅/❌ verdicts.

What is not literal, and why:

* **No fresh ``make setup``** in the clone (minutes, and it needs the network that CI's test
  run does not have). The clone's ``.venv`` is a symlink to the checkout's, which was built
  from the same lock, so ``make setup`` there finds its stamp and does nothing. A fresh
  clone's ``pyproject.toml`` and ``constraints.txt`` are newer than that stamp, which would
  make ``make`` re-install (into the checkout's environment, through the symlink): the test
  dates the two files back, and stops unless ``make -q setup`` says there is nothing to do.
  ``import lessons`` in the grading kernel finds the checkout's package (installed editable),
  the ``make`` commands the clone's (``python -m`` runs from the clone).
* **``.venv-nbgrader`` is a hard-linked copy** of the checkout's (``cp -al``, about a second),
  with its scripts' ``#!`` lines and ``activate`` pointed at the copy: the guide's
  ``ipykernel install --prefix .venv-nbgrader`` writes a kernel into it, which must not change
  the checkout's environment (other tests use it). The guide's ``tests/test_nbgrader.py``
  command then finds nbgrader installed and returns at once, as it does for an instructor who
  ran it before.
* **The other place the guide offers for nbgrader**, the course's own environment (``pip
  install ... nbgrader==0.9.6`` into ``.venv``), needs the network. The test checks that the
  guide's command pins the version the test uses, and installs nbgrader into a copy of
  ``.venv`` without pip (its commands in ``.venv/bin``, its packages through a ``.pth`` file):
  then the guide's ``make instructor`` commands for one notebook must find it there, with no
  ``.venv-nbgrader`` and no nbgrader on ``PATH``, and grade with the course's own kernel.
* Jupyter's user folders (config, data, runtime) are empty temporary ones, so a kernel or
  nbgrader configuration of whoever runs the tests cannot change the outcome.

Under CI (``CI=true``) a missing ``.venv-nbgrader`` or ``.venv`` fails the test; elsewhere it
skips, saying how to get them (``.venv/bin/python tests/test_nbgrader.py``).
"""

from __future__ import annotations

import csv
import os
import re
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import nbformat
import pytest

from lessons import build, instructor

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "instructors.md"
SECTION = "## Grading with nbgrader"
NBGRADER_PIN = "nbgrader==0.9.6"  # the version tests/test_nbgrader.py installs
GRADED = ("01_definitions",)  # the assignments that get submissions (each costs ~40 s)
BLOCK_SECONDS = 900


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _cannot_run(reason: str):
    if _in_ci():
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


# -- reading the guide ---------------------------------------------------------------------


def grading_section(text: str) -> str:
    """The "Grading with nbgrader" section of the guide (up to the next ``## `` heading)."""
    start = text.index(SECTION)
    end = text.find("\n## ", start + len(SECTION))
    return text[start:] if end < 0 else text[start:end]


def bash_blocks(section: str) -> list[str]:
    """The fenced ``bash`` blocks, in order, with the list item's indent removed."""
    blocks = []
    for indent, body in re.findall(r"^([ \t]*)```bash\n(.*?)^[ \t]*```", section, re.M | re.S):
        blocks.append("\n".join(line[len(indent):] if line.startswith(indent) else line
                                for line in body.rstrip("\n").split("\n")))
    return blocks


def inline_commands(section: str) -> list[str]:
    """Inline code spans of the prose (not the fenced blocks) that run the course's Python,
    before the first numbered step: the guide's ways of installing nbgrader."""
    prose = re.sub(r"```.*?```", "", section.split("\n1. ", 1)[0], flags=re.S)
    spans = (" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose))
    return [span for span in spans if span.startswith(".venv/bin/python ")]


def expand(block: str, assignments) -> str:
    """The block with ``NN_slug`` lines once per assignment (the guide's placeholder)."""
    lines = []
    for line in block.split("\n"):
        lines.extend([line.replace("NN_slug", name) for name in assignments]
                     if "NN_slug" in line else [line])
    return "\n".join(lines)


# -- one terminal --------------------------------------------------------------------------


class Terminal:
    """Runs blocks of the guide with bash as if typed into one terminal, one after another:
    the working directory (and ``cd -``'s previous one) and the exported environment carry
    over from block to block; each block stops at its first failing command (``set -e``)."""

    def __init__(self, cwd: Path, env: dict, state: Path):
        self.cwd, self.oldpwd, self.env, self.state = str(cwd), str(cwd), dict(env), state
        state.mkdir(parents=True, exist_ok=True)
        self.transcript: list[str] = []

    def run(self, block: str) -> str:
        state = self.state
        script = "\n".join([
            f"cd -- {shlex.quote(self.oldpwd)} && cd -- {shlex.quote(self.cwd)}",
            "set -e",
            block,
            f'pwd > {shlex.quote(str(state / "pwd"))}',
            f'printf %s "$OLDPWD" > {shlex.quote(str(state / "oldpwd"))}',
            f'env -0 > {shlex.quote(str(state / "env"))}',
        ])
        started = time.monotonic()
        result = subprocess.run(["bash", "-c", script], cwd=self.cwd, env=self.env,
                                capture_output=True, text=True, timeout=BLOCK_SECONDS)
        output = result.stdout + result.stderr
        self.transcript.append(f"$ {block}\n{output}({time.monotonic() - started:.1f} s)")
        assert result.returncode == 0, (
            f"the guide's commands failed (exit {result.returncode}):\n{block}\n\n{output[-4000:]}"
        )
        self.cwd = (state / "pwd").read_text().strip()
        self.oldpwd = (state / "oldpwd").read_text() or self.cwd
        pairs = (item.split("=", 1) for item in (state / "env").read_text().split("\0") if item)
        self.env = {key: value for key, value in pairs if key not in ("PWD", "OLDPWD", "_")}
        return output


def _fresh_terminal_env(jupyter_home: Path) -> dict:
    """This process's environment as a new terminal would have it: no venv activated, no
    make of ours around, and empty Jupyter user folders."""
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "JUPYTER_PATH", "PYTHONPATH", "MAKEFLAGS", "MFLAGS",
                          "MAKELEVEL", "PYTEST_XDIST_WORKER", "PYTEST_CURRENT_TEST")}
    env["PATH"] = os.pathsep.join(
        part for part in env.get("PATH", "").split(os.pathsep)
        if not re.search(r"\.venv(-nbgrader)?/bin/?$", part)
    )
    for name in ("config", "data", "runtime"):
        env[f"JUPYTER_{name.upper()}_DIR"] = str(jupyter_home / name)
    env["IPYTHONDIR"] = str(jupyter_home / "ipython")
    return env


# -- the clone -----------------------------------------------------------------------------


def _clone(work: Path, nbgrader_in_course_env: bool = False) -> Path:
    """A fresh clone of HEAD at ``work/l1-vs-l2`` using the checkout's environments.

    Normally ``.venv`` is a symlink to the checkout's and ``.venv-nbgrader`` a copy of the
    checkout's. With `nbgrader_in_course_env`, ``.venv`` is a copy of the checkout's with
    nbgrader in it (see :func:`_install_nbgrader_into`), and there is no ``.venv-nbgrader``.
    """
    for venv in (ROOT / ".venv", ROOT / ".venv-nbgrader"):
        if not (venv / "bin" / "python").exists():
            _cannot_run(f"{venv.name} is missing: run `make setup` and "
                        "`.venv/bin/python tests/test_nbgrader.py` first")
    if not (ROOT / ".venv-nbgrader" / "bin" / "nbgrader").exists():
        _cannot_run(".venv-nbgrader has no nbgrader: run `.venv/bin/python tests/test_nbgrader.py`")
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"],
                      capture_output=True).returncode != 0:
        _cannot_run(f"{ROOT} is not a git repository, so it cannot be cloned")
    clone = work / "l1-vs-l2"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    if nbgrader_in_course_env:
        _relocated_copy(ROOT / ".venv", clone / ".venv")
        _install_nbgrader_into(clone / ".venv")
    else:
        (clone / ".venv").symlink_to(ROOT / ".venv")
    for name in ("pyproject.toml", "constraints.txt"):  # older than the environment's stamp
        os.utime(clone / name, (0, 0))
    up_to_date = subprocess.run(["make", "-q", "setup"], cwd=clone, capture_output=True,
                                env=dict(os.environ, MAKEFLAGS="")).returncode == 0
    if not up_to_date:
        _cannot_run("the checkout's .venv was not built from HEAD's lock (pyproject.toml, "
                    "constraints.txt changed but not committed, or `make setup` not run)")
    if not nbgrader_in_course_env:
        _relocated_copy(ROOT / ".venv-nbgrader", clone / ".venv-nbgrader")
    return clone


def _install_nbgrader_into(venv: Path) -> None:
    """What ``pip install -c constraints.txt nbgrader==0.9.6`` into `venv` gives, offline:
    nbgrader's commands in ``venv/bin`` run by `venv`'s Python, and its packages importable
    there (a ``.pth`` file naming ``.venv-nbgrader``'s site-packages, after `venv`'s own; both
    were installed with the same lock, so the packages they share have the same versions)."""
    source = ROOT / ".venv-nbgrader"
    site = next((source / "lib").glob("python3*/site-packages"))
    (next((venv / "lib").glob("python3*/site-packages")) / "zz-nbgrader.pth").write_text(
        f"{site}\n")
    for command in ("nbgrader", "alembic"):
        text = (source / "bin" / command).read_text()
        script = venv / "bin" / command
        script.write_text(text.replace(f"#!{source}/bin/python", f"#!{venv}/bin/python", 1))
        script.chmod(0o755)


def _relocated_copy(source: Path, target: Path) -> None:
    """A hard-linked copy of the venv `source` at `target` that is a venv of its own: the
    scripts' ``#!`` lines and ``activate``'s ``VIRTUAL_ENV`` name `target` (as new files, so the
    hard links to `source`'s files are left as they are)."""
    subprocess.run(["cp", "-al", str(source), str(target)], check=True)
    old, new = str(source).encode(), str(target).encode()
    for script in (target / "bin").iterdir():
        if script.is_symlink() or not script.is_file() or script.stat().st_size > 1_000_000:
            continue
        text = script.read_bytes()
        if old not in text:
            continue
        replacement = script.with_name(script.name + ".new")
        replacement.write_bytes(text.replace(old, new))
        replacement.chmod(script.stat().st_mode)
        replacement.replace(script)


# -- submissions ---------------------------------------------------------------------------


def _wrong_answers(source: Path) -> tuple[nbformat.NotebookNode, int]:
    """A copy of the solution with every answer of the form ``name = <number>`` made 100
    more; returns the notebook and how many answers were changed."""
    notebook = nbformat.read(source, as_version=4)
    changed = 0
    for cell in notebook.cells:
        if not build.nbgrader_of(cell).get("solution"):
            continue
        new = re.sub(r"^(\w+) = (-?\d+(?:\.\d+)?)$",
                     lambda m: f"{m.group(1)} = {float(m.group(2)) + 100}", cell.source,
                     count=1, flags=re.M)
        changed += new != cell.source
        cell.source = new
    assert changed, f"{source.name} has no numeric answer to get wrong"
    return notebook, changed


def _checkers(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum(bool(build.nbgrader_of(cell).get("grade"))
               and not build.nbgrader_of(cell).get("solution") for cell in nb.cells)


def hand_in(clone: Path, course: Path, archive_pattern: str, file_pattern: str) -> dict:
    """Put downloaded submissions where step 3 says; return {(student, assignment): expected}.

    ``expected`` is ``(score, maximum or None, made from a handed-out version?, wrong)``.
    """
    expected = {}
    for name in GRADED:
        source = course / "source" / name / f"{name}.ipynb"
        release = course / "release" / name / f"{name}.ipynb"
        points = _checkers(source)
        submissions = {"ada": (nbformat.read(source, as_version=4), points, False, 0)}
        if name == GRADED[0]:
            wrong, changed = _wrong_answers(source)
            submissions.update({
                "bo": (nbformat.read(release, as_version=4), 0, True, 0),
                "cy": (wrong, points - changed, False, changed),
                "dee": (nbformat.read(clone / "exercises" / f"{name}.ipynb", as_version=4), 0,
                        True, 0),
            })
        archive = course / archive_pattern.replace("NN_slug", name)
        archive.mkdir(parents=True, exist_ok=True)
        for student, (notebook, score, handed_out, wrong_count) in submissions.items():
            file_name = file_pattern.replace("NN_slug", name).replace("STUDENT", student)
            nbformat.write(notebook, archive / file_name)
            expected[student, name] = (score, points, handed_out, wrong_count)
    return expected


# -- the run -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def followed(tmp_path_factory):
    """Everything the guide says to do, done; what the test saw along the way."""
    started = time.monotonic()
    work = tmp_path_factory.mktemp("guide")
    clone = _clone(work)
    course = (clone / "../l1-vs-l2-grading").resolve()
    section = grading_section((clone / "docs" / "instructors.md").read_text(encoding="utf-8"))
    terminal = Terminal(clone, _fresh_terminal_env(work / "jupyter-home"), work / "terminal")

    commands = inline_commands(section)
    pip = [command for command in commands if " pip install " in command]
    setup = [command for command in commands if command not in pip]
    for command in setup:
        terminal.run(command)

    blocks = bash_blocks(section)
    outputs, expected = [], None
    for block in blocks:
        if "zip_collect" in block:
            archive = re.search(r"`(downloaded/NN_slug/archive/?)`", section).group(1)
            file_name = re.search(r"named `(STUDENT_NN_slug\.ipynb)`", section).group(1)
            expected = hand_in(clone, course, archive, file_name)
        outputs.append(terminal.run(expand(block, GRADED)))
    return {
        "clone": clone, "course": course, "section": section, "blocks": blocks,
        "setup": setup, "pip": pip, "outputs": outputs, "expected": expected,
        "transcript": "\n\n".join(terminal.transcript),
        "virtual_env": terminal.env.get("VIRTUAL_ENV"),
        "seconds": time.monotonic() - started,
    }


def _grades(course: Path) -> dict:
    with open(course / "grades.csv", newline="") as handle:
        return {(row["student_id"], row["assignment"]): row for row in csv.DictReader(handle)}


# -- what the guide promises ---------------------------------------------------------------


def test_the_guide_has_the_steps_this_test_follows(followed):
    blocks = followed["blocks"]
    assert len(blocks) >= 4, blocks
    assert "make instructor COURSE=../l1-vs-l2-grading ARGS=--release" in blocks[0]
    assert any("zip_collect NN_slug" in block for block in blocks)
    assert any("ARGS=--autograde" in block for block in blocks)
    assert any("generate_feedback NN_slug" in block for block in blocks)
    assert any("ipykernel install --prefix .venv-nbgrader" in cmd for cmd in followed["setup"])
    assert any("tests/test_nbgrader.py" in cmd for cmd in followed["setup"])


def test_the_course_environment_option_pins_the_tested_nbgrader(followed):
    """The guide's other place for nbgrader (needs the network, so not run here)."""
    assert followed["pip"] == [
        f".venv/bin/python -m pip install -c constraints.txt {NBGRADER_PIN}"
    ]


def test_release_writes_every_notebook_with_its_answers_replaced(followed):
    course = followed["course"]
    names = sorted(path.stem for path in (followed["clone"] / "solutions").glob("*.ipynb"))
    assert len(names) == 8
    for name in names:
        assert f"released {name}" in followed["outputs"][0]
        release = (course / "release" / name / f"{name}.ipynb").read_text()
        assert build.BEGIN_SOLUTION not in release and build.BEGIN_HIDDEN_TESTS not in release
        assert "raise NotImplementedError()" in release, name
    # the guide's example of an answer cell in the release
    example = re.search(r"\(`(# Your answer: assign it to `\w+`\.)`\)", followed["section"])
    assert example, "the guide no longer shows a release answer cell"
    first = (course / "release" / "01_definitions" / "01_definitions.ipynb")
    cells = [cell.source for cell in nbformat.read(first, as_version=4).cells]
    assert any(example.group(1) in source and "raise NotImplementedError()" in source
               for source in cells)


def test_zip_collect_files_every_submission(followed):
    course = followed["course"]
    for student, name in followed["expected"]:
        assert (course / "submitted" / student / name / f"{name}.ipynb").is_file(), student


def test_autograde_explains_the_checksum_warnings(followed):
    output = next(output for block, output in zip(followed["blocks"], followed["outputs"],
                                                      strict=True)
                  if "ARGS=--autograde" in block)
    for name in GRADED:
        checkers = _checkers(followed["course"] / "source" / name / f"{name}.ipynb")
        handed_out = sum(handed for (_, assignment), (_, _, handed, _)
                         in followed["expected"].items() if assignment == name)
        assert (f"autograded {name}: {checkers * handed_out} checker cell(s) got their hidden "
                "tests back (expected)") in output, output
    assert "learners edited locked cells" not in output


def test_grades_csv_has_the_scores_the_guide_promises(followed):
    grades = _grades(followed["course"])
    for (student, name), (score, maximum, _, _) in followed["expected"].items():
        row = grades[student, name]
        assert float(row["max_score"]) == maximum > 0, (student, name, row)
        assert float(row["score"]) == score, (student, name, row)


def test_feedback_html_shows_the_verdicts(followed):
    feedback = followed["course"] / "feedback"
    for (student, name), (score, maximum, _, wrong) in followed["expected"].items():
        html = (feedback / student / name / f"{name}.html").read_text(encoding="utf-8")
        if student == "ada":
            assert html.count("✅ Correct") == maximum, (student, name)
        if wrong:
            assert html.count("❌ Not quite") == wrong, (student, name)
            assert html.count("✅ Correct") == score, (student, name)


def test_the_checkout_environments_were_left_alone(followed):
    assert followed["virtual_env"] == str(followed["clone"] / ".venv-nbgrader")  # activated
    kernel = ROOT / ".venv-nbgrader" / "share" / "jupyter" / "kernels" / "python3"
    assert str(followed["clone"]) not in (kernel / "kernel.json").read_text()
    nbgrader = (ROOT / ".venv-nbgrader" / "bin" / "nbgrader").read_text().split("\n", 1)[0]
    assert nbgrader == f"#!{ROOT / '.venv-nbgrader'}/bin/python"
    print(f"\nthe guide, followed: {followed['seconds']:.0f} s\n{followed['transcript']}")


def test_make_instructor_finds_nbgrader_in_the_course_environment(tmp_path):
    """The guide's other place for nbgrader, the course's own ``.venv``, installed offline as
    :func:`_install_nbgrader_into` says; no ``.venv-nbgrader``, no nbgrader on ``PATH``. The
    guide's commands for releasing one notebook and autograding must find it there and grade
    with the course's own ``python3`` kernel."""
    clone = _clone(tmp_path, nbgrader_in_course_env=True)
    section = grading_section((clone / "docs" / "instructors.md").read_text(encoding="utf-8"))
    prose = " ".join(re.sub(r"```.*?```", "", section, flags=re.S).split())
    release = re.search(r'`(make instructor COURSE=\S+ ARGS="--release \w+")`', prose).group(1)
    name = release.rsplit(" ", 1)[1].strip('"')
    autograde = next(line for block in bash_blocks(section) for line in block.split("\n")
                     if line.startswith("make instructor") and "--autograde" in line)
    collected = re.search(r"into `(submitted/STUDENT/NN_slug/NN_slug\.ipynb)`", section).group(1)
    terminal = Terminal(clone, _fresh_terminal_env(tmp_path / "jupyter-home"), tmp_path / "t")
    assert shutil.which("nbgrader", path=terminal.env["PATH"]) is None
    assert not (clone / ".venv-nbgrader").exists()

    output = terminal.run(release)
    course = (clone / "../l1-vs-l2-grading").resolve()
    assert f"released {name}" in output
    submission = course / collected.replace("STUDENT", "ada").replace("NN_slug", name)
    submission.parent.mkdir(parents=True)
    shutil.copy(course / "source" / name / f"{name}.ipynb", submission)
    output = terminal.run(autograde)
    assert f"autograded {name}: 0 checker cell(s) got their hidden tests back" in output, output
    graded = nbformat.read(course / "autograded" / "ada" / name / f"{name}.ipynb", as_version=4)
    verdicts = "".join(str(cell.get("outputs", "")) for cell in graded.cells)
    assert verdicts.count("✅ Correct") == _checkers(course / "source" / name / f"{name}.ipynb")


# -- without nbgrader ----------------------------------------------------------------------


def test_autograde_with_nothing_collected_says_so(tmp_path, capsys):
    """A zip_collect pattern that matches no file leaves submitted/ empty, and nbgrader says
    only a warning: ``--autograde`` must not then finish quietly as if it had graded."""
    course = tmp_path / "course"
    arguments = [str(course), "01_definitions", "02_gradients",
                 "--solutions", str(ROOT / "solutions"), "--autograde",
                 "--nbgrader", str(tmp_path / "not-needed-before-the-check")]
    assert instructor.main(arguments) == 1
    error = capsys.readouterr().err
    assert "nothing to grade: no submissions in" in error and "step 3" in error
    folder = course / "submitted" / "ada" / "01_definitions"
    folder.mkdir(parents=True)
    assert instructor.submitted_assignments(course, ["01_definitions", "02_gradients"]) == [
        "01_definitions"]
    assert instructor.main(arguments) == 1  # now it looks for nbgrader (a fake path here)
    captured = capsys.readouterr()
    assert "no submissions for 02_gradients: not graded" in captured.out
    assert "cannot find the nbgrader command" in captured.err



def test_the_parser_reads_the_guide_as_written():
    section = grading_section(GUIDE.read_text(encoding="utf-8"))
    blocks = bash_blocks(section)
    assert blocks[0].startswith("make instructor COURSE=../l1-vs-l2-grading ARGS=--release")
    assert not any(line.startswith(" ") for block in blocks for line in block.split("\n"))
    assert expand("nbgrader generate_feedback NN_slug", ["a", "b"]) == (
        "nbgrader generate_feedback a\nnbgrader generate_feedback b")
    assert ".venv/bin/python tests/test_nbgrader.py" in inline_commands(section)
    shutil.which("bash") or pytest.fail("the guide's commands need bash")
