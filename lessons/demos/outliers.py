"""Outlier demos of ``04_outliers``: move one point and watch the L2 and L1 lines refit.

`DragDemo` draws on an ipympl canvas (the widget that ``%matplotlib widget`` uses), made for this
one figure, so every other figure of the notebook stays an ordinary inline picture: the learner
drags any point with the mouse. `SliderDemo` shows the same figure as a picture in an
``ipywidgets.Image`` moved by two sliders, for front-ends without ipympl. Both refit with
`lessons.fitting.fit_line` (exact L1) after every move and redraw only what moved (blitting, see
`LiveFigure`). Tests drive them without a browser: feed Matplotlib mouse events to
``figure.canvas.callbacks.process`` or set ``slider.value``, then read `lines` back.

The static figures of ``04_outliers`` live here too: `plot_fits` and `plot_shares`. The maths
behind the notebook's questions (`line_shift`, `l1_change_distance`) is in `lessons.fitting`,
the live canvas in `lessons.canvas`.
"""

import html

import numpy as np
from matplotlib.backend_bases import MouseButton

from lessons import fitting, plotting, registry
from lessons.canvas import LiveFigure, new_figure
from lessons.demos import WidgetDemo, picture, slider

__all__ = [
    "LinesFigure",
    "DragDemo",
    "SliderDemo",
    "plot_fits",
    "plot_shares",
]

_LOSSES = ("l2", "l1", "huber")  # the lines a demo can draw (keys of `lessons.registry`)
_X_LIMITS = (0.0, 9.0)
_Y_LIMITS = (-6.0, 16.0)
_PICK_RADIUS = 15.0  # pixels (at 100 dpi) within which a click grabs a point


def _check_points(x, y):
    """The points as float arrays; a clear ValueError when no line can be fitted to them."""
    fitting.fit_line(x, y, "l2")  # raises a readable ValueError for NaN, lengths, one x value
    return np.array(x, dtype=float), np.array(y, dtype=float)


def _title(name):
    return registry.get(name).title


def _equation(fit):
    sign = "−" if fit.slope < 0 else "+"
    return f"ŷ = {fit.intercept:.2f} {sign} {abs(fit.slope):.2f}·x".replace("-", "−")


class LinesFigure(WidgetDemo):
    """Points and one fitted line per loss on one axes; the moving parts redrawn by blitting.

    The common part of `DragDemo`, `SliderDemo` and ``huber.HuberFitDemo``: `move_point`,
    `refit`, `reset`, `mark` and a display that shows a widget, a picture and a text summary.

    Parameters
    ----------
    x, y : array_like
        The points.
    figure : matplotlib.figure.Figure
        An empty figure on an Agg-based canvas (see `new_figure`).
    losses : tuple of str
        Any of "l2", "l1", "huber".
    delta : float
        Huber's threshold.
    xlim, ylim : (float, float)
        Fixed axis limits, so a dragged point does not rescale the picture.
    labels : dict of str to str, optional
        Legend labels replacing the course's standard ones.
    title : str, optional
        The axes' title.
    """

    def __init__(self, x, y, figure, *, losses=("l2", "l1"), delta=1.0,
                 xlim=_X_LIMITS, ylim=_Y_LIMITS, labels=None, title=None):
        import ipywidgets as widgets

        self.x, self.y = _check_points(x, y)
        self.start_x, self.start_y = self.x.copy(), self.y.copy()
        self.losses = tuple(registry.get(name, among=_LOSSES).key for name in losses)
        self.delta = float(delta)
        self._marked = None
        self.figure = figure
        self.axes = figure.add_subplot()
        self.axes.set(xlim=xlim, ylim=ylim, xlabel="x", ylabel="y", title=title or "")
        self._grid = np.array(xlim, dtype=float)
        # Unclipped: a point moved to the edge of the axes stays a whole dot, not half of one.
        # (Left out of the layout, which must not change as they move.)
        unclipped = {"clip_on": False, "in_layout": False}
        (self.points,) = self.axes.plot(self.x, self.y, "o", color=plotting.color("data"),
                                        markersize=9, zorder=5, label="data", **unclipped)
        (self.marker,) = self.axes.plot([], [], "o", markersize=18, markerfacecolor="none",
                                        markeredgecolor=plotting.color("outlier"),
                                        markeredgewidth=2, zorder=6, **unclipped)
        self.lines = {}
        for name in self.losses:
            style = plotting.line_style(name, delta=self.delta)
            style["label"] = (labels or {}).get(name, style["label"])
            (self.lines[name],) = self.axes.plot(self._grid, self._grid, **style)
        self.place_legend()
        # The equations go in an HTML widget, not in the figure: drawing text is the slowest
        # part of a redraw, and the widget updates through `.value` for free.
        self.readout = widgets.HTML()
        self.readout.add_class("lessons-readout")
        self.live = LiveFigure(figure)
        self.live.add(self.points, self.marker, *self.lines.values())
        self.fits = {}
        self.start_fits = self.refit()
        self.live.refresh()  # a first full draw: lays the figure out and caches its picture
        # Keep that layout: a later full draw then paints exactly what blitting paints (the
        # constrained layout would otherwise nudge the axes by a hair on every draw).
        figure.set_layout_engine("none")

    def place_legend(self, **options):
        """Put the legend beside the axes, on the right: no point can ever move under it."""
        self.axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
                         **options)

    # -- model -------------------------------------------------------------------------------

    def refit(self):
        """Fit every line to the current points and move the artists; return the fits.

        Returns
        -------
        dict of str to LineFit
            Empty (and the lines hidden) if the points admit no line, e.g. one x value.
        """
        try:
            self.fits = {name: fitting.fit_line(self.x, self.y, name, delta=self.delta)
                         for name in self.losses}
        except ValueError:
            self.fits = {}
        for name, line in self.lines.items():
            fit = self.fits.get(name)
            line.set_visible(fit is not None)
            if fit is not None:
                line.set_ydata(fit.predict(self._grid))
        self.points.set_data(self.x, self.y)
        self.readout.value = self._readout_html()
        return self.fits

    def _readout_html(self):
        if not self.fits:
            return f"<b>{html.escape(self.describe())}</b>"
        rows = "".join(
            f'<tr><td style="color: {plotting.color(name)}; padding-right: 1em;"><b>'
            f"{_title(name)}</b></td><td>{html.escape(_equation(fit))}</td></tr>"
            for name, fit in self.fits.items())
        return f'<table style="font-family: monospace;">{rows}</table>'

    def describe(self, separator="; "):
        """The fitted lines as text, one per loss."""
        if not self.fits:
            return "Two different x values are needed to fit a line: move a point sideways."
        width = max(len(_title(name)) for name in self.fits)
        return separator.join(f"{_title(name):<{width}}  {_equation(fit)}"
                              for name, fit in self.fits.items())

    def move_point(self, index, y=None, x=None):
        """Move point `index` (0-based) to height `y` (and to `x` if given); refit; redraw."""
        index = self._check_index(index)
        for value, name in ((y, "y"), (x, "x")):
            if value is not None and not np.isfinite(float(value)):
                raise ValueError(f"{name} must be a finite number, got {value!r}.")
        if y is not None:
            self.y[index] = float(y)
        if x is not None:
            self.x[index] = float(x)
        if index == self._marked:
            self.marker.set_data([self.x[index]], [self.y[index]])
        self.refit()
        self.redraw()

    def reset(self, *_):
        """Put every point back where it started."""
        self.x[:] = self.start_x
        self.y[:] = self.start_y
        if self._marked is not None:
            self.mark(self._marked)
        self.refit()
        self.redraw()

    def mark(self, index):
        """Ring point `index` (None: no ring)."""
        self._marked = None if index is None else self._check_index(index)
        if self._marked is None:
            self.marker.set_data([], [])
        else:
            self.marker.set_data([self.x[self._marked]], [self.y[self._marked]])

    def _check_index(self, index):
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"index must be a whole number, got {index!r}.")
        if not 0 <= index < self.x.size:
            raise ValueError(f"index must be between 0 and {self.x.size - 1}, got {index}.")
        return int(index)

    # -- display -----------------------------------------------------------------------------

    def redraw(self):
        """Show the current state (blitting the moving artists)."""
        self.live.refresh()

    def png(self):
        """The current picture as PNG bytes."""
        return self.live.png()

    def summary(self):
        """One line of plain text describing the current lines (what nbconvert stores)."""
        return f"{type(self).__name__}: {self.describe()}"


class DragDemo(LinesFigure):
    """Drag any point with the mouse; the L2 and L1 lines refit on every move.

    Parameters
    ----------
    x, y : array_like
        The points, e.g. ``data.eight_points()``.
    interactive : bool, default True
        True draws on an ipympl canvas (for JupyterLab); False on Agg (tests, benchmarks).
    losses : tuple of str, default ("l2", "l1")
        Which lines to fit: any of "l2", "l1", "huber".
    delta : float, default 1.0
        Huber's threshold, if "huber" is among `losses`.

    Attributes
    ----------
    figure, axes : the Matplotlib figure and axes; ``figure.canvas`` is the ipympl widget.
    points : Line2D
        The points (markers only).
    lines : dict of str to Line2D
        One fitted line per loss.
    fits, start_fits : dict of str to LineFit
        The current fits and those of the starting points.
    readout : ipywidgets.HTML
        The lines' equations.
    dragging : int or None
        Index of the point being dragged.
    reset_button : ipywidgets.Button
    widget : ipywidgets.VBox or None
        The canvas, the button and the readout, as displayed (None when not interactive).

    Examples
    --------
    >>> from lessons import data
    >>> demo = DragDemo(*data.eight_points(), interactive=False)
    >>> demo.move_point(6, y=14.0)
    >>> demo.fits["l2"].slope > demo.start_fits["l2"].slope
    True
    >>> round(demo.fits["l1"].slope - demo.start_fits["l1"].slope, 9)
    0.0
    """

    def __init__(self, x, y, *, interactive=True, losses=("l2", "l1"), delta=1.0):
        import ipywidgets as widgets

        super().__init__(x, y, new_figure(interactive), losses=losses, delta=delta,
                         title="Drag any point")
        self.dragging = None
        canvas = self.figure.canvas
        canvas.mpl_connect("button_press_event", self._on_press)
        canvas.mpl_connect("motion_notify_event", self._on_motion)
        canvas.mpl_connect("button_release_event", self._on_release)
        self.reset_button = widgets.Button(description="Reset the points", icon="undo")
        self.reset_button.on_click(self.reset)
        self.widget = None
        if interactive:
            from lessons.demos.controls import CanvasName

            name = CanvasName(label=(
                "Live figure: the points with their fitted L2 line (solid) and L1 line (dashed); "
                "drag a point with the mouse and both lines refit (the slider demo does the same "
                "with the keyboard)."))
            self.widget = widgets.VBox([canvas, widgets.HBox([self.reset_button, self.readout]),
                                        name])

    def nearest_point(self, x_pixel, y_pixel):
        """Index of the point within the pick radius of a pixel position, else None."""
        pixels = self.axes.transData.transform(np.column_stack([self.x, self.y]))
        distances = np.hypot(pixels[:, 0] - x_pixel, pixels[:, 1] - y_pixel)
        index = int(np.argmin(distances))
        radius = _PICK_RADIUS * self.figure.dpi / 100.0
        return index if distances[index] <= radius else None

    def _on_press(self, event):
        if event.inaxes is not self.axes or event.button != MouseButton.LEFT:
            return
        self.dragging = self.nearest_point(event.x, event.y)
        if self.dragging is not None:
            self.mark(self.dragging)
            self.redraw()

    def _on_motion(self, event):
        if self.dragging is None or event.inaxes is not self.axes or event.xdata is None:
            return
        self.move_point(self.dragging, y=event.ydata, x=event.xdata)

    def _on_release(self, event):
        if self.dragging is None:
            return
        self.dragging = None
        self.mark(None)
        self.redraw()


class SliderDemo(LinesFigure):
    """Move one point with sliders; the picture of the points and lines updates.

    The slider version of `DragDemo` for front-ends without ipympl: the figure is drawn with
    Agg and shown as an ``ipywidgets.Image``.

    Parameters
    ----------
    x, y : array_like
        The points.
    index : int, default 6
        The point selected first (0-based; the slider shows it 1-based).
    losses, delta
        As in `DragDemo`.

    Attributes
    ----------
    point_slider : lessons.demos.controls.LabelledSlider
        Which point moves, 1 to n, counted from the left.
    height_slider : lessons.demos.controls.LabelledSlider
        Its height y.
    reset_button : ipywidgets.Button
    image : ipywidgets.Image
        The rendered figure.
    widget : ipywidgets.VBox
        Everything, as displayed.
    figure, axes, points, lines, fits, start_fits, readout
        As in `DragDemo`.

    Examples
    --------
    >>> from lessons import data
    >>> demo = SliderDemo(*data.eight_points())
    >>> demo.height_slider.value = 14.0
    >>> float(demo.y[6])
    14.0
    """

    def __init__(self, x, y, *, index=6, losses=("l2", "l1"), delta=1.0):
        import ipywidgets as widgets

        super().__init__(x, y, new_figure(interactive=False), losses=losses, delta=delta,
                         title="Move a point with the sliders")
        index = self._check_index(index)
        low, high = self.axes.get_ylim()
        self.point_slider = slider(index + 1, 1, self.x.size, 1, "point", whole=True)
        self.height_slider = slider(float(self.y[index]), low, high, 0.05, "its height y")
        self.reset_button = widgets.Button(description="Reset the points", icon="undo")
        self.image = picture(
            "Live figure: the points with their fitted L2 line (solid) and L1 line (dashed); the "
            "sliders choose a point and set its height, and both lines refit.")
        self.widget = widgets.VBox([
            widgets.HBox([self.point_slider, self.height_slider, self.reset_button]),
            self.image,
            self.readout,
        ])
        self._syncing = False
        self.point_slider.observe(self._on_point, names="value")
        self.height_slider.observe(self._on_height, names="value")
        self.reset_button.on_click(self.reset)
        self.mark(index)
        self.redraw()

    @property
    def index(self):
        """The selected point, 0-based."""
        return int(self.point_slider.value) - 1

    def _on_point(self, change):
        self.mark(self.index)
        self._syncing = True  # showing the new point's height must not move it
        try:
            self.height_slider.value = float(self.y[self.index])
        finally:
            self._syncing = False
        self.redraw()

    def _on_height(self, change):
        if not self._syncing:
            self.move_point(self.index, y=change["new"])

    def reset(self, *_):
        """Put every point back where it started (and the height slider with them)."""
        super().reset()
        self._syncing = True
        try:
            self.height_slider.value = float(self.y[self.index])
        finally:
            self._syncing = False

    def redraw(self):
        """Blit the moving artists and show the new picture."""
        self.live.refresh()
        if hasattr(self, "image"):
            self.image.value = self.live.png()


# ---------------------------------------------------------------------------------------------
# Static helpers of 04_outliers
# ---------------------------------------------------------------------------------------------
def plot_fits(ax, x, y, losses=("l2", "l1"), *, delta=1.0, highlight=None, xlim=None):
    """Scatter the points and draw the line each loss fits; return the fits.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    x, y : array_like
        The points.
    losses : tuple of str
        Any of "l2", "l1", "huber", each drawn in its colour.
    delta : float
        Huber's threshold.
    highlight : int or sequence of int, optional
        Points to ring in the outlier colour.
    xlim : (float, float), optional
        Where the lines start and end (default: the data's range plus a margin).

    Returns
    -------
    dict of str to LineFit
    """
    x, y = _check_points(x, y)
    fits = {name: fitting.fit_line(x, y, name, delta=delta) for name in losses}
    if xlim is None:
        margin = 0.05 * (x.max() - x.min())
        xlim = (x.min() - margin, x.max() + margin)
    grid = np.array(xlim, dtype=float)
    ax.plot(x, y, "o", color=plotting.color("data"), zorder=5, label="data")
    if highlight is not None:
        chosen = np.atleast_1d(highlight)
        ax.plot(x[chosen], y[chosen], "o", markersize=15, markerfacecolor="none",
                markeredgecolor=plotting.color("outlier"), markeredgewidth=2, zorder=6)
    for name, fit in fits.items():
        ax.plot(grid, fit.predict(grid), **plotting.line_style(name, delta=delta))
    ax.set(xlabel="x", ylabel="y", xlim=xlim)
    return fits


def plot_shares(ax, shares, labels=None):
    """Bars of each point's share of the total loss, side by side for each loss.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    shares : dict of str to ndarray
        Loss name -> each point's share (fractions that add up to 1).
    labels : sequence of str, optional
        One label per point (default "1", "2", ...).

    Returns
    -------
    list of matplotlib.container.BarContainer
    """
    names = list(shares)
    count = len(next(iter(shares.values())))
    positions = np.arange(count)
    width = 0.8 / len(names)
    containers = []
    for offset, name in enumerate(names):
        values = 100.0 * np.asarray(shares[name], dtype=float)
        bars = ax.bar(positions + (offset - (len(names) - 1) / 2) * width, values, width,
                      color=plotting.color(name), label=plotting.label(name))
        ax.bar_label(bars, fmt="%.1f", fontsize=10, padding=2)
        containers.append(bars)
    ax.set_xticks(positions, labels if labels is not None else [str(i + 1) for i in positions])
    ax.set(ylabel="share of the total loss (%)", ylim=(0, 112))
    ax.legend(loc="upper left")
    return containers
