"""Outlier demos of ``04_outliers``: move one point and watch the L2 and L1 lines refit.

`DragDemo` draws on an ipympl canvas (the widget that ``%matplotlib widget`` uses), made for this
one figure, so every other figure of the notebook stays an ordinary inline picture: the learner
drags any point with the mouse. `SliderDemo` shows the same figure as a picture in an
``ipywidgets.Image`` moved by two sliders, for front-ends without ipympl. Both refit with
`lessons.fitting.fit_line` (exact L1) after every move and redraw only what moved (blitting, see
`LiveFigure`). Tests drive them without a browser: feed Matplotlib mouse events to
``figure.canvas.callbacks.process`` or set ``slider.value``, then read `lines` back.

The static helpers of ``04_outliers`` live here too: `plot_fits`, `plot_shares`, `line_shift`
and `l1_change_distance`.
"""

import html
import io
import sys
import warnings

import numpy as np
from matplotlib.backend_bases import MouseButton
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lessons import fitting, plotting, registry
from lessons.demos import WidgetDemo

__all__ = [
    "LiveFigure",
    "new_figure",
    "LinesFigure",
    "DragDemo",
    "SliderDemo",
    "plot_fits",
    "plot_shares",
    "line_shift",
    "l1_change_distance",
]

_LOSSES = ("l2", "l1", "huber")  # the lines a demo can draw (keys of `lessons.registry`)
_FIGSIZE = (8.0, 4.5)
_X_LIMITS = (0.0, 9.0)
_Y_LIMITS = (-6.0, 16.0)
_PICK_RADIUS = 15.0  # pixels (at 100 dpi) within which a click grabs a point
_PNG_COMPRESSION = 1  # fast zlib level: the picture is rebuilt on every slider step


def _png(rgba):
    """PNG bytes of an RGBA pixel array (height, width, 4)."""
    from PIL import Image  # Pillow comes with Matplotlib

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgba)).save(buffer, format="png", compress_level=_PNG_COMPRESSION)
    return buffer.getvalue()


class LiveFigure:
    """Redraw a figure's moving artists fast: blit them over a cached picture of the rest.

    A full Matplotlib draw spends most of its time on text (ticks, labels, legend). The artists
    given to `add` are marked animated: a full draw leaves them out and caches the picture of
    everything else, and `refresh` then pastes that picture back and draws only them.
    Works on any Agg-based canvas: Agg itself (pictures, tests) and ipympl (live figures).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure whose canvas is Agg-based (``FigureCanvasAgg`` or ipympl's ``Canvas``).

    Examples
    --------
    >>> figure = new_figure(interactive=False)
    >>> (line,) = figure.add_subplot().plot([0, 1], [0, 1])
    >>> live = LiveFigure(figure)
    >>> live.add(line)
    >>> line.set_ydata([1, 0])
    >>> live.refresh()
    >>> live.png()[:4]
    b'\\x89PNG'
    """

    def __init__(self, figure):
        self.figure = figure
        self.artists = []
        self._canvas = figure.canvas
        self._background = None
        self._renderer = None
        figure.canvas.mpl_connect("draw_event", self._on_draw)

    def add(self, *artists):
        """Mark `artists` as moving: they are redrawn by every `refresh`."""
        for artist in artists:
            artist.set_animated(True)
            self.artists.append(artist)

    def _on_draw(self, event):
        renderer = event.renderer
        if (self._canvas.is_saving() or renderer is not getattr(self._canvas, "renderer", None)
                or "draw_path" in vars(renderer)):
            # savefig draws animated artists itself; draw_without_rendering (which replaces
            # the renderer's draw methods for the pass) paints no pixels worth keeping.
            return
        # A full draw has just painted everything except the moving artists: keep that picture,
        # then put the moving artists on top.
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        self._renderer = self._canvas.get_renderer()
        for artist in self.artists:
            artist.draw(renderer)

    def invalidate(self):
        """Forget the cached picture: call after changing anything that is not moving."""
        self._background = None

    def refresh(self):
        """Show the moving artists' current state (a full draw only when the size changed)."""
        canvas = self._canvas
        if self._background is None or canvas.get_renderer() is not self._renderer:
            canvas.draw()
            return
        canvas.restore_region(self._background)
        for artist in self.artists:
            self.figure.draw_artist(artist)
        canvas.blit(self.figure.bbox)

    def png(self):
        """The picture as PNG bytes, at the figure's own size and dpi."""
        if self._background is None or self._canvas.get_renderer() is not self._renderer:
            self._canvas.draw()
        return _png(self._canvas.buffer_rgba())


def _ipympl_classes():
    """ipympl's ``Canvas`` and ``FigureManager``, imported without switching pyplot's backend.

    Importing the ``ipympl`` package the first time calls ``matplotlib.use`` on itself (so that
    ``import ipympl`` works as ``%matplotlib widget``). Here only its canvas is wanted: the
    notebook's other figures must stay inline, so the backend in use before is restored.
    """
    if "ipympl" not in sys.modules:
        import matplotlib

        before = matplotlib.rcParams._get("backend")  # the raw value: no backend resolution
        fallback = matplotlib.rcParams["backend_fallback"]
        import ipympl  # noqa: F401

        if matplotlib.rcParams._get("backend") != before:
            pyplot = sys.modules.get("matplotlib.pyplot")
            if pyplot is not None:
                pyplot.switch_backend(before)
            else:
                matplotlib.rcParams._set("backend", before)
        matplotlib.rcParams["backend_fallback"] = fallback
    from ipympl.backend_nbagg import Canvas, FigureManager

    return Canvas, FigureManager


def new_figure(interactive=True, figsize=_FIGSIZE):
    """A figure outside pyplot, on an ipympl canvas (live in JupyterLab) or an Agg canvas.

    Parameters
    ----------
    interactive : bool, default True
        True: an ipympl ``Canvas`` widget that receives mouse events from the browser (header,
        toolbar and footer hidden). False: a plain Agg canvas (pictures and tests).
    figsize : (float, float)
        In inches.

    Returns
    -------
    matplotlib.figure.Figure
        Laid out with constrained layout; ``figure.canvas`` is the widget when interactive.
    """
    figure = Figure(figsize=figsize, layout="constrained")
    if interactive:
        Canvas, FigureManager = _ipympl_classes()
        canvas = Canvas(figure)
        # Before a browser shows it, ipympl 0.10 stores every picture the kernel draws in the
        # widget's state as bare base64, which the browser cannot load: a canvas shown inside
        # a box then stays empty (0 × 0 pixels). The browser asks for a picture anyway once
        # the canvas appears, so the kernel need not send one before.
        canvas.syncing_data_url = False
        with warnings.catch_warnings():
            # ipympl's toolbar passes traitlets an argument it ignores (ipympl 0.10, harmless)
            warnings.filterwarnings("ignore", "Passing unrecognized arguments",
                                    DeprecationWarning)
            FigureManager(canvas, 0)  # handles the browser's messages; also makes the toolbar
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_visible = False  # pan and zoom would fight with dragging
        canvas.resizable = False
    else:
        FigureCanvasAgg(figure)
    return figure


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
        (self.points,) = self.axes.plot(self.x, self.y, "o", color=plotting.color("data"),
                                        markersize=9, zorder=5, label="data")
        (self.marker,) = self.axes.plot([], [], "o", markersize=18, markerfacecolor="none",
                                        markeredgecolor=plotting.color("outlier"),
                                        markeredgewidth=2, zorder=6)
        self.lines = {}
        for name in self.losses:
            style = plotting.line_style(name, delta=self.delta)
            style["label"] = (labels or {}).get(name, style["label"])
            (self.lines[name],) = self.axes.plot(self._grid, self._grid, **style)
        self.axes.legend(loc="lower right")
        # The equations go in an HTML widget, not in the figure: drawing text is the slowest
        # part of a redraw, and the widget updates through `.value` for free.
        self.readout = widgets.HTML()
        self.readout.add_class("lessons-readout")
        self.live = LiveFigure(figure)
        self.live.add(self.points, self.marker, *self.lines.values())
        self.fits = {}
        self.start_fits = self.refit()
        self.live.refresh()  # a first full draw: lays the figure out and caches its picture

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
        self.widget = (widgets.VBox([canvas, widgets.HBox([self.reset_button, self.readout])])
                       if interactive else None)

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
    point_slider : ipywidgets.IntSlider
        Which point moves, 1 to n, counted from the left.
    height_slider : ipywidgets.FloatSlider
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
        self.point_slider = widgets.IntSlider(
            value=index + 1, min=1, max=self.x.size, description="point",
            continuous_update=True, style={"description_width": "initial"})
        self.height_slider = widgets.FloatSlider(
            value=float(self.y[index]), min=low, max=high, step=0.05, description="its height y",
            readout_format=".2f", continuous_update=True, style={"description_width": "initial"})
        self.reset_button = widgets.Button(description="Reset the points", icon="undo")
        self.image = widgets.Image(format="png")
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


def line_shift(x, y, index, moves, loss, delta=1.0):
    """How far the fitted line moves at ``x[index]`` when point `index` moves up by each move.

    Parameters
    ----------
    x, y : array_like
        The points.
    index : int
        The point that moves (0-based).
    moves : array_like
        Vertical moves (negative: down).
    loss : {"l2", "l1", "huber"}
    delta : float
        Huber's threshold.

    Returns
    -------
    ndarray
        Fitted value at ``x[index]`` after each move minus the fitted value before.

    Examples
    --------
    >>> line_shift([0, 1, 2, 3], [0, 1, 2, 3], 3, [0.0, 4.0], "l2").round(6).tolist()
    [0.0, 2.8]
    """
    x, y = _check_points(x, y)
    before = float(fitting.fit_line(x, y, loss, delta=delta).predict(x[index]))
    shifts = []
    for move in np.asarray(moves, dtype=float):
        moved = y.copy()
        moved[index] += move
        shifts.append(float(fitting.fit_line(x, moved, loss, delta=delta).predict(x[index])))
    return np.array(shifts) - before


def l1_change_distance(x, y, index, direction):
    """How far point `index` can move up (+1) or down (−1) before the L1 line changes.

    The exact L1 line depends only on which side of it each point lies, so a point that moves
    away from the line never changes it, and one that moves towards it changes it once it
    crosses: after its residual. Both facts are checked with `lessons.fitting.fit_line` on either
    side of the answer.

    Parameters
    ----------
    x, y : array_like
        The points.
    index : int
        The point (0-based).
    direction : {+1, -1}
        Up or down.

    Returns
    -------
    float
        The distance (0 for a point on the line, ``inf`` when no move that way changes it).

    Examples
    --------
    >>> from lessons import data
    >>> round(l1_change_distance(*data.eight_points(), index=3, direction=+1), 6)
    0.333333
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 (up) or -1 (down), got {direction!r}.")
    x, y = _check_points(x, y)
    start = fitting.fit_line(x, y, "l1")
    residual = float(start.residuals[index])
    towards = -np.sign(residual) == direction or residual == 0.0
    answer = abs(residual) if towards else np.inf
    scale = 1.0 + np.abs(y).max()

    def changed(distance):
        moved = y.copy()
        moved[index] += direction * distance
        fit = fitting.fit_line(x, moved, "l1")
        return not (np.isclose(fit.slope, start.slope, rtol=0, atol=1e-9 * scale)
                    and np.isclose(fit.intercept, start.intercept, rtol=0, atol=1e-9 * scale))

    step = 1e-6 * scale
    below, above = (answer - step, answer + step) if np.isfinite(answer) else (1e3 * scale, None)
    if (below > 0 and changed(below)) or (above is not None and not changed(above)):
        raise RuntimeError("the L1 line did not change where expected; please report this.")
    return answer
