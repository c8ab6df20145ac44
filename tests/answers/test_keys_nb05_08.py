"""Answer keys of notebooks 05–08, judged from outside.

Three things a key must do and `tests/test_answer_keys.py` cannot see:

1. Tell each function exercise's right answer from the near-misses learners write (unsorted,
   wrong sign at 0, off by n, ...): every near-miss below must be judged wrong.
2. Agree with an answer table derived here from first principles, not read from the key.
3. Meet the slips learners made with a message about that slip, and judge rounded answers by
   the precision the prompt states.
"""

import ast
import inspect
import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from lessons import checks, data, history, penalties
from lessons.keys import nb05, nb06, nb07, nb08

ROOT = Path(__file__).resolve().parents[2]
KEYS = {**nb05.EXERCISES, **nb06.EXERCISES, **nb07.EXERCISES, **nb08.EXERCISES}


def verdict(key, answer):
    return checks.feedback(KEYS[key], answer)


# ---------------------------------------------------------------------------------------------
# 1. Near-misses of the function exercises
# ---------------------------------------------------------------------------------------------
def _arrays(*values):
    return [np.asarray(value, dtype=float) for value in values]


def l1_step_right(c, y, step):
    y = np.asarray(y, dtype=float)
    below, above = np.sum(y < c), np.sum(y > c)  # sign(c − y) is +1, −1 or 0
    return float(c - step * (below - above) / y.size)


L1_STEP_NEAR_MISSES = {
    "wrong direction (+ instead of −)":
        lambda c, y, step: float(c + step * np.mean(np.sign(c - np.asarray(y, float)))),
    "sign(y − c) instead of sign(c − y)":
        lambda c, y, step: float(c - step * np.mean(np.sign(np.asarray(y, float) - c))),
    "off by n: sum instead of mean":
        lambda c, y, step: float(c - step * np.sum(np.sign(c - np.asarray(y, float)))),
    "divides by n − 1":
        lambda c, y, step: float(c - step * np.sum(np.sign(c - np.asarray(y, float)))
                                 / (len(y) - 1)),
    "sign(0) taken as +1":
        lambda c, y, step: float(c - step * np.mean(np.where(c >= np.asarray(y, float), 1, -1))),
    "sign(0) taken as −1":
        lambda c, y, step: float(c - step * np.mean(np.where(c - np.asarray(y, float) > 0, 1, -1))),
    "the L2 step instead":
        lambda c, y, step: float(c - step * 2 * (c - np.mean(y))),
    "returns the step, not the new c":
        lambda c, y, step: float(step * np.mean(np.sign(c - np.asarray(y, float)))),
    "jumps to the median":
        lambda c, y, step: float(np.median(y)),
}


def r_squared_right(actual, predicted):
    actual, predicted = _arrays(actual, predicted)
    return 1.0 - np.sum((actual - predicted) ** 2) / np.sum((actual - actual.mean()) ** 2)


R_SQUARED_NEAR_MISSES = {
    "SST about the mean of the predictions": lambda a, p: 1.0 - np.sum(
        (np.asarray(a, float) - p) ** 2) / np.sum((np.asarray(p, float) - np.mean(p)) ** 2),
    "returns SSE / SST": lambda a, p: np.sum((np.asarray(a, float) - p) ** 2)
    / np.sum((np.asarray(a, float) - np.mean(a)) ** 2),
    "squared correlation": lambda a, p: float(np.corrcoef(np.asarray(a, float),
                                                          np.asarray(p, float))[0, 1] ** 2),
    "absolute errors instead of squares": lambda a, p: 1.0 - np.sum(
        np.abs(np.asarray(a, float) - p)) / np.sum(np.abs(np.asarray(a, float) - np.mean(a))),
    "arguments swapped": lambda a, p: r_squared_right(p, a),
}


def soft_threshold_right(z, t):
    z = np.asarray(z, dtype=float)
    return np.where(z > t, z - t, np.where(z < -t, z + t, 0.0))


SOFT_THRESHOLD_NEAR_MISSES = {
    "forgets the sign": lambda z, t: np.maximum(np.abs(np.asarray(z, float)) - t, 0.0),
    "hard threshold (keeps z)": lambda z, t: np.where(np.abs(np.asarray(z, float)) > t,
                                                      np.asarray(z, float), 0.0),
    "clips to [−t, t]": lambda z, t: np.clip(np.asarray(z, float), -t, t),
    "shifts without stopping at 0": lambda z, t: np.asarray(z, float)
    - t * np.sign(np.asarray(z, float)),
    "ridge's z / (1 + t)": lambda z, t: np.asarray(z, float) / (1.0 + t),
}


def weighted_median_right(values, weights):
    """Brute force: the smallest sample value with the least weighted absolute deviation."""
    values, weights = _arrays(values, weights)
    costs = [np.sum(weights * np.abs(values - m)) for m in values]
    best = min(costs)
    return float(min(m for m, cost in zip(values, costs, strict=True)
                     if cost <= best + 1e-9 * (1 + best)))


def _cumulative_pick(values, weights, side="left", half=None):
    cumulative = np.cumsum(weights)
    half = cumulative[-1] / 2 if half is None else half
    return float(values[min(np.searchsorted(cumulative, half, side=side), values.size - 1)])


WEIGHTED_MEDIAN_NEAR_MISSES = {
    "never sorts": lambda v, w: _cumulative_pick(*_arrays(v, w)),
    "sorts the values but not their weights":
        lambda v, w: _cumulative_pick(np.sort(np.asarray(v, float)), np.asarray(w, float)),
    "upper weighted median (strictly more than half)":
        lambda v, w: _cumulative_pick(*[a[np.argsort(v)] for a in _arrays(v, w)], side="right"),
    "ignores the weights": lambda v, w: float(np.median(v)),
    "half of the count, not of the weight":
        lambda v, w: _cumulative_pick(*[a[np.argsort(v)] for a in _arrays(v, w)],
                                      half=len(v) / 2),
    "returns the index": lambda v, w: float(np.searchsorted(
        np.cumsum(np.asarray(w, float)[np.argsort(v)]), np.sum(w) / 2)),
}

FUNCTION_KEYS = {
    "06.l1_step": (l1_step_right, L1_STEP_NEAR_MISSES),
    "07.r_squared": (r_squared_right, R_SQUARED_NEAR_MISSES),
    "07.soft_threshold": (soft_threshold_right, SOFT_THRESHOLD_NEAR_MISSES),
    "08.weighted_median": (weighted_median_right, WEIGHTED_MEDIAN_NEAR_MISSES),
}


def test_every_function_exercise_of_05_to_08_has_near_misses_here():
    functions = {key for key, spec in KEYS.items() if isinstance(spec, checks.Function)}
    assert functions == set(FUNCTION_KEYS)


@pytest.mark.parametrize("key", sorted(FUNCTION_KEYS))
def test_an_independent_right_function_passes(key):
    right, _ = FUNCTION_KEYS[key]
    assert verdict(key, right).correct, verdict(key, right).message


@pytest.mark.parametrize(("key", "slip"), [(key, slip) for key, (_, misses) in
                                           sorted(FUNCTION_KEYS.items()) for slip in misses])
def test_each_near_miss_is_judged_wrong(key, slip):
    near_miss = FUNCTION_KEYS[key][1][slip]
    result = verdict(key, near_miss)
    assert result.status == "incorrect", (key, slip, result.message)


def test_an_unsorted_weighted_median_is_often_wrong_and_always_caught():
    rng = np.random.default_rng(56)
    never_sorts = WEIGHTED_MEDIAN_NEAR_MISSES["never sorts"]
    wrong = 0
    for _ in range(2000):
        size = int(rng.integers(2, 12))
        values, weights = rng.normal(size=size), rng.uniform(0.1, 2.0, size)
        wrong += never_sorts(values, weights) != weighted_median_right(values, weights)
    assert wrong / 2000 > 0.4  # wrong on about half of random inputs
    assert not verdict("08.weighted_median", never_sorts).correct


# ---------------------------------------------------------------------------------------------
# 2. An answer table derived here, checked against every key
# ---------------------------------------------------------------------------------------------
def _huber_value():
    e, delta = 2.0 - 6.0, 1.5  # target 2, prediction 6
    return 0.5 * e**2 if abs(e) <= delta else delta * (abs(e) - delta / 2)


def _pinball_delivery():
    times = data.delivery_times()
    e = np.asarray(times.actual, float) - np.asarray(times.predicted, float)
    return float(np.mean([0.9 * r if r >= 0 else 0.1 * -r for r in e]))


def _alpha_max():
    X, y, _ = data.sparse_linear(40, np.random.default_rng(7))
    centred = X - X.mean(axis=0)
    return float(np.max(np.abs(centred.T @ (y - y.mean()))) / y.size)


def _inverse_flattening_l2():
    arcs = history.boscovich_arcs()
    slope, intercept = np.polyfit(arcs.sin2_latitude, arcs.arc_toises, 1)
    return 3 * intercept / slope


def _l1_line_rests_on():
    """Brute force over lines through two data points: the L1 line is one of them."""
    arcs = history.boscovich_arcs()
    x, y = arcs.sin2_latitude, arcs.arc_toises
    best = None
    for i, j in itertools.combinations(range(x.size), 2):
        slope = (y[j] - y[i]) / (x[j] - x[i])
        cost = np.sum(np.abs(y - y[i] - slope * (x - x[i])))
        best = min(best, (cost, (arcs.places[i], arcs.places[j]))) if best else (cost, (
            arcs.places[i], arcs.places[j]))
    return {("Quito", "Lapland"): "a", ("Rome", "Paris"): "b", ("Quito", "Paris"): "c",
            ("Cape of Good Hope", "Lapland"): "d"}[best[1]]


ANSWERS = {
    "05.huber_value": _huber_value(),
    "05.huber_grad": 1.5 * np.sign(6.0 - 2.0),  # δ·sign(ŷ − y) beyond δ
    "05.regime_delta": abs(0.0 - 2.0),  # the second residual is 0 − 2
    "05.smooth_from_huber": "Piecewise((e**2/(2*beta), Abs(e) < beta), (Abs(e) - beta/2, True))",
    "05.choose_delta": "a",  # 1.345σ with σ = 0.4 kg
    "05.q_delta_limit": "b",
    "06.l1_step": l1_step_right,
    "06.schedule": "c",
    "06.noise_winner": "a",
    "06.q_constant_step": "b",
    "07.pinball_delivery": _pinball_delivery(),
    "07.tau_for_costs": 4 / (4 + 1),
    "07.logcosh_far": "e - log(2)",
    "07.r_squared": r_squared_right,
    "07.soft_threshold": soft_threshold_right,
    "07.alpha_max": _alpha_max(),
    "07.choose_loss": "c",
    "07.q_penalty": "c",
    "08.flattening_l2": _inverse_flattening_l2(),
    "08.l1_through": _l1_line_rests_on(),
    "08.flattening_formula": "B/(3*A)",
    "08.weighted_median": weighted_median_right,
    "08.laplace_date": "b",
    "08.q_first": "a",
}


def test_the_answer_table_covers_every_key():
    assert set(ANSWERS) == set(KEYS)


def test_the_table_values_from_first_principles():
    assert ANSWERS["05.huber_value"] == 4.875
    assert ANSWERS["07.pinball_delivery"] == pytest.approx(0.825)
    assert round(ANSWERS["08.flattening_l2"], 1) == 235.3


@pytest.mark.parametrize("key", sorted(ANSWERS))
def test_every_key_accepts_the_independent_answer(key):
    result = verdict(key, ANSWERS[key])
    assert result.correct, (key, result.message)
    spec = KEYS[key]
    if isinstance(spec, checks.Choice):  # and every other letter is wrong
        for option in spec.options:
            if option != ANSWERS[key]:
                assert not verdict(key, option).correct, (key, option)


def test_the_alpha_max_answer_is_where_the_lasso_switches_everything_off():
    X, y, _ = data.sparse_linear(40, np.random.default_rng(7))
    alpha = ANSWERS["07.alpha_max"]
    assert np.all(penalties.lasso(X, y, alpha * 1.001).coef == 0.0)
    assert np.any(penalties.lasso(X, y, alpha * 0.99).coef != 0.0)


# ---------------------------------------------------------------------------------------------
# 3. Targeted messages, precision and prompts
# ---------------------------------------------------------------------------------------------
SLIPS = [
    ("05.huber_grad", -4.0, "unclipped"),  # the unclipped slope e of ½e²
    ("05.huber_grad", -1.5, "opposite sign"),
    ("05.regime_delta", 0.5, "first residual"),  # the first residual for δ*
    ("05.regime_delta", -2.0, "distance"),  # a signed residual for a distance
    ("05.huber_value", 6.0, "½δ"),
    ("07.logcosh_far", "e - 0.693", "log(2)"),
    ("07.logcosh_far", "e - 0.6931", "log(2)"),
    ("07.alpha_max", _alpha_max() * 40, "divide by n"),
    ("08.flattening_l2", 246, "Boscovich"),  # Boscovich's own 1/246 for the L2 flattening
    ("08.flattening_l2", 245.9, "Boscovich"),
    ("08.flattening_l2", 235, "significant figures"),  # the rounded 235
    ("08.flattening_l2", 213, "L1"),
]


@pytest.mark.parametrize(("key", "answer", "phrase"), SLIPS)
def test_a_slip_gets_a_message_about_it(key, answer, phrase):
    result = verdict(key, answer)
    assert result.status == "incorrect" and phrase in result.message, result.message


SIG_FIGS = {"05.huber_value": 4, "05.huber_grad": 2, "07.pinball_delivery": 3,
            "07.tau_for_costs": 2, "07.alpha_max": 4, "08.flattening_l2": 4}


def _round_sig(value, figures):
    return round(value, figures - 1 - math.floor(math.log10(abs(value))))


def test_every_number_exercise_states_its_precision():
    numbers = {key for key, spec in KEYS.items() if type(spec) is checks.Number}
    assert numbers == set(SIG_FIGS)


@pytest.mark.parametrize("key", sorted(SIG_FIGS))
def test_rounded_answers_are_judged_by_the_stated_significant_figures(key):
    figures, expected = SIG_FIGS[key], ANSWERS[key]
    rounded = _round_sig(expected, figures)
    unit = 10.0 ** (math.floor(math.log10(abs(expected))) - figures + 1)
    assert verdict(key, rounded).correct
    assert not verdict(key, rounded + unit).correct
    assert not verdict(key, rounded - unit).correct


def _solution_cells(number):
    path = next((ROOT / "solutions").glob(f"{number}_*.ipynb"))
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _prompts():
    """(key, answer name, prompt markdown) for every checker cell of solutions 05–08."""
    found = []
    for number in ("05", "06", "07", "08"):
        cells = _solution_cells(number)
        for index, cell in enumerate(cells):
            match = re.search(r'checks\.check\("([0-9.a-z_]+)", (\w+)\)', "".join(cell["source"]))
            if cell["cell_type"] != "code" or not match:
                continue
            prompt = next("".join(cells[i]["source"]) for i in range(index - 1, -1, -1)
                          if cells[i]["cell_type"] == "markdown")
            found.append((match[1], match[2], prompt))
    return found


def test_prompts_name_the_answer_and_say_how_to_answer():
    prompts = _prompts()
    assert len(prompts) >= 20
    for key, name, prompt in prompts:
        assert f"`{name}`" in prompt or f"`{name}(" in prompt, (key, name)
        if not isinstance(KEYS[key], checks.Function):
            assert "in the cell below and run it, then run the checker" in prompt, key
        assert "widget" not in prompt.lower(), key  # the widget is feedback only
        if key in SIG_FIGS:
            assert f"{SIG_FIGS[key]} significant figure" in prompt, key


@pytest.mark.parametrize("module", [nb05, nb06, nb07, nb08])
def test_keys_raise_instead_of_asserting_at_import(module):
    tree = ast.parse(inspect.getsource(module))
    assert not [node for node in tree.body if isinstance(node, ast.Assert)]


def test_the_noise_verdict_needs_a_clear_seed_by_seed_difference():
    l2 = np.array([0.20, 0.18, 0.21, 0.29, 0.16, 0.13])
    assert nb06.noise_verdict(l2, l2 + 0.03 + 0.001 * np.arange(6))[0] == "a"
    assert nb06.noise_verdict(l2 + 0.03 + 0.001 * np.arange(6), l2)[0] == "b"
    assert nb06.noise_verdict(l2, l2 + 0.001 * np.array([1, -1, 1, -1, 1, -1]))[0] == "c"
    noisy = l2 + np.array([0.05, -0.04, 0.06, -0.05, 0.04, -0.03])  # a mean of 0.005 ± 0.02
    assert nb06.noise_verdict(l2, noisy)[0] is None
    # The course's earlier measurement (three seeds, means 0.21 and 0.23) could not decide.
    assert nb06.noise_verdict([0.20, 0.23, 0.19], [0.20, 0.24, 0.25])[0] is None


def test_the_smooth_l1_key_is_huber_divided_by_beta():
    """05.smooth_from_huber: SmoothL1(β) is Huber(δ = β) / β, the key's first mistake over β.

    (This check ran at every import of the key; it is here so that the key imports no SymPy.)
    """
    import sympy as sp

    spec = KEYS["05.smooth_from_huber"]
    huber, message = spec.mistakes[0]
    assert message.startswith("That is Huber with δ = β itself")
    assert sp.simplify(huber / spec.symbols["beta"] - spec.expected) == 0
