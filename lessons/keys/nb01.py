"""Answer key of ``01_definitions``: every expected value is computed from the notebook's data."""


import numpy as np

from lessons import checks, data, keys, losses

_times = data.delivery_times()
_e = _times.residuals


_sae = float(np.sum(np.abs(_e)))
_mae = losses.l1_loss(_times.predicted, _times.actual)
_mse = losses.mse_loss(_times.predicted, _times.actual)
_abs_list = ", ".join(f"{value:g}" for value in np.abs(_e))
if _sae / np.count_nonzero(_e) != 3.0:
    raise checks.AnswerKeyError("01.spot_mae_claim: the printed MAE of 3 no longer follows")


def _reference_mae(predicted, actual):
    return losses.l1_loss(predicted, actual)


# 01.mae_formula: SymPy is imported only when an answer is judged (see checks.Expression).
def _residual_symbols():
    import sympy as sp

    return sp.symbols("a b c", real=True)


def _mae_formula():
    import sympy as sp

    a, b, c = _residual_symbols()
    return (sp.Abs(a) + sp.Abs(b) + sp.Abs(c)) / 3


def _mae_formula_mistakes():
    import sympy as sp

    a, b, c = _residual_symbols()
    return [
        (sp.Abs(a + b + c) / 3,
         "The absolute value of the sum lets errors of opposite sign cancel: take |·| of each "
         "residual first."),
        ((a + b + c) / 3, "That is the mean signed residual: add absolute values."),
        (sp.Abs(a) + sp.Abs(b) + sp.Abs(c), "That is the sum (SAE); the mean divides by 3."),
        ((a**2 + b**2 + c**2) / 3, "That is the mean squared error."),
    ]


EXERCISES = {
    "01.residual_sign": checks.Choice.from_text("""
        a) e = +2: the model overshot
           -> The residual is actual minus predicted: 10 − 12 = −2, not +2.
        b) e = −2: the model overshot
           -> Right: e = y − ŷ = 10 − 12 = −2, and a negative residual means the prediction
              was too high.
        c) e = −2: the model undershot
           -> The sign is right, but a prediction of 12 for a true 10 is too high: an
              overshoot.
        d) e = +2: the model undershot
           -> Both parts are flipped: e = y − ŷ = 10 − 12 = −2, an overshoot.
        """,
        correct="b",
        hints=["The residual is e = y − ŷ: what happened minus what was predicted."],
    ),
    "01.mae_delivery": checks.Number(
        losses.l1_loss(_times.predicted, _times.actual),
        sig_figs=3,
        mistakes=[
            (float(np.sqrt(losses.mse_loss(_times.predicted, _times.actual))),
             "That is the root mean squared error (RMSE): it squares the errors before "
             "averaging. The MAE averages their absolute values."),
            (float(np.sum(np.abs(_e)) / np.count_nonzero(_e)),
             "You divided by the number of deliveries that were off; the exact one counts "
             "too, so divide by all 4."),
            (losses.l1_loss(_times.predicted, _times.actual, reduction="sum"),
             "That is the sum of the absolute errors (SAE); the question asks for the mean."),
            (float(np.mean(_e)),
             "That is the mean of the signed residuals: positive and negative errors cancel. "
             "Take the absolute value first."),
            (-float(np.mean(_e)),
             "That is the mean of the signed errors ŷ − y: errors of opposite sign cancel. "
             "Take the absolute value first."),
            (losses.mse_loss(_times.predicted, _times.actual),
             "That is the mean squared error; the question asks for absolute errors."),
        ],
        hints=["Compute the four residuals e = actual − predicted.",
               "Take |e| of each, then average over the 4 deliveries."],
    ),
    "01.mse_delivery": checks.Number(
        losses.mse_loss(_times.predicted, _times.actual),
        sig_figs=3,
        mistakes=[
            (losses.mse_loss(_times.predicted, _times.actual, reduction="sum"),
             "That is the sum of squared errors (SSE); divide by the number of deliveries."),
            (float(np.sqrt(losses.mse_loss(_times.predicted, _times.actual))),
             "That is the root of the mean squared error (RMSE); the question asks for the MSE "
             "itself."),
            (float(np.mean(_e) ** 2),
             "You squared the mean residual; square each residual first, then average."),
            (losses.l1_loss(_times.predicted, _times.actual),
             "That is the mean absolute error; square the residuals instead."),
        ],
        hints=["Square each residual before averaging."],
    ),
    "01.l2_norm": checks.Number(
        float(np.linalg.norm([3.0, 4.0])),
        sig_figs=3,
        mistakes=[
            (float(np.sum(np.square([3.0, 4.0]))),
             "That is the squared norm, i.e. the SSE. The ℓ2 norm is its square root."),
            (float(np.linalg.norm([3.0, 4.0], 1)), "That is the ℓ1 norm, |3| + |4|."),
        ],
        hints=["‖e‖₂ = √(e₁² + e₂²)."],
    ),
    "01.mae_formula": keys.formula(
        _mae_formula, "a b c", _mae_formula_mistakes,
        "Use Abs(a) for |a|.", "Add the three absolute values and divide by their number."),
    "01.crossing": checks.Slider(
        expected=1.0,
        min=0.0,
        max=3.0,
        step=0.1,
        tol=0.05,
        description="error e",
        mistakes=[(0.0, "The curves do meet at 0, but the question asks for a positive error.")],
        hints=["Solve |e| = e² for e > 0.", "Below that error squaring makes errors smaller."],
    ),
    "01.mae_function": checks.Function(
        reference=_reference_mae,
        cases=[
            checks.Case(args=(np.array([12.0]), np.array([10.0])),
                        description="a single prediction that is 2 too high"),
            checks.Case(args=(np.array([90.0, 95.0, 105.0]), np.array([100.0, 100.0, 100.0])),
                        description="the apple harvest, with errors of both signs"),
            checks.Case(args=(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])),
                        description="a perfect prediction"),
            checks.Case(args=(np.array([[1.0, -2.0], [0.5, 4.0]]),
                              np.array([[0.0, 0.0], [1.0, 1.0]])),
                        description="a 2-D array of predictions"),
            checks.Case(args=(np.array([3, 1]), np.array([1, 3])),
                        description="integer inputs"),
        ],
        hints=["np.abs gives element-wise absolute values; np.mean averages over all elements."],
    ),
    "01.spot_mae_claim": checks.Choice.from_text(f"""
        a) The claim holds: the MAE is 3 minutes.
           -> Recompute: the absolute errors are {_abs_list}, so the MAE is
              {_sae:g}/{_e.size} = {_mae:g} minutes, not 3.
        b) It averages over the wrong number of deliveries: the delivery that was
           predicted exactly counts too.
           -> Right: {_sae:g} minutes of error over {np.count_nonzero(_e)} deliveries is 3,
              but there were {_e.size} deliveries; the MAE is {_sae:g}/{_e.size} = {_mae:g}.
        c) The 3 minutes is really the RMSE of the four deliveries, mislabelled as the
           MAE.
           -> The RMSE is √{_mse:g} ≈ {np.sqrt(_mse):.2f} minutes, not 3.
        d) It forgot the signs: the mean of the signed residuals is 3 minutes.
           -> The mean of the signed residuals is {np.mean(_e):g} minutes, not 3.
        """,
        correct="b",
        hints=["List all four absolute errors, including the delivery the model got exactly.",
               "How many deliveries are there, and how many numbers did the tutorial average?"],
    ),
    "01.q_outlier_loss": checks.Choice.from_text("""
        a) the L1 (absolute) loss
           -> L1 grows in proportion to the error: 10 times the error costs 10 times as much.
        b) the L2 (squared) loss
           -> Yes: squaring makes an error 10 times as large cost 100 times as much.
        c) both grow by the same factor
           -> Compare 10/1 with 10²/1².
        """,
        correct="b",
    ),
}
