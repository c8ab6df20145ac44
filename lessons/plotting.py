"""The course's one figure style: sizes, fonts, and one colour and label per loss.

Notebooks call ``plotting.use_style()`` once in their setup cell and look colours up by name
(``plotting.color("l1")``), never by hex code or position, so a loss looks the same in every figure.
Importing this module changes nothing; only `use_style` touches Matplotlib's settings.
Introduced in ``01_definitions``.
"""

import base64
import html
import io

import matplotlib as mpl
import numpy as np

from lessons import registry

__all__ = ["COLORS", "LINESTYLES", "MARKERS", "use_style", "color", "label", "line_style",
           "plot_loss_curves", "contrast_ratio", "plot_descent", "plot_line_shifts", "show",
           "figure_bundle"]

# One colour per loss, everywhere in the course. SmoothL1 shares Huber's colour (it is Huber
# divided by β) and is told apart by its line style.
#
# Accessibility (tests/test_plotting_and_data.py measures all of this from this module):
# - every loss colour has at least 3:1 contrast against the white figure background (WCAG 2.1,
#   non-text contrast);
# - every pair of losses in DRAWN_TOGETHER stays at least MIN_CVD_DISTANCE apart in CAM02-UCS
#   under normal vision and under full protan, deutan and tritan simulation;
# - every loss has its own line style (LINESTYLES) and marker (MARKERS), so colour is never the
#   only channel.
# L2 and Huber keep the course's original colours (they pass). The original L1 blue #4A9EDE (2.9:1)
# and pinball ochre #C58B00 (2.97:1) were too light on white, and the original L1/Huber (tritan),
# L1/log-cosh (deutan) and L2/pinball (deutan) pairs were too close. L1, log-cosh and pinball were
# chosen together, each within its original hue family (L1 stays blue, log-cosh purple, pinball a
# dark ochre-brown), as the passing triple nearest the originals in CAM02-UCS.
COLORS = {
    "l2": "#D85A30",
    "l1": "#28698A",
    "huber": "#1D9E75",
    "smooth_l1": "#1D9E75",
    "log_cosh": "#A061D1",
    "pinball": "#7C4603",
    "data": "#3B3B3B",
    "outlier": "#B0172C",
    "truth": "#7F7F7F",
}
LOSSES = ("l2", "l1", "huber", "smooth_l1", "log_cosh", "pinball")
ROLES = ("data", "outlier", "truth")
# Pairs of losses that some figure of the course draws together (found by scanning the notebooks
# and lessons/ for loss names in one figure; tests/test_plotting_and_data.py repeats the scan and
# fails when a new pair appears). Log-cosh and pinball never share a figure.
DRAWN_TOGETHER = frozenset(
    frozenset(pair)
    for pair in [
        ("l1", "l2"), ("huber", "l1"), ("huber", "l2"), ("huber", "log_cosh"),
        ("l1", "log_cosh"), ("l2", "log_cosh"), ("huber", "pinball"), ("l1", "pinball"),
        ("l2", "pinball"), ("huber", "smooth_l1"), ("l1", "smooth_l1"), ("l2", "smooth_l1"),
        ("log_cosh", "smooth_l1"), ("pinball", "smooth_l1"),
    ]
)
# The distinguishability threshold, in CAM02-UCS ΔE' (1 unit ≈ a just-noticeable difference
# between two large patches side by side). The pairs that learners reported as hard to tell apart
# measured 7.6 to 12.6 under their simulation; L2 vs Huber, never reported, measures 16.9 (protan).
# 15 separates the two groups, and is 15 times the large-patch threshold, which thin lines and
# small legend swatches need (colour differences are harder to see on small marks).
MIN_CVD_DISTANCE = 15.0
MIN_CONTRAST = 3.0
BACKGROUND = "#FFFFFF"
# The second channel: one dash pattern and one marker per loss (and per dashed role).
LINESTYLES = {
    "l2": "-",
    "l1": (0, (6, 2)),
    "huber": (0, (6, 2, 1.5, 2)),
    "smooth_l1": (0, (1.5, 1.5)),
    "log_cosh": (0, (6, 2, 1.5, 2, 1.5, 2)),
    "pinball": (0, (12, 2.5)),
    "truth": (0, (3, 3)),
}
MARKERS = {"l2": "s", "l1": "o", "huber": "^", "smooth_l1": "v", "log_cosh": "D", "pinball": "P"}
_LABELS = {
    "l2": "L2 (squared)",
    "l1": "L1 (absolute)",
    "huber": "Huber, δ = {delta:g}",
    "smooth_l1": "SmoothL1, β = {beta:g}",
    "log_cosh": "log-cosh",
    "pinball": "pinball, τ = {tau:g}",
    "data": "data",
    "outlier": "outlier",
    "truth": "true signal",
}
# Sizes chosen to stay readable on a projector: large fonts, thick lines, no chart junk.
_STYLE = {
    "figure.figsize": (8.0, 4.5),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 13,
    "axes.titlesize": 15,
    "axes.labelsize": 14,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "lines.linewidth": 2.5,
    "lines.markersize": 7,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.axisbelow": True,
    "figure.constrained_layout.use": True,
}


def _key(name):
    loss = registry.find(name)  # a loss in any spelling: "mse", "l1_loss", "quantile", ...
    key = loss.key if loss is not None else str(name).lower().replace("-", "_").replace(" ", "_")
    if key not in COLORS:
        raise ValueError(f"no colour for {name!r}; known names: {', '.join(sorted(COLORS))}.")
    return key


def use_style():
    """Apply the course's figure style to Matplotlib (sizes, fonts, spines, grid)."""
    mpl.rcParams.update(_STYLE)


def color(name):
    """Colour of a loss or role by name, e.g. ``color("l1")`` -> ``"#28698A"``.

    Examples
    --------
    >>> color("mse")
    '#D85A30'
    """
    return COLORS[_key(name)]


def label(name, **params):
    """Legend label of a loss, e.g. ``label("huber", delta=1)`` -> ``"Huber, δ = 1"``.

    Examples
    --------
    >>> label("smooth_l1", beta=0.5)
    'SmoothL1, β = 0.5'
    """
    template = _LABELS[_key(name)]
    try:
        return template.format(**params)
    except KeyError as missing:
        raise ValueError(f"label({name!r}) needs the parameter {missing}.") from None


def line_style(name, markers=False, **params):
    """Keyword arguments for ``ax.plot`` that draw a loss in its colour, line style and label.

    Parameters
    ----------
    name : str
        A loss or role name (aliases such as ``"mse"`` work).
    markers : bool or int, optional
        Also put the loss's marker on the line, every `markers`-th point (``True``: every 10th),
        for figures where the line is short or crowded.
    **params
        The label's parameters (``delta``, ``beta``, ``tau``).

    Examples
    --------
    >>> line_style("l2")
    {'color': '#D85A30', 'linestyle': '-', 'label': 'L2 (squared)'}
    >>> line_style("l1", markers=True)["marker"]
    'o'
    """
    key = _key(name)
    style = {"color": COLORS[key], "linestyle": LINESTYLES.get(key, "-"),
             "label": label(key, **params)}
    if markers and key in MARKERS:
        every = 10 if markers is True else int(markers)
        style.update(marker=MARKERS[key], markevery=every, markersize=6)
    return style


def _png(fig):
    """The PNG the inline backend would store for `fig` (same dpi, tight box, colours).

    IPython's ``print_figure`` (``savefig`` with ``bbox_inches="tight"``) lays the figure out
    and measures it in one pass, then draws it again shifted into the box. A figure on a plain
    Agg canvas (the inline backend's) is drawn here once instead, and its tight box, padded by
    ``savefig.pad_inches`` and of the same size in pixels, is cut out of that picture: the
    same image up to a shift of under a pixel, for about half the time.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    pad = mpl.rcParams["savefig.pad_inches"]
    if type(fig.canvas) is FigureCanvasAgg and isinstance(pad, (int, float)):
        return _png_drawn_once(fig, fig.canvas, float(pad))
    try:
        from IPython.core.pylabtools import print_figure
    except ImportError:
        print_figure = None
    data = print_figure(fig, "png") if print_figure else None
    if data is None:  # plain Python, or a figure with no axes: Matplotlib's writer, same settings
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight",
                    facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
        data = buffer.getvalue()
    return data


def _png_drawn_once(fig, canvas, pad):
    canvas.draw()
    box = fig.get_tightbbox(canvas.get_renderer()).padded(pad)  # inches
    dpi = fig.dpi
    pixels = np.asarray(canvas.buffer_rgba())
    height_in = fig.bbox.height / dpi
    # savefig's canvas is int(size · dpi) pixels; the box's top-left corner gives the offset.
    width, height = int(box.width * dpi), int(box.height * dpi)
    left, top = int(round(box.x0 * dpi)), int(round((height_in - box.y1) * dpi))
    face = np.asarray(mpl.colors.to_rgba_array(fig.get_facecolor()) * 255, dtype=np.uint8)[0]
    picture = np.full((height, width, 4), face, dtype=np.uint8)  # the background, then the box
    rows = slice(max(top, 0), min(top + height, pixels.shape[0]))
    cols = slice(max(left, 0), min(left + width, pixels.shape[1]))
    picture[rows.start - top:rows.stop - top, cols.start - left:cols.stop - left] = \
        pixels[rows, cols]
    buffer = io.BytesIO()
    mpl.image.imsave(buffer, picture, format="png", origin="upper", dpi=dpi)
    return buffer.getvalue()


def figure_bundle(fig, alt, png=False):
    """The display data of `fig` with its text alternative `alt`: ``{mime type: content}``.

    ``text/html`` is an ``<img>`` holding the PNG as a ``data:`` URL, with ``alt`` set (JupyterLab,
    Notebook 7, nbconvert's HTML and the site all prefer ``text/html`` to ``image/png``, and their
    own image renderers write no ``alt``); ``text/plain`` is the sentence itself, for screen
    readers of plain outputs and for nbval. With ``png=True`` the PNG is stored a second time as
    ``image/png``, for exports that cannot show HTML (LaTeX/PDF); that doubles the stored size.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        One sentence describing what the figure shows (not "a figure of ...").
    png : bool, optional
        Also include ``image/png``.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> bundle = figure_bundle(fig, "An empty frame.")
    >>> sorted(bundle), bundle["text/plain"]
    (['text/html', 'text/plain'], 'An empty frame.')
    >>> bundle["text/html"].startswith('<img src="data:image/png;base64,')
    True
    >>> figure_bundle(fig, " ")
    Traceback (most recent call last):
    ValueError: a figure needs its text alternative: alt="one sentence on what it shows".
    """
    alt = " ".join(str(alt or "").split())
    if not alt:
        raise ValueError('a figure needs its text alternative: alt="one sentence on what it '
                         'shows".')
    data = _png(fig)
    encoded = base64.b64encode(data).decode("ascii")
    bundle = {
        "text/html": f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}">',
        "text/plain": alt,
    }
    if png:
        bundle["image/png"] = encoded
    return bundle


def show(fig=None, *, alt, png=False):
    """Show a figure with its text alternative, then close it (use instead of ``plt.show()``).

    Every output renderer of the course's audiences (JupyterLab 4, Notebook 7, nbconvert and
    nbgrader feedback, the static site) shows the image with `alt` as its alternative text; the
    figure is closed so the inline backend does not show it a second time.

    Parameters
    ----------
    fig : matplotlib.figure.Figure, optional
        The figure (default: pyplot's current figure).
    alt : str
        One sentence describing what the figure shows. The notebook cell's ``lessons.alt``
        metadata holds the same sentence (tests/test_figures.py checks that they agree).
    png : bool, optional
        Also store ``image/png`` (see `figure_bundle`).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(2, 1))
    >>> show(fig, alt="An empty frame.")  # outside Jupyter: prints the sentence
    An empty frame.
    >>> plt.fignum_exists(fig.number)
    False
    """
    import matplotlib.pyplot as plt

    fig = plt.gcf() if fig is None else fig
    bundle = figure_bundle(fig, alt, png=png)
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None:
        print(bundle["text/plain"])
    else:
        display(bundle, raw=True)


def _linear(channel):
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def contrast_ratio(foreground, background=BACKGROUND):
    """WCAG 2.1 contrast ratio between two ``#RRGGBB`` colours (1 to 21).

    Examples
    --------
    >>> round(contrast_ratio("#000000"), 1)
    21.0
    >>> contrast_ratio(color("l1")) >= 3
    True
    """
    def luminance(hex_colour):
        r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4))
        return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def plot_loss_curves(ax, residuals, curves):
    """Draw several loss curves against the residual on one axis.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Where to draw.
    residuals : ndarray
        Residual values for the x-axis.
    curves : sequence of (name, values, params)
        Loss name (for colour and label), its values at `residuals`, and the label's parameters.

    Returns
    -------
    list of matplotlib.lines.Line2D
    """
    lines = []
    for name, values, params in curves:
        (line,) = ax.plot(residuals, np.asarray(values), **line_style(name, **params))
        lines.append(line)
    ax.set_xlabel("residual e = y − ŷ")
    ax.set_ylabel("loss")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.legend()
    return lines


def plot_line_shifts(axes, x, y, indices, moves, losses=("l2", "l1")):
    """Influence curves: how far each fitted line moves at a point as that point is moved.

    One panel per point in `indices`: for each loss, ``fitting.line_shift`` against the move,
    with a zero line; the first panel carries the y-label and the legend.

    Parameters
    ----------
    axes : sequence of matplotlib.axes.Axes
        One per point.
    x, y : array_like
        The points.
    indices : sequence of int
        The points that move (0-based).
    moves : ndarray
        Vertical moves (the x-axis).
    losses : sequence of str
        The fitted lines.

    Returns
    -------
    dict
        ``{(index, loss): shifts}``, the plotted curves.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> axes = Figure().subplots(1, 2)
    >>> shifts = plot_line_shifts(axes, [0, 1, 2, 3], [0, 1, 2, 3], (2, 3), np.array([0., 4.]))
    >>> shifts[3, "l2"].round(6).tolist(), len(axes[0].lines)
    ([0.0, 2.8], 3)
    """
    from lessons import fitting

    shifts = {}
    for ax, index in zip(axes, indices, strict=True):
        for loss in losses:
            shifts[index, loss] = fitting.line_shift(x, y, index, moves, loss)
            ax.plot(moves, shifts[index, loss], **line_style(loss))
        ax.set(title=f"Moving the point at x = {x[index]:g}", xlabel="how far the point moves")
        ax.axhline(0, color="black", linewidth=0.8)
    axes[0].set_ylabel("how far the line moves there")
    axes[0].legend(loc="upper left")
    return shifts


def plot_location_objectives(axes, samples, locations, unit=""):
    """Draw SSE(m) above SAE(m) against a location m, one column per sample.

    Introduced in ``notebooks/03_likelihood.ipynb``: the SSE is lowest at the mean (a dashed
    line); the SAE is lowest at a median, a dashed line for an odd sample and a shaded interval
    between the two middle values for an even one.

    Parameters
    ----------
    axes : ndarray of matplotlib.axes.Axes, shape (2, len(samples))
        Top row for the SSE, bottom row for the SAE.
    samples : dict of str to array_like
        Column title and the sample's values.
    locations : ndarray
        The locations m on the x-axis.
    unit : str, optional
        Unit of the values, shown in the x-axis label.

    Returns
    -------
    dict of str to (float, (float, float))
        For each title: the mean, and the interval of SAE minimisers (low, high).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, axes = plt.subplots(2, 1, squeeze=False)
    >>> plot_location_objectives(axes, {"three": [1.0, 2.0, 6.0]}, np.linspace(0, 7, 71))
    {'three': (3.0, (2.0, 2.0))}
    >>> plt.close(fig)
    """
    locations = np.asarray(locations, dtype=float)
    found = {}
    for column, (title, values) in enumerate(samples.items()):
        sample = np.sort(np.asarray(values, dtype=float))
        mean = float(sample.mean())
        low, high = float(sample[(sample.size - 1) // 2]), float(sample[sample.size // 2])
        top, bottom = axes[0, column], axes[1, column]
        top.plot(locations, ((sample[:, None] - locations) ** 2).sum(axis=0), color=color("l2"))
        top.axvline(mean, color=color("l2"), linestyle="--", label=f"mean = {mean:g}")
        bottom.plot(locations, np.abs(sample[:, None] - locations).sum(axis=0), color=color("l1"))
        if low == high:
            bottom.axvline(low, color=color("l1"), linestyle="--", label=f"median = {low:g}")
        else:
            bottom.axvspan(low, high, color=color("l1"), alpha=0.25,
                           label=f"every m in [{low:g}, {high:g}]")
        top.set(title=title, ylabel="SSE(m)")
        bottom.set(xlabel=f"location m{f' ({unit})' if unit else ''}", ylabel="SAE(m)")
        top.legend(loc="upper left")
        bottom.legend(loc="upper left")
        found[title] = (mean, (low, high))
    return found


__all__ += ["plot_location_objectives"]


def plot_descent(ax_path, ax_gap, paths, targets, styles, *, floor=1e-16):
    """Gradient descent on a constant: the iterates, and how far they can still be from the target.

    Introduced in ``notebooks/06_training.ipynb`` (and used in its exercises). The right panel
    shows, for each step t, the largest distance to the target from step t on, so a run that
    hops across the target stays flat and one that settles falls.

    Parameters
    ----------
    ax_path, ax_gap : matplotlib.axes.Axes
        Left panel (iterates) and right panel (remaining distance, log-log).
    paths : mapping of str to array_like
        Iterates c_0, c_1, ... of each run.
    targets : mapping of str to float
        Where each run should end (the mean for L2, the median for L1).
    styles : mapping of str to dict
        Line keyword arguments of each run (colour, line style, label).
    floor : float, default 1e-16
        Distances are drawn at least this large, so an exact 0 stays on the log axis.

    Returns
    -------
    dict of str to ndarray
        The largest distance from step t on, per run: what the right panel draws.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, (left, right) = plt.subplots(1, 2)
    >>> plot_descent(left, right, {"run": [0.0, 3.0, 1.0, 2.0]}, {"run": 2.0},
    ...              {"run": {}})["run"].tolist()
    [2.0, 1.0, 1.0, 0.0]
    >>> plt.close(fig)
    """
    remaining = {}
    for name, path in paths.items():
        path = np.asarray(path, dtype=float)
        steps = np.arange(path.size) + 1
        ax_path.plot(steps, path, **styles[name])
        distance = np.abs(path - targets[name])
        remaining[name] = np.maximum.accumulate(distance[::-1])[::-1]
        ax_gap.plot(steps, np.maximum(remaining[name], floor), **styles[name])
    ax_path.set(xscale="log", xlabel="step t + 1", ylabel="c")
    ax_gap.set(xscale="log", yscale="log", xlabel="step t + 1",
               ylabel="largest distance from step t on")
    return remaining
