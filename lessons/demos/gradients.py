"""Gradient explorer of ``02_gradients``: move the residual e and watch each loss's slope.

A slider over e shows L2, L1 and Huber(δ) with their tangent lines (left) and their slopes
dℓ/de (right). At e = 0 the L1 loss has no tangent: the figure draws its fan of supporting lines
and the whole subdifferential [−1, 1] instead. The picture is drawn with Matplotlib's Agg
renderer into an ``ipywidgets.Image``, so it works with any backend and needs no ``%matplotlib
widget``; tests drive ``slider.value`` and read the artists back.
"""

import html
import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from lessons import plotting, registry
from lessons.demos import WidgetDemo, picture, slider

__all__ = ["LOSSES", "loss_value", "slope", "subgradients", "GradientExplorer"]

LOSSES = ("l2", "l1", "huber")  # keys of `lessons.registry`
_KINK_TOLERANCE = 1e-9  # slider steps such as 0.05 can land a hair away from 0
_TANGENT_HALF_WIDTH = 1.1
_FAN_SLOPES = np.linspace(-1.0, 1.0, 9)
_PNG_DPI = 90


def _loss(name):
    return registry.get(name, among=LOSSES)


def loss_value(name, e, delta=1.0):
    """Loss of one residual `e`: e² for ``"l2"``, |e| for ``"l1"``, Huber(δ) for ``"huber"``.

    Examples
    --------
    >>> loss_value("huber", 3.0, delta=1.0)
    2.5
    """
    return _loss(name).value(0.0, e, delta=delta)


def slope(name, e, delta=1.0):
    """Derivative dℓ/de of one residual's loss; at L1's kink the value autograd uses, 0.

    The gradient with respect to the prediction ŷ is the negative of this (e = y − ŷ).

    Examples
    --------
    >>> slope("l2", 3.0), slope("l1", 3.0), slope("huber", 3.0, delta=1.0)
    (6.0, 1.0, 1.0)
    """
    # Input 0 and target e give the residual e; the gradient w.r.t. the input is −dℓ/de.
    gradient = _loss(name).gradient(0.0, e, reduction="sum", delta=delta)
    return -float(gradient) + 0.0  # + 0.0 turns −0.0 into 0.0


def subgradients(name, e, delta=1.0):
    """The subdifferential of one residual's loss at `e`, as an interval (low, high).

    Equal ends wherever the loss is differentiable; (−1, 1) for L1 at e = 0.

    Examples
    --------
    >>> subgradients("l1", 0.0)
    (-1.0, 1.0)
    """
    if _loss(name).key == "l1" and abs(e) <= _KINK_TOLERANCE:
        return -1.0, 1.0
    value = slope(name, e, delta)
    return value, value


def _format(value):
    return f"{value:.3g}".replace("-", "−")


class GradientExplorer(WidgetDemo):
    """Slider over the residual e: L2, L1 and Huber(δ), their tangents and their slopes.

    Parameters
    ----------
    e : float, default 2.0
        Starting residual.
    delta : float, default 1.0
        Starting Huber threshold δ.
    e_max : float, default 3.0
        The residual slider runs from −e_max to e_max.

    Attributes
    ----------
    slider, delta_slider : lessons.demos.controls.LabelledSlider
        The residual e and the Huber threshold δ.
    figure : matplotlib.figure.Figure
        Left axes: losses with tangents; right axes: slopes dℓ/de.
    curves, tangents, points, slope_curves, slope_points : dict of str to Line2D
        One artist per loss name in `LOSSES`.
    fan : matplotlib.collections.LineCollection
        L1's supporting lines at e = 0 (visible only there).
    subdifferential : Line2D
        The vertical segment [−1, 1] at e = 0 in the slope panel (visible only there).
    readout : ipywidgets.HTML
        Table of loss values, slopes and gradients at the current e.
    image : ipywidgets.Image
        The rendered figure.
    widget : ipywidgets.VBox
        Everything, as displayed.

    Examples
    --------
    >>> explorer = GradientExplorer(e=0.5)
    >>> explorer.slider.value = 2.5
    >>> explorer.slopes()["l2"]
    5.0
    """

    def __init__(self, e=2.0, delta=1.0, *, e_max=3.0):
        import ipywidgets as widgets

        e_max = float(e_max)
        if not (np.isfinite(e_max) and e_max > 0):
            raise ValueError(f"e_max must be a positive number, got {e_max!r}.")
        self.e_max = e_max
        self.slider = slider(e, -e_max, e_max, 0.05, "residual e")
        self.delta_slider = slider(delta, 0.25, 2.5, 0.25, "Huber δ")
        self._build_figure()
        self.readout = widgets.HTML()
        self.image = picture(
            "Live figure: left, the L2, L1 and Huber losses with their tangents at the residual e "
            "chosen on the slider; right, their slopes against the residual.")
        self.widget = widgets.VBox(
            [widgets.HBox([self.slider, self.delta_slider]), self.image, self.readout]
        )
        self.slider.observe(self.update, names="value")
        self.delta_slider.observe(self.update, names="value")
        self.update()
        # Lay the figure out once; redrawing it for every slider step then costs one draw.
        self.figure.set_layout_engine("none")

    # -- state -------------------------------------------------------------------------------

    @property
    def e(self):
        """The current residual, snapped to exactly 0 when the slider is within a hair of it."""
        value = float(self.slider.value)
        return 0.0 if abs(value) <= _KINK_TOLERANCE else value

    @property
    def delta(self):
        """The current Huber threshold δ."""
        return float(self.delta_slider.value)

    def slopes(self):
        """Slope dℓ/de of each loss at the current e (L1 at 0: autograd's 0)."""
        return {name: slope(name, self.e, self.delta) for name in LOSSES}

    # -- drawing -----------------------------------------------------------------------------

    def _build_figure(self):
        self.figure = Figure(figsize=(10.0, 4.4))
        FigureCanvasAgg(self.figure)
        self.loss_axes, self.slope_axes = self.figure.subplots(1, 2)
        grid = np.linspace(-self.e_max, self.e_max, 601)
        self._grid = grid
        self.curves, self.tangents, self.points = {}, {}, {}
        self.slope_curves, self.slope_points = {}, {}
        for name in LOSSES:
            style = plotting.line_style(name, delta=1.0)
            colour = style["color"]
            (self.curves[name],) = self.loss_axes.plot(grid, grid, **style)
            # Dark and dashed: on a linear piece the tangent lies on the curve itself.
            (self.tangents[name],) = self.loss_axes.plot(
                [], [], color="0.15", linewidth=1.5, linestyle="--", zorder=4)
            (self.points[name],) = self.loss_axes.plot([], [], "o", color=colour, zorder=5)
            (self.slope_curves[name],) = self.slope_axes.plot(grid, grid, **style)
            (self.slope_points[name],) = self.slope_axes.plot(
                [], [], "o", color=colour, zorder=5)
        l1_colour = plotting.color("l1")
        self.fan = LineCollection([], colors=l1_colour, linewidths=1.2, alpha=0.55, zorder=3)
        self.loss_axes.add_collection(self.fan)
        (self.subdifferential,) = self.slope_axes.plot(
            [0.0, 0.0], [-1.0, 1.0], color=l1_colour, linewidth=6, alpha=0.45,
            solid_capstyle="butt", zorder=3, label="∂|e|(0) = [−1, 1]")
        self.loss_axes.set(xlim=(-self.e_max, self.e_max), ylim=(-0.6, self.e_max**2 + 0.5),
                           xlabel="residual e = y − ŷ", ylabel="loss ℓ(e)",
                           title="Losses and their tangent at e")
        limit = 2 * self.e_max + 0.5
        self.slope_axes.set(xlim=(-self.e_max, self.e_max), ylim=(-limit, limit),
                            xlabel="residual e = y − ŷ", ylabel="slope dℓ/de",
                            title="Slopes (the gradient w.r.t. ŷ is minus this)")
        for axes in (self.loss_axes, self.slope_axes):
            axes.axhline(0, color="black", linewidth=0.8)
            axes.axvline(0, color="black", linewidth=0.8)
        self._marker_line = self.slope_axes.axvline(0, color="0.4", linewidth=1, linestyle="--")

    def _draw_curves(self):
        grid, delta = self._grid, self.delta
        zeros = np.zeros_like(grid)
        for name in LOSSES:
            loss = _loss(name)
            values = loss.value(zeros, grid, reduction="none", delta=delta)
            slopes = -loss.gradient(zeros, grid, reduction="none", delta=delta)
            if name == "l1":
                # L1's slope jumps at 0: a NaN breaks the line there instead of drawing a riser.
                slopes = np.where(grid == 0, np.nan, slopes)
            self.curves[name].set_ydata(values)
            self.slope_curves[name].set_ydata(slopes)
            label = plotting.label(name, delta=delta)
            self.curves[name].set_label(label)
            self.slope_curves[name].set_label(label)

    def _draw_point(self):
        e, delta = self.e, self.delta
        at_kink = e == 0.0
        for name in LOSSES:
            value = loss_value(name, e, delta)
            gradient = slope(name, e, delta)
            self.points[name].set_data([e], [value])
            self.slope_points[name].set_data([e], [gradient])
            hide_tangent = name == "l1" and at_kink
            xs = np.array([e - _TANGENT_HALF_WIDTH, e + _TANGENT_HALF_WIDTH])
            self.tangents[name].set_data(xs, value + gradient * (xs - e))
            self.tangents[name].set_visible(not hide_tangent)
        segments = [[(-_TANGENT_HALF_WIDTH * 1.4, -g * _TANGENT_HALF_WIDTH * 1.4),
                     (_TANGENT_HALF_WIDTH * 1.4, g * _TANGENT_HALF_WIDTH * 1.4)]
                    for g in _FAN_SLOPES]
        self.fan.set_segments(segments)
        self.fan.set_visible(at_kink)
        self.subdifferential.set_visible(at_kink)
        # A hidden artist keeps its legend entry unless its label says otherwise.
        self.subdifferential.set_label("∂|e|(0) = [−1, 1]" if at_kink else "_hidden")
        self.fan.set_label("L1's supporting lines g·e, |g| ≤ 1" if at_kink else "_hidden")
        self._marker_line.set_xdata([e, e])
        self.loss_axes.legend(loc="upper center")
        self.slope_axes.legend(loc="upper left")

    def _readout_html(self):
        e, delta = self.e, self.delta
        rows = []
        for name in LOSSES:
            low, high = subgradients(name, e, delta)
            value = loss_value(name, e, delta)
            if low == high:
                slope_text, gradient_text = _format(low), _format(-low + 0.0)
            else:
                slope_text = f"any value in [{_format(low)}, {_format(high)}]"
                gradient_text = f"autograd returns {_format(slope(name, e, delta))}"
            label = html.escape(plotting.label(name, delta=delta))
            rows.append(f"<tr><td>{label}</td><td>{_format(value)}</td>"
                        f"<td>{slope_text}</td><td>{gradient_text}</td></tr>")
        header = ("<tr><th>loss</th><th>ℓ(e)</th><th>slope dℓ/de</th>"
                  "<th>gradient ∂ℓ/∂ŷ</th></tr>")
        return (f"<div><b>e = {_format(e)}</b>: L2's slope 2e grows with the error, L1's stays "
                f"at ±1, Huber's is capped at ±δ = ±{_format(delta)}."
                f"<table>{header}{''.join(rows)}</table></div>")

    def update(self, change=None):
        """Redraw the figure and the readout for the sliders' current values."""
        self._draw_curves()
        self._draw_point()
        self.readout.value = self._readout_html()
        self.image.value = self.png()

    def png(self):
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=_PNG_DPI, bbox_inches=None)
        return buffer.getvalue()

    # -- display -----------------------------------------------------------------------------

    def summary(self):
        """One line of plain text: the slopes at the current e (what nbconvert stores)."""
        e, delta = self.e, self.delta
        parts = []
        for name in LOSSES:
            low, high = subgradients(name, e, delta)
            shown = (_format(low) if low == high
                     else f"any value in [{_format(low)}, {_format(high)}]")
            parts.append(f"{_loss(name).title} {shown}")
        return (f"Gradient explorer at e = {_format(e)}, δ = {_format(delta)}: slope dℓ/de is "
                + "; ".join(parts) + ". Move the sliders to explore.")
