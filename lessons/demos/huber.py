"""Huber demos and helpers of ``05_huber``: δ sliders over the loss curves and over a Huber fit.

`HuberCurves` shows Huber(δ) and SmoothL1(β = δ) with their slopes and marks the transition
points ±δ; `HuberFitDemo` refits a Huber line between the L1 and L2 lines as δ changes. Both are
drawn with Agg into an ``ipywidgets.Image`` (no ipympl needed) and redraw only what moves (see
`lessons.canvas.LiveFigure`); tests set ``delta_slider.value`` and read the artists back.

The statistics of the notebook's section on choosing δ (`huber_location`, `gaussian_efficiency`)
live in `lessons.estimators`.
"""

import math

import numpy as np

from lessons import losses, plotting
from lessons.canvas import LiveFigure, new_figure
from lessons.demos import WidgetDemo, picture, slider
from lessons.demos.outliers import LinesFigure

__all__ = ["HuberCurves", "HuberFitDemo"]

_DELTA_STEP = 0.05
_LOG_STEP = 0.02  # the Huber-fit slider moves δ by a factor 10**0.02 ≈ 1.047 per step


def _format(value):
    return f"{value:.2f}".replace("-", "−")


class HuberCurves(WidgetDemo):
    """A δ slider over Huber(δ) and SmoothL1(β = δ), their slopes and their transition points.

    Left: the losses of one residual e, with |e| and ½e² (Huber's two limits) for reference and
    dots where Huber turns from quadratic to linear, at e = ±δ. Right: the slopes dℓ/de,
    Huber's capped at ±δ and SmoothL1's at ±1.

    Parameters
    ----------
    delta : float, default 1.0
        Starting δ.
    e_max : float, default 4.0
        The residual axis runs from −e_max to e_max.
    delta_max : float, default 3.0
        Largest δ on the slider (the smallest is 0.1).

    Attributes
    ----------
    delta_slider : lessons.demos.controls.LabelledSlider
    figure, loss_axes, slope_axes
        The figure and its two axes.
    huber, smooth_l1, huber_slope, smooth_l1_slope : Line2D
        The curves that follow δ.
    transitions : Line2D
        The two dots (±δ, ½δ²) on the Huber curve.
    readout : ipywidgets.HTML
        What the dots and slopes show, in words.
    image : ipywidgets.Image
    widget : ipywidgets.VBox

    Examples
    --------
    >>> curves = HuberCurves(delta=1.0)
    >>> curves.delta_slider.value = 2.0
    >>> list(curves.transitions.get_xdata()), list(curves.transitions.get_ydata())
    ([-2.0, 2.0], [2.0, 2.0])
    """

    def __init__(self, delta=1.0, *, e_max=4.0, delta_max=3.0):
        import ipywidgets as widgets

        e_max, delta_max = float(e_max), float(delta_max)
        if not (np.isfinite(e_max) and e_max > 0 and np.isfinite(delta_max) and delta_max > 0.1):
            raise ValueError("e_max must be positive and delta_max larger than 0.1.")
        self.e_max = e_max
        self.delta_slider = slider(delta, 0.1, delta_max, _DELTA_STEP, "δ (and β)")
        self._build_figure()
        self.image = picture(
            "Live figure for the δ on the slider: left, the Huber loss (solid) and SmoothL1 with "
            "β = δ (dashed) against the residual; right, their slopes, capped at ±δ for Huber "
            "and ±1 for SmoothL1.")
        self.readout = widgets.HTML()
        self.readout.add_class("lessons-readout")
        self.widget = widgets.VBox([self.delta_slider, self.image, self.readout])
        self.delta_slider.observe(self.update, names="value")
        self.update()

    @property
    def delta(self):
        """The slider's δ."""
        return float(self.delta_slider.value)

    def _build_figure(self):
        self.figure = new_figure(interactive=False, figsize=(10.0, 4.4))
        self.loss_axes, self.slope_axes = self.figure.subplots(1, 2)
        grid = np.linspace(-self.e_max, self.e_max, 801)
        self._grid = grid
        l1, l2, green = (plotting.color(name) for name in ("l1", "l2", "huber"))
        ax = self.loss_axes
        ax.plot(grid, np.abs(grid), color=l1, linewidth=1.5, label="|e| (SmoothL1 as β → 0)")
        ax.plot(grid, 0.5 * grid**2, color=l2, linewidth=1.5, label="½e² (Huber as δ → ∞)")
        (self.huber,) = ax.plot(grid, grid, color=green, label="Huber(δ)")
        (self.smooth_l1,) = ax.plot(grid, grid, color=green, linestyle="--",
                                    label="SmoothL1(β = δ)")
        (self.transitions,) = ax.plot([], [], "o", color=green, markersize=10, zorder=5)
        ax.set(xlim=(-self.e_max, self.e_max), ylim=(-0.3, 0.5 * self.e_max**2 + 0.5),
               xlabel="residual e = y − ŷ", ylabel="loss ℓ(e)", title="Losses")
        ax.legend(loc="upper center", fontsize=10)

        ax = self.slope_axes
        ax.plot(grid, np.sign(grid), color=l1, linewidth=1.5, label="|e|: ±1")
        ax.plot(grid, grid, color=l2, linewidth=1.5, label="½e²: e")
        (self.huber_slope,) = ax.plot(grid, grid, color=green, label="Huber: capped at ±δ")
        (self.smooth_l1_slope,) = ax.plot(grid, grid, color=green, linestyle="--",
                                          label="SmoothL1: capped at ±1")
        ax.set(xlim=(-self.e_max, self.e_max), ylim=(-self.e_max - 0.3, self.e_max + 0.3),
               xlabel="residual e = y − ŷ", ylabel="slope dℓ/de", title="Slopes")
        ax.legend(loc="upper left", fontsize=10)
        for axes in (self.loss_axes, self.slope_axes):
            axes.axhline(0, color="black", linewidth=0.8)
            axes.axvline(0, color="black", linewidth=0.8)
        self.live = LiveFigure(self.figure)
        self.live.add(self.huber, self.smooth_l1, self.transitions,
                      self.huber_slope, self.smooth_l1_slope)

    def update(self, change=None):
        """Move the curves, dots and readout to the slider's δ and show the new picture."""
        grid, delta = self._grid, self.delta
        zeros = np.zeros_like(grid)
        # Input 0, target e: the residual is e and dℓ/de is minus the gradient w.r.t. the input.
        self.huber.set_ydata(losses.huber_loss(zeros, grid, delta=delta, reduction="none"))
        self.smooth_l1.set_ydata(losses.smooth_l1_loss(zeros, grid, beta=delta, reduction="none"))
        self.huber_slope.set_ydata(-losses.huber_loss_grad(zeros, grid, delta=delta,
                                                           reduction="none"))
        self.smooth_l1_slope.set_ydata(-losses.smooth_l1_loss_grad(zeros, grid, beta=delta,
                                                                   reduction="none"))
        self.transitions.set_data([-delta, delta], [0.5 * delta**2, 0.5 * delta**2])
        self.readout.value = (
            f"<b>δ = {_format(delta)}</b>: Huber is quadratic for |e| &lt; {_format(delta)} and "
            f"linear beyond; at the dots, Huber(±δ) = ½δ² = {_format(0.5 * delta**2)}. "
            f"Slopes: Huber's capped at ±{_format(delta)}, SmoothL1's at ±1.")
        self.live.refresh()
        self.image.value = self.live.png()

    def png(self):
        """The current picture as PNG bytes."""
        return self.live.png()

    def summary(self):
        """One line of plain text (what nbconvert stores)."""
        delta = self.delta
        return (f"HuberCurves at δ = {_format(delta)}: Huber turns linear at e = ±{_format(delta)}"
                f" (value {_format(0.5 * delta**2)}); slopes capped at ±{_format(delta)} (Huber)"
                " and ±1 (SmoothL1). Move the slider to explore.")


class HuberFitDemo(LinesFigure):
    """A δ slider over a Huber line fitted next to the L2 and L1 lines.

    Parameters
    ----------
    x, y : array_like
        The points.
    delta : float, default 1.0
        Starting δ.
    delta_range : (float, float), default (0.01, 10.0)
        The slider's range; it moves on a log scale.
    truth : (float, float), optional
        Intercept and slope of the line the data came from, drawn dashed.
    highlight : array_like of bool or int, optional
        Points to ring (e.g. the outliers).

    Attributes
    ----------
    delta_slider : lessons.demos.controls.LabelledSlider
    lines : dict of str to Line2D
        "l2", "l1" and "huber".
    fits : dict of str to LineFit
    image : ipywidgets.Image
    widget : ipywidgets.VBox

    Examples
    --------
    >>> demo = HuberFitDemo([0, 1, 2, 3, 4], [0, 1, 2, 3, 20], delta=1.0)
    >>> demo.delta_slider.value = 10.0
    >>> round(demo.fits["huber"].slope, 6) == round(demo.fits["l2"].slope, 6)
    True
    """

    def __init__(self, x, y, delta=1.0, *, delta_range=(0.01, 10.0), truth=None,
                 highlight=None):
        import ipywidgets as widgets

        x_values = np.asarray(x, dtype=float)
        y_values = np.asarray(y, dtype=float)
        low, high = (float(value) for value in delta_range)
        if not 0 < low < high:
            raise ValueError(f"delta_range must be two positive numbers, low < high, got "
                             f"{delta_range!r}.")
        x_margin = 0.05 * np.ptp(x_values) if x_values.size else 1.0
        y_margin = 0.1 * np.ptp(y_values) if y_values.size else 1.0
        super().__init__(
            x, y, new_figure(interactive=False),
            losses=("l2", "l1", "huber"), delta=float(np.clip(delta, low, high)),
            xlim=(x_values.min() - x_margin, x_values.max() + x_margin),
            ylim=(y_values.min() - y_margin, y_values.max() + 2.5 * y_margin),
            labels={"huber": "Huber (δ from the slider)"}, title="Huber regression: move δ")
        if highlight is not None:
            chosen = np.flatnonzero(highlight) if np.asarray(highlight).dtype == bool \
                else np.asarray(highlight, dtype=int)
            self.axes.plot(self.x[chosen], self.y[chosen], "o", markersize=15,
                           markerfacecolor="none", markeredgecolor=plotting.color("outlier"),
                           markeredgewidth=2, label="outliers", clip_on=False,
                           in_layout=False)
        if truth is not None:
            intercept, slope = truth
            self.axes.plot(self._grid, intercept + slope * self._grid,
                           **plotting.line_style("truth"))
        self.place_legend(fontsize=10)
        self.live.invalidate()  # the rings, the true line and the legend are new
        # The browser snaps a slider to min + k·step: put the starting δ on that grid, or the
        # page would refit at a slightly different δ than the one given.
        start = math.log10(self.delta)
        below = math.ceil((start - math.log10(low)) / _LOG_STEP - 1e-9)
        above = math.ceil((math.log10(high) - start) / _LOG_STEP - 1e-9)
        self.delta_slider = slider(self.delta, start - below * _LOG_STEP,
                                   start + above * _LOG_STEP, _LOG_STEP, "Huber δ", log=True,
                                   readout_format=".3g")
        self.image = picture(
            "Live figure for the δ on the slider: the data with the L2, L1 and Huber lines; as δ "
            "grows the Huber line moves from the L1 line to the L2 line.")
        self.widget = widgets.VBox([self.delta_slider, self.image, self.readout])
        self.delta_slider.observe(self._on_delta, names="value")
        self.redraw()

    def _on_delta(self, change):
        self.set_delta(change["new"])

    def set_delta(self, delta):
        """Refit the Huber line with threshold `delta` and redraw."""
        delta = float(delta)
        if not (np.isfinite(delta) and delta > 0):
            raise ValueError(f"delta must be a positive number, got {delta!r}.")
        self.delta = delta
        self.refit()
        self.redraw()

    def redraw(self):
        """Blit the moving artists and show the new picture."""
        self.live.refresh()
        if hasattr(self, "image"):
            self.image.value = self.live.png()

    def summary(self):
        """One line of plain text (what nbconvert stores)."""
        return f"HuberFitDemo at δ = {self.delta:.3g}: {self.describe()}"
