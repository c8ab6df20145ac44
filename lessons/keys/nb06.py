"""Answer key of ``06_training``: expected values come from `lessons.optimise` and `lessons.mlp`.

The answer to ``06.schedule`` is computed: every offered step-size rule is run and the one whose
iterates settle on the median is the right one. ``06.noise_winner`` is a claim about training a
network; the experiment that decides it is described here (``NOISE_*``), run by the solutions
notebook after the checker, and re-run by ``tests/test_mlp.py``.
"""

import numpy as np

from lessons import checks, optimise

# --------------------------------------------------------------------------------------------
# 06.l1_step: one subgradient step on the mean absolute error of a constant
# --------------------------------------------------------------------------------------------
_SEVEN = np.array([2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 15.0])  # the lecture's seven values

_L1_STEP_CASES = [
    checks.Case(args=(0.0, np.array([1.0, 2.0, 3.0, -5.0]), 0.5),
                description="three points above c and one below"),
    checks.Case(args=(10.0, np.array([1.0, 2.0, 3.0]), 0.1),
                description="every point below c"),
    checks.Case(args=(1.0, np.array([0.0, 100.0]), 1.0),
                description="one point below and a far outlier above"),
    checks.Case(args=(5.0, _SEVEN, 0.3),
                description="c exactly on the median of seven values (a zero residual)"),
    checks.Case(args=(2.0, np.array([2.0, 2.0, 2.0]), 1.0),
                description="every residual exactly zero"),
    checks.Case(args=(0.0, [1, 2, 3, 4], 0.2),
                description="a plain list of integers"),
]

# --------------------------------------------------------------------------------------------
# 06.schedule: which step-size rule makes L1 gradient descent settle on the median?
# --------------------------------------------------------------------------------------------
SCHEDULE_START, SCHEDULE_STEP, SCHEDULE_STEPS = 0.0, 1.0, 2000
# What each option does, as arguments of optimise.descend_constant.
SCHEDULE_OPTIONS = {
    "a": ("keep η = 1 for every step", {"schedule": "constant"}),
    "b": ("keep η constant but larger, η = 2", {"schedule": "constant", "step": 2.0}),
    "c": ("shrink it slowly: η_t = 1/√(t+1)", {"schedule": "inv_sqrt"}),
    "d": ("halve it after every step: η_t = 0.5^t", {"schedule": "geometric", "decay": 0.5}),
}
_SETTLED = 0.01  # within this of the median, and moving less than this over the last 100 steps


def schedule_paths():
    """The L1 iterates of every option of ``06.schedule`` on the lecture's seven values."""
    paths = {}
    for key, (_, options) in SCHEDULE_OPTIONS.items():
        kwargs = {"step": SCHEDULE_STEP, **options}
        paths[key] = optimise.descend_constant(_SEVEN, "l1", start=SCHEDULE_START,
                                               n_steps=SCHEDULE_STEPS, **kwargs)
    return paths


def _settled_options():
    median = float(np.median(_SEVEN))
    return [key for key, path in schedule_paths().items()
            if abs(path[-1] - median) < _SETTLED and np.ptp(path[-100:]) < _SETTLED]


_SCHEDULE_ANSWER = _settled_options()
_N = _SEVEN.size
_MEDIAN = float(np.median(_SEVEN))
_HALVING_TOTAL = SCHEDULE_STEP / (1.0 - SCHEDULE_OPTIONS["d"][1]["decay"])
if len(_SCHEDULE_ANSWER) != 1:
    raise checks.AnswerKeyError(
        f"06.schedule needs exactly one settling option, got {_SCHEDULE_ANSWER}")

# --------------------------------------------------------------------------------------------
# 06.noise_winner: Gaussian noise, no outliers: which loss ends closer to the clean signal?
# --------------------------------------------------------------------------------------------
# The exercise notebook runs this experiment in one cell, with these seeds written in the cell
# (np.random.default_rng(NOISE_SEED).spawn(NOISE_SEEDS)), so re-running it gives the same data;
# tests/test_mlp.py re-runs it too.
NOISE_SEED = 306
NOISE_SEEDS = 5
NOISE_SETTINGS = {"l2": {"loss": "l2"}, "l1": {"loss": "l1"}}
NOISE_EXPERIMENT = {"n_points": 64, "steps": 400, "lr": 0.01,
                    "data_options": {"noise_scale": 0.3, "n_outliers": 0}}
NOISE_OPTION_OF_RUN = {"l2": "a", "l1": "b"}
# Each run is scored by TrainingRun.late_clean_error() (mean RMSE over its last 100 steps). The
# verdict compares the two losses seed by seed: the mean paired difference must be more than
# NOISE_SE_FACTOR standard errors from zero for a winner, and a difference of less than
# NOISE_TIE would count as "about the same" (option c).
NOISE_TIE = 0.01
NOISE_SE_FACTOR = 3.0


def noise_verdict(l2_errors, l1_errors):
    """The option the measurement supports, with the mean paired difference and its error.

    Parameters
    ----------
    l2_errors, l1_errors : array_like
        One error against the clean signal per seed, same seeds in the same order.

    Returns
    -------
    option : {"a", "b", "c", None}
        "a" if L2 is lower by more than NOISE_SE_FACTOR standard errors and more than
        NOISE_TIE, "b" likewise for L1, "c" if the difference is within NOISE_TIE, None if the
        measurement cannot tell.
    mean_difference, standard_error : float
        Of L1 minus L2 (positive: L2 is closer to the signal).
    """
    difference = np.asarray(l1_errors, dtype=float) - np.asarray(l2_errors, dtype=float)
    mean = float(difference.mean())
    standard_error = float(difference.std(ddof=1) / np.sqrt(difference.size))
    if abs(mean) > max(NOISE_TIE, NOISE_SE_FACTOR * standard_error):
        return ("a" if mean > 0 else "b"), mean, standard_error
    if abs(mean) + NOISE_SE_FACTOR * standard_error < NOISE_TIE:
        return "c", mean, standard_error
    return None, mean, standard_error


EXERCISES = {
    "06.l1_step": checks.Function(
        reference=optimise.l1_step,
        cases=_L1_STEP_CASES,
        hints=[
            "The subgradient of mean(|y − c|) with respect to c is mean(sign(c − y)).",
            "Step against it: c − step · mean(sign(c − y)). np.sign(0) is 0, as PyTorch's is.",
        ],
    ),
    "06.schedule": checks.Choice(
        options={key: label for key, (label, _) in SCHEDULE_OPTIONS.items()},
        correct=_SCHEDULE_ANSWER,
        explanations={
            "a": f"Near the median the L1 gradient is still ±1/{_N}, so every step moves c by "
                 f"{SCHEDULE_STEP:g}/{_N}: it hops across the median for ever.",
            "b": f"A larger constant step makes the hops larger "
                 f"({SCHEDULE_OPTIONS['b'][1]['step']:g}/{_N}), not smaller.",
            "c": "Right: the steps shrink, so the hops around the median shrink too, yet their "
                 "sum keeps growing, so c can still travel as far as it needs.",
            "d": f"These steps add up to only {_HALVING_TOTAL:g} in total (1 + ½ + ¼ + …), and "
                 f"each moves c by at most the step: starting at {SCHEDULE_START:g}, c stalls "
                 f"before it reaches the median {_MEDIAN:g}.",
        },
        hints=["Near the median the L1 gradient does not shrink: only the step can.",
               "The steps must shrink, but their sum must still be able to cover the distance."],
    ),
    "06.noise_winner": checks.Choice.from_text("""
        a) L2 ends with the lower error against the clean signal
           -> Right: with Gaussian noise and no outliers there is nothing to be robust
              against, and the squared error is the loss that matches Gaussian noise.
        b) L1 ends with the lower error against the clean signal
           -> L1 wins when a few gross outliers pull L2 away; here every point is ordinary
              Gaussian noise, which the squared error handles best.
        c) they end within 0.01 of each other
           -> Run the experiment below: over five seeds the difference is larger than that,
              by several standard errors.
        """,
        correct="a",
        hints=["Which noise does each loss assume (notebook 03)?"],
    ),
    "06.q_constant_step": checks.Choice.from_text("""
        a) The L1 loss of a constant has several minima, and c wanders between them.
           -> With seven values the median is the one minimum; the trouble is the step.
        b) Its gradient does not shrink near the minimum: unless c lands exactly on the
           median, every step moves c by at least η/n.
           -> Right: L2's gradient 2(c − mean) fades near the mean, while L1's
              mean(sign(c − y)) is at least 1/n in size everywhere except exactly on the
              median of an odd sample (there it is 0 and c would stop, but a constant step
              almost never lands there).
        c) Floating-point rounding errors add up over many steps.
           -> The hop is η/n, far larger than any rounding error.
        d) The outlier keeps pulling c towards itself.
           -> Under L1 the outlier pulls with the same ±1/n as any other point.
        """,
        correct="b",
    ),
}
