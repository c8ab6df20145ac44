"""Answer key of ``07_beyond``: every expected value is computed from the notebook's data."""


import numpy as np

from lessons import checks, data, keys, losses, penalties

# The exercise notebook's one SEED; the LASSO data set is the first thing it draws from its rng.
_SEED = 7
_times = data.delivery_times()
_X, _y, _ = data.sparse_linear(40, np.random.default_rng(_SEED))
_n = _y.size


def _r_squared(actual, predicted):
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(predicted, dtype=float)
    sse = np.sum((actual - predicted) ** 2)
    sst = np.sum((actual - actual.mean()) ** 2)
    return float(1.0 - sse / sst)


def _pinball(tau):
    return losses.pinball_loss(_times.predicted, _times.actual, tau=tau)


_pull = np.abs((_X - _X.mean(axis=0)).T @ (_y - _y.mean())) / _n


# 07.logcosh_far: SymPy is imported only when an answer is judged (see checks.Expression).
def _logcosh_far():
    import sympy as sp

    e = sp.Symbol("e", positive=True)
    return e - sp.log(2)


def _logcosh_far_mistakes():
    import sympy as sp

    e = sp.Symbol("e", positive=True)
    return [
        (e, "Close, but cosh(e) ≈ exp(e)/2 for large e, and log of ½ is −log 2."),
        (e**2 / 2, "That is the small-e behaviour; far away log-cosh grows linearly."),
        (e + sp.log(2), "Check the sign: cosh(e) ≈ exp(e)/2, so log cosh(e) ≈ e − log 2."),
        *[(e - sp.Rational(rounded), "Right idea, but you rounded log 2: write the exact "
                                     "constant as log(2).")
          for rounded in ("0.69", "0.693", "0.6931", "0.69315")],
    ]


EXERCISES = {
    "07.pinball_delivery": checks.Number(
        expected=_pinball(0.9),
        sig_figs=3,
        mistakes=[
            (_pinball(0.1),
             "That is τ = 0.1: you charged 0.9 for over-predictions. With τ = 0.9 an "
             "under-prediction (e = y − ŷ > 0) costs 0.9 per minute, an over-prediction 0.1."),
            (losses.pinball_loss(_times.predicted, _times.actual, tau=0.9, reduction="sum"),
             "That is the sum over the four deliveries; the question asks for the mean."),
            (losses.l1_loss(_times.predicted, _times.actual),
             "That is the plain MAE: the pinball loss weights the two signs differently."),
            (0.5 * losses.l1_loss(_times.predicted, _times.actual),
             "That is τ = 0.5 (half the MAE); use τ = 0.9."),
        ],
        hints=["Residuals e = actual − predicted: [−2, 0, 3, −4].",
               "Each costs max(0.9·e, −0.1·e); then average the four costs."],
    ),
    "07.tau_for_costs": checks.Number(
        expected=4.0 / (4.0 + 1.0),
        sig_figs=2,
        mistakes=[
            (1.0 / (4.0 + 1.0),
             "Inverted: τ is the share of the cost of *under*-staffing, c_under / (c_under + "
             "c_over). A high cost of being short should push the plan up, to a high quantile."),
            (4.0, "That is the ratio of the two costs; τ must lie between 0 and 1."),
            (0.25, "That is c_over / c_under; τ = c_under / (c_under + c_over)."),
        ],
        hints=["Under-staffing is an under-prediction: it is weighted by τ, overstaffing by 1 − τ.",
               "Make τ : (1 − τ) equal 4 : 1."],
    ),
    "07.logcosh_far": keys.formula(
        _logcosh_far, "e", _logcosh_far_mistakes,
        "For large e, exp(−e) is negligible next to exp(e).",
        "cosh(e) = (exp(e) + exp(−e)) / 2 ≈ exp(e) / 2."),
    "07.r_squared": checks.Function(
        reference=_r_squared,
        cases=[
            checks.Case(args=(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),
                        description="a perfect prediction"),
            checks.Case(args=(np.array([1.0, 2.0, 3.0, 6.0]), np.full(4, 3.0)),
                        description="predicting the mean everywhere"),
            checks.Case(args=(np.array([1.0, 2.0, 3.0]), np.array([3.0, 2.0, 1.0])),
                        description="a prediction worse than the mean"),
            checks.Case(args=(np.array([10.0, 15.0, 12.0, 16.0]),
                              np.array([12.0, 15.0, 9.0, 20.0])),
                        description="the delivery times"),
            checks.Case(args=(np.array([3, 1, 4, 1, 5]), np.array([2, 2, 3, 2, 4])),
                        description="integer inputs"),
        ],
        hints=["SSE = Σ (y − ŷ)²; SST = Σ (y − ȳ)² uses the mean of the actual values.",
               "R² = 1 − SSE / SST."],
    ),
    "07.soft_threshold": checks.Function(
        reference=penalties.soft_threshold,
        cases=[
            checks.Case(args=(np.array([-3.0, -0.5, 0.2, 2.5]), 1.0),
                        description="values on both sides of the threshold"),
            checks.Case(args=(np.array([1.0, -1.0]), 1.0),
                        description="values exactly at the threshold"),
            checks.Case(args=(np.array([4.0, -4.0, 0.0]), 0.0),
                        description="a zero threshold (nothing changes)"),
            checks.Case(args=(np.array([0.3, -0.3]), 2.0),
                        description="a threshold above every value"),
        ],
        hints=["Values with |z| ≤ t become 0; the others move t closer to 0.",
               "np.sign(z) * np.maximum(np.abs(z) - t, 0)"],
    ),
    "07.alpha_max": checks.Number(
        expected=penalties.alpha_max(_X, _y),
        sig_figs=4,
        mistakes=[
            (float(_pull.max()) * _n, "You forgot to divide by n, the number of points."),
            (float(_pull.sum()), "Take the largest pull over the features, not their sum."),
            (2.0 * float(_pull.max()),
             "That is twice the answer: the objective's data term is 1/(2n)·SSE, whose "
             "gradient at w = 0 is −Xᵀ(y − ȳ)/n."),
            (float(_pull.min()),
             "That is the smallest pull. Every weight is zero only from the largest pull on; "
             "the first weight leaves zero just below it."),
        ],
        hints=["At w = 0 the data pull on weight j with |x_jᵀ(y − ȳ)| / n.",
               "All weights stay at zero while α is at least the largest pull."],
    ),
    "07.choose_loss": checks.Choice.from_text("""
        a) L2 (least squares)
           -> One corrupted reading in fifty, far off, drags a least-squares trend line:
              its gradient grows with the size of the error.
        b) L1 (least absolute deviations)
           -> L1 resists the corrupted readings, but on the 49 good, Gaussian readings it is
              less precise than L2. Huber keeps L2's behaviour there.
        c) Huber, with δ about the size of the ordinary noise
           -> Yes: quadratic (like L2) for the ordinary Gaussian noise, linear with a bounded
              gradient for the rare gross errors.
        d) pinball with τ = 0.9
           -> Nothing here is asymmetric: over- and under-estimates of the trend cost the
              same, so there is no reason for a high quantile.
        """,
        correct="c",
    ),
    "07.q_penalty": checks.Choice.from_text("""
        a) the L1 loss on the residuals (LAD)
           -> LAD gives exact zeros among the *residuals* (the line passes through points),
              not among the weights.
        b) the L2 penalty on the weights (ridge)
           -> Ridge shrinks every weight towards zero but leaves them non-zero.
        c) the L1 penalty on the weights (LASSO)
           -> Yes: the soft-threshold sets a weight exactly to 0.0 when the data pull on it
              less than α.
        d) the Huber loss on the residuals
           -> Huber is a loss on residuals; it does not act on the weights at all.
        """,
        correct="c",
    ),
}
