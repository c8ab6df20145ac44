"""Hypothesis strategies for the fuzz suite: formulas, Python objects and learner functions."""

from __future__ import annotations

import sys
import time

import numpy as np
from hypothesis import strategies as st

# -- formulas ----------------------------------------------------------------------------------

LOOKALIKES = ["−", "×", "·", "⋅", "²", "³", "ｅ", "е", "ℯ", "𝑒", "δ", "Δ", "π", "∞", "√", "（",
              "）", "\u200b", "\u00a0", "\ufeff", "ᵉ", "⁻¹", "½", "…"]
FUNCTIONS = ["Abs", "sign", "exp", "log", "sqrt", "cosh", "sinh", "tanh", "Max", "Min",
             "Heaviside", "abs", "max", "min", "clip", "np.abs", "np.sign", "np.exp",
             "np.clip", "np.maximum", "np.minimum", "np.where", "math.log", "math.exp",
             "np.log1p", "np.expm1", "np.square"]
HOSTILE = ["__import__('os')", "().__class__", "open('x')", "eval('1')", "lambda: 1",
           "[x for x in ()]", "f'{1}'", "np.__dict__", "np.linalg.inv", "exec", "9**9**9**9",
           "exp(exp(4e4))", "E**E**E**E**E", "Abs(exp(exp(exp(100))))",
           "Max(exp(exp(exp(100))), 1)", "exp(exp(exp(100)))", "10**10**10", "pi**pi**pi**pi",
           "cosh(exp(800))", "1e308*10", "(" * 300 + "1" + ")" * 300, "x" * 2000, "-" * 500 + "1"]


def _atoms(symbols: list[str]):
    numbers = st.one_of(
        st.integers(-1000, 1000).map(str),
        st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False).map(repr),
        st.sampled_from(["0", "1", "2", "0.5", "1e-9", "1e9", "100", "5", "1e308"]),
    )
    names = st.sampled_from(symbols + ["E", "pi", "np.pi", "math.e", "oo", "e", "delta"])
    return st.one_of(numbers, names)


def formula_trees(symbols: list[str], max_leaves: int = 25):
    """Syntactically plausible formulas built from the constructions that broke checkers."""

    def extend(children):
        binary = st.tuples(children, st.sampled_from(["+", "-", "*", "/", "**", "^"]), children)
        return st.one_of(
            binary.map(lambda t: f"({t[0]}{t[1]}{t[2]})"),
            st.tuples(st.sampled_from(FUNCTIONS), st.lists(children, min_size=1, max_size=3))
            .map(lambda t: f"{t[0]}({', '.join(t[1])})"),
            st.tuples(children, children, children, st.sampled_from(["<", "<=", ">", ">="]))
            .map(lambda t: f"Piecewise(({t[0]}, {t[1]} {t[3]} {t[2]}), ({t[2]}, True))"),
            children.map(lambda c: f"-({c})"),
        )

    return st.recursive(_atoms(symbols), extend, max_leaves=max_leaves)


def mangled(text_strategy):
    """Formulas with look-alike characters inserted or hostile pieces spliced in."""
    return st.tuples(text_strategy, st.sampled_from(LOOKALIKES + HOSTILE),
                     st.integers(0, 400)).map(
        lambda t: t[0][: t[2] % (len(t[0]) + 1)] + t[1] + t[0][t[2] % (len(t[0]) + 1):])


def formulas(symbols: list[str]):
    trees = formula_trees(symbols)
    return st.one_of(
        trees, trees, mangled(trees), st.sampled_from(HOSTILE),
        st.integers(1, 200).map(lambda n: "Abs(" * n + symbols[0] + ")" * n),
        st.integers(1, 12).map(lambda n: "**".join(["E"] * n)),
        st.text(max_size=60),
    )


# -- Python objects ------------------------------------------------------------------------------

ARMED = [False]  # hostile objects raise only while a checker runs (not in hypothesis' own code)


class Raises:
    """An object whose every conversion raises `kind` (BaseExceptions included)."""

    def __init__(self, kind):
        self.kind = kind

    def _raise(self, *args, **kwargs):
        if ARMED[0]:
            raise self.kind("boom")
        return NotImplemented

    __float__ = __int__ = __index__ = __complex__ = __bool__ = __len__ = __iter__ = _raise
    __array__ = __eq__ = __lt__ = __gt__ = __str__ = __format__ = _raise

    def __repr__(self):
        return f"Raises({self.kind.__name__})"

    __hash__ = object.__hash__


class EqualsAnything:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__

    def __float__(self):
        return 0.0


BASE_EXCEPTIONS = [ValueError, TypeError, RecursionError, MemoryError, ZeroDivisionError,
                   SystemExit, GeneratorExit, KeyboardInterrupt, StopIteration, AssertionError]

scalars = st.one_of(
    st.none(), st.just(...), st.booleans(), st.integers(), st.floats(),
    st.complex_numbers(), st.text(max_size=40), st.binary(max_size=20),
    st.decimals(allow_nan=True), st.fractions(),
    st.sampled_from(BASE_EXCEPTIONS).map(Raises), st.just(EqualsAnything()),
    st.floats().map(np.float64), st.integers(-2**63, 2**63 - 1).map(np.int64),
)


def _array(values):
    try:
        return np.array(values, dtype=object) if values and isinstance(values[0], str) \
            else np.asarray(values)
    except Exception:
        return np.array([], dtype=float)


def _object_array_of(values):
    array = np.empty(len(values) + 1, dtype=object)  # element by element: no __array__ calls
    for index, value in enumerate(values):
        array[index] = value
    return array


objects = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.tuples(children, children),
        st.dictionaries(st.text(max_size=3), children, max_size=3),
        st.lists(st.floats(), max_size=6).map(_array),
        st.lists(children, max_size=3).map(_object_array_of),
    ),
    max_leaves=8,
)


# -- learner functions --------------------------------------------------------------------------

def _constant(value):
    return lambda *args, **kwargs: value


def _scaled(factor):
    def function(x, *args, **kwargs):
        return np.asarray(x, dtype=float) * factor
    return function


def _raiser(kind):
    def function(*args, **kwargs):
        raise kind("from the learner")
    return function


def _looper(*args, **kwargs):
    while True:
        pass


def _sleeper(*args, **kwargs):
    time.sleep(60)


def _printer(*args, **kwargs):
    print("spam " * 2_000_000)
    sys.stderr.write("eggs " * 1000)
    return 0.0


def _exiter(*args, **kwargs):
    sys.exit(1)


def _mutator(x, *args, **kwargs):
    if isinstance(x, np.ndarray):
        x[...] = 0
    return x


def _stubborn(*args, **kwargs):
    while True:
        try:
            while True:
                pass
        except BaseException:  # noqa: S110 - it swallows the checker's timer on purpose
            pass


def _object_array(x, *args, **kwargs):
    return np.array([EqualsAnything()] * max(1, np.size(x)), dtype=object)


def _seterr(x, *args, **kwargs):
    np.seterr(all="raise")
    return np.asarray(x, dtype=float) / 0.0


SLOW_FUNCTIONS = [_looper, _sleeper, _stubborn]
learner_functions = st.one_of(
    objects.map(_constant),
    st.floats(allow_nan=True).map(_scaled),
    st.sampled_from(BASE_EXCEPTIONS).map(_raiser),
    st.sampled_from([_printer, _exiter, _mutator, _object_array, _seterr, abs, print, len]),
)
