"""Answer key of ``04_outliers``: every expected value is computed from the notebook's data."""

import numpy as np

from lessons import checks, data, fitting, losses

_x, _y = data.eight_points()

# Exercise 1: drag the rightmost point (x = 8) down by 8. How far does each line's end move?
_RIGHT, _DROP = 7, 8.0
_dropped = _y.copy()
_dropped[_RIGHT] -= _DROP
_end_shift = {
    loss: abs(float(fitting.fit_line(_x, _dropped, loss).predict(_x[_RIGHT])
                    - fitting.fit_line(_x, _y, loss).predict(_x[_RIGHT])))
    for loss in ("l2", "l1")
}
if not _end_shift["l2"] > 1.0 > 10 * _end_shift["l1"]:  # the answer below rests on this
    raise checks.AnswerKeyError(f"04.predict_drag: the lines moved by {_end_shift}")
if not fitting.fit_line(_x, _y, "l1").residuals[_RIGHT] < 0:  # the solution's prose: it starts
    raise checks.AnswerKeyError("04.predict_drag: point 8 no longer starts below the L1 line")
_l1_reaction = ("does not move at all" if _end_shift["l1"] < 5e-3
                else f"moves by only {_end_shift['l1']:.2f}")

# Exercise 2: a week of residuals with one glitch
_glitch = data.residuals_with_glitch()
_zeros = np.zeros_like(_glitch)

# Exercise 3: how far can the point at x = 4 move up before the L1 line changes?
_POINT = 3  # x = 4, below the L1 line
_l1_distance = fitting.l1_change_distance(_x, _y, _POINT, +1)


def _reference_shares(residuals, loss="l2"):
    size = np.abs(np.asarray(residuals, dtype=float))
    per_point = size**2 if loss == "l2" else size
    return per_point / per_point.sum()


# Exercise 5: spot the error in a printed claim about the glitch week. The claim says:
# MAE 4.43 °C and RMSE 9.15 °C for the week (both right), and 1.00 °C for the MAE without
# day 7 (wrong: the six remaining days' total, 7 °C, divided by 7 instead of 6).
_six = np.abs(_glitch[:-1])
_mae_without_glitch = float(np.mean(_six))
_printed_mae_without = float(np.sum(_six) / _glitch.size)
if round(_printed_mae_without, 2) != 1.0 or round(losses.l1_loss(_zeros, _glitch), 2) != 4.43:
    raise checks.AnswerKeyError("04.spot_glitch_claim: the printed figures no longer match")

_five = data.five_residuals()
_five_with_outlier = _five.copy()
_five_with_outlier[3] = 30.0

EXERCISES = {
    "04.predict_drag": checks.Choice.from_text(f"""
        a) Both lines follow the point about equally.
           -> Squaring makes the far point's error dominate the L2 fit, while the L1 fit only
              feels which side of the line the point is on.
        b) The L2 line tilts towards the point; the L1 line barely moves.
           -> Right: the L2 line's right end drops by {_end_shift['l2']:.2f}, while the
              L1 line {_l1_reaction}. Try it in the slider demo below.
        c) The L1 line tilts towards the point; the L2 line barely moves.
           -> It is the other way round: the L2 loss grows with the square of the error, so
              the L2 fit gives way to the far point.
        d) Neither line moves: one point out of eight cannot change a fit.
           -> One point is enough to move the L2 line as far as you like: its squared error,
              and with it its pull 2e, grows without bound.
        """,
        correct="b",
        hints=["Which loss makes a far point's error count the most?"],
    ),
    "04.mse_glitch": checks.Number(
        losses.mse_loss(_zeros, _glitch),
        sig_figs=3,
        mistakes=[
            (losses.mse_loss(_zeros, _glitch, reduction="sum"),
             "That is the sum of squared errors (SSE); divide by the number of days."),
            (losses.mse_loss(_zeros[:-1], _glitch[:-1]),
             "That leaves out day 7, the glitch; the question asks for all seven days."),
            (losses.l1_loss(_zeros, _glitch),
             "That is the mean absolute error; square the residuals instead."),
            (float(np.sqrt(losses.mse_loss(_zeros, _glitch))),
             "That is the root of the MSE (RMSE); the question asks for the MSE itself."),
            (float(np.mean(_glitch)) ** 2,
             "You squared the mean residual; square each residual first, then average."),
        ],
        hints=["Square each of the seven residuals, then average them.",
               "`np.mean(residuals ** 2)`"],
    ),
    "04.l1_stays": checks.Number(
        _l1_distance,
        sig_figs=3,
        mistakes=[
            (-_l1_distance,
             "That is the point's signed residual y − ŷ, negative because the point lies below "
             "the L1 line. The question asks for a distance, which is positive."),
            (0.0, "That is how far the L2 line lets a point move: not at all. The L1 line is "
                  "different: it depends only on which side of it each point lies."),
            (abs(float(fitting.fit_line(_x, _y, "l2").residuals[_POINT])),
             "That is the point's distance to the L2 line; the question is about the L1 line."),
        ],
        hints=[
            "The L1 line depends only on which side of it each point lies.",
            "The point sits below the L1 line. How far is it from the line? "
            "`fitting.fit_line(x, y, 'l1').residuals` gives y − ŷ for every point.",
        ],
    ),
    "04.spot_glitch_claim": checks.Number(
        _mae_without_glitch,
        sig_figs=3,
        mistakes=[
            (_printed_mae_without,
             "That is the printed figure, the one that is wrong: it divides the six remaining "
             "days' total by 7. A day left out leaves the count too."),
            (losses.l1_loss(_zeros, _glitch),
             "That is the week's MAE with the glitch, which the claim gets right. Recompute the "
             "other two figures."),
            (float(np.sqrt(losses.mse_loss(_zeros, _glitch))),
             "That is the week's RMSE, which the claim gets right. Recompute the other two "
             "figures."),
            (float(np.sqrt(np.mean(_six**2))),
             "That is the RMSE of the six ordinary days; the wrong figure is an MAE."),
            (float(np.median(_six)),
             "That is the median of the six absolute errors; the MAE is their mean."),
        ],
        hints=["Recompute all three figures; two of them are right.",
               "Without day 7 there are six residuals: `np.mean(np.abs(residuals[:-1]))`."],
    ),
    "04.loss_shares": checks.Function(
        reference=_reference_shares,
        cases=[
            checks.Case(args=(_five_with_outlier, "l1"),
                        description="the five residuals with the 3 replaced by 30, L1"),
            checks.Case(args=(_five_with_outlier, "l2"),
                        description="the five residuals with the 3 replaced by 30, L2"),
            checks.Case(args=(_glitch,), description="the glitch week, default loss L2"),
            checks.Case(args=(_glitch, "l1"),
                        description="the glitch week, L1 (negative residuals)"),
            checks.Case(args=([3.0, -4.0], "l2"), description="a plain list [3, −4]"),
            checks.Case(args=(np.array([2.5]), "l1"), description="a single residual"),
        ],
        hints=["Per point: |e| for L1, e² for L2. Then divide by their total.",
               "The shares must add up to 1."],
    ),
    "04.q_l1_side": checks.Choice.from_text("""
        a) It moves up by 5/8 of a unit, an eighth of the move.
           -> That is how an average would react. The L1 fit only sees which side of the line
              the point is on, and that has not changed.
        b) It tilts towards the point, but less than the L2 line.
           -> It would tilt if the point crossed the line. Moving further away from the line
              on the same side changes nothing for the L1 fit.
        c) It stays exactly where it is.
           -> Right: the point was above the line and still is, so the L1 fit does not
              change at all.
        d) It moves up by 5 units.
           -> No line moves by the whole distance one point moved.
        """,
        correct="c",
    ),
}
