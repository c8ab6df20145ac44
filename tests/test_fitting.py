"""Tests of lessons.fitting: exact optima against LP and brute force, Huber, bad input."""

import dataclasses
import doctest
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog, minimize

from lessons import data, fitting, quantile_line
from lessons.fitting import LineFit, fit_line, objective

TOL = 1e-9
TAUS = [0.5, 0.1, 0.25, 0.3, 0.75, 0.9, 0.37]


# ---------------------------------------------------------------------------------------------
# References that share no code with lessons.fitting
# ---------------------------------------------------------------------------------------------
def lp_optimum(x, y, tau):
    """Minimum of sum pinball_tau(y - a - b x) as a linear program (HiGHS)."""
    n = len(x)
    cost = np.concatenate([[0.0, 0.0], np.full(n, tau), np.full(n, 1.0 - tau)])
    # a + b x_i + u_i - v_i = y_i, so y_i - prediction = u_i - v_i with u, v >= 0.
    equalities = np.hstack([np.ones((n, 1)), np.asarray(x)[:, None], np.eye(n), -np.eye(n)])
    bounds = [(None, None)] * 2 + [(0, None)] * (2 * n)
    result = linprog(cost, A_eq=equalities, b_eq=y, bounds=bounds, method="highs")
    assert result.status == 0
    return result.fun


def pinball_sum(x, y, intercept, slope, tau):
    e = np.asarray(y, float) - intercept - slope * np.asarray(x, float)
    return float(np.sum(np.maximum(tau * e, (tau - 1) * e)))


def brute_force(x, y, tau):
    """Best objective over all lines through two points, and the rule's expected line.

    The rule: the optimal slope closest to zero, then the smallest optimal intercept. For a
    fixed slope an optimal intercept puts the line through a data point, so candidate lines
    are those through two points (every optimal slope range ends at one of their slopes)
    and the lines of slope zero through one point.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    lines = [
        (y[i] - (y[j] - y[i]) / (x[j] - x[i]) * x[i], (y[j] - y[i]) / (x[j] - x[i]))
        for i, j in itertools.combinations(range(len(x)), 2)
        if x[i] != x[j]
    ]
    lines += [(value, 0.0) for value in y]
    values = np.array([pinball_sum(x, y, a, b, tau) for a, b in lines])
    best = values.min()
    optimal = [line for line, value in zip(lines, values, strict=True) if value <= best + TOL]
    slope = min((b for _, b in optimal), key=abs)
    intercepts = [a for a in y - slope * x if pinball_sum(x, y, a, slope, tau) <= best + TOL]
    intercept = min(intercepts)
    return best, intercept, slope


def random_sets(seed, count):
    """Small data sets of many kinds: continuous, integer with ties and repeated x, exact
    lines, one outlier, dyadic values."""
    rng = np.random.default_rng(seed)
    for case in range(count):
        n = int(rng.integers(2, 25))
        kind = case % 6
        if kind == 0:
            x, y = rng.normal(size=n), rng.normal(size=n)
        elif kind == 1:
            x, y = rng.integers(0, 4, n).astype(float), rng.integers(0, 4, n).astype(float)
        elif kind == 2:
            x = rng.integers(-5, 6, n).astype(float)
            y = 3.0 - 2.0 * x
        elif kind == 3:
            x = np.arange(n, dtype=float)
            y = 0.5 * x + 0.1 * rng.normal(size=n)
            y[rng.integers(n)] += 40.0
        elif kind == 4:
            x, y = rng.integers(0, 9, n) / 4, rng.integers(-6, 7, n) / 2
        else:
            x = np.repeat(rng.normal(size=(n + 1) // 2), 2)[:n]
            y = x + rng.standard_t(1, size=n)
        if np.unique(x).size >= 2:
            yield x, y, TAUS[case % len(TAUS)]


# ---------------------------------------------------------------------------------------------
# Docstrings
# ---------------------------------------------------------------------------------------------
def test_quantile_line_doctests_pass():
    result = doctest.testmod(quantile_line)
    assert result.attempted > 0 and result.failed == 0


def test_doctests_pass():
    result = doctest.testmod(fitting, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 10
    assert result.failed == 0


def test_module_docstring_names_its_notebooks():
    assert "04_outliers" in fitting.__doc__
    assert "07_beyond" in fitting.__doc__


# ---------------------------------------------------------------------------------------------
# L1 and pinball: exact, against linear programming and brute force
# ---------------------------------------------------------------------------------------------
def test_pinball_and_l1_match_linear_programming():
    checked = 0
    for x, y, tau in random_sets(seed=0, count=240):
        optimum = lp_optimum(x, y, tau)
        fit = fit_line(x, y, "pinball", tau=tau)
        assert optimum - TOL <= fit.objective <= optimum + TOL
        l1 = fit_line(x, y, "l1")
        assert 2 * lp_optimum(x, y, 0.5) - TOL <= l1.objective <= 2 * lp_optimum(x, y, 0.5) + TOL
        checked += 1
    assert checked > 200


@settings(max_examples=150, deadline=None, derandomize=True, database=None)
@given(
    points=st.lists(
        st.tuples(st.integers(-3, 3), st.integers(-4, 4)), min_size=2, max_size=12
    ).filter(lambda pts: len({px for px, _ in pts}) >= 2),
    tau=st.sampled_from(TAUS),
)
def test_pinball_matches_linear_programming_on_integer_points(points, tau):
    x, y = (np.array(values, float) for values in zip(*points, strict=True))
    fit = fit_line(x, y, "quantile", tau=tau)
    optimum = lp_optimum(x, y, tau)
    assert abs(fit.objective - optimum) <= TOL


def test_small_sets_match_brute_force_and_the_tie_rule():
    checked = 0
    for x, y, tau in random_sets(seed=1, count=400):
        if len(x) > 8:
            continue
        best, intercept, slope = brute_force(x, y, tau)
        fit = fit_line(x, y, "pinball", tau=tau)
        assert fit.objective == pytest.approx(best, abs=TOL)
        assert fit.slope == pytest.approx(slope, abs=1e-9)
        assert fit.intercept == pytest.approx(intercept, abs=1e-9)
        checked += 1
    assert checked > 100


def test_tie_rule_on_a_hand_made_example():
    # Four corners of a square: every line with 0 <= a <= 1 and slope 0 is optimal (SAE 2);
    # the rule picks slope 0 and the smallest intercept.
    fit = fit_line([0, 0, 1, 1], [0, 1, 0, 1], "l1")
    assert (fit.intercept, fit.slope, fit.objective) == (0.0, 0.0, 2.0)
    # y = x on three points plus one outlier: slopes 1 to 4.5 all give SAE 7; take slope 1.
    fit = fit_line([0, 1, 2, 3], [0, 1, 2, 10], "l1")
    assert fit.objective == pytest.approx(7.0)
    assert (fit.intercept, fit.slope) == pytest.approx((0.0, 1.0))


def test_exact_fits_are_returned_with_objective_zero():
    x = np.array([-2.0, 0.0, 1.0, 1.0, 3.0, 7.0])
    y = 4.0 - 1.5 * x
    for loss in ["l1", "l2", "huber", "pinball"]:
        fit = fit_line(x, y, loss, tau=0.2)
        assert fit.objective == pytest.approx(0.0, abs=1e-20)
        assert (fit.intercept, fit.slope) == pytest.approx((4.0, -1.5), abs=1e-12)
    # Two points always give the line through them.
    a, b = fit_line([1.0, 3.0], [2.0, -2.0], "l1")
    assert (a, b) == pytest.approx((4.0, -2.0))


def test_l1_ignores_one_outlier():
    x = np.arange(9, dtype=float)
    y = 1.0 + 0.5 * x
    y[7] += 100.0
    fit = fit_line(x, y, "l1")
    assert (fit.intercept, fit.slope) == pytest.approx((1.0, 0.5))
    assert fit.objective == pytest.approx(100.0)


def test_result_does_not_depend_on_point_order():
    rng = np.random.default_rng(3)
    for x, y, tau in random_sets(seed=2, count=60):
        order = rng.permutation(len(x))
        first = fit_line(x, y, "pinball", tau=tau)
        second = fit_line(x[order], y[order], "pinball", tau=tau)
        assert (second.intercept, second.slope) == pytest.approx(
            (first.intercept, first.slope), abs=1e-9
        )


def test_same_input_gives_identical_output():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=50), rng.standard_t(1, size=50)
    for loss in ["l1", "l2", "huber", "pinball"]:
        assert fit_line(x, y, loss) == fit_line(x, y, loss)


def test_large_input_path_matches_linear_programming(monkeypatch):
    # Force the sampled search (used above about 320 points) onto small inputs.
    monkeypatch.setattr(quantile_line, "_DIRECT_PAIRS", 10)
    monkeypatch.setattr(quantile_line, "_SAMPLE_PAIRS", 64)
    monkeypatch.setattr(quantile_line, "_WALK_FROM", 10**9)  # the breakpoint search only
    checked = 0
    for x, y, tau in random_sets(seed=5, count=150):
        if len(x) < 6:
            continue
        fit = fit_line(x, y, "pinball", tau=tau)
        assert abs(fit.objective - lp_optimum(x, y, tau)) <= TOL
        checked += 1
    assert checked > 80


def test_large_input_agrees_with_direct_search(monkeypatch):
    rng = np.random.default_rng(6)
    x = rng.normal(size=400)
    y = 2.0 * x + rng.standard_t(1, size=400)
    monkeypatch.setattr(quantile_line, "_WALK_FROM", 10**9)
    sampled = fit_line(x, y, "l1")  # 79,800 pairs: the sampled search
    monkeypatch.setattr(quantile_line, "_DIRECT_PAIRS", 10**6)
    direct = fit_line(x, y, "l1")
    assert (sampled.intercept, sampled.slope) == pytest.approx(
        (direct.intercept, direct.slope), abs=1e-12
    )
    assert sampled.objective == pytest.approx(lp_optimum(x, y, 0.5) * 2, abs=1e-8)


def test_edge_walk_matches_linear_programming_and_the_tie_rule(monkeypatch):
    # Force the edge walk (used from 200 points) onto small inputs, integer ones included:
    # where its certificate fails the breakpoint search must take over, with the same line.
    checked = 0
    for x, y, tau in random_sets(seed=7, count=150):
        if len(x) < 4:
            continue
        monkeypatch.setattr(quantile_line, "_WALK_FROM", 10**9)
        direct = fit_line(x, y, "pinball", tau=tau)
        monkeypatch.setattr(quantile_line, "_WALK_FROM", 2)
        walked = fit_line(x, y, "pinball", tau=tau)
        assert abs(walked.objective - lp_optimum(x, y, tau)) <= TOL
        assert (walked.intercept, walked.slope) == pytest.approx(
            (direct.intercept, direct.slope), abs=1e-9)
        checked += 1
    assert checked > 80


@pytest.mark.parametrize("tau", [0.5, 0.2, 0.9])
def test_thousands_of_points_match_highs(tau):
    rng = np.random.default_rng(11)
    x = rng.uniform(0.0, 10.0, 3000)
    y = 1.0 + 2.0 * x + rng.standard_t(2, 3000)
    y[rng.random(3000) < 0.1] += 30.0
    fit = fit_line(x, y, "pinball", tau=tau)
    assert fit.objective == pytest.approx(lp_optimum(x, y, tau), rel=1e-9, abs=1e-7)


def test_a_hundred_thousand_points_fit_optimally():
    rng = np.random.default_rng(12)
    x = rng.normal(size=10**5)
    y = 3.0 - x + rng.standard_t(1, size=10**5)
    fit = fit_line(x, y, "l1")
    # Optimality: 0 lies in the subdifferential, so moving the slope either way costs more.
    for step in (1e-6, -1e-6):
        assert objective(x, y, fit.intercept, fit.slope + step, "l1") >= fit.objective - 1e-9
        moved = y - (fit.slope + step) * x
        assert objective(x, y, np.median(moved), fit.slope + step, "l1") >= fit.objective - 1e-9


# ---------------------------------------------------------------------------------------------
# L2
# ---------------------------------------------------------------------------------------------
def test_l2_matches_lstsq():
    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(2, 60))
        x = rng.normal(loc=rng.choice([0.0, 1e3]), size=n)
        y = rng.normal(size=n) + 3.0 * x
        design = np.column_stack([np.ones(n), x])
        expected, *_ = np.linalg.lstsq(design, y, rcond=None)
        fit = fit_line(x, y)
        np.testing.assert_allclose([fit.intercept, fit.slope], expected, rtol=1e-10, atol=1e-10)
        assert fit.objective == pytest.approx(np.sum((y - design @ expected) ** 2), rel=1e-10)


def test_l2_hand_example():
    # Means 2 and 5.2; sum of dx * dy = 42, sum of dx**2 = 10: slope 4.2, intercept -3.2.
    fit = fit_line([0, 1, 2, 3, 4], [0, 1, 2, 3, 20])
    assert (fit.intercept, fit.slope) == pytest.approx((-3.2, 4.2))
    assert fit.loss == "l2"


# ---------------------------------------------------------------------------------------------
# Huber
# ---------------------------------------------------------------------------------------------
def huber_gradient(x, y, intercept, slope, delta):
    clipped = np.clip(y - intercept - slope * x, -delta, delta)
    centred = x - x.mean()  # the gradient in (intercept at the mean, slope): same zero
    return np.array([clipped.sum(), np.dot(clipped, centred)]), np.array(
        [np.abs(clipped).sum(), np.dot(np.abs(clipped), np.abs(centred))]
    )


def huber_sets(seed, count):
    rng = np.random.default_rng(seed)
    for case in range(count):
        n = int(rng.integers(3, 40))
        x = rng.normal(size=n) * rng.choice([0.1, 1.0, 10.0])
        if case % 4 == 0:
            x = rng.integers(0, 3, n).astype(float)
        y = 3.0 * x + rng.standard_t(1.5, size=n)
        if case % 5 == 0:
            y = np.round(y)
        if np.unique(x).size >= 2:
            yield x, y, [1e-4, 0.01, 0.3, 1.0, 5.0, 100.0][case % 6]


def test_huber_gradient_vanishes():
    checked = 0
    for x, y, delta in huber_sets(seed=8, count=300):
        fit = fit_line(x, y, "huber", delta=delta)
        gradient, size = huber_gradient(x, y, fit.intercept, fit.slope, delta)
        rounding = 64 * np.finfo(float).eps * len(x) * np.abs(y).sum() * (1 + np.abs(x).max())
        assert np.all(np.abs(gradient) <= 1e-9 * size + rounding)
        checked += 1
    assert checked > 250


def test_huber_is_no_worse_than_scipy_minimize():
    for x, y, delta in huber_sets(seed=9, count=40):
        fit = fit_line(x, y, "huber", delta=delta)

        def huber(params, x=x, y=y, delta=delta):
            return objective(x, y, params[0], params[1], "huber", delta=delta)

        starts = [(0.0, 0.0), (np.median(y), 0.0), (fit.intercept + 1.0, fit.slope - 1.0)]
        for start in starts:
            for method in ["Nelder-Mead", "BFGS"]:
                found = minimize(huber, start, method=method, options={"maxiter": 20000})
                assert fit.objective <= found.fun + 1e-12 * max(1.0, found.fun)


def test_huber_becomes_l2_for_large_delta():
    rng = np.random.default_rng(10)
    x = rng.normal(size=30)
    y = x + rng.standard_t(2, size=30)
    l2 = fit_line(x, y, "l2")
    huber = fit_line(x, y, "huber", delta=1e6)
    assert (huber.intercept, huber.slope) == pytest.approx((l2.intercept, l2.slope), abs=1e-9)
    assert huber.objective == pytest.approx(0.5 * l2.objective, rel=1e-12)


def test_huber_sits_between_l1_and_l2_on_outlier_data():
    x = np.arange(12, dtype=float)
    y = 2.0 + 0.5 * x + 0.1 * np.sin(3 * x)
    y[10] += 30.0  # one gross outlier pulls the L2 line up on the right
    l1, l2 = fit_line(x, y, "l1"), fit_line(x, y, "l2")
    slopes = [fit_line(x, y, "huber", delta=delta).slope for delta in [0.3, 1.0, 3.0, 10.0, 100.0]]
    assert l1.slope < l2.slope
    assert all(l1.slope < s <= l2.slope + 1e-9 for s in slopes)
    assert slopes == sorted(slopes)  # more L2-like as delta grows
    assert abs(slopes[1] - l1.slope) < abs(slopes[1] - l2.slope)  # delta = 1 resists the outlier
    assert slopes[-1] == pytest.approx(l2.slope)  # every L2 residual is within delta = 100
    # A tiny delta makes Huber a scaled L1: the line sits on the L1 line.
    tiny = fit_line(x, y, "huber", delta=1e-4)
    assert (tiny.intercept, tiny.slope) == pytest.approx((l1.intercept, l1.slope), abs=1e-3)


def test_huber_approaches_l1_as_delta_shrinks():
    rng = np.random.default_rng(11)
    x = rng.normal(size=25)
    y = x + rng.standard_t(1, size=25)
    best_l1 = fit_line(x, y, "l1").objective
    delta = 1e-7
    huber = fit_line(x, y, "huber", delta=delta)
    # Huber_delta <= delta * |e| pointwise and >= delta * (|e| - delta / 2).
    assert objective(x, y, *huber, "l1") <= best_l1 + len(x) * delta


# ---------------------------------------------------------------------------------------------
# LineFit and objective()
# ---------------------------------------------------------------------------------------------
def test_linefit_fields_and_behaviour():
    x, y = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.0, 3.0, 5.0, 8.0])
    fit = fit_line(x, y, "quantile", tau=0.5)
    assert isinstance(fit, LineFit)
    assert fit.loss == "pinball"
    intercept, slope = fit
    assert (intercept, slope) == (fit.intercept, fit.slope)
    assert isinstance(fit.intercept, float) and isinstance(fit.slope, float)
    np.testing.assert_allclose(fit.residuals, y - fit.predict(x))
    assert fit.predict(2.0) == pytest.approx(fit.intercept + 2.0 * fit.slope)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fit.slope = 0.0
    with pytest.raises(ValueError, match="read-only"):
        fit.residuals[0] = 1.0
    with pytest.raises(ValueError, match="must contain numbers"):
        fit.predict("abc")


def test_objective_matches_the_fit_and_hand_values():
    x, y = [0, 1, 2], [1, 3, 6]
    assert objective(x, y, 1, 2, "l2") == 1.0
    assert objective(x, y, 1, 2, "l1") == 1.0
    assert objective(x, y, 1, 2, "pinball", tau=0.9) == pytest.approx(0.9)
    assert objective(x, y, 1, 2, "pinball", tau=0.1) == pytest.approx(0.1)
    # Huber(delta=0.5) of residuals 0, 0, 1: 0.5 * (1 - 0.25) = 0.375.
    assert objective(x, y, 1, 2, "huber", delta=0.5) == pytest.approx(0.375)
    assert objective(x, y, 1, 4, "pinball", tau=0.9) == pytest.approx(0.1 * (2 + 3))
    for loss in ["l1", "l2", "huber", "pinball"]:
        fit = fit_line(x, y, loss, delta=0.5, tau=0.8)
        assert fit.objective == pytest.approx(
            objective(x, y, fit.intercept, fit.slope, loss, delta=0.5, tau=0.8)
        )


# ---------------------------------------------------------------------------------------------
# Bad input: clear ValueErrors
# ---------------------------------------------------------------------------------------------
GOOD_X, GOOD_Y = [0.0, 1.0, 2.0], [1.0, 2.0, 2.5]


@pytest.mark.parametrize(
    ("x", "y", "kwargs", "message"),
    [
        ([0, 1, 2], [1, 2], {}, "same length"),
        ([1, 1, 1], [0, 1, 2], {}, "two distinct values"),
        ([1], [2], {"loss": "l1"}, "two distinct values"),
        ([], [], {}, "empty"),
        ([0, np.nan, 2], GOOD_Y, {}, "NaN or infinite"),
        (GOOD_X, [1, np.inf, 2], {"loss": "l1"}, "NaN or infinite"),
        (GOOD_X, GOOD_Y, {"loss": "l3"}, "unknown loss"),
        (GOOD_X, GOOD_Y, {"loss": None}, "unknown loss"),
        (GOOD_X, GOOD_Y, {"loss": "huber", "delta": 0}, "delta must be positive"),
        (GOOD_X, GOOD_Y, {"loss": "huber", "delta": -1.0}, "delta must be positive"),
        (GOOD_X, GOOD_Y, {"loss": "huber", "delta": "big"}, "delta must be a number"),
        (GOOD_X, GOOD_Y, {"loss": "pinball", "tau": 0.0}, "tau must lie strictly between"),
        (GOOD_X, GOOD_Y, {"loss": "pinball", "tau": 1.0}, "tau must lie strictly between"),
        (GOOD_X, GOOD_Y, {"loss": "quantile", "tau": 1.5}, "tau must lie strictly between"),
        (GOOD_X, GOOD_Y, {"tau": float("nan")}, "tau must be finite"),
        ([[0, 1], [2, 3]], [[1, 2], [3, 4]], {}, "must be 1-D"),
        (3.0, 4.0, {}, "must be 1-D"),
        (["a", "b", "c"], GOOD_Y, {}, "must contain numbers"),
        ([[0, 1], [2]], GOOD_Y, {}, "flat list of numbers"),
    ],
)
def test_bad_input_raises_a_clear_value_error(x, y, kwargs, message):
    with pytest.raises(ValueError, match=message):
        fit_line(x, y, **kwargs)


def test_objective_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        objective([0, 1], [1], 0.0, 1.0)
    with pytest.raises(ValueError, match="slope must be a number"):
        objective(GOOD_X, GOOD_Y, 0.0, "steep")
    with pytest.raises(ValueError, match="intercept must be finite"):
        objective(GOOD_X, GOOD_Y, np.inf, 1.0)
    with pytest.raises(ValueError, match="unknown loss"):
        objective(GOOD_X, GOOD_Y, 0.0, 1.0, loss="l3")


# ---------------------------------------------------------------------------------------------
# How a line answers to one point (04_outliers)
# ---------------------------------------------------------------------------------------------
EIGHT_X, EIGHT_Y = data.eight_points()


def test_line_shift_is_linear_for_l2_and_bounded_for_l1():
    moves = np.linspace(-30, 30, 61)
    l2 = fitting.line_shift(EIGHT_X, EIGHT_Y, 6, moves, "l2")
    l1 = fitting.line_shift(EIGHT_X, EIGHT_Y, 6, moves, "l1")
    centred = EIGHT_X - EIGHT_X.mean()
    leverage = 1 / EIGHT_X.size + centred[6] ** 2 / np.sum(centred**2)
    assert np.allclose(l2, leverage * moves)
    assert np.max(np.abs(l1)) < 1.0
    assert np.allclose(l1[moves >= 0], 0.0)  # the point is above the L1 line already


def test_l1_change_distance_matches_a_search_with_fit_line():
    start = fitting.fit_line(EIGHT_X, EIGHT_Y, "l1")

    def changes(index, move):
        moved = EIGHT_Y.copy()
        moved[index] += move
        fit = fitting.fit_line(EIGHT_X, moved, "l1")
        return not (np.isclose(fit.slope, start.slope) and np.isclose(fit.intercept,
                                                                         start.intercept))

    for index in range(EIGHT_X.size):
        for direction in (1, -1):
            distance = fitting.l1_change_distance(EIGHT_X, EIGHT_Y, index, direction)
            if np.isinf(distance):
                assert not changes(index, direction * 100.0)
            else:
                assert distance == pytest.approx(abs(start.residuals[index]), abs=1e-12)
                assert changes(index, direction * (distance + 1e-3))
                if distance > 1e-3:
                    assert not changes(index, direction * (distance - 1e-3))
    assert fitting.l1_change_distance(EIGHT_X, EIGHT_Y, 3, 1) == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="direction"):
        fitting.l1_change_distance(EIGHT_X, EIGHT_Y, 3, 0)
