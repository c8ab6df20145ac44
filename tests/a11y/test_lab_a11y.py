"""Accessibility measured in JupyterLab (issue 14): axe-core on a lecture and an exercise notebook,
and one exercise of each kind answered and checked with the keyboard alone.

Counts go to artifacts/a11y/lab_axe.json, split into the course's own (cell outputs: checkers,
demos, figures, and the course's markdown) and JupyterLab's own (everything else).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import sitetools

from lessons import checks

NOTEBOOKS = {"lecture": "notebooks/01_definitions.ipynb",
             "exercise": "exercises/01_definitions.ipynb"}
# The demos' controls: the drag canvas and sliders (04), a log-scale slider (05), the training
# replay's Play button and step slider (06), and the exercise with a demo (exercises/04).
DEMO_NOTEBOOKS = {"demos-04": "notebooks/04_outliers.ipynb",
                  "demos-e04": "exercises/04_outliers.ipynb",
                  "demos-05": "notebooks/05_huber.ipynb",
                  "demos-06": "notebooks/06_training.ipynb"}
NAME_RULES = {"button-name", "input-button-name", "label", "aria-input-field-name", "select-name",
              "aria-toggle-field-name", "link-name", "image-alt", "role-img-alt", "svg-img-alt"}
OWNER_JS = """
(selector) => {
  const e = document.querySelector(selector);
  if (!e) return 'jupyterlab';
  return e.closest('.jp-OutputArea, .jp-MarkdownOutput') ? 'course' : 'jupyterlab';
}
"""
# Every focusable control in the cell outputs, with the name a screen reader would announce
# (aria-labelledby, aria-label, <label>, title, then the visible text).
CONTROLS_JS = """
(root) => {
  const scope = root ? document.querySelector(root) : document;
  const sel = 'button, input, select, textarea, [role=slider], [role=button], [role=checkbox],'
            + '[role=radio], [role=combobox], [tabindex]:not([tabindex="-1"])';
  const name = (e) => {
    const by = e.getAttribute('aria-labelledby');
    if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent || '')
                    .join(' ').trim();
    if (e.getAttribute('aria-label')) return e.getAttribute('aria-label').trim();
    if (e.labels && e.labels.length)
      return [...e.labels].map((l) => l.textContent).join(' ').trim();
    if (e.getAttribute('title')) return e.getAttribute('title').trim();
    if (['BUTTON', 'A'].includes(e.tagName) || e.getAttribute('role') === 'button')
      return e.textContent.trim();
    return '';
  };
  return [...scope.querySelectorAll('.jp-OutputArea-output')].flatMap((out) =>
    [...out.querySelectorAll(sel)].filter((e) => e.offsetParent !== null)
      .map((e) => ({ tag: e.tagName.toLowerCase(), cls: e.className.toString().slice(0, 60),
                     type: e.getAttribute('type'), name: name(e) })));
}
"""


# Every figure <img> in the open notebook's outputs: its alt, whether it loaded, its source, and
# whether it is a live demo's picture (inside a widget, named by its title instead).
FIGURES_JS = """
() => [...window.__lessonsPanel.node.querySelectorAll('.jp-OutputArea-output img')].map((img) => ({
  alt: img.getAttribute('alt'), title: img.getAttribute('title'),
  loaded: img.complete && img.naturalWidth > 0,
  src: (img.getAttribute('src') || '').slice(0, 22), demo: !!img.closest('.jupyter-widgets')
}))
"""


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# The alt sentences (cell metadata ``lessons.alt``) of the open notebook's figure cells, in
# order, read from the live notebook after Run All; a cell whose output is a live widget (a
# demo) is left out, as in `_expected_alts`.
LIVE_ALTS_JS = """
() => window.__lessonsPanel.content.widgets.filter((cell) => cell.model.type === 'code')
  .flatMap((cell) => {
    const alt = (cell.model.getMetadata('lessons') || {}).alt;
    const widget = cell.model.outputs.toJSON()
      .some((output) => output.data && output.data['%s']);
    return alt && !widget ? [alt.split(/\\s+/).join(' ').trim()] : [];
  })
""" % WIDGET_VIEW


def _expected_alts(notebook_file):
    """The figures' alt sentences (cell metadata ``lessons.alt``) of a notebook, in order.

    A live demo's cell is left out: JupyterLab shows its widget, whose picture is named by the
    widget itself (the alt is for viewers that show the stored still picture instead).
    """
    cells = json.loads(Path(notebook_file).read_text(encoding="utf-8"))["cells"]
    return [" ".join(c["metadata"]["lessons"]["alt"].split()) for c in cells
            if c.get("metadata", {}).get("lessons", {}).get("alt")
            and not any(WIDGET_VIEW in output.get("data", {}) for output in c.get("outputs", []))]


def _play_with_keys(page):
    """Tab to the replay's Play button, press Enter, and Enter again: the step slider must move."""
    play = page.locator(".jp-OutputArea-output .lessons-slider-play:not([hidden])").first
    steps = play.locator("xpath=..").locator("input[type=range]")
    play.scroll_into_view_if_needed()
    steps.focus()
    page.keyboard.press("Shift+Tab")  # the button comes just before its slider
    assert page.evaluate("() => document.activeElement.className") == "lessons-slider-play"
    assert play.inner_text() == "Play"
    before = float(steps.input_value())
    page.keyboard.press("Enter")
    page.wait_for_timeout(1000)
    during = float(steps.input_value())
    label = play.inner_text()
    page.keyboard.press("Enter")
    assert label == "Pause" and play.inner_text() == "Play", (label, play.inner_text())
    assert during != before, f"Play did not move the step slider ({before} → {during})"
    return {"before": before, "after_1s": during}


def _run_all(page):
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_idle(300_000)


def _axe_counts(page):
    violations = sitetools.run_axe(page)
    for violation in violations:
        for node in violation["nodes"]:
            node["owner"] = page.evaluate(OWNER_JS, node["target"][0])
    return violations, sitetools.summarise(violations, lambda node: node["owner"])


def test_axe_on_a_lecture_and_an_exercise_notebook(lab_page, lab):
    results = {}
    for kind, path in {**NOTEBOOKS, **DEMO_NOTEBOOKS}.items():
        lab_page.open_notebook(path)
        _run_all(lab_page)
        lab_page.wait_for_timeout(1500)  # widgets render after the kernel is idle
        violations, counts = _axe_counts(lab_page)
        # JupyterLab's HTML renderer writes alt="Image" on an <img> that has none, which axe
        # accepts: check the sentence itself.
        figures = lab_page.evaluate(FIGURES_JS)
        controls = lab_page.evaluate(CONTROLS_JS, None)
        shot = sitetools.ARTIFACTS / "a11y" / f"lab_{kind}.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        lab_page.screenshot(path=str(shot))
        results[path] = {
            "counts": counts,
            "controls_without_name": [c for c in controls if not c["name"]],
            "course_serious": sorted({f"{v['id']} ({v['impact']})" for v in violations
                                      for n in v["nodes"] if n["owner"] == "course"
                                      and v["impact"] in sitetools.SERIOUS}),
            "jupyterlab_serious": sorted({f"{v['id']} ({v['impact']})" for v in violations
                                          for n in v["nodes"] if n["owner"] == "jupyterlab"
                                          and v["impact"] in sitetools.SERIOUS}),
            "figure_alts": [f["alt"] for f in figures if not f["demo"]],
            "demo_picture_names": [f["title"] for f in figures if f["demo"]],
        }
        expected = lab_page.evaluate(LIVE_ALTS_JS)
        if path.startswith("notebooks/"):  # stored outputs: the file says the same
            assert expected == _expected_alts(lab[1] / path), (expected, path)
        if results[path]["figure_alts"] != expected:
            results[path]["course_serious"].append(
                f"figure alt texts {results[path]['figure_alts']} are not the cells' lessons.alt")
        if not all(f["title"] and f["title"].strip() for f in figures if f["demo"]):
            results[path]["course_serious"].append(
                f"a demo picture has no name: {results[path]['demo_picture_names']}")
        if kind == "demos-06":
            results[path]["play_by_keyboard"] = _play_with_keys(lab_page)
        if kind.startswith("demos") and not any(c["type"] == "range" for c in controls):
            results[path]["course_serious"].append("no demo slider was found on the page")
    label = os.environ.get("LESSONS_A11Y_LABEL", "after")
    sitetools.write_json(f"a11y/lab_axe_{label}.json", results)
    problems = {p: r["course_serious"] + [f"unnamed {c['tag']}.{c['cls']}"
                                          for c in r["controls_without_name"]]
                for p, r in results.items()}
    problems = {p: v for p, v in problems.items() if v}
    assert not problems, problems


def test_figures_keep_their_alt_text_in_an_untrusted_notebook(lab_page, lab):
    """Stored outputs of a notebook opened fresh are untrusted (sanitised HTML): the figures must
    still load and keep their alt, and axe must find no image without a text alternative."""
    _, served = lab
    fresh = "notebooks/01_untrusted.ipynb"
    shutil.copy2(served / NOTEBOOKS["lecture"], served / fresh)
    lab_page.open_notebook(fresh)
    lab_page.wait_for_function("() => document.querySelector('.jp-OutputArea-output img')",
                               timeout=60_000)
    lab_page.wait_for_timeout(500)
    trusted = lab_page.evaluate("() => window.__lessonsPanel.content.model.cells.get(0).trusted")
    figures = lab_page.evaluate(FIGURES_JS)
    expected = _expected_alts(served / fresh)
    violations = [v["id"] for v in sitetools.run_axe(lab_page, ".jp-Notebook")
                  if v["id"] in {"image-alt", "role-img-alt"}]
    sitetools.write_json("a11y/untrusted_figures.json",
                         {"trusted": trusted, "figures": figures, "violations": violations})
    assert trusted is False, "the copy should open untrusted"
    assert [f["alt"] for f in figures] == expected, figures
    assert all(f["loaded"] and f["src"].startswith("data:image/png") for f in figures), figures
    assert not violations, violations


def _exercises_of_each_kind(course):
    """{kind: (exercise cell index of the answer, checker index, key, answer source)}."""
    exercise = json.loads((course / NOTEBOOKS["exercise"]).read_text(encoding="utf-8"))
    solution = json.loads((course / "solutions" / "01_definitions.ipynb").read_text("utf-8"))
    found = {}
    for index, cell in enumerate(exercise["cells"]):
        match = re.search(r'checks\.check\("([^"]+)"', "".join(cell["source"]))
        if not match:
            continue
        kind = type(checks.lookup(match.group(1))).__name__
        if kind in found:
            continue
        answer = index - 1
        source = "".join(solution["cells"][answer]["source"])
        source = re.sub(r"(?m)^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", "", source)
        found[kind] = (answer, index, match.group(1), source.strip())
    return found


def test_one_exercise_of_each_kind_with_the_keyboard_alone(lab_page, lab):
    course = Path(os.environ.get("LESSONS_COURSE_ROOT", sitetools.ROOT))
    kinds = _exercises_of_each_kind(course)
    assert set(kinds) >= {"Number", "Choice", "Expression", "Slider", "Function"}, kinds
    # A fresh copy, never opened in this server before (the axe test may have run the original).
    _, served = lab
    fresh = "exercises/01_keyboard_only.ipynb"
    shutil.copy2(served / NOTEBOOKS["exercise"], served / fresh)
    lab_page.open_notebook(fresh)
    keyboard = lab_page.keyboard
    # Focus the notebook's first cell in command mode, then walk down with Shift+Enter.
    focus_js = ("(i) => { const p = window.__lessonsPanel; p.content.activeCellIndex = i; "
                "p.content.mode = 'command'; p.content.node.focus(); }")
    lab_page.evaluate(focus_js, 0)  # where a learner's first click would put the focus
    answers = {answer: kind for kind, (answer, *_rest) in kinds.items()}
    checkers = {checker: kind for kind, (_a, checker, *_rest) in kinds.items()}
    last = max(checkers)
    report = {}
    for index in range(last + 1):
        if index in answers:
            keyboard.press("Enter")  # edit mode
            keyboard.press("Control+a")
            keyboard.insert_text(kinds[answers[index]][3])  # typed (as one paste) into the cell
        keyboard.press("Shift+Enter")
        lab_page.wait_idle()
        if index in checkers:
            kind = checkers[index]
            cell = lab_page.locator(".jp-Notebook .jp-Cell").nth(index)
            lab_page.wait_for_timeout(500)
            verdict = cell.locator(".jp-OutputArea-output").inner_text()
            report[kind] = {"key": kinds[kind][2], "verdict": verdict[:200]}
            assert "✅" in verdict, f"{kind}: {verdict[:300]}"
            # The hint button is reachable with the keyboard: Shift+Tab back into the checker.
            reached = None
            for _ in range(25):
                keyboard.press("Shift+Tab")
                reached = lab_page.evaluate(
                    "(i) => { const e = document.activeElement; const cell = document"
                    ".querySelectorAll('.jp-Notebook .jp-Cell')[i]; return cell && "
                    "cell.contains(e) && e.tagName === 'BUTTON' && /hint|💡|lightbulb/i.test("
                    "(e.getAttribute('aria-label') || '') + e.textContent + e.title + "
                    "e.innerHTML) ? (e.getAttribute('aria-label') || e.title || "
                    "e.textContent).trim() || '(no name)' : null; }", index)
                if reached:
                    break
            report[kind]["hint_button_name"] = reached
            assert reached, f"{kind}: the hint button cannot be reached with Shift+Tab"
            if kind == "Slider":  # the exploration box: named, and stepped with the arrow keys
                box = cell.locator(".lessons-explore input")
                box.focus()
                before = cell.locator(".lessons-explore-readout").inner_text()
                keyboard.press("ArrowUp")
                keyboard.press("ArrowUp")
                lab_page.wait_for_timeout(800)
                after = cell.locator(".lessons-explore-readout").inner_text()
                name = lab_page.evaluate(CONTROLS_JS, None)
                report[kind]["explore"] = {"before": before[:60], "after": after[:60],
                                           "names": [c["name"] for c in name
                                                     if "lessons-explore" in c["cls"]
                                                     or c["tag"] == "input"]}
                assert before != after, f"the exploration box did not move: {before!r}"
            # Back to the notebook's command mode on the next cell, as a learner would.
            keyboard.press("Escape")
            lab_page.evaluate(focus_js, index + 1)
    label = os.environ.get("LESSONS_A11Y_LABEL", "after")
    sitetools.write_json(f"a11y/keyboard_{label}.json", report)
    unnamed = [k for k, r in report.items() if r.get("hint_button_name") == "(no name)"]
    assert not unnamed
