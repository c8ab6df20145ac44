"""Answer key of ``03_likelihood``: expected values come from SymPy and the notebook's data."""

import copy

import numpy as np

from lessons import checks, data, estimators, keys

_readings = data.sensor_readings()
_median = float(np.median(_readings))


# 03.laplace_nll: SymPy is imported only when an answer is judged (see checks.Expression).
def _densities():
    """x, mu, b, the Laplace density and a Gaussian with the same scale b."""
    import sympy as sp

    x = sp.Symbol("x", real=True)
    mu = sp.Symbol("mu", real=True)
    b = sp.Symbol("b", positive=True)
    laplace = sp.exp(-sp.Abs(x - mu) / b) / (2 * b)
    gaussian_same_scale = sp.exp(-((x - mu) ** 2) / (2 * b**2)) / sp.sqrt(2 * sp.pi * b**2)
    return x, mu, b, laplace, gaussian_same_scale


def _negative_log(density):
    import sympy as sp

    return sp.expand_log(-sp.log(density), force=True)


def _laplace_nll():
    return _negative_log(_densities()[3])


def _laplace_nll_mistakes():
    import sympy as sp

    x, mu, b, laplace, gaussian_same_scale = _densities()
    return [
        (sp.Abs(x - mu) / b,
         "That is the part that depends on μ. The density's factor 1/(2b) adds log(2b) to "
         "the negative log-likelihood."),
        (sp.Abs(x - mu) / b + sp.log(b),
         "The density's factor is 1/(2b), so its negative log adds log(2b) = log 2 + log b: "
         "the log 2 is missing."),
        ((x - mu) / b + sp.log(2 * b),
         "The absolute value is missing: the Laplace density has |x − μ|, which is never "
         "negative. Write it as Abs(x - mu)."),
        (-_negative_log(laplace),
         "That is the log-likelihood itself; the question asks for its negative."),
        (sp.Abs(x - mu) / b - sp.log(2 * b),
         "The sign of the log term: −log(1/(2b)) = +log(2b)."),
        (_negative_log(gaussian_same_scale),
         "That is the Gaussian negative log-likelihood; the Laplace density has |x − μ|, "
         "not a square."),
    ]


def _sum_of_absolute_errors(sample, location):
    return float(np.sum(np.abs(np.asarray(sample, dtype=float) - location)))


def reference_sae_minimiser(sample):
    """One minimiser of sum |x_i - m|: the median (the midpoint of the interval if n is even)."""
    return float(np.median(np.asarray(sample, dtype=float)))


class _AnyMinimiser(checks.Function):
    """A `checks.Function` that accepts every minimiser of the SAE, not only ``np.median``.

    For an even sample every value between the two middle values minimises the SAE; a learner
    who returns, say, the lower middle value is right. The learner's function is wrapped: a
    number inside that interval (give or take a relative 1e-9 of the middle values, whatever
    the outliers) is replaced by the reference's value before the usual comparison, so only a
    true non-minimiser is reported (with the usual case description).
    """

    def _feedback(self, answer):
        if not callable(answer):
            return super()._feedback(answer)

        def judged(sample, *args, **kwargs):
            # The learner's function gets its own copy, so sorting in place changes nothing here.
            result = answer(copy.deepcopy(sample), *args, **kwargs)
            if isinstance(result, (str, bytes, bool, np.bool_)) or np.ndim(result) != 0:
                return result  # judged (and refused) as it is
            try:
                value = float(result)
            except (TypeError, ValueError):
                return result
            low, high = estimators.sae_minimisers(sample)
            slack = 1e-9 * (1.0 + max(abs(low), abs(high)))
            if np.isfinite(value) and low - slack <= value <= high + slack:
                return reference_sae_minimiser(sample)
            return result

        return super()._feedback(judged)


EXERCISES = {
    "03.laplace_nll": keys.formula(
        _laplace_nll, "x mu b", _laplace_nll_mistakes,
        "−log f = −log(1/(2b)) − log(exp(−|x − μ|/b)).",
        "Write |x − μ| as `Abs(x - mu)` and the logarithm as `log(...)`."),
    "03.laplace_location": checks.Number(
        _median,
        sig_figs=3,
        mistakes=[
            (float(np.mean(_readings)),
             "That is the mean, the Gaussian (L2) estimate. Under Laplace noise the MLE of the "
             "location minimises the sum of absolute errors."),
        ],
        hints=["The Laplace MLE of μ minimises Σ|x_i − μ|.", "np.median(readings)"],
    ),
    "03.laplace_scale": checks.Number(
        _sum_of_absolute_errors(_readings, _median) / _readings.size,
        sig_figs=3,
        mistakes=[
            (_sum_of_absolute_errors(_readings, _median),
             "That is the sum of absolute errors; b̂ divides it by n."),
            (_sum_of_absolute_errors(_readings, _median) / (_readings.size - 1),
             "The MLE divides by n, not n − 1."),
            (_sum_of_absolute_errors(_readings, float(np.mean(_readings))) / _readings.size,
             "You measured the deviations from the mean; the Laplace MLE uses the median."),
            (float(np.median(np.abs(_readings - _median))),
             "That is the median absolute deviation, the median of |x_i − median|. The Laplace "
             "MLE b̂ is their mean: SAE/n."),
            (float(np.std(_readings)),
             "That is the Gaussian scale σ̂; the Laplace scale is a mean absolute deviation."),
        ],
        hints=["Setting d/db of SAE/b + n·log(2b) to 0 gives b̂ = SAE/n.",
               "np.mean(np.abs(readings - np.median(readings)))"],
    ),
    "03.noise_choice": checks.Choice.from_text("""
        a) L2 (squared error): least squares
           -> Least squares is the MLE for Gaussian noise, whose log-density is a parabola;
              this noise has a sharp peak and straight-line (exponential) tails.
        b) L1 (absolute error): least absolute deviations
           -> Right: Laplace noise has −log f = |e|/b + const, so its MLE minimises the sum
              of absolute errors.
        c) pinball loss with τ = 0.9
           -> The errors are symmetric, so there is no reason to aim above the median.
        d) either L1 or L2: for symmetric noise they give the same estimate
           -> Both aim at the centre, but they are not equally good: under Laplace noise the
              median's variance is about half the mean's for large samples.
        """,
        correct="b",
        hints=["Which density has log f(e) = −|e|/b + const?"],
    ),
    "03.sae_minimiser": _AnyMinimiser(
        reference=reference_sae_minimiser,
        cases=[
            checks.Case(args=(np.array([3.0, 1.0, 2.0]),), description="three unsorted values"),
            checks.Case(args=(np.array([21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 48.0]),),
                        description="seven commute times with one outlier"),
            checks.Case(args=(np.array([4.0, 1.0, 3.0, 2.0]),),
                        description="an even sample (any value from 2 to 3 is right)"),
            checks.Case(args=(np.array([5.0]),), description="a single value"),
            checks.Case(args=(np.array([-2.0, -2.0, 7.0, -2.0, 1e9]),),
                        description="ties and a huge outlier"),
            checks.Case(args=([0.5, -1.5, 2.5, 0.0, 1.0],), description="a plain Python list"),
        ],
        hints=[
            "The SAE is smallest at a median.",
            "np.median(sample) is one minimiser; so is any value between the two middle values.",
        ],
    ),
    "03.q_laplace_spread": checks.Choice.from_text("""
        a) the mean
           -> Under Gaussian noise the mean wins; under Laplace noise it is the median.
        b) the median
           -> Yes: the median is the Laplace MLE, and its variance is about half the mean's
              for large samples.
        c) neither: their spreads are equal for large samples
           -> The simulation and the theory both give a ratio of about 1/2, not 1.
        """,
        correct="b",
    ),
}
