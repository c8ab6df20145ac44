"""Data sets the notebooks share: the sources' small worked examples and seeded synthetic sets.

Random sets take a ``numpy.random.Generator`` (``rng``) and draw from nothing else, so a notebook's
one ``SEED`` fixes every number on every machine. Introduced in ``01_definitions``.
"""

from typing import NamedTuple

import numpy as np

__all__ = [
    "Example",
    "apples",
    "two_predictions",
    "four_predictions",
    "huber_pair",
    "five_residuals",
    "delivery_times",
    "eight_points",
    "line_with_outliers",
    "noise",
    "sinusoid_with_outliers",
    "heteroscedastic_line",
    "commute_times",  # 03_likelihood
    "sensor_readings",  # 03_likelihood
    "residuals_with_glitch",  # 04_outliers
    "sparse_linear",  # 07_beyond
    "composite_sinusoid",  # 06_training
]


class Example(NamedTuple):
    """A small worked example: what the model predicted and what actually happened."""

    predicted: np.ndarray
    actual: np.ndarray

    @property
    def residuals(self):
        """Residuals e = actual - predicted."""
        return self.actual - self.predicted


# ---------------------------------------------------------------------------------------------
# The sources' worked examples (data only; every result is recomputed in the notebooks)
# ---------------------------------------------------------------------------------------------
def apples():
    """A harvest of 100 apples predicted as 90, 95 and 105 (a blog post's example)."""
    return Example(predicted=np.array([90.0, 95.0, 105.0]), actual=np.array([100.0, 100.0, 100.0]))


def two_predictions():
    """PyTorch documentation-style example: predictions [3, 1] for targets [1, 3]."""
    return Example(predicted=np.array([3.0, 1.0]), actual=np.array([1.0, 3.0]))


def four_predictions():
    """Four predictions and targets used in an encyclopedia article's PyTorch snippet."""
    return Example(predicted=np.array([2.5, 0.0, 2.1, 7.8]), actual=np.array([3.0, -0.5, 2.0, 7.5]))


def huber_pair():
    """Predictions [0.5, 2.0] for targets [0, 0]: one residual inside δ = 1, one beyond."""
    return Example(predicted=np.array([0.5, 2.0]), actual=np.array([0.0, 0.0]))


def five_residuals():
    """The residuals [1, 2, 1, 3, 2] of an encyclopedia article's outlier example."""
    return np.array([1.0, 2.0, 1.0, 3.0, 2.0])


def delivery_times():
    """Predicted and actual delivery times in minutes, for the exercises of ``01_definitions``."""
    return Example(predicted=np.array([12.0, 15.0, 9.0, 20.0]),
                   actual=np.array([10.0, 15.0, 12.0, 16.0]))


# ---------------------------------------------------------------------------------------------
# 03_likelihood: small samples for the location (mean, median) and scale estimates
# ---------------------------------------------------------------------------------------------
def commute_times():
    """Minutes taken by eight trips to work; the seventh hit a road closure (48 minutes).

    The first seven trips make an odd sample (one median), all eight an even one (every value
    between the two middle trips minimises the sum of absolute errors).
    """
    return np.array([23.0, 25.0, 21.0, 26.0, 24.0, 22.0, 48.0, 27.0])


def sensor_readings():
    """Nine temperature readings in °C; one was taken next to a heater (23.9), for the exercises."""
    return np.array([20.1, 19.8, 20.4, 20.0, 19.7, 23.9, 20.2, 19.9, 20.3])


# ---------------------------------------------------------------------------------------------
# 04_outliers: residuals with one glitch, for the exercises
# ---------------------------------------------------------------------------------------------
def residuals_with_glitch():
    """A week of temperature-forecast residuals in °C; on day 7 the sensor glitched (−24)."""
    return np.array([1.5, -0.5, 2.0, -1.0, 0.5, -1.5, -24.0])


# ---------------------------------------------------------------------------------------------
# Seeded synthetic sets
# ---------------------------------------------------------------------------------------------
def eight_points():
    """Eight points close to the line y = 1 + 0.5 x, for the draggable-outlier demo.

    Fixed numbers (no rng) so the demo starts from the same picture everywhere; the small
    deviations make the L1 and L2 lines almost, but not exactly, identical.

    Returns
    -------
    x, y : ndarray, shape (8,)
    """
    x = np.arange(1.0, 9.0)
    wiggle = np.array([0.3, -0.2, 0.1, -0.3, 0.25, -0.1, 0.2, -0.25])
    return x, 1.0 + 0.5 * x + wiggle


def line_with_outliers(n, rng, *, intercept=1.0, slope=0.5, noise_scale=0.5, n_outliers=0,
                       outlier_shift=8.0, x_range=(0.0, 10.0)):
    """Points on a line with Gaussian noise, some of them pushed up by `outlier_shift`.

    Parameters
    ----------
    n : int
        Number of points.
    rng : numpy.random.Generator
        The notebook's generator.
    n_outliers : int
        How many points (chosen at random) are shifted up by `outlier_shift`.

    Returns
    -------
    x, y : ndarray, shape (n,)
        Sorted by x.
    is_outlier : ndarray of bool, shape (n,)
    """
    x = np.sort(rng.uniform(*x_range, size=n))
    y = intercept + slope * x + rng.normal(0.0, noise_scale, size=n)
    is_outlier = np.zeros(n, dtype=bool)
    if n_outliers:
        is_outlier[rng.choice(n, size=n_outliers, replace=False)] = True
        y = y + outlier_shift * is_outlier
    return x, y, is_outlier


def noise(kind, size, rng, *, scale=1.0, contamination=0.1, outlier_scale=10.0):
    """Draw noise of a named kind, all with location 0.

    Parameters
    ----------
    kind : {"gaussian", "laplace", "contaminated"}
        Gaussian with standard deviation `scale`; Laplace with scale parameter `scale`;
        or Gaussian where a fraction `contamination` of draws has standard deviation
        ``outlier_scale * scale`` instead.
    size : int or tuple of int
        Output shape.
    rng : numpy.random.Generator

    Returns
    -------
    ndarray
    """
    if kind == "gaussian":
        return rng.normal(0.0, scale, size=size)
    if kind == "laplace":
        return rng.laplace(0.0, scale, size=size)
    if kind == "contaminated":
        if not 0 <= contamination <= 1:
            raise ValueError(f"contamination must lie in [0, 1], got {contamination!r}.")
        wide = rng.random(size=size) < contamination
        return rng.normal(0.0, scale, size=size) * np.where(wide, outlier_scale, 1.0)
    raise ValueError(f"kind must be 'gaussian', 'laplace' or 'contaminated', got {kind!r}.")


def sinusoid_with_outliers(n, rng, *, noise_scale=0.1, n_outliers=6, outlier_size=3.0):
    """A composite sinusoid sampled on [-3, 3] with small noise and a few gross outliers.

    The clean signal is ``sin(2x) + 0.5 sin(5x)``; outliers are pushed by ±`outlier_size`.

    Returns
    -------
    x, y, clean : ndarray, shape (n,)
        Inputs (sorted), noisy targets with outliers, and the clean signal at `x`.
    is_outlier : ndarray of bool, shape (n,)
    """
    x = np.sort(rng.uniform(-3.0, 3.0, size=n))
    clean = np.sin(2.0 * x) + 0.5 * np.sin(5.0 * x)
    y = clean + rng.normal(0.0, noise_scale, size=n)
    is_outlier = np.zeros(n, dtype=bool)
    chosen = rng.choice(n, size=n_outliers, replace=False)
    is_outlier[chosen] = True
    y[chosen] += outlier_size * rng.choice([-1.0, 1.0], size=n_outliers)
    return x, y, clean, is_outlier


def heteroscedastic_line(n, rng, *, intercept=1.0, slope=0.5, spread=0.15):
    """Points around a line whose noise grows with x (standard deviation ``spread * x``).

    Good for quantile regression: the 10 % and 90 % lines fan out.

    Returns
    -------
    x, y : ndarray, shape (n,)
    """
    x = np.sort(rng.uniform(0.5, 10.0, size=n))
    y = intercept + slope * x + rng.normal(0.0, 1.0, size=n) * spread * x
    return x, y


# ---------------------------------------------------------------------------------------------
# 07_beyond: a regression with many features, few of which matter (for the LASSO path)
# ---------------------------------------------------------------------------------------------
def sparse_linear(n, rng, *, coef=(3.0, -2.0, 1.5, 0.0, 0.0, 0.0, 0.0, 0.0), intercept=5.0,
                  noise_scale=1.0, correlation=0.3):
    """Standardised, correlated features and ``y = intercept + X @ coef + noise``.

    Each pair of features has correlation `correlation` before standardising; every column is
    then scaled to mean 0 and standard deviation 1 in the sample, so one penalty strength treats
    all weights alike. Introduced in ``07_beyond``.

    Parameters
    ----------
    n, rng
        How many points, and the notebook's generator (as in `line_with_outliers`).
    coef : sequence of float
        True weights; zeros mark features that do not matter.

    Returns
    -------
    X : ndarray, shape (n, len(coef))
    y : ndarray, shape (n,)
    true_coef : ndarray, shape (len(coef),)
    """
    true_coef = np.asarray(coef, dtype=float)
    if not 0 <= correlation < 1:
        raise ValueError(f"correlation must lie in [0, 1), got {correlation!r}.")
    shared = rng.normal(size=(n, 1))
    X = np.sqrt(1.0 - correlation) * rng.normal(size=(n, true_coef.size))
    X = X + np.sqrt(correlation) * shared
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = intercept + X @ true_coef + rng.normal(0.0, noise_scale, size=n)
    return X, y, true_coef


# ---------------------------------------------------------------------------------------------
# 06_training
# ---------------------------------------------------------------------------------------------
def composite_sinusoid(x):
    """The clean signal of `sinusoid_with_outliers`, ``sin(2x) + 0.5 sin(5x)``, at any `x`.

    ``06_training`` measures each network's error against it on a fine grid.

    Examples
    --------
    >>> float(composite_sinusoid(0.0))
    0.0
    """
    x = np.asarray(x, dtype=np.float64)
    return np.sin(2.0 * x) + 0.5 * np.sin(5.0 * x)
