"""Fit a straight line exactly under the L2, L1, Huber and pinball losses.

Introduced in ``notebooks/04_outliers.ipynb`` (L2, L1 and Huber lines on data with outliers);
the pinball (quantile) line appears in ``notebooks/07_beyond.ipynb``.

``fit_line(x, y, loss)`` returns a `LineFit` whose objective is the true minimum of the loss,
not the end point of an iterative method that stopped early:

* L2: the closed-form least-squares line (centred formulas, same line as ``numpy.linalg.lstsq``).
* L1 and pinball: an exact search over the breakpoints of a convex piecewise-linear function
  (see `fit_line`), the same optimum a linear-programming solver reaches.
* Huber: Newton's method on the smooth convex objective with an exact line search.
"""

from dataclasses import dataclass, field

import numpy as np

from lessons import losses, quantile_line, registry, validate

__all__ = ["LOSSES", "LineFit", "fit_line", "l1_change_distance", "line_shift", "objective"]

LOSSES = ("l2", "l1", "huber", "pinball")  # keys of `lessons.registry`; any spelling works

_EPS = np.finfo(float).eps
# Huber: stop when the gradient is this small relative to the size of its terms.
_HUBER_GRADIENT_TOL = 1e-10
_HUBER_MAX_ITER = 500


@dataclass(frozen=True)
class LineFit:
    """A fitted line ``prediction = intercept + slope * x`` and how well it fits.

    Attributes
    ----------
    intercept, slope : float
        The line's parameters.
    loss : str
        ``"l2"``, ``"l1"``, ``"huber"`` or ``"pinball"``.
    objective : float
        The minimised sum: SSE for L2, SAE for L1, the sum of Huber terms for Huber,
        the sum of pinball terms for pinball. Never negative.
    residuals : ndarray
        ``y - prediction`` for the data the line was fitted to (read-only).

    Examples
    --------
    >>> fit = LineFit(intercept=1.0, slope=2.0, loss="l1", objective=0.0,
    ...               residuals=np.zeros(2))
    >>> intercept, slope = fit
    >>> float(fit.predict(3.0))
    7.0
    """

    intercept: float
    slope: float
    loss: str
    objective: float
    residuals: np.ndarray = field(repr=False, compare=False)

    def predict(self, x):
        """Predictions ``intercept + slope * x``.

        Parameters
        ----------
        x : float or array_like
            Inputs, any shape.

        Returns
        -------
        float or ndarray
            Same shape as `x`.

        Examples
        --------
        >>> LineFit(1.0, 2.0, "l2", 0.0, np.zeros(2)).predict([0.0, 1.0]).tolist()
        [1.0, 3.0]
        """
        values = np.asarray(x)
        if values.dtype.kind not in "biuf":
            raise ValueError(f"x must contain numbers, got values of type {values.dtype}.")
        return self.intercept + self.slope * values.astype(float)

    def __iter__(self):
        """Yield ``intercept`` then ``slope``, so ``a, b = fit`` works."""
        yield self.intercept
        yield self.slope


def fit_line(x, y, loss="l2", delta=1.0, tau=0.5):
    """Fit ``y ≈ intercept + slope * x`` by minimising a loss summed over the points.

    Parameters
    ----------
    x, y : array_like
        1-D arrays of the same length, finite, with at least two distinct `x` values.
    loss : {"l2", "l1", "huber", "pinball"}, default "l2"
        Any spelling `lessons.registry` knows: ``"mse"``, ``"mae"``, ``"quantile"``, ...
    delta : float, default 1.0
        Huber's threshold: residuals within `delta` cost ``e**2 / 2``, beyond it
        ``delta * (|e| - delta / 2)``. Must be positive.
    tau : float, default 0.5
        Pinball's quantile level, in (0, 1): a residual ``e = y - prediction`` costs
        ``max(tau * e, (tau - 1) * e)``.

    Returns
    -------
    LineFit
        The line, its minimised objective and its residuals.

    Notes
    -----
    L1 is pinball with ``tau = 0.5`` (times two), so both share one exact method, in
    `lessons.quantile_line`: a walk along the edges of the problem (weighted quantiles, one
    sort per step) whose result is certified optimal from its subdifferential, and an exact
    search over the pairwise slopes where that certificate fails (degenerate data). About
    0.1 s for 10**5 points and a second or two for 10**6 (``make bench``).

    When several lines are optimal (common with integer data), the one returned has the
    optimal slope closest to zero and, for that slope, the smallest optimal intercept
    (the lower tau-quantile of ``y - slope * x``). This depends on the data only, not on
    the order of the points.

    Huber starts from the L2 line and takes Newton steps (the Hessian counts only the
    points within `delta`; when fewer than two such points make it singular, a small
    multiple of the reweighted-least-squares matrix is added). Each step goes to the exact
    minimum of the objective along its direction (a piecewise quadratic in the step
    length), halved if rounding makes that worse, so the objective never goes up. It stops
    when each gradient component is below 1e-10 times the size of its terms (or their
    rounding error), when no step lowers the objective, or after 500 steps; the tests
    check the gradient at the result.

    Examples
    --------
    Five points on ``y = x``, except the last, which is 16 too high:

    >>> x, y = [0, 1, 2, 3, 4], [0, 1, 2, 3, 20]
    >>> l2 = fit_line(x, y, "l2")
    >>> round(l2.intercept, 6), round(l2.slope, 6)
    (-3.2, 4.2)
    >>> l1 = fit_line(x, y, "l1")
    >>> round(l1.intercept, 6), round(l1.slope, 6), round(l1.objective, 6)
    (0.0, 1.0, 16.0)

    With a threshold above every L2 residual, Huber is half the squared error:

    >>> huber = fit_line(x, y, "huber", delta=100.0)
    >>> round(huber.slope, 6), round(huber.objective, 6)
    (4.2, 51.2)
    """
    x, y = _validate_data(x, y)
    loss = _validate_loss(loss)
    delta, tau = _validate_parameters(delta, tau)
    if np.unique(x).size < 2:
        raise ValueError(
            "x needs at least two distinct values to fit a line "
            "(with a single x value every slope fits equally well)."
        )
    if loss == "l2":
        intercept, slope = _fit_l2(x, y)
    elif loss == "l1":
        intercept, slope = quantile_line.fit(x, y, 0.5)
    elif loss == "pinball":
        intercept, slope = quantile_line.fit(x, y, tau)
    else:
        intercept, slope = _fit_huber(x, y, delta)
    residuals = y - (intercept + slope * x)
    residuals.setflags(write=False)
    value = _sum_of_losses(residuals, loss, delta, tau)
    return LineFit(float(intercept), float(slope), loss, value, residuals)


def objective(x, y, intercept, slope, loss="l2", delta=1.0, tau=0.5):
    """The summed loss of the line ``intercept + slope * x`` on the points ``(x, y)``.

    Parameters
    ----------
    x, y : array_like
        1-D arrays of the same length, finite, not empty.
    intercept, slope : float
        The line.
    loss, delta, tau
        As in `fit_line`.

    Returns
    -------
    float
        SSE, SAE, the sum of Huber terms or the sum of pinball terms; never negative.

    Examples
    --------
    The line ``1 + 2x`` misses the last point by 1:

    >>> x, y = [0, 1, 2], [1, 3, 6]
    >>> objective(x, y, 1, 2, "l1"), objective(x, y, 1, 2, "l2")
    (1.0, 1.0)
    >>> round(objective(x, y, 1, 2, "pinball", tau=0.9), 6)
    0.9
    """
    x, y = _validate_data(x, y)
    loss = _validate_loss(loss)
    delta, tau = _validate_parameters(delta, tau)
    intercept = validate.number(intercept, "intercept")
    slope = validate.number(slope, "slope")
    return _sum_of_losses(y - (intercept + slope * x), loss, delta, tau)


# ---------------------------------------------------------------------------------------------
# How a line answers to one point (04_outliers)
# ---------------------------------------------------------------------------------------------
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
    x, y = _validate_data(x, y)
    before = float(fit_line(x, y, loss, delta=delta).predict(x[index]))
    shifts = []
    for move in np.asarray(moves, dtype=float):
        moved = y.copy()
        moved[index] += move
        shifts.append(float(fit_line(x, moved, loss, delta=delta).predict(x[index])))
    return np.array(shifts) - before


def l1_change_distance(x, y, index, direction):
    """How far point `index` can move up (+1) or down (−1) before the L1 line changes.

    The exact L1 line depends only on which side of it each point lies, so a point that moves
    away from the line never changes it, and one that moves towards it changes it once it
    crosses: after its residual. Both facts are checked with `fit_line` on either side of the
    answer.

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
    x, y = _validate_data(x, y)
    start = fit_line(x, y, "l1")
    residual = float(start.residuals[index])
    towards = -np.sign(residual) == direction or residual == 0.0
    answer = abs(residual) if towards else np.inf
    scale = 1.0 + np.abs(y).max()

    def changed(distance):
        moved = y.copy()
        moved[index] += direction * distance
        fit = fit_line(x, moved, "l1")
        return not (np.isclose(fit.slope, start.slope, rtol=0, atol=1e-9 * scale)
                    and np.isclose(fit.intercept, start.intercept, rtol=0, atol=1e-9 * scale))

    step = 1e-6 * scale
    below, above = (answer - step, answer + step) if np.isfinite(answer) else (1e3 * scale, None)
    if (below > 0 and changed(below)) or (above is not None and not changed(above)):
        raise RuntimeError("the L1 line did not change where expected; please report this.")
    return answer


# ---------------------------------------------------------------------------------------------
# Input checks: a learner's mistake gets a message that says what to change.
# ---------------------------------------------------------------------------------------------
def _validate_data(x, y):
    x = validate.numbers(x, "x")
    y = validate.numbers(y, "y")
    if x.size != y.size:
        raise ValueError(f"x and y must have the same length, got {x.size} and {y.size}.")
    if x.size == 0:
        raise ValueError("x and y are empty; give at least one point.")
    return x, y


def _validate_loss(loss):
    return registry.get(loss, among=LOSSES).key


def _validate_parameters(delta, tau):
    delta = validate.number(delta, "delta")
    if delta <= 0:
        raise ValueError(f"delta must be positive (Huber's threshold), got {delta}.")
    tau = validate.number(tau, "tau")
    if not 0 < tau < 1:
        raise ValueError(f"tau must lie strictly between 0 and 1, got {tau}.")
    return delta, tau


# ---------------------------------------------------------------------------------------------
# Sums of losses
# ---------------------------------------------------------------------------------------------
def _huber_sum(residuals, delta):
    """Sum of the Huber terms of `residuals` along the last axis."""
    terms = losses.huber_loss(np.zeros_like(residuals), residuals, delta=delta, reduction="none")
    return np.sum(terms, axis=-1)


def _sum_of_losses(residuals, loss, delta, tau):
    if loss == "l2":
        return float(np.sum(residuals**2))
    if loss == "l1":
        return float(np.sum(np.abs(residuals)))
    if loss == "huber":
        return float(_huber_sum(residuals, delta))
    return float(quantile_line.pinball_sum(residuals, tau))


# ---------------------------------------------------------------------------------------------
# L2: closed form on centred data (better conditioned than the raw normal equations)
# ---------------------------------------------------------------------------------------------
def _fit_l2(x, y):
    x_mean, y_mean = x.mean(), y.mean()
    dx = x - x_mean
    slope = np.dot(dx, y - y_mean) / np.dot(dx, dx)
    return y_mean - slope * x_mean, slope


# ---------------------------------------------------------------------------------------------
# Huber: Newton directions with an exact line search
# ---------------------------------------------------------------------------------------------
def _fit_huber(x, y, delta):
    """Huber line; see the Notes of `fit_line`.

    Works in the centred, scaled coordinate u = (x - mean) / std for conditioning; the
    residuals, and so the objective, are the same in either coordinate.
    """
    x_mean, x_std = x.mean(), x.std()
    u = (x - x_mean) / x_std
    design = np.column_stack([np.ones_like(u), u])
    params = np.array([y.mean(), np.dot(u, y) / np.dot(u, u)])  # the L2 line in u
    residuals = y - design @ params
    current = _huber_sum(residuals, delta)
    stalled = 0
    for _ in range(_HUBER_MAX_ITER):
        clipped = np.clip(residuals, -delta, delta)
        gradient = -design.T @ clipped
        # The gradient counts as zero when small next to the size of its terms, or next to
        # the rounding error of the residuals themselves (an exact fit of large numbers).
        rounding = 4.0 * _EPS * (np.abs(y) + np.abs(y - residuals))
        size = np.abs(design).T @ (_HUBER_GRADIENT_TOL * np.abs(clipped) + rounding)
        if np.all(np.abs(gradient) <= size):
            break
        direction = _huber_direction(design, residuals, gradient, delta)
        change = design @ direction  # residuals move by -step * change
        step = _huber_line_minimum(residuals, change, delta)
        # The step minimises the objective along the direction, so it cannot raise it except
        # by rounding; if it does by more than that, halve it until it decreases. (Close to
        # the optimum the decrease is below what a sum of floats resolves, while the
        # gradient, which decides when to stop, is still accurate.)
        slack = 4.0 * y.size * _EPS * current
        for halvings in range(60 if step > 0 else 0):
            value = _huber_sum(residuals - step * change, delta)
            if value < current or (halvings == 0 and value <= current + slack):
                break
            step *= 0.5
        else:
            break
        stalled = stalled + 1 if value >= current else 0
        if stalled > 3:
            break  # rounding-level steps that no longer lower the objective
        params = params + step * direction
        residuals = y - design @ params
        current = _huber_sum(residuals, delta)
    alpha, beta = params
    slope = beta / x_std
    return alpha - slope * x_mean, slope


def _huber_direction(design, residuals, gradient, delta):
    """Newton's direction; if its Hessian is singular, regularised by the IRLS matrix.

    Newton's Hessian counts only the points within delta. With fewer than two of them (at
    distinct x) it is singular; adding a small multiple of the IRLS matrix sum_i w_i z_i z_i^T,
    w_i = min(1, delta / |e_i|), gives a descent direction that mostly turns the line about
    its inlier, which is where the objective can still go down.
    """
    inside = np.abs(residuals) <= delta
    hessian = design[inside].T @ design[inside]
    if np.linalg.det(hessian) > 1e-12 * hessian[0, 0] * hessian[1, 1] > 0:
        return np.linalg.solve(hessian, -gradient)
    weights = np.minimum(1.0, delta / np.maximum(np.abs(residuals), delta))
    weighted = (design * weights[:, None]).T @ design
    return np.linalg.solve(hessian + 1e-6 * weighted, -gradient)


def _huber_line_minimum(residuals, change, delta):
    """The step t >= 0 that minimises sum_i huber(residuals_i - t change_i), exactly.

    phi'(t) = -sum_i clip(e_i - t c_i, -delta, delta) c_i is continuous, piecewise linear
    and nondecreasing: its slope gains c_i**2 while point i is within delta. Sorting the
    times at which points enter and leave that band gives phi' at every breakpoint; the root
    lies on the first segment where phi' turns nonnegative.
    """
    moving = change != 0
    e, c = residuals[moving], change[moving]
    slope_at_zero = -np.dot(np.clip(e, -delta, delta), c)
    if slope_at_zero >= 0:
        return 0.0
    ends = np.sort(np.stack([(e - delta) / c, (e + delta) / c]), axis=0)
    enter, leave = ends  # point i is within delta for enter_i <= t <= leave_i
    curvature = c**2
    times = np.concatenate([enter, leave])
    jumps = np.concatenate([curvature, -curvature])
    later = times > 0
    initial_curvature = np.sum(curvature[(enter <= 0) & (leave > 0)])
    order = np.argsort(times[later], kind="stable")
    times, jumps = times[later][order], jumps[later][order]
    # Curvature on each segment [times[j-1], times[j]], starting from [0, times[0]].
    segment_curvature = initial_curvature + np.concatenate([[0.0], np.cumsum(jumps)[:-1]])
    starts = np.concatenate([[0.0], times[:-1]])
    derivative_at_times = slope_at_zero + np.cumsum(segment_curvature * (times - starts))
    crossing = np.flatnonzero(derivative_at_times >= 0)
    if crossing.size == 0:  # cannot happen for a nonzero direction; stay put if rounding says so
        return 0.0
    j = crossing[0]
    start = starts[j]
    derivative_at_start = slope_at_zero if j == 0 else derivative_at_times[j - 1]
    if segment_curvature[j] <= 0:
        return float(times[j])
    return float(min(start - derivative_at_start / segment_curvature[j], times[j]))


# -- Breakdown (notebook 04) -------------------------------------------------------------------


def corruption_shifts(estimate, values, order, displacement):
    """How far an estimate moves as more and more of its data are moved by `displacement`.

    Introduced in ``notebooks/04_outliers.ipynb`` (section 5, breakdown). For each
    ``k = 0, 1, ..., len(order)`` the values ``values[order[:k]]`` are moved by `displacement`
    and `estimate` is recomputed on the moved copy.

    Parameters
    ----------
    estimate : callable
        Maps a 1-D array of values to one number, e.g. ``np.median`` or a function that fits a
        line to ``(x, values)`` and returns its height at one ``x``.
    values : array_like
        1-D data; never changed.
    order : array_like of int
        Which values are corrupted first, second, ... (a permutation or a prefix of one).
    displacement : float or array_like
        How far each corrupted value is moved (added to it): one number for all, or one per
        entry of `order` (e.g. ``+D`` for some and ``-D`` for others).

    Returns
    -------
    ndarray, shape (len(order) + 1,)
        ``estimate(moved) - estimate(values)`` for k = 0, 1, ..., len(order) corrupted values;
        the first entry is 0.

    Examples
    --------
    >>> corruption_shifts(np.mean, np.zeros(4), [0, 1, 2, 3], 8.0).tolist()
    [0.0, 2.0, 4.0, 6.0, 8.0]
    >>> corruption_shifts(np.median, np.arange(5.0), [4, 3, 2], 100.0).tolist()
    [0.0, 0.0, 0.0, 100.0]
    >>> corruption_shifts(np.mean, np.zeros(2), [0, 1], [4.0, -4.0]).tolist()
    [0.0, 2.0, 0.0]
    """
    values = validate.numbers(values, "values")
    order = np.asarray(order, dtype=int)
    if (order.ndim != 1 or np.unique(order).size != order.size
            or np.any((order < 0) | (order >= values.size))):
        raise ValueError("order must list distinct indices of values, at most one each")
    if np.ndim(displacement) == 0:
        displacement = np.full(order.size, validate.number(displacement, "displacement"))
    else:
        displacement = validate.numbers(displacement, "displacement")
        if displacement.size != order.size:
            raise ValueError("give one displacement, or one for each entry of order")
    start = float(estimate(values))
    shifts = [0.0]
    moved = values.copy()
    for index, move in zip(order, displacement, strict=True):
        moved[index] += move
        shifts.append(float(estimate(moved.copy())) - start)
    return np.array(shifts)


def breakdown_count(shifts, displacement, follows=0.01):
    """The fewest corrupted values whose estimate followed them, from `corruption_shifts`.

    An estimate "follows" the corrupted values once it has moved by more than
    ``follows * |displacement|``: with a displacement far larger than the data's spread, an
    estimate that has not broken down stays within the data and moves a vanishing fraction.

    Parameters
    ----------
    shifts : array_like
        The output of `corruption_shifts` (entry k: shift after k corrupted values).
    displacement : float
        The displacement used to compute `shifts`.
    follows : float, default 0.01
        The fraction of the displacement that counts as following it.

    Returns
    -------
    int or None
        The smallest k with ``|shifts[k]| > follows * |displacement|``; None if no k does.

    Examples
    --------
    >>> breakdown_count([0.0, 0.0, 0.2, 3e5, 5e5], 1e6)
    3
    >>> breakdown_count([0.0, 0.1], 1e6) is None
    True
    """
    shifts = np.abs(np.asarray(shifts, dtype=float))
    limit = follows * abs(float(displacement))
    beyond = np.flatnonzero(shifts > limit)
    return int(beyond[0]) if beyond.size else None


__all__ += ["corruption_shifts", "breakdown_count"]
