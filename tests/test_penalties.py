"""Tests of lessons.penalties (ridge, LASSO, elastic net, paths) and data.sparse_linear.

The coordinate-descent solutions are checked against scipy: the non-smooth L1 term is split into
positive and negative parts, which turns each problem into a smooth one with bounds that L-BFGS-B
solves to high accuracy.
"""

import doctest

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from lessons import data, penalties

matplotlib.use("Agg")


def problem(seed=0, n=40):
    rng = np.random.default_rng(seed)
    return data.sparse_linear(n, rng)


def scipy_solution(X, y, alpha, l1_ratio):
    """Minimise the elastic-net objective with w = u - v, u, v >= 0 (a smooth problem)."""
    n, p = X.shape
    Xc, yc = X - X.mean(axis=0), y - y.mean()

    def value_and_grad(z):
        u, v = z[:p], z[p:]
        w = u - v
        r = yc - Xc @ w
        value = 0.5 * r @ r / n + alpha * (l1_ratio * z.sum() + 0.5 * (1 - l1_ratio) * w @ w)
        g_w = -Xc.T @ r / n + alpha * (1 - l1_ratio) * w
        grad = np.concatenate([g_w + alpha * l1_ratio, -g_w + alpha * l1_ratio])
        return value, grad

    result = minimize(value_and_grad, np.zeros(2 * p), jac=True, method="L-BFGS-B",
                      bounds=[(0, None)] * (2 * p),
                      options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 20000})
    w = result.x[:p] - result.x[p:]
    return w, penalties.objective(X, y, y.mean() - X.mean(axis=0) @ w, w, alpha, l1_ratio)


def test_doctests_pass():
    assert doctest.testmod(penalties).failed == 0


def test_soft_threshold_shrinks_and_stops_exactly_at_zero():
    z = np.array([-3.0, -1.0, -0.4, 0.0, 0.4, 1.0, 2.5])
    out = penalties.soft_threshold(z, 1.0)
    assert out.tolist() == [-2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.5]
    assert not np.any(np.signbit(out[out == 0]))  # no -0.0
    assert penalties.soft_threshold(5.0, 0.0) == 5.0
    with pytest.raises(ValueError, match="threshold must be at least 0"):
        penalties.soft_threshold(1.0, -1.0)


def test_soft_threshold_minimises_the_one_weight_lasso():
    grid = np.linspace(-4, 4, 80001)
    for z in (-2.3, -0.7, 0.0, 0.2, 1.9):
        best = grid[np.argmin(0.5 * (grid - z) ** 2 + 0.8 * np.abs(grid))]
        assert penalties.soft_threshold(z, 0.8) == pytest.approx(best, abs=1e-4)


def test_ridge_matches_least_squares_on_the_augmented_system():
    X, y, _ = problem()
    n, p = X.shape
    alpha = 0.7
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    augmented = np.vstack([Xc, np.sqrt(n * alpha) * np.eye(p)])
    target = np.concatenate([yc, np.zeros(p)])
    expected = np.linalg.lstsq(augmented, target, rcond=None)[0]
    fit = penalties.ridge(X, y, alpha)
    np.testing.assert_allclose(fit.coef, expected, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(fit.predict(X).mean(), y.mean())  # unpenalised intercept
    assert np.all(fit.coef != 0.0)


def test_ridge_with_zero_alpha_is_ordinary_least_squares():
    X, y, _ = problem(1)
    design = np.column_stack([np.ones(len(y)), X])
    expected = np.linalg.lstsq(design, y, rcond=None)[0]
    fit = penalties.ridge(X, y, 0.0)
    np.testing.assert_allclose([fit.intercept, *fit.coef], expected, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.2])
@pytest.mark.parametrize("alpha_share", [0.02, 0.2, 0.6])
def test_coordinate_descent_matches_scipy(l1_ratio, alpha_share):
    X, y, _ = problem(2)
    alpha = alpha_share * penalties.alpha_max(X, y, l1_ratio)
    fit = penalties.elastic_net(X, y, alpha, l1_ratio=l1_ratio)
    w_scipy, value_scipy = scipy_solution(X, y, alpha, l1_ratio)
    assert fit.objective <= value_scipy + 1e-12
    np.testing.assert_allclose(fit.coef, w_scipy, atol=1e-5)


def test_lasso_solution_satisfies_the_optimality_conditions():
    X, y, _ = problem(3)
    n = len(y)
    alpha = 0.15 * penalties.alpha_max(X, y)
    fit = penalties.lasso(X, y, alpha)
    pull = (X - X.mean(axis=0)).T @ (y - fit.predict(X)) / n
    zero = fit.coef == 0.0
    assert zero.any() and (~zero).any()
    assert np.all(np.abs(pull[zero]) <= alpha + 1e-12)
    np.testing.assert_allclose(pull[~zero], alpha * np.sign(fit.coef[~zero]), atol=1e-10)


def test_elastic_net_ends_are_ridge_and_lasso():
    X, y, _ = problem(4)
    np.testing.assert_allclose(penalties.elastic_net(X, y, 0.3, l1_ratio=0.0).coef,
                               penalties.ridge(X, y, 0.3).coef, atol=1e-10)
    assert np.array_equal(penalties.elastic_net(X, y, 0.3, l1_ratio=1.0).coef,
                          penalties.lasso(X, y, 0.3).coef)


def test_every_weight_is_exactly_zero_from_alpha_max_on_and_not_below():
    X, y, _ = problem(5)
    for l1_ratio in (1.0, 0.5):
        top = penalties.alpha_max(X, y, l1_ratio)
        for factor in (1.0, 1.5, 10.0):
            fit = penalties.elastic_net(X, y, factor * top, l1_ratio=l1_ratio)
            assert np.all(fit.coef == 0.0)
            assert fit.intercept == pytest.approx(y.mean())
        assert np.any(penalties.elastic_net(X, y, 0.99 * top, l1_ratio=l1_ratio).coef != 0.0)
    assert penalties.alpha_max(X, y, 0.0) == np.inf


def test_path_runs_largest_alpha_first_and_zeros_switch_on_exactly():
    X, y, true_coef = problem(6, n=80)
    path = penalties.penalty_path(X, y, l1_ratio=1.0, n_alphas=40)
    assert np.all(np.diff(path.alphas) < 0)
    assert path.nonzero_counts()[0] == 0  # alpha_max itself
    assert path.nonzero_counts()[-1] == X.shape[1]
    # Warm-started path equals cold-started fits.
    for index in (5, 20, 39):
        cold = penalties.lasso(X, y, path.alphas[index])
        np.testing.assert_allclose(path.coefs[index], cold.coef, atol=1e-9)
    # Somewhere on the path exactly the true features are selected.
    selected = [tuple(np.flatnonzero(row)) for row in path.coefs]
    assert tuple(np.flatnonzero(true_coef)) in selected


def test_ridge_path_shrinks_monotonically_and_never_zeroes():
    X, y, _ = problem(7)
    path = penalties.penalty_path(X, y, alphas=np.logspace(2, -3, 30), l1_ratio=0.0)
    norms = np.linalg.norm(path.coefs, axis=1)
    assert np.all(np.diff(norms) > 0)  # weaker penalty, larger weights
    assert np.all(path.coefs != 0.0)


def test_intercept_is_not_penalised():
    X, y, _ = problem(8)
    base = penalties.lasso(X, y, 0.2)
    shifted = penalties.lasso(X, y + 100.0, 0.2)
    np.testing.assert_allclose(shifted.coef, base.coef, atol=1e-12)
    assert shifted.intercept == pytest.approx(base.intercept + 100.0)


def test_constant_column_gets_weight_zero():
    X, y, _ = problem(9)
    X = np.column_stack([X, np.full(len(y), 3.0)])
    for fit in (penalties.lasso(X, y, 0.05), penalties.elastic_net(X, y, 0.05, 0.5)):
        assert fit.coef[-1] == 0.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), share=st.floats(0.01, 1.2), l1_ratio=st.floats(0.05, 1.0))
def test_no_nearby_point_has_a_lower_objective(seed, share, l1_ratio):
    X, y, _ = problem(seed, n=30)
    alpha = share * penalties.alpha_max(X, y, l1_ratio)
    fit = penalties.elastic_net(X, y, alpha, l1_ratio=l1_ratio)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        step = rng.normal(scale=1e-3, size=fit.coef.size)
        trial = fit.coef + step
        intercept = y.mean() - X.mean(axis=0) @ trial
        assert penalties.objective(X, y, intercept, trial, alpha, l1_ratio) >= fit.objective - 1e-12


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: penalties.lasso([1.0, 2.0], [1.0, 2.0], 0.1), "must be 2-D"),
        (lambda: penalties.lasso([[1.0], [2.0]], [1.0], 0.1), "2 rows but y has 1"),
        (lambda: penalties.lasso([[1.0], [np.nan]], [1.0, 2.0], 0.1), "NaN"),
        (lambda: penalties.lasso([[1.0], [2.0]], [1.0, 2.0], -1), "alpha must be at least 0"),
        (lambda: penalties.elastic_net([[1.0], [2.0]], [1.0, 2.0], 1, 2), "l1_ratio must lie"),
        (lambda: penalties.ridge([["a"], ["b"]], [1.0, 2.0], 1), "must contain numbers"),
        (lambda: penalties.lasso([[1.0], [2.0]], [1.0, 2.0], "big"), "alpha must be a number"),
        (lambda: penalties.penalty_path([[1.0], [2.0]], [1.0, 1.0]), "no path"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_plot_path_draws_one_labelled_line_per_coefficient():
    import matplotlib.pyplot as plt

    X, y, _ = problem(10)
    path = penalties.penalty_path(X, y, n_alphas=10)
    fig, ax = plt.subplots()
    lines = penalties.plot_path(ax, path, names=[f"x{j}" for j in range(X.shape[1])])
    assert [line.get_label() for line in lines] == [f"x{j}" for j in range(X.shape[1])]
    np.testing.assert_array_equal(lines[2].get_ydata(), path.coefs[:, 2])
    assert ax.get_xscale() == "log" and ax.get_xlim()[0] > ax.get_xlim()[1]
    with pytest.raises(ValueError, match="names has 2 entries"):
        penalties.plot_path(ax, path, names=["a", "b"])
    plt.close(fig)


def test_sparse_linear_is_seeded_and_standardised():
    X1, y1, w1 = data.sparse_linear(50, np.random.default_rng(3))
    X2, y2, _ = data.sparse_linear(50, np.random.default_rng(3))
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    np.testing.assert_allclose(X1.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(X1.std(axis=0), 1.0)
    assert X1.shape == (50, w1.size) and np.count_nonzero(w1) == 3
    with pytest.raises(ValueError, match="correlation must lie"):
        data.sparse_linear(5, np.random.default_rng(0), correlation=1.0)


def test_answer_key_of_07_specific_answers():
    from lessons import checks
    from lessons.keys import nb07

    # Each key accepting its answers and naming its mistakes: tests/test_answer_keys.py.
    # The LASSO exercise's expected value is where every weight becomes exactly zero.
    top = nb07.EXERCISES["07.alpha_max"].expected
    assert np.all(penalties.lasso(nb07._X, nb07._y, top).coef == 0.0)
    assert np.any(penalties.lasso(nb07._X, nb07._y, 0.99 * top).coef != 0.0)
    formula = nb07.EXERCISES["07.logcosh_far"]
    assert checks.feedback(formula, "e - log(2)").correct
    assert checks.feedback(formula, "e").status == "incorrect"
