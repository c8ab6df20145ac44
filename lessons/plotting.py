"""The course's one figure style: sizes, fonts, and one colour and label per loss.

Notebooks call ``plotting.use_style()`` once in their setup cell and look colours up by name
(``plotting.color("l1")``), never by hex code or position, so a loss looks the same in every figure.
Importing this module changes nothing; only `use_style` touches Matplotlib's settings.
Introduced in ``01_definitions``.
"""

import matplotlib as mpl
import numpy as np

__all__ = ["COLORS", "use_style", "color", "label", "line_style", "plot_loss_curves",
           "plot_descent"]

# One colour per loss, everywhere in the course. SmoothL1 shares Huber's colour, dashed.
COLORS = {
    "l2": "#D85A30",
    "l1": "#4A9EDE",
    "huber": "#1D9E75",
    "smooth_l1": "#1D9E75",
    "log_cosh": "#8E5BB5",
    "pinball": "#C58B00",
    "data": "#3B3B3B",
    "outlier": "#B0172C",
    "truth": "#7F7F7F",
}
_ALIASES = {"mse": "l2", "squared": "l2", "mae": "l1", "absolute": "l1", "smoothl1": "smooth_l1",
            "quantile": "pinball", "logcosh": "log_cosh"}
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
_DASHED = {"smooth_l1", "truth"}

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
    key = str(name).lower().replace("-", "_").replace(" ", "_")
    key = _ALIASES.get(key, key)
    if key not in COLORS:
        raise ValueError(f"no colour for {name!r}; known names: {', '.join(sorted(COLORS))}.")
    return key


def use_style():
    """Apply the course's figure style to Matplotlib (sizes, fonts, spines, grid)."""
    mpl.rcParams.update(_STYLE)


def color(name):
    """Colour of a loss or role by name, e.g. ``color("l1")`` -> ``"#4A9EDE"``.

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


def line_style(name, **params):
    """Keyword arguments for ``ax.plot`` that draw a loss in its colour, line style and label."""
    key = _key(name)
    return {"color": COLORS[key], "linestyle": "--" if key in _DASHED else "-",
            "label": label(key, **params)}


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
