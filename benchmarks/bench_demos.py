"""In-kernel latency of the demos of 04_outliers and 05_huber: one event -> refit -> redraw.

Run: ``.venv/bin/python benchmarks/bench_demos.py [EVENTS]`` (default 200 events per case).

Each case feeds the demo what a learner's browser would send (a mouse motion during a drag, a
slider step) and times everything the kernel does before the new picture can leave: the exact
refit, the redraw (blitting, as the demos do; or a full ``figure.canvas.draw()`` for comparison)
and, where the picture travels as PNG, its encoding. The network and the browser's own drawing
are not included. Prints the median and the 95th percentile in milliseconds.
"""

import sys
import time

import matplotlib
import numpy as np
from matplotlib.backend_bases import MouseButton, MouseEvent

matplotlib.use("Agg")

from lessons import data, fitting, plotting  # noqa: E402
from lessons.demos import huber, outliers  # noqa: E402


def _timed(action, count):
    times = []
    for step in range(count):
        started = time.perf_counter()
        action(step)
        times.append(time.perf_counter() - started)
    return 1e3 * np.array(times)


def _heights(count):
    """A drag path: the point goes up to 14 and back down to -4, smoothly."""
    return 5.0 + 9.0 * np.sin(np.linspace(0.0, 2.0 * np.pi, count))


def _drag_case(interactive, full_redraw, count):
    x, y = data.eight_points()
    demo = outliers.DragDemo(x, y, interactive=interactive)
    canvas = demo.figure.canvas
    if interactive:
        canvas.syncing_data_url = False  # as once a browser has shown the figure
    canvas.draw()
    index = 6
    press = demo.axes.transData.transform((x[index], y[index]))
    canvas.callbacks.process("button_press_event", MouseEvent(
        "button_press_event", canvas, *press, button=MouseButton.LEFT))
    if full_redraw:  # the same work, but redrawing everything instead of blitting
        demo.redraw = canvas.draw
    heights = _heights(count)

    def move(step):
        pixel = demo.axes.transData.transform((x[index], heights[step]))
        canvas.callbacks.process("motion_notify_event", MouseEvent(
            "motion_notify_event", canvas, *pixel, button=MouseButton.LEFT))

    times = _timed(move, count)
    assert np.isclose(demo.y[index], heights[-1], atol=0.05)
    return times


def _refit_only(count):
    x, y = data.eight_points()
    heights = _heights(count)

    def refit(step):
        moved = y.copy()
        moved[6] = heights[step]
        fitting.fit_line(x, moved, "l2")
        fitting.fit_line(x, moved, "l1")

    return _timed(refit, count)


def _slider_case(count):
    demo = outliers.SliderDemo(*data.eight_points())
    heights = np.round(_heights(count), 2)

    def step(index):
        demo.height_slider.value = float(heights[index])

    return _timed(step, count)


def _huber_curves_case(count):
    curves = huber.HuberCurves()
    deltas = np.round(np.linspace(0.1, 3.0, count), 2)
    deltas[1::2] = deltas[1::2][::-1]  # alternate, so every step changes δ

    def step(index):
        curves.delta_slider.value = float(deltas[index])

    return _timed(step, count)


def _huber_fit_case(count):
    rng = np.random.default_rng(7)
    x, y, _ = data.line_with_outliers(25, rng, n_outliers=4, outlier_shift=8.0)
    demo = huber.HuberFitDemo(x, y, delta=0.67)
    deltas = np.geomspace(0.02, 9.0, count)
    deltas[1::2] = deltas[1::2][::-1]

    def step(index):
        demo.delta_slider.value = float(deltas[index])

    return _timed(step, count)


def main(argv=None):
    args = sys.argv[1:] if argv is None else argv
    count = int(args[0]) if args else 200
    plotting.use_style()
    cases = [
        ("refit only: exact L1 + L2 on 8 points", lambda: _refit_only(count)),
        ("drag, Agg canvas: refit + blit", lambda: _drag_case(False, False, count)),
        ("drag, Agg canvas: refit + full draw()", lambda: _drag_case(False, True, count)),
        ("drag, ipympl canvas: refit + blit + PNG diff", lambda: _drag_case(True, False, count)),
        ("drag, ipympl canvas: refit + full draw() + PNG",
         lambda: _drag_case(True, True, count)),
        ("height slider: refit + blit + PNG", lambda: _slider_case(count)),
        ("δ slider, Huber curves: redraw + PNG", lambda: _huber_curves_case(count)),
        ("δ slider, Huber fit: refit 3 lines + redraw + PNG", lambda: _huber_fit_case(count)),
    ]
    width = max(len(name) for name, _ in cases)
    print(f"{count} events per case; milliseconds per event, in this Python process")
    print(f"{'case':<{width}}  {'median':>7}  {'p95':>7}")
    for name, run in cases:
        times = run()
        print(f"{name:<{width}}  {np.median(times):7.1f}  {np.percentile(times, 95):7.1f}")


if __name__ == "__main__":
    main()
