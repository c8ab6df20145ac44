"""Tests of lessons.estimators (notebooks 02 and 03) and the data sets notebook 03 added."""

import doctest
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

from lessons import data, estimators, losses

small_samples = st.lists(
    st.integers(min_value=-20, max_value=20).map(float), min_size=1, max_size=9
)


def _sae(sample, location):
    return float(np.sum(np.abs(np.asarray(sample) - location)))


def test_doctests_pass():
    result = doctest.testmod(estimators)
    assert result.attempted >= 8
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------
# The SAE's subdifferential and minimisers
# ---------------------------------------------------------------------------------------------
def test_subdifferential_by_hand():
    # Source 001's five numbers: 1, 1 below 2; 3 above; two ties at 2.
    sample = data.five_residuals()
    assert estimators.sae_subdifferential(sample, 2.0) == (-1.0, 3.0)
    assert estimators.sae_subdifferential(sample, 1.5) == (-1.0, -1.0)
    assert estimators.sae_subdifferential(sample, 10.0) == (5.0, 5.0)


@settings(max_examples=60, deadline=None)
@given(small_samples, st.integers(min_value=-22, max_value=22))
def test_subdifferential_ends_are_the_one_sided_slopes(sample, location):
    location = float(location) + 0.0
    step = 1e-3  # smaller than the gap between the integer data points
    left = (_sae(sample, location) - _sae(sample, location - step)) / step
    right = (_sae(sample, location + step) - _sae(sample, location)) / step
    low, high = estimators.sae_subdifferential(sample, location)
    assert low == pytest.approx(left, abs=1e-6)
    assert high == pytest.approx(right, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(small_samples)
def test_minimisers_are_exactly_the_flat_bottom(sample):
    low, high = estimators.sae_minimisers(sample)
    grid = np.concatenate([np.linspace(min(sample) - 1, max(sample) + 1, 401), sample])
    best = min(_sae(sample, m) for m in grid)
    for location in (low, (low + high) / 2, high):
        assert _sae(sample, location) == pytest.approx(best)
        below, above = estimators.sae_subdifferential(sample, location)
        assert below <= 0 <= above
    assert _sae(sample, low - 0.01) > best + 1e-9
    assert _sae(sample, high + 0.01) > best + 1e-9
    assert low <= np.median(sample) <= high


def test_minimisers_of_the_commute_times():
    trips = data.commute_times()
    assert estimators.sae_minimisers(trips[:7]) == (24.0, 24.0)
    assert estimators.sae_minimisers(trips) == (24.0, 25.0)


@pytest.mark.parametrize("bad", [[], [1.0, np.nan], [np.inf]])
def test_bad_samples_are_explained(bad):
    with pytest.raises(ValueError, match="sample"):
        estimators.sae_minimisers(bad)


# ---------------------------------------------------------------------------------------------
# Simulation and the variance ratio
# ---------------------------------------------------------------------------------------------
def test_simulation_is_seeded_and_shaped():
    first = estimators.simulate_location_estimates("laplace", 7, 50, np.random.default_rng(3))
    again = estimators.simulate_location_estimates("laplace", 7, 50, np.random.default_rng(3))
    other = estimators.simulate_location_estimates("laplace", 7, 50, np.random.default_rng(4))
    assert first[0].shape == first[1].shape == (50,)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


@pytest.mark.parametrize("n,repeats", [(0, 10), (5, 1), (2.5, 10), (True, 10)])
def test_simulation_rejects_bad_sizes(n, repeats):
    with pytest.raises(ValueError, match="whole number"):
        estimators.simulate_location_estimates("gaussian", n, repeats, np.random.default_rng(0))


def test_variance_ratio_standard_error_matches_the_spread_of_repeated_runs():
    rng = np.random.default_rng(11)
    ratios, errors = [], []
    for _ in range(300):
        means, medians = estimators.simulate_location_estimates("gaussian", 11, 400, rng)
        ratio, error = estimators.variance_ratio(means, medians)
        ratios.append(ratio)
        errors.append(error)
    # The delta-method error is an estimate of the ratio's standard deviation across runs.
    assert np.mean(errors) == pytest.approx(np.std(ratios), rel=0.2)


def test_variance_ratio_rejects_bad_input():
    with pytest.raises(ValueError, match="same length"):
        estimators.variance_ratio([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="do not vary"):
        estimators.variance_ratio([1.0, 1.0, 1.0], [0.0, 1.0, 2.0])


# ---------------------------------------------------------------------------------------------
# Theory: asymptotic ratios, noise variances and exact finite-n median variances
# ---------------------------------------------------------------------------------------------
def test_asymptotic_ratios():
    assert estimators.asymptotic_variance_ratio("gaussian") == pytest.approx(math.pi / 2)
    assert estimators.asymptotic_variance_ratio("laplace") == 0.5
    # No contamination, or all draws wide, is plain Gaussian noise of some scale.
    for fraction in (0.0, 1.0):
        assert estimators.asymptotic_variance_ratio(
            "contaminated", contamination=fraction) == pytest.approx(math.pi / 2)
    c, k = 0.1, 10.0
    by_hand = math.pi / (2 * (1 - c + c / k) ** 2 * (1 - c + c * k**2))
    assert estimators.asymptotic_variance_ratio("contaminated") == pytest.approx(by_hand)
    with pytest.raises(ValueError, match="kind"):
        estimators.asymptotic_variance_ratio("cauchy")
    with pytest.raises(ValueError, match="contamination"):
        estimators.asymptotic_variance_ratio("contaminated", contamination=1.5)


@pytest.mark.parametrize("kind", estimators.NOISE_KINDS)
def test_noise_variance_matches_draws(kind):
    draws = data.noise(kind, 400_000, np.random.default_rng(5), scale=2.0)
    expected = estimators.noise_variance(kind, scale=2.0)
    assert np.var(draws) == pytest.approx(expected, rel=0.05)


def test_median_variance_textbook_value():
    # Variance of the median of three standard normal draws: 1 - sqrt(3)/pi.
    assert estimators.median_variance(3) == pytest.approx(1 - math.sqrt(3) / math.pi, rel=1e-9)


@pytest.mark.parametrize("kind", estimators.NOISE_KINDS)
def test_median_of_one_draw_is_the_draw(kind):
    assert estimators.median_variance(1, kind, scale=1.5) == pytest.approx(
        estimators.noise_variance(kind, scale=1.5), rel=1e-8)


@pytest.mark.parametrize("kind", estimators.NOISE_KINDS)
def test_median_variance_tends_to_the_asymptotic_ratio(kind):
    n = 20_001
    ratio = estimators.median_variance(n, kind) * n / estimators.noise_variance(kind)
    # Laplace converges slowly, like 1/sqrt(n) (its density has a corner at 0): 1.1 % off here.
    tolerance = 0.02 if kind == "laplace" else 0.001
    assert ratio == pytest.approx(estimators.asymptotic_variance_ratio(kind), rel=tolerance)


@pytest.mark.parametrize("kind", estimators.NOISE_KINDS)
def test_median_variance_matches_simulation(kind):
    _, medians = estimators.simulate_location_estimates(kind, 11, 40_000,
                                                        np.random.default_rng(8))
    exact = estimators.median_variance(11, kind)
    # The relative standard error of a variance from R draws is about sqrt(2/R) (~0.7 %),
    # a little more for the heavier-tailed medians: 4 % is generous but can still fail.
    assert np.var(medians) == pytest.approx(exact, rel=0.04)


def test_median_variance_rejects_even_n():
    with pytest.raises(ValueError, match="odd"):
        estimators.median_variance(4)


# ---------------------------------------------------------------------------------------------
# The data sets of 03_likelihood
# ---------------------------------------------------------------------------------------------
def test_commute_times_and_sensor_readings():
    trips = data.commute_times()
    assert trips.shape == (8,) and trips[:7].mean() == 27 and np.median(trips[:7]) == 24
    readings = data.sensor_readings()
    assert readings.shape == (9,) and np.median(readings) == pytest.approx(20.1)
    assert np.mean(np.abs(readings - np.median(readings))) == pytest.approx(0.6)


# --------------------------------------------------------------------------------------------
# 05_huber: huber_location and gaussian_efficiency
# --------------------------------------------------------------------------------------------
def _huber_objective(location, sample, delta):
    return losses.huber_loss(np.full_like(sample, location), sample, delta=delta,
                             reduction="sum")


def test_huber_location_minimises_the_huber_objective():
    rng = np.random.default_rng(0)
    samples = rng.standard_t(2, size=(30, 15))
    for delta in (0.1, 1.0, 3.0):
        estimates = estimators.huber_location(samples, delta)
        assert estimates.shape == (30,)
        for sample, estimate in zip(samples, estimates, strict=True):
            reference = minimize_scalar(_huber_objective, args=(sample, delta),
                                        bracket=(sample.min(), sample.max()), tol=1e-12)
            assert _huber_objective(estimate, sample, delta) <= reference.fun + 1e-9
            assert abs(np.clip(sample - estimate, -delta, delta).sum()) < 1e-9


def test_huber_location_limits_are_the_median_and_the_mean():
    sample = np.array([0.0, 1.0, 2.0, 4.0, 100.0])
    assert estimators.huber_location(sample, 1e-9) == pytest.approx(np.median(sample), abs=1e-6)
    assert estimators.huber_location(sample, 1e3) == pytest.approx(np.mean(sample))
    with pytest.raises(ValueError, match="positive"):
        estimators.huber_location(sample, 0.0)
    with pytest.raises(ValueError, match="finite"):
        estimators.huber_location([1.0, np.nan], 1.0)


def test_gaussian_efficiency_is_95_percent_at_1_345():
    assert estimators.gaussian_efficiency(1.345) == pytest.approx(0.95, abs=5e-4)
    values = estimators.gaussian_efficiency(np.array([0.5, 1.0, 1.345, 2.0, 4.0]))
    assert np.all(np.diff(values) > 0) and values[-1] > 0.999
    with pytest.raises(ValueError, match="positive"):
        estimators.gaussian_efficiency(0.0)


def test_gaussian_efficiency_agrees_with_a_simulation():
    rng = np.random.default_rng(0)
    samples = rng.normal(scale=2.0, size=(4000, 100))
    means, estimates = samples.mean(axis=1), estimators.huber_location(samples, 1.345 * 2.0)
    simulated = means.var() / estimates.var()
    batches = [m.var() / h.var() for m, h in zip(means.reshape(20, -1), estimates.reshape(20, -1),
                                                 strict=True)]
    standard_error = np.std(batches, ddof=1) / np.sqrt(len(batches))
    assert standard_error < 0.02
    assert abs(simulated - estimators.gaussian_efficiency(1.345)) < 4 * standard_error


def test_huber_location_finishes_exactly():
    sample = [0.0, 1.0, 2.0, 100.0]
    assert float(estimators.huber_location(sample, 1.0)) == 1.5
    assert float(estimators.huber_location(sample, 1000.0)) == 25.75


@pytest.mark.parametrize("efficiency", [0.64, 0.8, 0.95, 0.99, 0.999999])
def test_gaussian_efficiency_k_inverts_gaussian_efficiency(efficiency):
    k = estimators.gaussian_efficiency_k(efficiency)
    assert estimators.gaussian_efficiency(k) == pytest.approx(efficiency, rel=1e-12)
    assert estimators.gaussian_efficiency(k * (1 - 1e-6)) < efficiency  # the first such k


def test_gaussian_efficiency_k_at_95_percent_and_bad_input():
    assert round(estimators.gaussian_efficiency_k(0.95), 4) == 1.3450  # Huber's classic 1.345
    for bad in (0.5, 2 / np.pi, 1.0, 1.5, float("nan")):
        with pytest.raises(ValueError, match="strictly between"):
            estimators.gaussian_efficiency_k(bad)
    with pytest.raises(ValueError, match="must be a number"):
        estimators.gaussian_efficiency_k("high")
