"""Fuzzing every checker kind: no traceback escapes, no verdict over budget, no wrong verdict.

``make fuzz`` runs this with many examples (``LESSONS_FUZZ_EXAMPLES``, default 1000 per test)
and prints the figures per checker kind; the ordinary test run keeps a small, derandomised
slice (``LESSONS_FUZZ_EXAMPLES`` unset: 8 examples per test).
"""

from __future__ import annotations

import importlib
import os
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lessons import checks
from lessons.checks import budget, formula

from . import strategies as S

EXAMPLES = int(os.environ.get("LESSONS_FUZZ_EXAMPLES", "8"))
FULL = "LESSONS_FUZZ_EXAMPLES" in os.environ
GRACE = 0.5  # seconds a verdict may overrun its budget (the timer's own reaction time)
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not FULL, database=None,
                suppress_health_check=list(HealthCheck))

# figures[kind][what]: inputs, tracebacks, over_budget, wrong_verdicts; examples[kind]: inputs
figures: dict[str, Counter] = defaultdict(Counter)
failures: dict[str, list] = defaultdict(list)

KEY_MODULES = sorted(
    path.stem for path in (Path(checks.__file__).parents[1] / "keys").glob("nb[0-9][0-9].py")
)


def course_specs(kind):
    found = []
    for name in KEY_MODULES:
        for key, spec in importlib.import_module(f"lessons.keys.{name}").EXERCISES.items():
            if isinstance(spec, kind):
                found.append((key, spec))
    return found


EXPRESSIONS = course_specs(checks.Expression)
NUMBERS = course_specs(checks.Number)
SLIDERS = course_specs(checks.Slider) or [
    ("fuzz.slider", checks.Slider(1.0, min=0, max=3, step=0.1, tol=0.05))]
CHOICES = course_specs(checks.Choice)
FUNCTIONS = course_specs(checks.Function)


def run(kind: str, spec, answer, limit: float, record_input: bool = True):
    """The verdict on `answer`, with the figures recorded; fails on a traceback or overrun."""
    if record_input:
        figures[kind]["inputs"] += 1
    start, cpu = time.perf_counter(), time.thread_time()
    S.ARMED[0] = True
    try:
        verdict = spec.feedback(answer)
    except BaseException as error:  # noqa: BLE001 - that is what we are counting
        figures[kind]["tracebacks"] += 1
        failures[kind].append(("traceback", _short(answer), repr(error)))
        raise
    finally:
        S.ARMED[0] = False
    # The budget is measured in CPU time of the checking thread: on a machine shared with other
    # work, wall time also counts the time other processes had the CPU (the wall time is kept).
    took = time.thread_time() - cpu
    figures[kind]["slowest_wall_ms"] = max(figures[kind]["slowest_wall_ms"],
                                           int((time.perf_counter() - start) * 1000))
    if took > limit + GRACE:
        figures[kind]["over_budget"] += 1
        failures[kind].append(("over budget", _short(answer), f"{took:.2f} s"))
        pytest.fail(f"{kind}: {took:.2f} s for {_short(answer)}")
    figures[kind]["slowest_ms"] = max(figures[kind]["slowest_ms"], int(took * 1000))
    assert verdict.status in checks.STATUSES
    return verdict


def wrong(kind: str, answer, verdict, wanted: str):
    figures[kind]["wrong_verdicts"] += 1
    failures[kind].append(("wrong verdict", _short(answer), f"{verdict.text()[:100]} ({wanted})"))
    pytest.fail(f"{kind}: {_short(answer)} got {verdict.text()[:100]}; wanted {wanted}")


def _short(value) -> str:
    try:
        text = repr(value)
    except BaseException:  # noqa: BLE001
        text = f"<{type(value).__name__}>"
    return text if len(text) < 90 else text[:87] + "..."


# -- formulas ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "spec"), EXPRESSIONS, ids=[k for k, _ in EXPRESSIONS])
def test_expression_formulas(key, spec):
    names = list(spec.symbols)
    spec.prepare()

    @FUZZ
    @given(S.formulas(names), st.sampled_from(names))
    def check(text, name):
        verdict = run("Expression", spec, text, budget.FORMULA_SECONDS)
        if verdict.status not in ("correct", "incorrect"):
            return
        for rewrite in (f"-(-({text}))", f"({text})*1", f"({text}) + 0*{name}"):
            again = run("Expression", spec, rewrite, budget.FORMULA_SECONDS, record_input=False)
            if again.status in ("correct", "incorrect") and again.status != verdict.status:
                wrong("Expression", rewrite, again, f"{verdict.status} like {text!r}")

    check()


PYTHON_SPELLINGS = [("Abs(", "abs("), ("Max(", "max("), ("Min(", "min("),
                    ("sign(", "np.sign("), ("exp(", "np.exp("), ("log(", "math.log(")]


def spellings(expression: sp.Expr) -> list[str]:
    text = str(expression)
    found = [text, f"-(-({text}))", f"({text})*1", f"1*({text}) + 0"]
    python = text
    for sympy_name, python_name in PYTHON_SPELLINGS:
        python = python.replace(sympy_name, python_name)
    found.append(python.replace("**", "^"))
    if formula.constant_value(expression) is None and sp.count_ops(expression) < 30:
        found.append(str(sp.expand(expression)))
    return found


@pytest.mark.parametrize(("key", "spec"), EXPRESSIONS, ids=[k for k, _ in EXPRESSIONS])
def test_expression_right_spellings_and_perturbations(key, spec):
    for text in spellings(spec.expected):
        verdict = run("Expression", spec, text, budget.FORMULA_SECONDS)
        if not verdict.correct:
            wrong("Expression", text, verdict, "correct")
    base = str(spec.expected)
    for text in (f"({base}) + 1/1000", f"({base})*101/100", f"({base})*(1 + 1/10**5)",
                 f"({base}) + Heaviside(Abs({next(iter(spec.symbols))}) - 500)"):
        verdict = run("Expression", spec, text, budget.FORMULA_SECONDS)
        if verdict.status != "incorrect":
            wrong("Expression", text, verdict, "incorrect")


# -- numbers and sliders -----------------------------------------------------------------------


@pytest.mark.parametrize(("key", "spec"), NUMBERS + SLIDERS,
                         ids=[k for k, _ in NUMBERS + SLIDERS])
def test_numeric_inputs(key, spec):
    kind = type(spec).__name__

    @FUZZ
    @given(st.one_of(S.objects, S.formulas(["x"])))
    def check(answer):
        run(kind, spec, answer, budget.FORMULA_SECONDS)

    check()


@pytest.mark.parametrize(("key", "spec"), NUMBERS + SLIDERS,
                         ids=[k for k, _ in NUMBERS + SLIDERS])
def test_numeric_right_spellings_and_perturbations(key, spec):
    kind = type(spec).__name__
    x = spec.expected
    right = [x, repr(x), np.float64(x), np.array(x), np.array([x]), f"({x!r})*1", f"-(-{x!r})",
             f"{x!r} + 0"]
    for answer in right:
        verdict = run(kind, spec, answer, budget.FORMULA_SECONDS)
        if not verdict.correct:
            wrong(kind, answer, verdict, "correct")
    step = 0.2 * abs(x) + (2 * spec.tol if isinstance(spec, checks.Slider) else 0.01)
    for answer in (x + step, x - step, repr(x + step)):
        verdict = run(kind, spec, answer, budget.FORMULA_SECONDS)
        if verdict.status != "incorrect":
            wrong(kind, answer, verdict, "incorrect")


# -- choices -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("key", "spec"), CHOICES, ids=[k for k, _ in CHOICES])
def test_choice_inputs(key, spec):
    @FUZZ
    @given(st.one_of(S.objects, st.text(max_size=30)))
    def check(answer):
        run("Choice", spec, answer, budget.FORMULA_SECONDS)

    check()
    for option, label in spec.options.items():
        for answer in (option, option.upper(), f"({option})", f" {option}) ", label):
            verdict = run("Choice", spec, answer, budget.FORMULA_SECONDS)
            if verdict.correct != (option in spec.correct):
                wrong("Choice", answer, verdict, f"correct={option in spec.correct}")


# -- learner functions -------------------------------------------------------------------------


def _function_limit(spec) -> float:
    return len(spec.cases) * spec.case_seconds


@pytest.mark.parametrize(("key", "spec"), FUNCTIONS, ids=[k for k, _ in FUNCTIONS])
def test_learner_functions(key, spec):
    @FUZZ
    @given(S.learner_functions)
    def check(function):
        run("Function", spec, function, _function_limit(spec))

    check()
    reference = spec.reference
    for right in (reference, lambda *a, **k: reference(*a, **k)):
        verdict = run("Function", spec, right, _function_limit(spec))
        if not verdict.correct:
            wrong("Function", right, verdict, "correct")
    for size in (1e-3, -1e-3, 0.5):
        def perturbed(*a, _size=size, **k):
            value = reference(*a, **k)
            if isinstance(value, tuple):
                return tuple(np.asarray(v, dtype=float) + _size for v in value)
            return np.asarray(value, dtype=float) + _size
        verdict = run("Function", spec, perturbed, _function_limit(spec))
        if verdict.status != "incorrect":
            wrong("Function", f"reference + {size}", verdict, "incorrect")


QUICK = checks.Function(lambda x: 2.0 * np.asarray(x, dtype=float),
                        [checks.Case((1.0,), description="one"),
                         checks.Case((np.array([1.0, -2.0]),), description="an array")],
                        case_seconds=0.3)


@pytest.mark.parametrize("function", S.SLOW_FUNCTIONS, ids=lambda f: f.__name__)
def test_learner_functions_that_never_end(function):
    verdict = run("Function", QUICK, function, QUICK.case_seconds)
    if verdict.status != "incorrect" or "did not finish" not in verdict.message:
        wrong("Function", function, verdict, "did not finish")
