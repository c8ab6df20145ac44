"""The course's widgets in a real JupyterLab in headless Chromium, as a learner meets them.

Each test opens a notebook in a temporary copy of the course, clears it and runs all cells,
checks that no widget shows as a text repr and no figure is blank, interacts the way a learner
does (drag a point, move a slider with the keyboard, type an answer and press Enter) and checks
that what the page shows changed. Screenshots of every step go to ``artifacts/browser/``, and
the input-to-redraw latencies to ``artifacts/browser/latency.json`` (read by ``make bench``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lessons import checks

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]

STEPS_PER_INTERACTION = 12  # latency samples per drag or slider; enough for a median and p95
REDRAW_KINDS = ("figure",)

# Kernel-side probes. They run outside the notebook (nothing is added to it) and print JSON.
# Every live Matplotlib figure, found through the garbage collector: a demo's figure need not be
# registered with pyplot (an ipympl canvas made for one figure is not).
FIGURES_CODE = """
def _lessons_figures():
    import gc
    from matplotlib.figure import Figure
    return [item for item in gc.get_objects() if isinstance(item, Figure)]
"""

# The drawn lines of every live figure: the fitted lines of a demo are among them.
DRAWN_LINES_CODE = FIGURES_CODE + """
def _lessons_drawn_lines():
    import json
    import numpy as np
    lines = {}
    for figure in _lessons_figures():
        for a, ax in enumerate(figure.axes):
            for n, line in enumerate(ax.lines):
                if line.get_linestyle() in ("None", "", " "):
                    continue  # markers only: data points, not a fitted line
                y = np.round(np.asarray(line.get_ydata(), dtype=float), 6)
                lines[f"{id(figure)}.{a}.{n}"] = y.tolist()
    print(json.dumps(lines))
_lessons_drawn_lines()
del _lessons_drawn_lines, _lessons_figures
"""

# The point to drag on an ipympl canvas: in the artist a demo made pickable (else the largest
# set of unconnected markers), the point farthest from the others' median, i.e. the outlier.
# Its canvas gets the class `lessons-drag-target`; positions are fractions of the figure, from
# the bottom left, so they map onto the canvas whatever the screen's pixel ratio.
DRAG_TARGET_CODE = FIGURES_CODE + """
def _lessons_drag_target():
    import json
    import numpy as np
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D
    best = None
    for figure in _lessons_figures():
        canvas = figure.canvas
        if not hasattr(canvas, "add_class"):
            continue  # not an ipympl canvas widget
        for ax in figure.axes:
            for artist in list(ax.lines) + list(ax.collections):
                if isinstance(artist, Line2D):
                    markers_only = artist.get_linestyle() in ("None", "", " ")
                    if not (markers_only or artist.get_picker()):
                        continue
                    xy = np.column_stack([artist.get_xdata(), artist.get_ydata()])
                elif isinstance(artist, PathCollection):
                    xy = np.asarray(artist.get_offsets())
                else:
                    continue
                if len(xy) < 2:
                    continue
                rank = (bool(artist.get_picker()), len(xy))
                if best is None or rank > best[0]:
                    best = (rank, canvas, ax, xy.astype(float))
    if best is None:
        print(json.dumps(None))
        return
    _, canvas, ax, xy = best
    index = int(np.argmax(np.abs(xy[:, 1] - np.median(xy[:, 1]))))
    to_figure = canvas.figure.transFigure.inverted()
    x, y = to_figure.transform(ax.transData.transform(xy[index]))
    box = ax.get_position()
    centre = box.y0 + box.height / 2
    # drag a quarter of the axes' height towards its middle: stays inside, always moves the fit
    target = y + (0.25 * box.height if y < centre else -0.25 * box.height)
    canvas.add_class("lessons-drag-target")
    print(json.dumps({"x": float(x), "y": float(y), "target_y": float(target)}))
_lessons_drag_target()
del _lessons_drag_target, _lessons_figures
"""

# What the page shows next to a demo: the text of its read-outs (e.g. the fitted equations).
READOUTS_JS = """
() => [...window.__lessonsPanel.node.querySelectorAll('.lessons-readout')]
  .map((node) => node.innerText)
"""


def _numbered(folder: str, number: str):
    """Notebooks ``folder/NUMBER_*.ipynb`` as test parameters; a skip when there is none yet."""
    found = sorted((ROOT / folder).glob(f"{number}_*.ipynb"))
    if not found:
        reason = f"{folder}/{number}_*.ipynb does not exist yet"
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="missing")]
    return [pytest.param(f"{folder}/{path.name}", id=path.stem) for path in found]


def _slider_handles(lab, label_words) -> list:
    """(label, range input) of every demo slider whose label contains one of `label_words`.

    A demo slider (`lessons.demos.controls.LabelledSlider`) is a native ``<input type=range>``
    named by its ``<label>``: the label is found the way a screen reader finds it.
    """
    inputs = lab.page.locator(".jp-Notebook .lessons-slider input[type=range]")
    found = []
    for index in range(inputs.count()):
        handle = inputs.nth(index)
        label = handle.evaluate("(node) => [...node.labels].map((l) => l.innerText).join(' ')")
        if any(word in label.lower() for word in label_words):
            found.append((label.strip(), handle))
    assert found, f"{lab.path}: no slider labelled with any of {label_words}"
    return found


def _move_slider(lab, handle, name: str) -> list[float]:
    """Press an arrow key on the focused slider repeatedly; return the latency of each press."""
    handle.scroll_into_view_if_needed()
    now = float(handle.input_value())
    low = float(handle.get_attribute("min"))
    high = float(handle.get_attribute("max"))
    key = "ArrowLeft" if now > (low + high) / 2 else "ArrowRight"
    handle.focus()
    samples = []
    for _ in range(STEPS_PER_INTERACTION):
        samples.append(
            lab.timed(lambda: lab.page.keyboard.press(key), "keydown", REDRAW_KINDS)
        )
    moved = float(handle.input_value())
    assert moved != now, f"{lab.path}: the slider {name!r} did not move with {key}"
    return samples


def _output_with(lab, inner):
    """The cell output that contains `inner` (a selector or a locator), for a screenshot."""
    inner = lab.page.locator(inner).first if isinstance(inner, str) else inner
    return inner.locator(
        "xpath=ancestor::div[contains(concat(' ', @class, ' '), ' jp-OutputArea-output ')][1]"
    )


def _drawn_lines(lab) -> dict:
    return json.loads(lab.kernel(DRAWN_LINES_CODE))


def test_lecture_01_figures_and_check_your_understanding(lab_page, latency_log):
    # The checker widget is feedback only (the answer cell is the one input, see
    # test_answers_in_browser.py): unanswered, it says so and lists a Choice's options as text.
    lab = lab_page
    lab.open("notebooks/01_definitions.ipynb")
    try:
        latency_log.run_all(lab.path, lab.run_all())
        lab.assert_renders(min_figures=1)
        lab.screenshot("01-lecture-1-run-all")
        lab.screenshot_figures("01-lecture")

        key = "01.q_outlier_loss"
        spec = checks.lookup(key)
        cell = lab.cell(f'checks.check("{key}"')
        shown = cell.locator(".lessons-exercise").inner_text()
        assert "Not answered yet" in shown or "Correct" in shown, shown
        for option, label in spec.options.items():
            assert f"{option}) {label}" in shown, (option, shown)
        assert cell.locator(".lessons-exercise input").count() == 0, "the widget has an input"
        lab.screenshot("01-lecture-2-check-your-understanding", cell)
    finally:
        lab.close()


def test_exercise_01_checkers_start_unanswered_and_have_no_answer_box(lab_page, latency_log):
    lab = lab_page
    lab.open("exercises/01_definitions.ipynb")
    try:
        latency_log.run_all(lab.path, lab.run_all())
        lab.assert_renders()
        lab.screenshot("01-exercise-1-run-all")
        cell = lab.cell('checks.check("01.mae_delivery"')
        feedback = cell.locator(".lessons-feedback")
        assert "Not answered yet" in feedback.inner_text()
        assert cell.locator(".lessons-exercise input[type=text]").count() == 0
        lab.screenshot("01-exercise-2-unanswered", cell)
    finally:
        lab.close()


@pytest.mark.parametrize("path", _numbered("notebooks", "04"))
def test_outlier_demo_drag_and_slider_move_the_fitted_lines(lab_page, latency_log, path):
    lab = lab_page
    lab.open(path)
    try:
        latency_log.run_all(path, lab.run_all())
        lab.assert_renders(min_figures=1)
        lab.screenshot("04-outliers-1-run-all")
        lab.screenshot_figures("04-outliers")

        target = json.loads(lab.kernel(DRAG_TARGET_CODE))
        assert target, f"{path}: no ipympl figure with draggable points"
        canvas = lab.page.locator(".lessons-drag-target .jupyter-matplotlib-canvas-div canvas")
        canvas.last.scroll_into_view_if_needed()
        box = canvas.last.bounding_box()
        x = box["x"] + target["x"] * box["width"]
        y = box["y"] + (1 - target["y"]) * box["height"]
        y_end = box["y"] + (1 - target["target_y"]) * box["height"]
        lines_before, pixels_before = _drawn_lines(lab), lab.figure_pixels()
        readouts_before = lab.page.evaluate(READOUTS_JS)

        mouse = lab.page.mouse
        mouse.move(x, y)
        mouse.down()
        samples = []
        for step in range(1, STEPS_PER_INTERACTION + 1):
            y_step = y + (y_end - y) * step / STEPS_PER_INTERACTION
            samples.append(
                lab.timed(lambda y_step=y_step: mouse.move(x, y_step), "mousemove", REDRAW_KINDS)
            )
        mouse.up()
        lab.page.wait_for_function(
            "() => window.__lessonsPanel.sessionContext.session.kernel.status === 'idle'"
        )
        lines_after = _drawn_lines(lab)
        moved = [key for key in lines_before if lines_after.get(key) != lines_before[key]]
        assert moved, f"{path}: dragging a point changed no fitted line ({lines_before})"
        assert lab.figure_pixels() != pixels_before, f"{path}: the figure did not redraw"
        if readouts_before:  # the equations shown under the figure follow the lines
            assert lab.page.evaluate(READOUTS_JS) != readouts_before, f"{path}: read-out unchanged"
        lab.screenshot("04-outliers-2-after-drag", _output_with(lab, ".lessons-drag-target"))
        latency_log.step("outliers_drag_to_redraw", samples)

        lines_before, pixels_before = lines_after, lab.figure_pixels()
        # the slider of the chosen point's height (the other one picks which point)
        label, handle = _slider_handles(lab, ("height",))[0]
        samples = _move_slider(lab, handle, label)
        assert lab.figure_pixels() != pixels_before, f"{path}: the slider redrew nothing"
        lines_after = _drawn_lines(lab)
        if lines_before:  # an ipympl figure: the fitted lines themselves must have moved
            assert lines_after != lines_before, f"{path}: the slider moved no fitted line"
        lab.screenshot("04-outliers-3-after-slider", _output_with(lab, handle))
        latency_log.step("outliers_slider_to_redraw", samples, label)
    finally:
        lab.close()


@pytest.mark.parametrize("path", _numbered("notebooks", "05"))
def test_huber_delta_slider_redraws(lab_page, latency_log, path):
    lab = lab_page
    lab.open(path)
    try:
        latency_log.run_all(path, lab.run_all())
        lab.assert_renders(min_figures=1)
        lab.screenshot("05-huber-1-run-all")
        lab.screenshot_figures("05-huber")

        for number, (label, handle) in enumerate(_slider_handles(lab, ("δ", "delta")), 1):
            pixels_before = lab.figure_pixels()
            samples = _move_slider(lab, handle, label)
            assert lab.figure_pixels() != pixels_before, f"{path}: moving {label!r} redrew nothing"
            lab.assert_renders(min_figures=1)
            lab.screenshot(f"05-huber-2-after-delta-{number}", _output_with(lab, handle))
            suffix = "" if number == 1 else f"_{number}"
            latency_log.step(f"huber_delta_slider{suffix}_to_redraw", samples, label)
    finally:
        lab.close()


# Two sliders rendered in the same millisecond, each from its own copy of the module (anywidget
# may import a widget's ESM once per model): each input must keep its own label. Date.now is
# frozen so that a time-and-counter id would repeat, as it once did in a CI run.
TWO_SLIDERS_JS = """
async (esm) => {
  Date.now = () => 1700000000000;
  for (const description of ['first slider', 'second slider']) {
    const url = URL.createObjectURL(new Blob([esm], { type: 'text/javascript' }));
    const module = await import(url);
    const state = { description, min: 0, max: 1, step: 0.1, value: 0.5, log: false,
                    integer: false, play: false, disabled: false, readout_format: '.2f',
                    continuous_update: true, interval: 100 };
    const model = { get: (k) => state[k], set: (k, v) => { state[k] = v; },
                    save_changes: () => {}, on: () => {}, off: () => {} };
    const el = document.createElement('div');
    document.body.append(el);
    await (module.default?.render ?? module.render)({ model, el });
  }
  return [...document.querySelectorAll('input[type=range]')].map((input) => ({
    id: input.id, labels: [...input.labels].map((l) => l.textContent) }));
}
"""


def test_two_sliders_rendered_together_each_keep_their_label(lab_page):
    from lessons.demos.controls import LabelledSlider

    context = lab_page.page.context.browser.new_context()
    try:
        inputs = context.new_page().evaluate(TWO_SLIDERS_JS, LabelledSlider._esm)
    finally:
        context.close()
    assert [i["labels"] for i in inputs] == [["first slider"], ["second slider"]], inputs
    assert inputs[0]["id"] != inputs[1]["id"]
