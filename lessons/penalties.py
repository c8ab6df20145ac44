"""L1 and L2 *penalties* on weights: ridge, LASSO and elastic net, and their paths.

Introduced in ``notebooks/07_beyond.ipynb``. These are not the L1 and L2 *losses* of the rest of
the course: the loss below is always the squared error of the residuals, and the penalty is a
size of the weight vector ``w`` added to it. All three methods minimise one objective,

    (1 / (2 n)) * ||y - b - X w||²  +  alpha * (l1_ratio * ||w||₁ + (1 - l1_ratio) / 2 * ||w||²₂)

(the scaling scikit-learn and glmnet use): ``l1_ratio=0`` is ridge, ``l1_ratio=1`` is the LASSO,
anything between is the elastic net. The intercept ``b`` is never penalised.

* Ridge has a closed form, so `ridge` solves a linear system.
* LASSO and elastic net use cyclic coordinate descent: each step minimises the objective exactly
  in one weight, which is a soft-thresholding; so a weight is set to exactly ``0.0`` whenever the
  data do not pull on it harder than the L1 penalty holds it.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from lessons import validate

__all__ = [
    "PenalizedFit",
    "PenaltyPath",
    "soft_threshold",
    "objective",
    "ridge",
    "lasso",
    "elastic_net",
    "alpha_max",
    "penalty_path",
    "plot_path",
]

# Coordinate descent stops when no weight moved more than this, relative to the largest weight.
_TOL = 1e-12
_MAX_SWEEPS = 100_000
# A column whose spread is below this (relative to the data's scale) counts as constant.
_CONSTANT_COLUMN = 1e-12


@dataclass(frozen=True)
class PenalizedFit:
    """A fitted linear model ``prediction = intercept + X @ coef`` and its penalised objective.

    Attributes
    ----------
    intercept : float
        Not penalised.
    coef : ndarray, shape (p,)
        The weights (read-only); LASSO and elastic net give exact zeros.
    alpha, l1_ratio : float
        The penalty strength and its L1 share.
    objective : float
        The minimised objective (see the module docstring).
    sweeps : int
        Coordinate-descent sweeps used (0 for the closed-form ridge).
    """

    intercept: float
    coef: np.ndarray = field(repr=False)
    alpha: float
    l1_ratio: float
    objective: float
    sweeps: int = 0

    def predict(self, X):
        """Predictions ``intercept + X @ coef`` for inputs of shape (m, p)."""
        X = validate.numbers(X, "X", ndim=2)
        if X.shape[1] != self.coef.size:
            raise ValueError(f"X has {X.shape[1]} columns; this model was fitted on "
                             f"{self.coef.size}.")
        return self.intercept + X @ self.coef


@dataclass(frozen=True)
class PenaltyPath:
    """Coefficients along a decreasing grid of penalty strengths.

    Attributes
    ----------
    alphas : ndarray, shape (k,)
        Penalty strengths, largest first.
    coefs : ndarray, shape (k, p)
        ``coefs[i]`` are the weights at ``alphas[i]``.
    intercepts : ndarray, shape (k,)
    l1_ratio : float
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    l1_ratio: float

    def nonzero_counts(self):
        """How many weights are not exactly zero at each alpha."""
        return np.count_nonzero(self.coefs, axis=1)


# ---------------------------------------------------------------------------------------------
# The building blocks
# ---------------------------------------------------------------------------------------------
def soft_threshold(z, threshold):
    """Soft-thresholding ``sign(z) * max(|z| - threshold, 0)``: shrink towards 0, stop at 0.

    The minimiser of ``½ (w - z)² + threshold * |w|`` over w: the one-weight LASSO.

    Parameters
    ----------
    z : float or array_like
    threshold : float
        Non-negative.

    Returns
    -------
    float or ndarray
        Exactly ``0.0`` wherever ``|z| <= threshold``.

    Examples
    --------
    >>> soft_threshold([-3.0, -0.5, 0.2, 2.5], 1.0).tolist()
    [-2.0, 0.0, 0.0, 1.5]
    """
    threshold = validate.number(threshold, "threshold", minimum=0.0)
    values = np.asarray(z, dtype=float)
    shrunk = np.sign(values) * np.maximum(np.abs(values) - threshold, 0.0)
    shrunk = shrunk + 0.0  # turn -0.0 into 0.0 so printed zeros read "0.0"
    return float(shrunk) if shrunk.ndim == 0 else shrunk


def objective(X, y, intercept, coef, alpha, l1_ratio=1.0):
    """The penalised objective of the model (intercept, coef) on the data (X, y).

    Returns
    -------
    float
        ``(1/(2n)) ||y - intercept - X coef||² + alpha (l1_ratio ||coef||₁
        + (1 - l1_ratio)/2 ||coef||²)``; never negative.

    Examples
    --------
    >>> objective([[1.0], [2.0]], [1.0, 2.0], 0.0, [1.0], alpha=0.5)
    0.5
    """
    X, y = _validate_data(X, y)
    alpha, l1_ratio = _validate_penalty(alpha, l1_ratio)
    coef = np.asarray(coef, dtype=float).reshape(-1)
    if coef.size != X.shape[1]:
        raise ValueError(f"coef has {coef.size} weights but X has {X.shape[1]} columns.")
    residuals = y - float(intercept) - X @ coef
    return _objective(residuals, coef, alpha, l1_ratio)


def alpha_max(X, y, l1_ratio=1.0):
    """The smallest penalty strength at which every weight is exactly zero.

    At ``w = 0`` the pull of the data on weight j is ``|x_jᵀ (y - ȳ)| / n`` (centred x_j); the
    L1 penalty holds it at zero while ``alpha * l1_ratio`` is at least that pull.

    Returns
    -------
    float
        ``max_j |x_jᵀ (y - ȳ)| / (n * l1_ratio)``; ``inf`` for ridge (``l1_ratio=0``).

    Examples
    --------
    >>> alpha_max([[1.0], [-1.0]], [2.0, 0.0])
    1.0
    """
    X, y = _validate_data(X, y)
    _, l1_ratio = _validate_penalty(0.0, l1_ratio)
    Xc, yc, _, _ = _centre(X, y)
    # The same arithmetic as the first coordinate-descent step, so alpha_max itself gives zeros.
    pulls = [abs(float(Xc[:, j] @ yc) / y.size) for j in range(X.shape[1])]
    pull = max(pulls, default=0.0)
    if l1_ratio == 0.0:
        return math.inf
    top = pull / l1_ratio
    while top * l1_ratio < pull:  # division then multiplication can lose an ulp
        top = math.nextafter(top, math.inf)
    return top


# ---------------------------------------------------------------------------------------------
# Fits
# ---------------------------------------------------------------------------------------------
def ridge(X, y, alpha):
    """Ridge regression (L2 penalty) in closed form.

    Solves ``(XcᵀXc / n + alpha I) w = Xcᵀ yc / n`` on centred data, then sets the intercept so
    the fit passes through the means. Every weight shrinks towards zero as alpha grows, but none
    becomes exactly zero unless its data term is exactly zero.

    Parameters
    ----------
    X : array_like, shape (n, p)
    y : array_like, shape (n,)
    alpha : float
        Non-negative; 0 gives least squares (the minimum-norm solution if X is rank-deficient).

    Returns
    -------
    PenalizedFit

    Examples
    --------
    >>> fit = ridge([[1.0], [-1.0]], [2.0, 0.0], alpha=1.0)
    >>> fit.intercept, fit.coef.tolist()
    (1.0, [0.5])
    """
    X, y = _validate_data(X, y)
    alpha, _ = _validate_penalty(alpha, 0.0)
    Xc, yc, x_mean, y_mean = _centre(X, y)
    n, p = X.shape
    gram = Xc.T @ Xc / n
    if alpha > 0:
        coef = np.linalg.solve(gram + alpha * np.eye(p), Xc.T @ yc / n)
    else:
        coef = np.linalg.lstsq(Xc, yc, rcond=None)[0]
    return _make_fit(X, y, coef, x_mean, y_mean, alpha, 0.0, sweeps=0)


def lasso(X, y, alpha, *, start=None):
    """LASSO (L1 penalty) by coordinate descent with exact soft-thresholding.

    Parameters
    ----------
    X, y, alpha, start
        As in `elastic_net` (this is ``elastic_net(X, y, alpha, l1_ratio=1.0, start=start)``).

    Returns
    -------
    PenalizedFit
        Weights that the data do not pull on harder than ``alpha`` are exactly ``0.0``.

    Examples
    --------
    >>> lasso([[1.0], [-1.0]], [2.0, 0.0], alpha=0.25).coef.tolist()
    [0.75]
    >>> lasso([[1.0], [-1.0]], [2.0, 0.0], alpha=1.0).coef.tolist()
    [0.0]
    """
    return elastic_net(X, y, alpha, l1_ratio=1.0, start=start)


def elastic_net(X, y, alpha, l1_ratio=0.5, *, start=None):
    """Elastic net (L1 and L2 penalties) by coordinate descent.

    The update of weight j minimises the objective in that weight alone:
    ``w_j = S(x_jᵀ r_j / n, alpha * l1_ratio) / (x_jᵀ x_j / n + alpha * (1 - l1_ratio))``, with
    ``S`` the soft-threshold and ``r_j`` the residual without weight j (centred data). Sweeps
    repeat until no weight moves more than 1e-12 relative to the largest weight.

    Parameters
    ----------
    X : array_like, shape (n, p)
    y : array_like, shape (n,)
    alpha : float
        Non-negative penalty strength.
    l1_ratio : float, default 0.5
        Share of the L1 penalty, in [0, 1]: 1 is the LASSO, 0 ridge.
    start : array_like, shape (p,), optional
        Weights to start from; zeros by default.

    Returns
    -------
    PenalizedFit

    Notes
    -----
    A constant column of X cannot explain anything once the data are centred; its weight is 0.

    Examples
    --------
    >>> fit = elastic_net([[1.0], [-1.0]], [2.0, 0.0], alpha=0.5, l1_ratio=0.5)
    >>> round(float(fit.coef[0]), 6)
    0.6
    """
    X, y = _validate_data(X, y)
    alpha, l1_ratio = _validate_penalty(alpha, l1_ratio)
    Xc, yc, x_mean, y_mean = _centre(X, y)
    n, p = X.shape
    coef = np.zeros(p) if start is None else _validate_start(start, p)
    column_size = np.einsum("ij,ij->j", Xc, Xc) / n
    scale = max(float(np.max(column_size, initial=0.0)), 1.0)
    active = column_size > _CONSTANT_COLUMN * scale
    coef[~active] = 0.0
    l1_part, l2_part = alpha * l1_ratio, alpha * (1.0 - l1_ratio)
    residual = yc - Xc @ coef
    sweeps = 0
    for sweeps in range(1, _MAX_SWEEPS + 1):  # noqa: B007 (sweeps is reported afterwards)
        largest_move = 0.0
        for j in np.flatnonzero(active):
            old = coef[j]
            pull = Xc[:, j] @ residual / n + column_size[j] * old
            # soft_threshold(pull, l1_part), inlined: this line runs thousands of times
            new = math.copysign(max(abs(pull) - l1_part, 0.0), pull) / (
                column_size[j] + l2_part
            )
            if new != old:
                residual -= Xc[:, j] * (new - old)
                coef[j] = new
                largest_move = max(largest_move, abs(new - old))
        if largest_move <= _TOL * max(1.0, float(np.max(np.abs(coef), initial=0.0))):
            break
    return _make_fit(X, y, coef, x_mean, y_mean, alpha, l1_ratio, sweeps=sweeps)


def penalty_path(X, y, alphas=None, l1_ratio=1.0, *, n_alphas=60, ratio=1e-3):
    """Fit along a decreasing grid of penalty strengths, each fit warm-started from the last.

    Parameters
    ----------
    X : array_like, shape (n, p)
    y : array_like, shape (n,)
    alphas : array_like, optional
        Penalty strengths (any order; returned largest first). By default `n_alphas` values
        log-spaced from `alpha_max` down to ``ratio * alpha_max`` (for ridge, the `alpha_max` of
        ``l1_ratio=0.001``, as glmnet does).
    l1_ratio : float, default 1.0
        1 for the LASSO path, 0 for ridge (closed form at each alpha), between for elastic net.

    Returns
    -------
    PenaltyPath

    Examples
    --------
    >>> path = penalty_path([[1.0], [-1.0]], [2.0, 0.0], alphas=[2.0, 1.0, 0.5])
    >>> path.coefs[:, 0].tolist()
    [0.0, 0.0, 0.5]
    """
    X, y = _validate_data(X, y)
    _, l1_ratio = _validate_penalty(0.0, l1_ratio)
    if alphas is None:
        top = alpha_max(X, y, max(l1_ratio, 1e-3))
        if top == 0.0:
            raise ValueError("y does not vary with X (alpha_max is 0): there is no path to draw.")
        alphas = top * np.logspace(0.0, math.log10(ratio), int(n_alphas))
    alphas = np.sort(np.asarray(alphas, dtype=float).reshape(-1))[::-1]
    if alphas.size == 0:
        raise ValueError("alphas is empty; give at least one penalty strength.")
    for value in alphas:
        validate.number(value, "each alpha", minimum=0.0)
    coefs, intercepts = [], []
    start = None
    for value in alphas:
        if l1_ratio == 0.0:
            fit = ridge(X, y, value)
        else:
            fit = elastic_net(X, y, value, l1_ratio=l1_ratio, start=start)
            start = fit.coef
        coefs.append(fit.coef)
        intercepts.append(fit.intercept)
    return PenaltyPath(alphas, np.array(coefs), np.array(intercepts), l1_ratio)


def plot_path(ax, path, names=None, colors=None):
    """Draw each coefficient against the penalty strength (log scale, strongest on the left).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    path : PenaltyPath
    names : sequence of str, optional
        One legend label per coefficient; ``w1, w2, ...`` by default.
    colors : sequence of colours, optional
        One per coefficient; Matplotlib's cycle by default.

    Returns
    -------
    list of matplotlib.lines.Line2D
        One line per coefficient, in column order.
    """
    p = path.coefs.shape[1]
    names = [f"w{j + 1}" for j in range(p)] if names is None else list(names)
    if len(names) != p:
        raise ValueError(f"names has {len(names)} entries for {p} coefficients.")
    lines = []
    for j in range(p):
        style = {} if colors is None else {"color": colors[j]}
        (line,) = ax.plot(path.alphas, path.coefs[:, j], label=names[j], **style)
        lines.append(line)
    ax.set_xscale("log")
    ax.set_xlim(path.alphas.max(), path.alphas.min())
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("penalty strength α (stronger ←)")
    ax.set_ylabel("coefficient")
    return lines


# ---------------------------------------------------------------------------------------------
# Helpers: validation, centring, bookkeeping
# ---------------------------------------------------------------------------------------------
def _validate_data(X, y):
    X = validate.numbers(X, "X", ndim=2)
    try:
        y = np.asarray(y)
    except ValueError:
        raise ValueError("y must be a flat list of numbers.") from None
    if y.dtype.kind not in "biuf":
        raise ValueError(f"y must contain numbers, got values of type {y.dtype}.")
    y = y.astype(float).reshape(-1) if y.ndim == 2 and 1 in y.shape else y.astype(float)
    if y.ndim != 1:
        raise ValueError(f"y must be 1-D, got shape {y.shape}.")
    if not np.all(np.isfinite(y)):
        raise ValueError("y contains NaN or infinite values; remove or fix those points.")
    if X.shape[0] != y.size:
        raise ValueError(f"X has {X.shape[0]} rows but y has {y.size} values; they must match.")
    if y.size == 0:
        raise ValueError("X and y are empty; give at least one point.")
    return X, y


def _validate_penalty(alpha, l1_ratio):
    alpha = validate.number(alpha, "alpha", minimum=0.0)
    l1_ratio = validate.number(l1_ratio, "l1_ratio", minimum=0.0)
    if l1_ratio > 1.0:
        raise ValueError(f"l1_ratio must lie in [0, 1] (1 = LASSO, 0 = ridge), got {l1_ratio:g}.")
    return alpha, l1_ratio


def _validate_start(start, p):
    coef = np.array(start, dtype=float).reshape(-1)
    if coef.size != p or not np.all(np.isfinite(coef)):
        raise ValueError(f"start must hold {p} finite weights, got {coef.size}.")
    return coef


def _centre(X, y):
    x_mean, y_mean = X.mean(axis=0), float(y.mean())
    return X - x_mean, y - y_mean, x_mean, y_mean


def _objective(residuals, coef, alpha, l1_ratio):
    data_term = 0.5 * float(residuals @ residuals) / residuals.size
    penalty = l1_ratio * float(np.sum(np.abs(coef))) + 0.5 * (1.0 - l1_ratio) * float(coef @ coef)
    return data_term + alpha * penalty


def _make_fit(X, y, coef, x_mean, y_mean, alpha, l1_ratio, sweeps):
    coef = np.asarray(coef, dtype=float) + 0.0  # no -0.0 weights
    intercept = y_mean - float(x_mean @ coef)
    value = _objective(y - intercept - X @ coef, coef, alpha, l1_ratio)
    coef.setflags(write=False)
    return PenalizedFit(float(intercept), coef, alpha, l1_ratio, value, sweeps)
