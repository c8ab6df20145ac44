"""The demos of 04_outliers and 05_huber, driven without a browser.

Drags are Matplotlib mouse events fed to ``figure.canvas.callbacks.process`` (press, motions,
release); sliders are driven through ``.value``. Each test reads the artists back.
"""

import base64
import doctest
import io

import numpy as np
import pytest
from matplotlib.backend_bases import MouseButton, MouseEvent
from PIL import Image

from lessons import canvas, data, fitting, losses
from lessons.demos import huber, outliers
from lessons.keys import nb04, nb05

X, Y = data.eight_points()


def _pixels(demo, x, y):
    return demo.axes.transData.transform((x, y))


def _send(demo, name, x_pixel, y_pixel, button=MouseButton.LEFT):
    event = MouseEvent(name, demo.figure.canvas, x_pixel, y_pixel, button=button)
    demo.figure.canvas.callbacks.process(name, event)


def _drag(demo, index, to_y, to_x=None, steps=8):
    """Press on point `index`, move in `steps` motions to (to_x, to_y), release."""
    start = _pixels(demo, demo.x[index], demo.y[index])
    end = _pixels(demo, demo.x[index] if to_x is None else to_x, to_y)
    _send(demo, "button_press_event", *start)
    grabbed = demo.dragging
    for step in range(1, steps + 1):
        _send(demo, "motion_notify_event", *(start + (end - start) * step / steps))
    _send(demo, "button_release_event", *end)
    return grabbed


def _line_heights(demo):
    return {name: np.array(line.get_ydata(), dtype=float) for name, line in demo.lines.items()}


def _rgba(png_bytes):
    return np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGBA"))


# --------------------------------------------------------------------------------------------
# DragDemo
# --------------------------------------------------------------------------------------------
def test_drag_moves_the_point_and_the_l2_line_far_more_than_the_l1_line():
    demo = outliers.DragDemo(X, Y, interactive=False)
    before = _line_heights(demo)
    grabbed = _drag(demo, 6, to_y=Y[6] + 9.0)
    after = _line_heights(demo)
    assert grabbed == 6
    assert np.isclose(demo.y[6], Y[6] + 9.0)
    assert np.allclose(np.delete(demo.y, 6), np.delete(Y, 6))
    l2_move = np.max(np.abs(after["l2"] - before["l2"]))
    l1_move = np.max(np.abs(after["l1"] - before["l1"]))
    assert l2_move > 2.0  # the L2 line chases the point...
    assert l1_move < 1e-9  # ...while the L1 line, above which the point already was, stays put
    assert l2_move > 100 * max(l1_move, 1e-12)
    # The artists show the refitted lines.
    grid = np.array(demo.axes.get_xlim())
    for name in ("l2", "l1"):
        assert np.allclose(after[name], fitting.fit_line(demo.x, demo.y, name).predict(grid))
    assert demo.dragging is None and len(demo.marker.get_xdata()) == 0


def test_drag_down_through_the_l1_line_moves_it_but_boundedly():
    demo = outliers.DragDemo(X, Y, interactive=False)
    start = demo.start_fits
    _drag(demo, 6, to_y=Y[6] - 12.0)
    l1_shift = abs(demo.fits["l1"].predict(X[6]) - start["l1"].predict(X[6]))
    l2_shift = abs(demo.fits["l2"].predict(X[6]) - start["l2"].predict(X[6]))
    assert 0 < l1_shift < 1.0 < l2_shift


def test_drag_can_move_a_point_sideways_too():
    demo = outliers.DragDemo(X, Y, interactive=False)
    _drag(demo, 0, to_y=Y[0], to_x=0.5)
    assert np.isclose(demo.x[0], 0.5) and np.isclose(demo.y[0], Y[0])


def test_clicks_that_grab_nothing_change_nothing():
    demo = outliers.DragDemo(X, Y, interactive=False)
    before = _line_heights(demo)
    empty = _pixels(demo, 4.5, 12.0)  # far from every point
    _send(demo, "button_press_event", *empty)
    assert demo.dragging is None
    _send(demo, "motion_notify_event", *_pixels(demo, 4.5, 0.0))
    point = _pixels(demo, X[2], Y[2])
    _send(demo, "button_press_event", *point, button=MouseButton.RIGHT)
    assert demo.dragging is None
    _send(demo, "motion_notify_event", *_pixels(demo, X[2], 10.0))
    assert np.array_equal(demo.y, Y)
    for name, heights in _line_heights(demo).items():
        assert np.array_equal(heights, before[name])


def test_motion_outside_the_axes_is_ignored_while_dragging():
    demo = outliers.DragDemo(X, Y, interactive=False)
    _send(demo, "button_press_event", *_pixels(demo, X[3], Y[3]))
    assert demo.dragging == 3
    _send(demo, "motion_notify_event", 2.0, 2.0)  # bottom-left corner of the figure
    assert np.array_equal(demo.y, Y)


def test_reset_puts_points_and_lines_back():
    demo = outliers.DragDemo(X, Y, interactive=False)
    before = _line_heights(demo)
    _drag(demo, 1, to_y=12.0)
    demo.reset_button.click()
    assert np.array_equal(demo.y, Y) and np.array_equal(demo.x, X)
    for name, heights in _line_heights(demo).items():
        assert np.allclose(heights, before[name])


def test_points_with_one_x_value_get_a_message_not_an_error():
    demo = outliers.DragDemo(X, Y, interactive=False)
    for index in range(1, X.size):
        demo.move_point(index, y=Y[index], x=X[0])
    assert demo.fits == {}
    assert "Two different x values" in demo.readout.value
    assert not any(line.get_visible() for line in demo.lines.values())
    demo.move_point(1, y=Y[1], x=5.0)
    assert set(demo.fits) == {"l2", "l1"}
    assert all(line.get_visible() for line in demo.lines.values())


@pytest.mark.parametrize(
    "index, value, message",
    [(8, 1.0, "between 0 and 7"), (-1, 1.0, "between 0 and 7"), (True, 1.0, "whole number"),
     (2.0, 1.0, "whole number"), (2, np.nan, "finite"), (2, np.inf, "finite")],
)
def test_move_point_refuses_bad_input_clearly(index, value, message):
    demo = outliers.DragDemo(X, Y, interactive=False)
    with pytest.raises(ValueError, match=message):
        demo.move_point(index, y=value)


def test_bad_points_or_losses_are_refused_clearly():
    with pytest.raises(ValueError, match="same length"):
        outliers.DragDemo([1, 2, 3], [1, 2], interactive=False)
    with pytest.raises(ValueError, match="unknown loss .l3.; choose one of"):
        outliers.DragDemo(X, Y, interactive=False, losses=("l3",))


def test_interactive_drag_demo_is_an_ipympl_widget_and_drags_the_same_way():
    demo = outliers.DragDemo(X, Y)  # ipympl canvas, no browser attached
    canvas = demo.figure.canvas
    assert type(canvas).__name__ == "Canvas" and type(canvas).__module__.startswith("ipympl")
    assert demo.widget.children[0] is canvas
    assert canvas.toolbar_visible is False and canvas.header_visible is False
    canvas.draw()  # what the browser asks for when the figure appears
    _drag(demo, 6, to_y=Y[6] + 8.0)
    assert demo.fits["l2"].slope > demo.start_fits["l2"].slope + 0.3
    assert np.isclose(demo.fits["l1"].slope, demo.start_fits["l1"].slope)
    # ipympl 0.10 would store bare base64 here, which the browser cannot load (empty canvas)
    url = canvas._data_url
    assert url is None or url.startswith("data:image/png;base64,")


def _move_something(demo):
    if isinstance(demo, huber.HuberCurves):
        demo.delta_slider.value = 2.5
    elif isinstance(demo, huber.HuberFitDemo):
        demo.delta_slider.value = 0.1
    else:
        demo.move_point(4, y=10.0)


@pytest.mark.parametrize("make", [
    lambda: outliers.DragDemo(X, Y, interactive=False),
    lambda: outliers.DragDemo(X, Y),
    lambda: outliers.SliderDemo(X, Y),
    lambda: huber.HuberCurves(),
    lambda: huber.HuberFitDemo(X, Y, delta=1.0, truth=(1.0, 0.5), highlight=[6]),
], ids=["drag-agg", "drag-ipympl", "sliders", "huber-curves", "huber-fit"])
def test_blitted_picture_matches_a_full_redraw(make):
    demo = make()
    _move_something(demo)
    blitted = _rgba(demo.png())
    demo.figure.canvas.draw()  # everything from scratch
    full = _rgba(canvas.png_bytes(demo.figure.canvas.buffer_rgba()))
    assert blitted.shape == full.shape
    assert np.mean(np.any(blitted != full, axis=-1)) < 1e-4
    assert np.mean(np.all(full[..., :3] == 255, axis=-1)) < 0.97  # not a blank picture


def test_display_bundle_has_widget_picture_and_stable_text():
    demo = outliers.DragDemo(X, Y)
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"])[:4] == b"\x89PNG"
    assert bundle["text/plain"] == (
        "DragDemo: L2  ŷ = 1.10 + 0.48·x; L1  ŷ = 1.30 + 0.43·x"
    )
    assert repr(demo) == bundle["text/plain"]


# --------------------------------------------------------------------------------------------
# SliderDemo
# --------------------------------------------------------------------------------------------
def test_height_slider_moves_the_point_and_refits():
    demo = outliers.SliderDemo(X, Y)
    first_picture = demo.image.value
    before = _line_heights(demo)
    demo.height_slider.value = 14.0
    after = _line_heights(demo)
    assert demo.index == 6 and np.isclose(demo.y[6], 14.0)
    l2_move = np.max(np.abs(after["l2"] - before["l2"]))
    l1_move = np.max(np.abs(after["l1"] - before["l1"]))
    assert l2_move > 2.0 and l1_move < 1e-9
    assert demo.image.value != first_picture and demo.image.value[:4] == b"\x89PNG"
    assert np.allclose(demo.marker.get_ydata(), [14.0])


def test_point_slider_selects_without_moving():
    demo = outliers.SliderDemo(X, Y)
    demo.point_slider.value = 2
    assert demo.index == 1
    assert np.isclose(demo.height_slider.value, Y[1], atol=0.05)
    assert np.array_equal(demo.y, Y)
    assert np.allclose(demo.marker.get_xdata(), [X[1]])
    demo.height_slider.value = 0.0
    assert np.isclose(demo.y[1], 0.0) and np.allclose(np.delete(demo.y, 1), np.delete(Y, 1))


def test_slider_reset_restores_points_and_slider():
    demo = outliers.SliderDemo(X, Y, index=0)
    demo.height_slider.value = -5.0
    demo.reset_button.click()
    assert np.array_equal(demo.y, Y)
    assert np.isclose(demo.height_slider.value, Y[0], atol=0.05)


def test_slider_demo_text_is_stable():
    demo = outliers.SliderDemo(X, Y)
    assert demo._repr_mimebundle_()["text/plain"] == (
        "SliderDemo: L2  ŷ = 1.10 + 0.48·x; L1  ŷ = 1.30 + 0.43·x"
    )


# --------------------------------------------------------------------------------------------
# Static figures of 04_outliers
# --------------------------------------------------------------------------------------------
def test_plot_helpers_draw_what_they_return():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    fits = outliers.plot_fits(ax, X, Y, ("l2", "l1", "huber"), delta=0.5, highlight=[6])
    assert set(fits) == {"l2", "l1", "huber"}
    assert np.isclose(fits["huber"].slope, fitting.fit_line(X, Y, "huber", delta=0.5).slope)
    shares = {"l1": np.array([0.25, 0.75]), "l2": np.array([0.1, 0.9])}
    containers = outliers.plot_shares(Figure().add_subplot(), shares, labels=["a", "b"])
    heights = [[bar.get_height() for bar in container] for container in containers]
    assert np.allclose(heights, [[25.0, 75.0], [10.0, 90.0]])


# --------------------------------------------------------------------------------------------
# 05_huber: HuberCurves and HuberFitDemo
# --------------------------------------------------------------------------------------------
def test_huber_curves_follow_the_slider():
    curves = huber.HuberCurves(delta=1.0)
    first_picture = curves.image.value
    curves.delta_slider.value = 2.0
    e = curves._grid
    assert np.allclose(curves.huber.get_ydata(),
                       losses.huber_loss(np.zeros_like(e), e, delta=2.0, reduction="none"))
    assert np.allclose(curves.smooth_l1.get_ydata(),
                       losses.smooth_l1_loss(np.zeros_like(e), e, beta=2.0, reduction="none"))
    assert np.allclose(curves.transitions.get_xdata(), [-2.0, 2.0])
    assert np.allclose(curves.transitions.get_ydata(), [2.0, 2.0])
    assert np.max(curves.huber_slope.get_ydata()) == pytest.approx(2.0)
    assert np.max(curves.smooth_l1_slope.get_ydata()) == pytest.approx(1.0)
    assert "δ = 2.00" in curves.readout.value
    assert curves.image.value != first_picture
    assert curves._repr_mimebundle_()["text/plain"].startswith("HuberCurves at δ = 2.00")


def test_huber_fit_demo_moves_between_the_l1_and_l2_lines():
    rng = np.random.default_rng(7)
    x, y, is_outlier = data.line_with_outliers(25, rng, n_outliers=4, outlier_shift=8.0)
    demo = huber.HuberFitDemo(x, y, delta=0.5 * 1.345, truth=(1.0, 0.5), highlight=is_outlier)
    centre = x.mean()
    level = {name: float(fit.predict(centre)) for name, fit in demo.fits.items()}
    assert min(level["l1"], level["l2"]) < level["huber"] < max(level["l1"], level["l2"])
    first = np.array(demo.lines["huber"].get_ydata())
    largest = np.max(np.abs(demo.fits["l2"].residuals))
    demo.delta_slider.value = 10.0  # above every L2 residual: Huber is L2 exactly
    assert largest < 10.0
    assert np.allclose(demo.lines["huber"].get_ydata(), demo.lines["l2"].get_ydata())
    assert not np.allclose(first, demo.lines["huber"].get_ydata())
    demo.delta_slider.value = 0.01
    assert np.allclose(demo.lines["huber"].get_ydata(), demo.lines["l1"].get_ydata(), atol=0.05)
    with pytest.raises(ValueError, match="positive"):
        demo.set_delta(0.0)
    with pytest.raises(ValueError, match="delta_range"):
        huber.HuberFitDemo(x, y, delta_range=(1.0, 0.5))


def test_making_an_ipympl_canvas_leaves_pyplots_backend_alone():
    import subprocess
    import sys

    script = (
        "import matplotlib, matplotlib.pyplot as plt\n"
        "matplotlib.use('agg')\n"
        "from lessons import data\n"
        "from lessons.demos import outliers\n"
        "outliers.DragDemo(*data.eight_points())\n"
        "print(matplotlib.get_backend(), type(plt.figure().canvas).__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["agg", "FigureCanvasAgg"]


@pytest.mark.parametrize("module", [outliers, huber, canvas], ids=["outliers", "huber", "canvas"])
def test_doctests_pass(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------------------------
# The answer keys of 04 and 05: right answers pass, the listed mistakes get their message
# --------------------------------------------------------------------------------------------
def _shares(residuals, loss="l2"):
    size = np.abs(np.asarray(residuals, dtype=float))
    per_point = size**2 if loss == "l2" else size
    return per_point / per_point.sum()


def test_answer_keys_accept_the_solutions_and_explain_the_mistakes():
    from lessons import checks

    glitch = data.residuals_with_glitch()
    right = {
        "04.predict_drag": "b",
        "04.mse_glitch": np.mean(glitch**2),
        "04.l1_stays": -fitting.fit_line(X, Y, "l1").residuals[3],
        "04.loss_shares": _shares,
        "04.q_l1_side": "c",
        # the week's MAE without its glitch day: the six other days' |e| over 6, not 7
        "04.spot_glitch_claim": np.mean(np.abs(np.delete(glitch, np.argmax(np.abs(glitch))))),
        "05.huber_value": 1.5 * (4 - 0.75),
        "05.huber_grad": 1.5,
        "05.regime_delta": 2.0,
        "05.smooth_from_huber":
            "Piecewise((e**2/(2*beta), Abs(e) < beta), (Abs(e) - beta/2, True))",
        "05.choose_delta": "a",
        "05.q_delta_limit": "b",
    }
    keys = set(nb04.EXERCISES) | set(nb05.EXERCISES)
    assert set(right) == keys
    for key, answer in right.items():
        assert checks.feedback(key, answer).correct, key
        assert checks.feedback(key, ...).status == "unanswered", key
    assert "sum of squared errors" in checks.feedback("04.mse_glitch", np.sum(glitch**2)).message
    assert "L2 line" in checks.feedback("04.l1_stays", 0.0).message
    assert "opposite sign" in checks.feedback("05.huber_grad", -1.5).message
    assert "divides it by β" in checks.feedback(
        "05.smooth_from_huber",
        "Piecewise((e**2/2, Abs(e) < beta), (beta*(Abs(e) - beta/2), True))").message
    assert not checks.feedback("05.choose_delta", "b").correct
    assert checks.feedback("04.l1_stays", "1/3").correct


# --------------------------------------------------------------------------------------------
# Points near the axes stay whole and clear of the legend (issue 14)
# --------------------------------------------------------------------------------------------
def _edge_cases():
    slider = outliers.SliderDemo(X, Y, index=7)
    low, high = slider.height_slider.min, slider.height_slider.max
    yield "slider", slider, lambda value: setattr(slider.height_slider, "value", value), (low, high)
    drag = outliers.DragDemo(X, Y, interactive=False)
    bottom, top = drag.axes.get_ylim()
    yield "drag", drag, lambda value: drag.move_point(0, y=value), (bottom, top)
    fit = huber.HuberFitDemo(X, Y, delta=1.0, highlight=[6])
    bottom, top = fit.axes.get_ylim()
    yield "huber", fit, lambda value: fit.move_point(7, y=value), (bottom, top)


def test_points_at_the_axes_edges_stay_whole_and_never_under_the_legend():
    for name, demo, move, extremes in _edge_cases():
        for value in extremes:
            move(value)
            demo.png()  # a full draw: the layout is final
            renderer = demo.figure.canvas.get_renderer()
            axes_box = demo.axes.get_window_extent(renderer)
            legend_box = demo.axes.get_legend().get_window_extent(renderer)
            assert not legend_box.overlaps(axes_box), name
            figure_box = demo.figure.bbox
            for artist in (demo.points, demo.marker):
                assert not artist.get_clip_on(), name
            radius = demo.points.get_markersize() / 72 * demo.figure.dpi / 2
            for px, py in demo.axes.transData.transform(np.column_stack([demo.x, demo.y])):
                assert figure_box.x0 + radius <= px <= figure_box.x1 - radius, name
                assert figure_box.y0 + radius <= py <= figure_box.y1 - radius, name
                assert not (legend_box.x0 - radius <= px <= legend_box.x1 + radius
                            and legend_box.y0 - radius <= py <= legend_box.y1 + radius), name
