"""Answer keys nb01–nb04 judge fairly: near-miss functions fail, and an independent table passes.

Two kinds of tests, both written without reading an expected value from the keys:

* ``NEAR_MISSES``: for every `checks.Function` exercise of notebooks 01–04, implementations a
  learner plausibly writes that are wrong (unsorted, wrong δ, wrong sign, off by n, ...). Each
  one must be judged ❌. ``RIGHT_VARIANTS`` are other correct implementations: each must be ✅.
* ``ANSWERS``: the right answer to every exercise and "check your understanding" question,
  derived here from first principles (the data as the notebooks print them, and algebra).
  Every key must accept it. ``TARGETED`` lists the slips learners made in a probe of the
  course; each must earn its own message, not a bare "too high".
"""

import math
import statistics
from pathlib import Path

import numpy as np
import pytest

from lessons import checks

_ROOT = Path(__file__).resolve().parents[2]

# -- near misses ------------------------------------------------------------------------------


def _d(predicted, actual):
    return np.asarray(actual, dtype=float) - np.asarray(predicted, dtype=float)


NEAR_MISSES = {
    "01.mae_function": {
        "sum, not mean": lambda p, a: float(np.sum(np.abs(_d(p, a)))),
        "absolute value of the mean": lambda p, a: float(abs(np.mean(_d(p, a)))),
        "mean signed error": lambda p, a: float(np.mean(_d(p, a))),
        "RMSE": lambda p, a: float(np.sqrt(np.mean(_d(p, a) ** 2))),
        "MSE": lambda p, a: float(np.mean(_d(p, a) ** 2)),
        "median of |e|": lambda p, a: float(np.median(np.abs(_d(p, a)))),
        "divides by n - 1": lambda p, a: float(np.sum(np.abs(_d(p, a))) / (_d(p, a).size - 1)),
        "divides by the number of rows": lambda p, a: float(np.sum(np.abs(_d(p, a))) / len(a)),
        "mean over axis 0 only": lambda p, a: np.mean(np.abs(_d(p, a)), axis=0),
        "no reduction": lambda p, a: np.abs(_d(p, a)),
        "|y| - |ŷ| instead of |y - ŷ|":
            lambda p, a: float(np.mean(np.abs(np.asarray(a)) - np.abs(np.asarray(p)))),
    },
    "02.huber_gradient": {
        "delta * clip(e, -1, 1)": lambda e, delta=1.0: delta * np.clip(e, -1, 1),
        "clip(e, -1, 1): δ ignored": lambda e, delta=1.0: np.clip(e, -1, 1),
        "δ·sign(e) everywhere": lambda e, delta=1.0: delta * np.sign(e),
        "e everywhere (no clip)": lambda e, delta=1.0: np.asarray(e, dtype=float) * 1.0,
        "SmoothL1's slope clip(e/δ, -1, 1)": lambda e, delta=1.0: np.clip(
            np.asarray(e) / delta, -1, 1),
        "gradient w.r.t. the prediction": lambda e, delta=1.0: -np.clip(e, -delta, delta),
        "forgets the sign beyond δ": lambda e, delta=1.0: np.where(
            np.abs(e) < delta, e, delta),
        "sign(e) beyond δ": lambda e, delta=1.0: np.where(np.abs(e) < delta, e, np.sign(e)),
        "twice the slope (2e)": lambda e, delta=1.0: 2 * np.clip(e, -delta, delta),
        "default δ = 0.5": lambda e, delta=0.5: np.clip(e, -delta, delta),
        "numbers only (max/min)": lambda e, delta=1.0: max(-delta, min(delta, e)),
        "zero at exactly ±δ": lambda e, delta=1.0: np.where(
            np.abs(e) == delta, 0.0, np.clip(e, -delta, delta)),
    },
    "03.sae_minimiser": {
        "middle value without sorting": lambda s: float(np.asarray(s)[len(s) // 2]),
        "mean": lambda s: float(np.mean(s)),
        "midrange": lambda s: float((np.max(s) + np.min(s)) / 2),
        "one below the middle": lambda s: float(np.sort(s)[(len(s) - 1) // 2 - 1]),
        "one above the middle": lambda s: float(np.sort(s)[len(s) // 2 + 1]),
        "median of the distinct values": lambda s: float(np.median(np.unique(s))),
        "mode": lambda s: float(statistics.mode(np.asarray(s).tolist())),
        "trimmed mean without the extremes": lambda s: float(np.mean(np.sort(s)[1:-1]))
        if len(s) > 2 else float(np.mean(s)),
    },
    "04.loss_shares": {
        "no absolute value for L1": lambda e, loss="l2": (
            np.asarray(e, float) ** 2 / np.sum(np.asarray(e, float) ** 2) if loss == "l2"
            else np.asarray(e, float) / np.sum(np.asarray(e, float))),
        "no square for L2": lambda e, loss="l2": np.abs(e) / np.sum(np.abs(e)),
        "default L1": lambda e, loss="l1": (
            np.abs(e) ** (2 if loss == "l2" else 1)
            / np.sum(np.abs(e) ** (2 if loss == "l2" else 1))),
        "divides by n": lambda e, loss="l2": (
            np.abs(e) ** (2 if loss == "l2" else 1) / np.size(e)),
        "percentages": lambda e, loss="l2": 100 * (
            np.abs(e) ** (2 if loss == "l2" else 1)
            / np.sum(np.abs(e) ** (2 if loss == "l2" else 1))),
        "square of the total": lambda e, loss="l2": (
            np.asarray(e, float) ** 2 / np.sum(e) ** 2 if loss == "l2"
            else np.abs(e) / np.sum(np.abs(e))),
        "|total of signed residuals|": lambda e, loss="l2": (
            np.abs(e) ** (2 if loss == "l2" else 1)
            / np.abs(np.sum(np.asarray(e, float) ** (2 if loss == "l2" else 1)))),
    },
}

RIGHT_VARIANTS = {
    "01.mae_function": {
        "np.mean of np.abs": lambda p, a: np.mean(np.abs(np.asarray(a) - np.asarray(p))),
        "sum over size": lambda p, a: np.sum(np.abs(_d(p, a))) / np.size(_d(p, a)),
    },
    "02.huber_gradient": {
        "np.clip": lambda e, delta=1.0: np.clip(e, -delta, delta),
        "np.where with <=": lambda e, delta=1.0: np.where(
            np.abs(e) <= delta, e, delta * np.sign(e)),
        "np.minimum/np.maximum": lambda e, delta=1.0: np.maximum(-delta, np.minimum(delta, e)),
    },
    "03.sae_minimiser": {
        "np.median": lambda s: float(np.median(s)),
        "lower middle value": lambda s: float(np.sort(s)[(len(s) - 1) // 2]),
        "upper middle value": lambda s: float(np.sort(s)[len(s) // 2]),
        "statistics.median_low": lambda s: float(statistics.median_low(list(s))),
    },
    "04.loss_shares": {
        "np.abs then power": lambda e, loss="l2": (
            np.abs(np.asarray(e, float)) ** (2 if loss == "l2" else 1)
            / np.sum(np.abs(np.asarray(e, float)) ** (2 if loss == "l2" else 1))),
    },
}


def test_every_function_exercise_of_01_to_04_has_near_misses():
    from lessons.keys import nb01, nb02, nb03, nb04

    functions = {key for module in (nb01, nb02, nb03, nb04)
                 for key, spec in module.EXERCISES.items() if isinstance(spec, checks.Function)}
    assert functions == set(NEAR_MISSES) == set(RIGHT_VARIANTS)


@pytest.mark.parametrize(("key", "name"), [(key, name) for key, table in NEAR_MISSES.items()
                                           for name in table])
def test_a_near_miss_is_judged_wrong(key, name):
    verdict = checks.feedback(key, NEAR_MISSES[key][name])
    assert verdict.status == "incorrect", (key, name, verdict.message)


@pytest.mark.parametrize(("key", "name"), [(key, name) for key, table in RIGHT_VARIANTS.items()
                                           for name in table])
def test_another_right_implementation_is_judged_right(key, name):
    verdict = checks.feedback(key, RIGHT_VARIANTS[key][name])
    assert verdict.correct, (key, name, verdict.message)


# -- the independent answer table -------------------------------------------------------------

# The data as the notebooks print them.
DELIVERY_PREDICTED = [12.0, 15.0, 9.0, 20.0]
DELIVERY_ACTUAL = [10.0, 15.0, 12.0, 16.0]
DELIVERY_ERRORS = [a - p for p, a in zip(DELIVERY_PREDICTED, DELIVERY_ACTUAL, strict=True)]
SENSOR = [20.1, 19.8, 20.4, 20.0, 19.7, 23.9, 20.2, 19.9, 20.3]
GLITCH_WEEK = [1.5, -0.5, 2.0, -1.0, 0.5, -1.5, -24.0]
EIGHT_X = [1, 2, 3, 4, 5, 6, 7, 8]


def _sensor_median():
    ordered = sorted(SENSOR)
    return ordered[len(ordered) // 2]  # nine readings: the fifth smallest


def _l1_stays():
    # The L1 line of the eight points passes through the points at x = 3 and x = 6 (notebook
    # 04 shows it); the point at x = 4 lies below it by its distance to that line.
    from lessons import data

    x, y = data.eight_points()
    assert list(x) == EIGHT_X
    slope = (y[5] - y[2]) / (x[5] - x[2])
    return (y[2] + slope * (x[3] - x[2])) - y[3]


def _answers():
    n = len(DELIVERY_ERRORS)
    e_over = 10.0 - 12.0  # exercise 01.1: actual 10, predicted 12
    assert e_over < 0  # a negative residual: the prediction was too high, an overshoot
    sae = sum(abs(e) for e in DELIVERY_ERRORS)
    misses = sum(1 for e in DELIVERY_ERRORS if e != 0)
    assert sae / misses == 3.0  # the tutorial's "3 minutes" averages over the misses only
    assert 10**2 / 1**2 == 100 and 10 / 1 == 10  # squared loss: 100×; absolute loss: 10×
    median = _sensor_median()
    six = [abs(e) for e in GLITCH_WEEK[:-1]]
    return {
        "01.residual_sign": "b",  # e = −2: the model overshot
        "01.mae_delivery": sae / n,
        "01.mse_delivery": sum(e * e for e in DELIVERY_ERRORS) / n,
        "01.l2_norm": math.hypot(3.0, 4.0),
        "01.mae_formula": "(Abs(a) + Abs(b) + Abs(c)) / 3",
        "01.crossing": 1.0,  # |e| = e² and e > 0 give e = 1
        "01.mae_function": lambda p, a: float(np.mean(np.abs(_d(p, a)))),
        "01.spot_mae_claim": "b",
        "01.q_outlier_loss": "b",
        "02.mse_derivative": "2*(yhat - y)/n",
        "02.l1_derivative": "sign(yhat - y)",
        "02.huber_derivative": "Max(-delta, Min(delta, e))",
        "02.subgradient_at_kink": "c",  # |z| ≥ g·z for all z exactly when |g| ≤ 1
        "02.huber_gradient": lambda e, delta=1.0: np.clip(e, -delta, delta),
        "02.q_outlier_gradient": "b",  # 2e/N grows with e; ±1/N and min(|e|, δ)/N do not
        "03.laplace_nll": "Abs(x - mu)/b + log(2) + log(b)",
        "03.laplace_location": median,
        "03.laplace_scale": sum(abs(v - median) for v in SENSOR) / len(SENSOR),
        "03.noise_choice": "b",  # a sharp peak and exponential tails: Laplace, so L1
        "03.sae_minimiser": lambda s: float(sorted(s)[(len(s) - 1) // 2]),
        "03.q_laplace_spread": "b",  # 1/(4 f(0)²) = b² against Var = 2b²: ratio 1/2
        "04.predict_drag": "b",
        "04.mse_glitch": sum(e * e for e in GLITCH_WEEK) / len(GLITCH_WEEK),
        "04.l1_stays": _l1_stays(),
        "04.spot_glitch_claim": sum(six) / len(six),
        "04.loss_shares": RIGHT_VARIANTS["04.loss_shares"]["np.abs then power"],
        "04.q_l1_side": "c",  # the point stays on the same side: no sign changes
    }


def test_the_answer_table_covers_every_exercise_of_01_to_04():
    from lessons.keys import nb01, nb02, nb03, nb04

    keys = {key for module in (nb01, nb02, nb03, nb04) for key in module.EXERCISES}
    assert set(_answers()) == keys


@pytest.mark.parametrize("key", sorted(_answers()))
def test_every_key_accepts_the_independent_answer(key):
    answer = _answers()[key]
    verdict = checks.feedback(key, answer)
    assert verdict.correct, (key, verdict.message)
    spec = checks.lookup(key)
    if isinstance(spec, checks.Choice):  # and every other letter is wrong
        for option in spec.options:
            if option != answer:
                assert not checks.feedback(key, option).correct, (key, option)


@pytest.mark.parametrize("key", sorted(k for k, v in _answers().items() if isinstance(v, float)))
def test_a_numeric_answer_rounded_to_three_significant_figures_is_right(key):
    value = _answers()[key]
    rounded = float(f"{value:.3g}")
    assert checks.feedback(key, rounded).correct, (key, rounded)


# -- targeted messages for the slips seen in the probe ------------------------------------------

TARGETED = [
    ("01.mae_delivery", math.sqrt(29 / 4), "RMSE"),
    ("01.mae_delivery", 3.0, "number of deliveries that were off"),
    ("01.mse_delivery", math.sqrt(29 / 4), "RMSE"),
    ("03.laplace_nll", "Abs(x - mu)/b + log(b)", "log 2 is missing"),
    ("03.laplace_nll", "(x - mu)/b + log(2*b)", "absolute value is missing"),
    ("03.laplace_scale", 0.2, "median absolute deviation"),
    ("04.l1_stays", -1 / 3, "signed residual"),
    ("04.spot_glitch_claim", 1.0, "printed figure"),
    ("04.spot_glitch_claim", 31 / 7, "right"),
]


@pytest.mark.parametrize(("key", "answer", "fragment"), TARGETED)
def test_a_probe_slip_gets_its_own_message(key, answer, fragment):
    verdict = checks.feedback(key, answer)
    assert verdict.status == "incorrect" and fragment in verdict.message, verdict.message


def test_no_key_of_01_to_04_uses_a_module_level_assert():
    import ast

    for number in ("01", "02", "03", "04"):
        path = _ROOT / "lessons" / "keys" / f"nb{number}.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert not [node for node in tree.body if isinstance(node, ast.Assert)], path


# -- the options of every choice are in its prompt ----------------------------------------------


def _notebook_cells():
    import json

    root = _ROOT
    for folder in ("notebooks", "solutions"):
        for path in sorted((root / folder).glob("0[1-4]_*.ipynb")):
            for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
                yield f"{folder}/{path.name}", index, cell


def _checker_prompts():
    """(where, key, variable, prompt) of every checker cell of notebooks and solutions 01–04; the
    prompt is the nearest markdown cell above it."""
    import re

    seen, prompt = None, ""
    for where, _, cell in _notebook_cells():
        if where != seen:
            seen, prompt = where, ""
        source = "".join(cell["source"])
        found = re.search(r'checks\.check\("(\d\d\.\w+)", (\w+)\)', source)
        if cell["cell_type"] == "markdown":
            prompt = source
        elif cell["cell_type"] == "code" and found:
            yield where, found[1], found[2], prompt


def _choice_prompts():
    for where, key, _, prompt in _checker_prompts():
        if isinstance(checks.lookup(key), checks.Choice):
            yield where, key, prompt


@pytest.mark.parametrize(("where", "key", "prompt"), list(_choice_prompts()),
                         ids=lambda value: value if len(str(value)) < 40 else "prompt")
def test_a_choice_prompt_lists_its_options_as_text(where, key, prompt):
    # Before the checker runs (an unexecuted notebook, a printed page) the options must be
    # readable, and the prompt must say where the answer goes.
    spec = checks.lookup(key)
    for option, label in spec.options.items():
        assert f"- {option}) {label}" in prompt, (where, key, option)
    assert "Assign the letter" in prompt, (where, key)


# -- prompts and precision ---------------------------------------------------------------------

SIG_FIGS = {"01.mae_delivery": 3, "01.mse_delivery": 3, "01.l2_norm": 3,
            "03.laplace_location": 3, "03.laplace_scale": 3,
            "04.mse_glitch": 3, "04.l1_stays": 3, "04.spot_glitch_claim": 3}


def test_every_number_exercise_of_01_to_04_states_a_precision():
    from lessons.keys import nb01, nb02, nb03, nb04

    numbers = {key for module in (nb01, nb02, nb03, nb04)
               for key, spec in module.EXERCISES.items() if type(spec) is checks.Number}
    assert numbers == set(SIG_FIGS)


@pytest.mark.parametrize("key", sorted(SIG_FIGS))
def test_rounded_answers_are_judged_by_the_stated_significant_figures(key):
    figures, expected = SIG_FIGS[key], _answers()[key]
    unit = 10.0 ** (math.floor(math.log10(abs(expected))) - figures + 1)
    rounded = round(expected / unit) * unit
    assert checks.feedback(key, rounded).correct, (key, rounded)
    assert not checks.feedback(key, rounded + unit).correct, (key, rounded + unit)
    assert not checks.feedback(key, rounded - unit).correct, (key, rounded - unit)


def test_prompts_name_the_answer_and_say_how_to_answer():
    prompts = list(_checker_prompts())
    assert len(prompts) == len(_answers())  # every exercise and question, once
    for _, key, name, prompt in prompts:
        assert f"`{name}`" in prompt or f"`{name}(" in prompt, (key, name)
        assert "in the cell below and run it, then run the checker" in prompt, key
        assert "widget" not in prompt.lower(), key  # the widget only gives feedback
        if key in SIG_FIGS:
            assert f"{SIG_FIGS[key]} significant figures" in prompt, key


# -- the notebooks speak to the learner -----------------------------------------------------------



def test_no_learner_sees_a_source_number():
    import re

    for where, index, cell in _notebook_cells():
        text = "".join(cell["source"]) + "".join(
            "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            for output in cell.get("outputs", []))
        assert not re.search(r"(?i)\bsources? 00\d", text), (where, index)


def test_every_figure_has_alt_text():
    for where, index, cell in _notebook_cells():
        images = [output for output in cell.get("outputs", [])
                  if "image/png" in output.get("data", {})]
        if images:
            alt = cell["metadata"].get("lessons", {}).get("alt", "")
            assert len(alt) > 20, (where, index)


def test_asserts_sit_in_their_own_collapsed_pin_cells():
    import ast

    for where, index, cell in _notebook_cells():
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]))
        asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        if not asserts:
            continue
        assert all(isinstance(node, ast.Assert) for node in tree.body), (where, index)
        assert cell["metadata"].get("tags") == ["hide-input"], (where, index)
        assert cell["metadata"].get("jupyter", {}).get("source_hidden") is True, (where, index)
        assert not cell.get("outputs"), (where, index)
