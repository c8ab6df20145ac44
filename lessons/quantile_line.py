"""The exact L1 and pinball (quantile) line: ``fitting.fit_line(x, y, "l1" | "pinball")``.

L1 is pinball with ``tau = 0.5`` (times two), so both share one exact method. For a fixed slope
``b`` the best intercept is a tau-quantile of ``y - b * x``, so the objective as a function of
the slope alone, ``F(b)``, is convex and piecewise linear with breakpoints at the pairwise
slopes ``(y_i - y_j) / (x_i - x_j)``; its minimum lies at a breakpoint. Two exact methods:

* `fit` first walks along the edges of the problem (Wesolowsky's method, 1981): the best line
  through one data point is a weighted quantile of the slopes to every other point (one sort),
  and that line passes through a second point, which becomes the next pivot. Each step lowers
  the objective; a handful of steps reach the optimum. The subdifferential of ``F`` at the
  slope found (exact, from the points on the line) certifies it: 0 must lie inside it, and
  ``F`` must not be flat towards zero (else another optimal slope lies closer to zero). Time
  O(n log n) per step: 10**6 points in a few seconds.
* When that certificate fails (many points on the optimal line, or a flat optimum: degenerate,
  mostly integer, data), `_breakpoint_search` halves the set of pairwise slopes by the sign of
  ``F'`` between a median candidate and its successor (all pairs up to about 320 points;
  beyond, a seeded sample of pairs first narrows the range). Exact, but O(n**2) time.

Both return the same line: the optimal slope closest to zero and, for it, the smallest optimal
intercept (the lower tau-quantile of ``y - slope * x``).

Examples
--------
>>> intercept, slope = fit(np.array([0.0, 1.0, 2.0, 3.0, 4.0]), np.array([0, 1, 2, 3, 20.0]), 0.5)
>>> round(intercept, 9), round(slope, 9)
(0.0, 1.0)
"""

import math

import numpy as np

from lessons import losses

__all__ = ["fit", "pinball_sum"]

# Up to this many pairs (about 320 points) all pairwise slopes are searched directly.
# Beyond it a seeded sample of pairs first narrows the range of slopes, so only the few
# pairwise slopes inside that range are ever held in memory.
_DIRECT_PAIRS = 50_000
# Pairs drawn (with a fixed seed, so fits are reproducible) to narrow the search for large n.
_SAMPLE_PAIRS = 1 << 15
# Once this few candidate slopes remain, the objective is evaluated at all of them.
_FEW_CANDIDATES = 64
# Above this many points the edge walk runs first; below it the breakpoint search is as fast.
_WALK_FROM = 200
_WALK_MAX_STEPS = 200
# The weighted quantile of each step: a strided sample of this size brackets it, this wide.
_PICK_SAMPLE = 2048
_PICK_MARGIN = 0.03
_EPS = np.finfo(float).eps


def pinball_sum(residuals, tau):
    """Sum of the pinball terms of `residuals` (y - prediction) along the last axis.

    Examples
    --------
    >>> float(pinball_sum(np.array([2.0, -2.0]), 0.9))
    2.0
    """
    terms = losses.pinball_loss(np.zeros_like(residuals), residuals, tau=tau, reduction="none")
    return np.sum(terms, axis=-1)


def fit(x, y, tau):
    """The exact pinball line ``(intercept, slope)`` of the points: see the module docstring.

    Parameters
    ----------
    x, y : ndarray
        Finite float arrays of one length, with at least two distinct `x` values (checked by
        `lessons.fitting.fit_line`, which calls this).
    tau : float
        Quantile level in (0, 1); 0.5 gives the L1 line.

    Returns
    -------
    (float, float)
    """
    n = x.size
    k = _quantile_index(n, tau)
    slope = None
    if n >= _WALK_FROM:
        slope = _certified(x, y, tau, k, _edge_walk(x, y, tau, k))
    if slope is None:
        slope = _breakpoint_search(x, y, tau)
    intercept = np.partition(y - slope * x, k)[k]
    return float(intercept), float(slope)


# ---------------------------------------------------------------------------------------------
# The edge walk and its certificate
# ---------------------------------------------------------------------------------------------
def _best_through(x, y, pivot, tau):
    """The best line through point `pivot`: its slope and the index of its second point.

    Around the pivot, point i costs |d_i| * rho(s_i - b) with d_i = x_i - x_pivot and
    s_i = (y_i - y_pivot) / d_i, where rho is pinball at tau for d_i > 0 and at 1 - tau for
    d_i < 0. That sum's minimum is the smallest s_j whose cumulative weight |d| (in the order
    of s) reaches sum_i |d_i| * (tau or 1 - tau): a weighted quantile, found by `_weighted_pick`.
    """
    d = x - x[pivot]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (y - y[pivot]) / d  # points at the pivot's x get inf or nan and weight 0
    weight = np.abs(d)
    target = tau * weight.sum() + (1.0 - 2.0 * tau) * np.dot(weight, d < 0)  # Σ|d|(τ or 1 − τ)
    j = _weighted_pick(s, weight, target * (1.0 - 4.0 * _EPS))
    return s[j], j


def _weighted_pick(values, weights, target):
    """Index of the smallest value whose cumulative weight (in value order) reaches `target`.

    In O(n): a strided sample brackets the answer, and only the values inside the bracket are
    sorted; if the bracket misses (unlucky order), everything is sorted.
    """
    usable = weights > 0
    if values.size > 4 * _PICK_SAMPLE:
        sample = values[:: values.size // _PICK_SAMPLE]
        sample_weights = weights[:: values.size // _PICK_SAMPLE]
        keep = sample_weights > 0
        order = np.argsort(sample[keep])
        cumulative = np.cumsum(sample_weights[keep][order])
        fraction = target / weights.sum()
        low_at, high_at = (np.searchsorted(cumulative, cumulative[-1] * (fraction + shift))
                           for shift in (-_PICK_MARGIN, _PICK_MARGIN))
        ordered = sample[keep][order]
        low = ordered[low_at] if fraction - _PICK_MARGIN > 0 else -np.inf
        high = ordered[min(high_at, ordered.size - 1)] if fraction + _PICK_MARGIN < 1 else np.inf
        below = usable & (values < low)
        inside = np.flatnonzero(usable & (values >= low) & (values <= high))
        weight_below = weights[below].sum()
        weight_inside = weights[inside].sum()
        if weight_below < target <= weight_below + weight_inside:
            order = np.argsort(values[inside], kind="stable")
            cumulative = weight_below + np.cumsum(weights[inside][order])
            j = min(int(np.searchsorted(cumulative, target)), order.size - 1)
            return int(inside[order[j]])
    candidates = np.flatnonzero(usable)
    order = np.argsort(values[candidates], kind="stable")
    cumulative = np.cumsum(weights[candidates][order])
    j = min(int(np.searchsorted(cumulative, target)), order.size - 1)
    return int(candidates[order[j]])


def _edge_walk(x, y, tau, k):
    """A slope reached by walking from vertex to vertex while the line keeps changing.

    Each step's line is the best through its pivot, which the previous line also passes
    through, so the objective never goes up; the walk stops when the line stays put (or, in
    degenerate data, after a bounded number of steps: the certificate then decides).
    """
    dx = x - x.mean()
    slope = np.dot(dx, y - y.mean()) / np.dot(dx, dx)  # start from the L2 line's slope
    pivot = int(np.argpartition(y - slope * x, k)[k])
    visited = set()
    for _ in range(_WALK_MAX_STEPS):
        visited.add(pivot)
        new_slope, following = _best_through(x, y, pivot, tau)
        if new_slope == slope or following in visited:
            return new_slope
        slope, pivot = new_slope, following
    return slope


def _certified(x, y, tau, k, slope):
    """`slope` if it is provably the optimal slope closest to zero, else None.

    The subdifferential of F at `slope` is the set of -sum_i w_i x_i with w_i = tau above the
    line, tau - 1 below it, anything in [tau - 1, tau] on it, and sum_i w_i = 0 (the intercept's
    optimality). Its ends come from giving the on-line points their weight in x order.
    """
    shifted = y - slope * x
    intercept = np.partition(shifted, k)[k]
    residuals = shifted - intercept
    scale = 64.0 * _EPS * (np.abs(y) + np.abs(slope * x) + abs(intercept))
    above, below = residuals > scale, residuals < -scale
    on = ~(above | below)
    centred = x - x.mean()  # the weights sum to 0, so centring changes no moment, only rounding
    fixed = tau * np.count_nonzero(above) + (tau - 1.0) * np.count_nonzero(below)
    fixed_moment = tau * np.sum(centred[above]) + (tau - 1.0) * np.sum(centred[below])
    x_on = np.sort(centred[on])
    free = -fixed - (tau - 1.0) * x_on.size  # weight to share out above tau - 1 on the line
    if x_on.size == 0 or not 0.0 <= free <= x_on.size:
        return None
    base = fixed_moment + (tau - 1.0) * np.sum(x_on)
    whole, part = int(free), free - int(free)

    def moment(order):  # the largest-moment share: the first points of `order` get the most
        chosen = order[:whole].sum() + (part * order[whole] if whole < order.size else 0.0)
        return base + chosen

    high_moment, low_moment = moment(x_on[::-1]), moment(x_on)
    low, high = -high_moment, -low_moment  # F'(slope-) and F'(slope+)
    rounding = 64.0 * _EPS * np.sum(np.abs(centred))  # numpy's sums are pairwise
    if low > rounding or high < -rounding:
        return None  # 0 is outside the subdifferential: not optimal (a degenerate stall)
    if (slope > 0 and low > -rounding) or (slope < 0 and high < rounding):
        return None  # F is flat towards zero: a flatter optimal line exists
    return slope


# ---------------------------------------------------------------------------------------------
# The breakpoint search: exact for any data
# ---------------------------------------------------------------------------------------------
def _quantile_index(n, tau):
    """0-based index of the lower tau-quantile among n sorted values: ceil(n tau) - 1.

    n * tau within rounding of an integer j counts as j (tau = 0.3, n = 10 gives the 3rd
    value, not the 4th, although 10 * 0.3 > 3 in floating point), so the smallest optimal
    intercept is the one returned.
    """
    k = math.ceil(n * tau - 2 * n * _EPS)
    return min(max(k, 1), n) - 1


def _profile(x, y, slopes, tau, k):
    """Best intercepts and objectives F(b) for each slope b in `slopes` (vectorised)."""
    shifted = y[None, :] - slopes[:, None] * x[None, :]
    intercepts = np.partition(shifted, k, axis=1)[:, k]
    values = pinball_sum(shifted - intercepts[:, None], tau)
    return intercepts, values


def _slope_derivative(x, y, slope, tau, k):
    """A subgradient of F at `slope`, and the rounding size of that value.

    With p the point whose residual is the best intercept (the k-th smallest of y - b x),
    F'(b) = -sum_i w_i (x_i - x_p), w_i = tau above p and tau - 1 below it. At a breakpoint
    several residuals tie with p's; they share the weight that makes all weights sum to zero
    (the intercept's optimality), which keeps the value inside the subdifferential of F, so
    its sign still says on which side the optimum lies.
    """
    shifted = y - slope * x
    pivot = np.argpartition(shifted, k)[k]
    gap = shifted - shifted[pivot]
    above, below = gap > 0, gap < 0
    tied = ~(above | below)
    balance = tau * np.count_nonzero(above) + (tau - 1.0) * np.count_nonzero(below)
    weights = np.where(above, tau, np.where(below, tau - 1.0, -balance / np.count_nonzero(tied)))
    lever = x - x[pivot]
    derivative = -np.dot(weights, lever)
    rounding = 4.0 * x.size * _EPS * np.sum(np.abs(lever))
    return derivative, rounding


def _goes_left(x, y, slope, tau, k):
    """True when the optimal slope closest to zero is at or below `slope`.

    F increases at `slope`, or F is flat there (up to rounding) and `slope` >= 0.
    """
    derivative, rounding = _slope_derivative(x, y, slope, tau, k)
    if abs(derivative) <= rounding:
        return slope >= 0
    return derivative > 0


def _all_pair_slopes(x, y):
    """All slopes (y_i - y_j) / (x_i - x_j) over pairs i < j with x_i != x_j (small n)."""
    rows, columns = np.triu_indices(x.size, 1)
    dx = x[columns] - x[rows]
    keep = dx != 0
    return (y[columns] - y[rows])[keep] / dx[keep]


def _pair_slopes_between(x, y, low, high):
    """The distinct pairwise slopes strictly between `low` and `high` (large n).

    Pairs are visited by index offset (i, i + offset), so memory stays O(n) per step plus
    the slopes found; repeated slopes (collinear points) are kept once.
    """
    found, pending, pending_size = [], [], 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for offset in range(1, x.size):
            slopes = (y[offset:] - y[:-offset]) / (x[offset:] - x[:-offset])
            # Equal x gives inf or nan, which the range test drops along with the rest.
            slopes = slopes[(slopes > low) & (slopes < high) & np.isfinite(slopes)]
            pending.append(slopes)
            pending_size += slopes.size
            if pending_size > _DIRECT_PAIRS:
                found.append(np.unique(np.concatenate(pending)))
                pending, pending_size = [], 0
    return np.unique(np.concatenate(found + pending))


def _narrow_with_sample(x, y, tau, k):
    """An open interval (low, high) of slopes that holds the optimal slope closest to zero.

    The test slopes are midpoints between consecutive slopes of a seeded sample of pairs, so
    the interval holds only a few of all the breakpoints.
    """
    rng = np.random.default_rng(0)  # a fixed seed: the same data always gives the same line
    first = rng.integers(0, x.size, _SAMPLE_PAIRS)
    second = rng.integers(0, x.size, _SAMPLE_PAIRS)
    dx = x[second] - x[first]
    keep = dx != 0
    sample = np.unique((y[second] - y[first])[keep] / dx[keep])
    tests = 0.5 * (sample[:-1] + sample[1:])
    # Binary search for the first test slope where the search must go left.
    lo, hi = 0, tests.size
    while lo < hi:
        middle = (lo + hi) // 2
        if _goes_left(x, y, tests[middle], tau, k):
            hi = middle
        else:
            lo = middle + 1
    low = tests[lo - 1] if lo > 0 else -np.inf
    high = tests[lo] if lo < tests.size else np.inf
    return low, high


def _breakpoint_search(x, y, tau):
    """The optimal slope closest to zero, by halving the breakpoints (any data; O(n²) time)."""
    n = x.size
    k = _quantile_index(n, tau)
    # The count of pairs with distinct x decides between the direct and the sampled search.
    _, counts = np.unique(x, return_counts=True)
    pair_count = (n * n - np.sum(counts * counts)) // 2
    if pair_count <= _DIRECT_PAIRS:
        low, high = -np.inf, np.inf
        candidates = _all_pair_slopes(x, y)
    else:
        low, high = _narrow_with_sample(x, y, tau, k)
        candidates = _pair_slopes_between(x, y, low, high)

    # Invariant: the optimal slope closest to zero lies in [low, high] and every breakpoint in
    # that range is a candidate, so F is linear between consecutive candidates.
    while candidates.size > _FEW_CANDIDATES:
        middle = candidates.size // 2
        median = np.partition(candidates, middle)[middle]
        above = candidates[candidates > median]
        if above.size == 0:
            # The median is the largest candidate: test the segment just below it instead.
            below = candidates[candidates < median]
            if below.size == 0:
                break
            test = 0.5 * (below.max() + median)
            if _goes_left(x, y, test, tau, k):
                candidates, high = below, test
            else:
                candidates, low = candidates[candidates >= median], test
            continue
        # F is linear between the median and its successor: the sign of its slope there
        # says which half to keep. The test slope (not a breakpoint) also bounds the range,
        # since where F is flat the answer may be zero without zero being a breakpoint.
        test = 0.5 * (median + above.min())
        if _goes_left(x, y, test, tau, k):
            candidates, high = candidates[candidates <= median], test
        else:
            candidates, low = above, test

    slopes = np.unique(candidates)
    if low < 0 < high:
        # Zero itself may be optimal without being a breakpoint (F flat across it).
        slopes = np.append(slopes, 0.0)
    for bound in (low, high):
        if np.isfinite(bound):
            slopes = np.append(slopes, bound)
    intercepts, values = _profile(x, y, slopes, tau, k)
    # Values within rounding of the minimum count as ties: prefer the flattest line.
    rounding = 8.0 * n * _EPS * (np.sum(np.abs(y)) + np.abs(slopes) * np.sum(np.abs(x)))
    lowest = np.argmin(values)
    optimal = values <= values[lowest] + rounding[lowest] + rounding
    best = np.flatnonzero(optimal)[np.lexsort((slopes[optimal], np.abs(slopes[optimal])))[0]]
    return slopes[best]
