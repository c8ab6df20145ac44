"""Location estimates under L1 and L2: minimisers, subgradients and sampling simulations.

The mean minimises the sum of squared errors (SSE) and a median minimises the sum of absolute
errors (SAE). These helpers compute the SAE's subdifferential and its set of minimisers, simulate
the sampling distributions of the mean and the median under a chosen noise, and give the
theoretical variance ratios the simulations are compared with. Introduced in
``02_gradients`` (the subdifferential) and ``03_likelihood`` (everything else).
"""

import math

import numpy as np

from lessons import data

__all__ = [
    "NOISE_KINDS",
    "sae_subdifferential",
    "sae_minimisers",
    "simulate_location_estimates",
    "variance_ratio",
    "asymptotic_variance_ratio",
    "noise_variance",
    "median_variance",
    "huber_location",
    "gaussian_efficiency",
    "gaussian_efficiency_k",
]

NOISE_KINDS = ("gaussian", "laplace", "contaminated")


def _sample(values):
    sample = np.asarray(values, dtype=np.float64).reshape(-1)
    if sample.size == 0:
        raise ValueError("the sample is empty: give at least one number.")
    if not np.all(np.isfinite(sample)):
        raise ValueError("the sample contains NaN or infinite values.")
    return sample


def sae_subdifferential(sample, location):
    """Subdifferential of m -> sum |x_i - m| at `location`, as an interval (low, high).

    Each point below `location` adds a slope of +1, each point above adds -1, and each point
    exactly at `location` adds the whole interval [-1, 1]. A location minimises the SAE exactly
    when 0 lies in the interval (introduced in ``02_gradients``).

    Parameters
    ----------
    sample : array_like
        The data, any shape (flattened).
    location : float
        Where to take the subdifferential.

    Returns
    -------
    (float, float)
        The interval's ends; equal where the SAE is differentiable.

    Examples
    --------
    >>> sae_subdifferential([1.0, 2.0, 4.0], 2.0)
    (-1.0, 1.0)
    >>> sae_subdifferential([1.0, 2.0, 4.0], 3.0)
    (1.0, 1.0)
    """
    sample = _sample(sample)
    location = float(location)
    slope = float(np.sum(sample < location) - np.sum(sample > location))
    ties = float(np.sum(sample == location))
    return slope - ties, slope + ties


def sae_minimisers(sample):
    """The interval of locations that minimise sum |x_i - m|: from the lower to the upper median.

    For an odd sample both ends are the middle value; for an even sample every point between the
    two middle values is a minimiser, and ``np.median`` returns the midpoint of that interval.

    Parameters
    ----------
    sample : array_like
        The data, any shape (flattened).

    Returns
    -------
    (float, float)
        Lower and upper end; equal for an odd sample.

    Examples
    --------
    >>> sae_minimisers([3.0, 1.0, 2.0])
    (2.0, 2.0)
    >>> sae_minimisers([4.0, 1.0, 2.0, 3.0])
    (2.0, 3.0)
    """
    ordered = np.sort(_sample(sample))
    size = ordered.size
    return float(ordered[(size - 1) // 2]), float(ordered[size // 2])


def simulate_location_estimates(kind, n, repeats, rng, **noise_options):
    """Draw `repeats` samples of `n` noise values; return the mean and the median of each.

    The true location is 0, so both arrays scatter around 0 and their spread is the
    estimators' sampling error (introduced in ``03_likelihood``).

    Parameters
    ----------
    kind : {"gaussian", "laplace", "contaminated"}
        Passed to `lessons.data.noise`.
    n : int
        Sample size, at least 1.
    repeats : int
        Number of simulated samples, at least 2.
    rng : numpy.random.Generator
        The only source of randomness.
    **noise_options
        ``scale``, ``contamination``, ``outlier_scale`` as in `lessons.data.noise`.

    Returns
    -------
    means, medians : ndarray, shape (repeats,)
    """
    n, repeats = _positive_int(n, "n", 1), _positive_int(repeats, "repeats", 2)
    draws = data.noise(kind, (repeats, n), rng, **noise_options)
    return draws.mean(axis=1), np.median(draws, axis=1)


def _positive_int(value, name, smallest):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < smallest:
        raise ValueError(f"`{name}` must be a whole number of at least {smallest}, got {value!r}.")
    return int(value)


def variance_ratio(means, medians):
    """Var(median) / Var(mean) from simulated estimates, with its standard error.

    The standard error comes from the delta method applied to the pairs of squared deviations,
    so it accounts for the strong correlation between the mean and the median of one sample.

    Parameters
    ----------
    means, medians : array_like, shape (repeats,)
        Estimates from the same simulated samples (e.g. `simulate_location_estimates`).

    Returns
    -------
    ratio, standard_error : float
        The ratio is above 1 when the median is the more spread-out estimator.

    Examples
    --------
    >>> ratio, se = variance_ratio([1.0, -1.0, 1.0, -1.0], [2.0, -2.0, 2.0, -2.0])
    >>> ratio, se
    (4.0, 0.0)
    """
    means = np.asarray(means, dtype=np.float64)
    medians = np.asarray(medians, dtype=np.float64)
    if means.shape != medians.shape or means.ndim != 1 or means.size < 2:
        raise ValueError("`means` and `medians` must be 1-D arrays of the same length (>= 2).")
    squared_mean_dev = (means - means.mean()) ** 2
    squared_median_dev = (medians - medians.mean()) ** 2
    if squared_mean_dev.sum() == 0:
        raise ValueError("the means do not vary, so the ratio is undefined.")
    ratio = squared_median_dev.mean() / squared_mean_dev.mean()
    influence = (squared_median_dev - ratio * squared_mean_dev) / squared_mean_dev.mean()
    standard_error = influence.std(ddof=1) / math.sqrt(means.size)
    return float(ratio), float(standard_error)


def asymptotic_variance_ratio(kind, *, contamination=0.1, outlier_scale=10.0):
    """Large-n limit of Var(median) / Var(mean) for noise of a named kind.

    Uses Var(mean) = Var(noise)/n and the textbook result Var(median) ~ 1 / (4 n f(0)^2), where
    f(0) is the noise density at its median. That gives pi/2 for Gaussian noise, 1/2 for Laplace
    noise, and pi / (2 (1 - c + c/k)^2 (1 - c + c k^2)) for `lessons.data.noise`'s contaminated
    Gaussian (a fraction c of draws k times wider). No ratio depends on the noise's scale.
    Introduced in ``03_likelihood``.

    Parameters
    ----------
    kind : {"gaussian", "laplace", "contaminated"}
    contamination, outlier_scale : float
        Fraction c of wide draws and their width factor k (only for ``"contaminated"``).

    Returns
    -------
    float

    Examples
    --------
    >>> round(asymptotic_variance_ratio("gaussian"), 4)
    1.5708
    >>> asymptotic_variance_ratio("laplace")
    0.5
    """
    if kind == "gaussian":
        return math.pi / 2
    if kind == "laplace":
        return 0.5
    if kind == "contaminated":
        c, k = _contamination(contamination, outlier_scale)
        variance_of_noise = (1 - c) + c * k**2  # per unit scale squared
        density_at_zero = ((1 - c) + c / k) / math.sqrt(2 * math.pi)
        return 1.0 / (4 * density_at_zero**2) / variance_of_noise
    raise ValueError(f"kind must be one of {', '.join(NOISE_KINDS)}, got {kind!r}.")


def noise_variance(kind, *, scale=1.0, contamination=0.1, outlier_scale=10.0):
    """Variance of one draw of `lessons.data.noise` (so Var(mean of n) is this divided by n).

    Examples
    --------
    >>> noise_variance("laplace", scale=2.0)
    8.0
    """
    scale = _positive_number(scale, "scale")
    if kind == "gaussian":
        return scale**2
    if kind == "laplace":
        return 2 * scale**2
    if kind == "contaminated":
        c, k = _contamination(contamination, outlier_scale)
        return scale**2 * ((1 - c) + c * k**2)
    raise ValueError(f"kind must be one of {', '.join(NOISE_KINDS)}, got {kind!r}.")


def _positive_number(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"`{name}` must be a positive number, got {value!r}.")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"`{name}` must be a positive number, got {value!r}.")
    return float(value)


def _contamination(contamination, outlier_scale):
    if not 0 <= contamination <= 1:
        raise ValueError(f"contamination must lie in [0, 1], got {contamination!r}.")
    return float(contamination), _positive_number(outlier_scale, "outlier_scale")


def _log_cdf_sf_pdf(kind, x, contamination, outlier_scale):
    """log F(x), log(1 - F(x)) and log f(x) of unit-scale noise at the points `x`, without
    underflow."""
    from scipy import special  # imported on use: importing this module stays cheap

    x = np.asarray(x, dtype=float)
    if kind == "gaussian":
        return special.log_ndtr(x), special.log_ndtr(-x), -0.5 * x * x - 0.5 * _LOG_2PI
    if kind == "laplace":
        tail = math.log(0.5) - np.abs(x)  # log of the smaller tail, 0.5 exp(-|x|)
        body = np.log1p(-0.5 * np.exp(-np.abs(x)))
        return np.where(x < 0, tail, body), np.where(x < 0, body, tail), tail
    c, k = contamination, outlier_scale
    weights = [math.log1p(-c) if c < 1 else -math.inf, math.log(c) if c > 0 else -math.inf]
    log_cdf = np.logaddexp(weights[0] + special.log_ndtr(x), weights[1] + special.log_ndtr(x / k))
    log_sf = np.logaddexp(weights[0] + special.log_ndtr(-x),
                          weights[1] + special.log_ndtr(-x / k))
    log_pdf = np.logaddexp(weights[0] - 0.5 * x * x,
                           weights[1] - 0.5 * (x / k) ** 2 - math.log(k)) - 0.5 * _LOG_2PI
    return log_cdf, log_sf, log_pdf


_LOG_2PI = math.log(2 * math.pi)


def median_variance(n, kind="gaussian", *, scale=1.0, contamination=0.1, outlier_scale=10.0):
    """Exact variance of the median of `n` independent noise draws, for odd `n`.

    Integrates x^2 against the density of the middle order statistic,
    n! / (m!)^2 * F(x)^m * (1 - F(x))^m * f(x) with m = (n - 1) / 2, for the noise of
    `lessons.data.noise` (symmetric about 0, so the median's mean is 0). For Gaussian noise
    n * variance / scale^2 tends to pi / 2 as n grows (introduced in ``03_likelihood``).

    Parameters
    ----------
    n : int
        Odd sample size.
    kind : {"gaussian", "laplace", "contaminated"}
    scale, contamination, outlier_scale : float
        As in `lessons.data.noise`.

    Returns
    -------
    float

    Examples
    --------
    >>> round(median_variance(3), 6)  # the textbook value 1 - sqrt(3)/pi
    0.448671
    """
    n = _positive_int(n, "n", 1)
    if n % 2 == 0:
        raise ValueError("median_variance needs an odd n, so that the median is one value.")
    if kind not in NOISE_KINDS:
        raise ValueError(f"kind must be one of {', '.join(NOISE_KINDS)}, got {kind!r}.")
    scale = _positive_number(scale, "scale")
    c, k = _contamination(contamination, outlier_scale)
    middle = (n - 1) // 2
    log_coefficient = math.lgamma(n + 1) - 2 * math.lgamma(middle + 1)

    def integrand(x):
        log_cdf, log_sf, log_pdf = _log_cdf_sf_pdf(kind, x, c, k)
        return x * x * np.exp(log_coefficient + middle * (log_cdf + log_sf) + log_pdf)

    # Symmetric about 0: integrate one half. The median's density is smooth and fades within
    # `core`: Gauss-Legendre on panels much narrower than its spread (about 1.3/sqrt(n)) is
    # exact to round-off, with no adaptive integrator (SciPy's costs a second to import).
    core = 10.0 / math.sqrt(n) + 1.0
    far = 40.0 * (k if kind == "contaminated" else 1.0)
    return 2.0 * (_gauss_legendre(integrand, 0.0, core, 200)
                  + _gauss_legendre(integrand, core, far, 400)) * scale**2


_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(20)


def _gauss_legendre(function, low, high, panels):
    """∫ function over [low, high]: 20-point Gauss-Legendre on `panels` equal panels."""
    edges = np.linspace(low, high, panels + 1)
    half = 0.5 * np.diff(edges)
    points = (0.5 * (edges[:-1] + edges[1:]))[:, None] + half[:, None] * _NODES
    return float(np.sum(function(points) * _WEIGHTS * half[:, None]))


# ---------------------------------------------------------------------------------------------
# Huber's estimate of location (05_huber)
# ---------------------------------------------------------------------------------------------
def huber_location(samples, delta):
    """Huber M-estimate of location of each row: the μ minimising Σ Huber_δ(x_i − μ).

    Solves Σ clip(x_i − μ, −δ, δ) = 0 (the derivative, decreasing in μ) by bisection on all rows
    at once, then exactly: once the points within δ of μ are known, μ is a closed-form average.

    Parameters
    ----------
    samples : array_like, shape (..., n)
        One sample per row (the last axis).
    delta : float
        Huber's threshold, in the units of the samples; positive.

    Returns
    -------
    ndarray, shape (...)
        Between the sample median's neighbours and the mean: the median as δ → 0, the mean
        once δ exceeds every distance to it.

    Examples
    --------
    >>> float(huber_location([0.0, 1.0, 2.0, 100.0], delta=1.0))
    1.5
    >>> float(huber_location([0.0, 1.0, 2.0, 100.0], delta=1000.0))
    25.75
    """
    values = np.asarray(samples, dtype=float)
    delta = float(delta)
    if not (np.isfinite(delta) and delta > 0):
        raise ValueError(f"delta must be a positive number, got {delta!r}.")
    if values.ndim == 0 or values.shape[-1] == 0 or not np.all(np.isfinite(values)):
        raise ValueError("samples must be finite numbers with at least one value per row.")
    low, high = values.min(axis=-1), values.max(axis=-1)
    for _ in range(60):  # the bracket shrinks 2**60-fold: far below any gap between points
        middle = 0.5 * (low + high)
        pushes_up = np.clip(values - middle[..., None], -delta, delta).sum(axis=-1) > 0
        low = np.where(pushes_up, middle, low)
        high = np.where(pushes_up, high, middle)
    estimate = 0.5 * (low + high)
    # Exact finish: with the set inside (|x - μ| < δ) fixed, Σψ = 0 is linear in μ.
    residuals = values - estimate[..., None]
    inside = np.abs(residuals) < delta
    count = inside.sum(axis=-1)
    capped = np.where(inside, 0.0, delta * np.sign(residuals)).sum(axis=-1)
    exact = (np.where(inside, values, 0.0).sum(axis=-1) + capped) / np.maximum(count, 1)

    def slope_sum(location):
        return np.abs(np.clip(values - location[..., None], -delta, delta).sum(axis=-1))

    keep_exact = (count > 0) & (slope_sum(exact) <= slope_sum(estimate))
    return np.where(keep_exact, exact, estimate)


def gaussian_efficiency(k):
    """Asymptotic efficiency of Huber's location estimate, δ = kσ, relative to the mean.

    Under Gaussian noise of standard deviation σ the efficiency is (2Φ(k) − 1)² / E[ψ²], with
    E[ψ²] = 2Φ(k) − 1 − 2kφ(k) + 2k²(1 − Φ(k)) for ψ(z) = clip(z, −k, k).

    Parameters
    ----------
    k : float or array_like
        δ in units of σ; positive.

    Returns
    -------
    float or ndarray
        In (0, 1): 1 would be as good as the mean on clean Gaussian data.

    Examples
    --------
    >>> round(gaussian_efficiency(1.345), 3)
    0.95
    """
    k = np.asarray(k, dtype=float)
    if np.any(~np.isfinite(k)) or np.any(k <= 0):
        raise ValueError("k must be positive and finite.")
    # math's erf and erfc, element by element: no SciPy import for a handful of values
    erf, erfc = (np.vectorize(f, otypes=[float]) for f in (math.erf, math.erfc))
    inside = erf(k / math.sqrt(2.0))  # 2Φ(k) − 1
    density = np.exp(-0.5 * k**2) / math.sqrt(2.0 * math.pi)  # φ(k)
    psi_squared = inside - 2.0 * k * density + k**2 * erfc(k / math.sqrt(2.0))
    result = inside**2 / psi_squared
    return float(result) if result.ndim == 0 else result


def gaussian_efficiency_k(efficiency):
    """The k (δ = kσ) at which Huber's location estimate has the given Gaussian `efficiency`.

    Inverts `gaussian_efficiency`, which rises from 2/π (k → 0, the median) to 1 (k → ∞, the
    mean), by bisection to machine precision.

    Parameters
    ----------
    efficiency : float
        Strictly between 2/π ≈ 0.637 and 1.

    Returns
    -------
    float

    Examples
    --------
    >>> round(gaussian_efficiency_k(0.95), 4)
    1.345
    """
    try:
        efficiency = float(efficiency)
    except (TypeError, ValueError):
        raise ValueError(f"efficiency must be a number, got {efficiency!r}.") from None
    if not 2.0 / math.pi < efficiency < 1.0:
        raise ValueError(f"efficiency must lie strictly between 2/π ≈ 0.637 and 1, got "
                         f"{efficiency!r}.")
    low, high = 1e-6, 1.0
    while gaussian_efficiency(high) < efficiency:
        low, high = high, 2.0 * high
    while True:
        middle = 0.5 * (low + high)
        if middle in (low, high):
            return middle
        if gaussian_efficiency(middle) < efficiency:
            low = middle
        else:
            high = middle
