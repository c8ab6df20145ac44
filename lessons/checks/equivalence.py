"""Are two formulas the same function? Seeded sample points, special points and cheap algebra.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> quickly_equal(2 * x, x + x)
True
"""

from __future__ import annotations

import functools
import itertools
import math
import types
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

from .verdicts import format_number

NUMERIC_RTOL = 1e-7
NUMERIC_ATOL = 1e-9
POINTS_PER_SYMBOL = 200
MAX_SPECIAL_POINTS = 2000
SEED = 20240607  # any fixed seed: the points must be the same on every run and machine
NON_SIMPLIFIABLE = (sp.Piecewise, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Abs)


@dataclass
class Points:
    """Where two formulas are compared: generic random points and special ones (0, ±1, ±delta)."""

    generic: np.ndarray  # shape (n_symbols, n_generic)
    special: np.ndarray  # shape (n_symbols, n_special)
    special_labels: list[dict[str, str]] = field(default_factory=list)


@dataclass
class Comparison:
    equal: bool
    generic_index: int | None = None  # a random point where they differ
    special_index: int | None = None  # a special point where they differ (if otherwise equal)
    special_differs: np.ndarray | None = None  # every special point where they differ
    answer_value: float = math.nan
    target_value: float = math.nan
    extra_point: dict[str, float] | None = None  # a far or threshold point where they differ


def symbol_scale(symbol: sp.Symbol) -> str:
    """How to draw values for `symbol`, from its assumptions."""
    if symbol.is_positive:
        return "positive"
    if symbol.is_nonnegative:
        return "nonnegative"
    if symbol.is_negative:
        return "negative"
    if symbol.is_nonpositive:
        return "nonpositive"
    return "real"


def random_values(symbol: sp.Symbol, count: int, rng: np.random.Generator) -> np.ndarray:
    scale = symbol_scale(symbol)
    if scale == "real":
        wide = rng.random(count) < 0.25
        values = rng.uniform(-4.0, 4.0, count)
        magnitudes = 10 ** rng.uniform(0.6, 2.0, count)
        values[wide] = (np.where(rng.random(count) < 0.5, -1.0, 1.0) * magnitudes)[wide]
    else:
        values = 10 ** rng.uniform(-1.3, 0.7, count)  # 0.05 to 5
        if scale in ("negative", "nonpositive"):
            values = -values
    if symbol.is_integer:
        values = np.round(values)
        if scale == "positive":
            values = np.maximum(values, 1.0)
        elif scale == "negative":
            values = np.minimum(values, -1.0)
    return values


SPECIAL_SCALES = {
    "positive": [1.0, 0.5, 2.0],
    "nonnegative": [0.0, 1.0, 0.5, 2.0],
    "negative": [-1.0, -0.5, -2.0],
    "nonpositive": [0.0, -1.0, -0.5, -2.0],
}


def special_points(symbols: Sequence[sp.Symbol]) -> tuple[np.ndarray, list[dict[str, str]]]:
    """Points where formulas often disagree on purpose: 0, ±1 and ± each positive symbol."""
    scaled = [s for s in symbols if symbol_scale(s) != "real"]
    real = [s for s in symbols if symbol_scale(s) == "real"]
    rows: list[dict[sp.Symbol, float]] = []
    labels: list[dict[str, str]] = []
    scale_choices = [
        [v for v in SPECIAL_SCALES[symbol_scale(s)] if not s.is_integer or v == round(v)]
        or [1.0]
        for s in scaled
    ]
    for scale_values in itertools.product(*scale_choices):
        fixed = dict(zip(scaled, scale_values, strict=True))
        candidates = [(0.0, "0"), (1.0, "1"), (-1.0, "-1")]
        for symbol, value in fixed.items():
            if value != 0:
                candidates += [(abs(value), symbol.name), (-abs(value), f"-{symbol.name}")]
        for combo in itertools.product(candidates, repeat=len(real)):
            row = dict(fixed)
            label = {s.name: format_number(v) for s, v in fixed.items()}
            for symbol, (value, name) in zip(real, combo, strict=True):
                row[symbol] = value
                label[symbol.name] = name
            rows.append(row)
            labels.append(label)
            if len(rows) >= MAX_SPECIAL_POINTS:
                break
        if len(rows) >= MAX_SPECIAL_POINTS:
            break
    table = np.array([[row[s] for row in rows] for s in symbols], dtype=float)
    return table.reshape(len(symbols), len(rows)), labels


def safe_lambdify(symbols: Sequence[sp.Symbol], expression: sp.Expr, module: str):
    """``lambdify`` with the symbols renamed first, so that a learner's symbol named ``e`` or
    ``pi`` can never meet the printed constants ``e`` (Euler's number) or ``pi``."""
    renamed = [sp.Symbol(f"lessons_arg{index}", **symbol.assumptions0)
               for index, symbol in enumerate(symbols)]
    body = expression.xreplace(dict(zip(symbols, renamed, strict=True)))
    # Heaviside directly: SymPy's printers would rewrite it as a Piecewise and simplify its
    # conditions (about a second), or build SymPy objects at every point (mpmath).
    modules = [{"Heaviside": _heaviside(module)}, module]
    if module == "numpy":
        modules[1:] = [_numpy_namespace(), np]
    return sp.lambdify(renamed, body, modules=modules)


@functools.cache
def _numpy_namespace() -> types.SimpleNamespace:
    """What ``lambdify(..., "numpy")`` puts in its namespace (``from numpy import *``,
    ``from numpy.linalg import *``, ``I = 1j``), without the star import's side effect of
    loading NumPy's lazy submodules (f2py, testing, ...: about 0.2 s per kernel). The module
    object ``np`` passed after it keeps SymPy's NumPy printer; an object, not a dict, so that
    no name becomes a "user function": the printed code is the same as with ``"numpy"``."""
    names = {name: vars(np)[name] for name in np.__all__ if name in vars(np)}
    names.update({name: getattr(np.linalg, name) for name in np.linalg.__all__})
    names["I"] = 1j
    return types.SimpleNamespace(**names)


def _heaviside(module: str):
    if module == "numpy":
        return lambda x, h0=0.5: np.heaviside(np.asarray(x, dtype=float), float(h0))

    def heaviside(x, h0=0.5):
        return 0 if x < 0 else (1 if x > 0 else h0)

    return heaviside


def evaluate(expression: sp.Expr, symbols: Sequence[sp.Symbol], points: np.ndarray) -> np.ndarray:
    """Real values of `expression` at each column of `points`; NaN where undefined."""
    count = points.shape[1]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            function = safe_lambdify(symbols, expression, "numpy")
        except Exception:
            return evaluate_slowly(expression, symbols, points)
        try:
            values = real_array(function(*points), count)
        except Exception:
            values = None
        if values is None:
            values = np.full(count, np.nan)
            for index in range(count):
                try:
                    single = function(*(np.float64(v) for v in points[:, index]))
                    values[index] = real_array(single, 1)[0]
                except Exception:
                    values[index] = np.nan
    return values


def evaluate_slowly(expression, symbols, points) -> np.ndarray:
    values = np.full(points.shape[1], np.nan)
    for index in range(points.shape[1]):
        substitution = {s: float(v) for s, v in zip(symbols, points[:, index], strict=True)}
        try:
            values[index] = real_array(complex(expression.evalf(subs=substitution)), 1)[0]
        except Exception:
            values[index] = np.nan
    return values


def real_array(values, count: int) -> np.ndarray | None:
    array = np.asarray(values)
    if array.dtype == object:
        array = array.astype(complex)
    if np.iscomplexobj(array):
        small = np.abs(array.imag) <= 1e-12 * np.maximum(1.0, np.abs(array.real))
        array = np.where(small, array.real, np.nan)
    array = np.asarray(array, dtype=float)
    if array.shape == (count,):
        return array
    if array.size == 1:
        return np.full(count, array.reshape(-1)[0])
    return None


def quickly_equal(first: sp.Expr, second: sp.Expr) -> bool:
    """A cheap symbolic test: the difference is zero as built, or once expanded."""
    difference = first - second
    if difference == 0:
        return True
    if any(difference.has(kind) for kind in NON_SIMPLIFIABLE) or not small(difference):
        return False  # numbers decide; expanding can be slow, and kinks need point checks
    try:
        return sp.expand(difference) == 0
    except Exception:
        return False


def simplifies_to_zero(first: sp.Expr, second: sp.Expr) -> bool:
    """``simplify(first - second) == 0``, tried only on small formulas without kinks."""
    difference = first - second
    if any(difference.has(kind) for kind in NON_SIMPLIFIABLE) or not small(difference):
        return False
    try:
        return sp.simplify(difference) == 0
    except Exception:
        return False


def expand_logs(expression: sp.Expr):
    """`expression` with logarithms of products and exponentials expanded, or None.

    ``log(exp(z))`` becomes ``z`` for real ``z``, which removes overflow that float evaluation
    meets and the formula itself does not have. Forced expansion ignores signs, so the result is
    only trusted when it then agrees with the expected formula at every sample point.
    """
    if not expression.has(sp.log) or not small(expression):
        return None
    try:
        expanded = sp.expand_log(expression, force=True)
    except Exception:
        return None
    return None if expanded == expression else expanded


def small(expression: sp.Expr) -> bool:
    """Small enough for SymPy to expand or simplify in a blink."""
    if sp.count_ops(expression) > 40:
        return False
    return not any(
        power.exp.is_Number and abs(float(power.exp)) > 8 for power in expression.atoms(sp.Pow)
    )


def differences(answer: np.ndarray, target: np.ndarray) -> np.ndarray:
    """True where the target is defined and the answer does not match it."""
    defined = ~np.isnan(target)
    with np.errstate(all="ignore"):
        close = np.isclose(answer, target, rtol=NUMERIC_RTOL, atol=NUMERIC_ATOL)
    return defined & ~close


# -- Points where wrong formulas hide: far out, near zero, just beyond thresholds --------------

FAR_VALUES = {
    "real": (1e3, -1e3, 1e6, -1e6, 1e-3, -1e-3, 1e-6, -1e-6, 30.0, -30.0),
    "positive": (1e-3, 1e-6, 10.0, 30.0, 100.0, 1e3, 1e6),
    "nonnegative": (1e-3, 1e-6, 10.0, 30.0, 100.0, 1e3, 1e6),
    "negative": (-1e-3, -1e-6, -10.0, -30.0, -100.0, -1e3, -1e6),
    "nonpositive": (-1e-3, -1e-6, -10.0, -30.0, -100.0, -1e3, -1e6),
}
MAX_THRESHOLDS = 12
MAX_THRESHOLD = 1e12  # 40-digit arithmetic still compares formulas exactly there
MAX_EXTRA_POINTS = 600
EXTRA_DIGITS = 40  # mpmath precision: no overflow, no cancellation at 1e6


def thresholds(expressions: Sequence[sp.Expr]) -> list[float]:
    """The magnitudes of the numbers in `expressions`: those written (``Min(n, 5)``) and both
    sides of every comparison without a symbol (``e > exp(5)`` gives 148.41...), below
    `MAX_THRESHOLD`; a formula wrong only beyond or between such bounds is then caught."""
    found = set()
    for expression in expressions:
        numbers = list(expression.atoms(sp.Number))
        for relation in expression.atoms(sp.Rel):  # Piecewise conditions, And(...) parts
            numbers += [side for side in relation.args if not side.free_symbols]
        for number in numbers:
            try:
                value = abs(float(number))
            except (TypeError, ValueError, OverflowError):
                continue
            if math.isfinite(value) and 0 < value < MAX_THRESHOLD:
                found.add(value)
    return sorted(found, reverse=True)[:MAX_THRESHOLDS]


def _fits(symbol: sp.Symbol, value: float) -> float | None:
    """`value` moved into `symbol`'s domain (rounded for integers), or None if it cannot be."""
    scale = symbol_scale(symbol)
    if symbol.is_integer:
        value = float(round(value))
    if (scale == "positive" and value <= 0) or (scale == "negative" and value >= 0):
        return None
    if (scale == "nonnegative" and value < 0) or (scale == "nonpositive" and value > 0):
        return None
    return value


def extra_points(symbols: Sequence[sp.Symbol], expressions: Sequence[sp.Expr]) -> np.ndarray:
    """Far-out and near-zero values, and values just beyond each number in `expressions`.

    One symbol at a time takes each such value while the others sit at a few ordinary values;
    then every symbol is far out at once. Shape ``(n_symbols, n_points)``.
    """
    rng = np.random.default_rng(SEED + 1)
    bases = np.array([random_values(s, 3, rng) for s in symbols], dtype=float).reshape(
        len(symbols), 3)
    limits = thresholds(expressions)
    columns = []
    for row, symbol in enumerate(symbols):
        candidates = list(FAR_VALUES[symbol_scale(symbol)])
        for limit in limits:
            for value in (limit * 1.01 + 0.01, limit * 0.99, limit + 1.0, 2.0 * limit):
                candidates += [value, -value]
        values = {v for v in (_fits(symbol, c) for c in candidates) if v is not None}
        for value in sorted(values):
            for base in range(bases.shape[1]):
                column = bases[:, base].copy()
                column[row] = value
                columns.append(column)
    for far in (1e3, 1e6):  # every symbol far out at once (at different values)
        column = [_fits(s, far * (1 + 0.37 * i)) or _fits(s, -far * (1 + 0.37 * i))
                  for i, s in enumerate(symbols)]
        if all(value is not None for value in column):
            columns.append(np.array(column, dtype=float))
    if not columns:
        return np.zeros((len(symbols), 0))
    table = np.array(columns, dtype=float).T
    return table[:, :MAX_EXTRA_POINTS]


def evaluate_precisely(expression: sp.Expr, symbols: Sequence[sp.Symbol],
                       points: np.ndarray) -> list:
    """Values of `expression` at each column of `points` with mpmath (None where undefined)."""
    import mpmath

    try:
        function = safe_lambdify(symbols, expression, "mpmath")
    except Exception:
        function = None
    values = []
    if function is None:
        points = points[:, :100]  # the slow way, per point: fewer points
    with mpmath.workdps(EXTRA_DIGITS):
        for column in points.T:
            arguments = [mpmath.mpf(float(v)) for v in column]
            if function is not None:
                try:
                    value = function(*arguments)
                except Exception:  # 0/0, log(0)...: undefined here
                    value = None
            else:
                try:
                    substitution = dict(zip(symbols, (sp.Float(float(v), EXTRA_DIGITS)
                                                      for v in column), strict=True))
                    value = complex(expression.evalf(EXTRA_DIGITS, subs=substitution))
                except Exception:
                    value = None
            values.append(_real_mpf(value, mpmath))
    return values


def _real_mpf(value, mpmath):
    if value is None:
        return None
    try:
        value = mpmath.mpmathify(value)
    except Exception:
        return None
    if isinstance(value, mpmath.mpc):
        if abs(value.imag) > mpmath.mpf(10) ** -20 * max(1, abs(value.real)):
            return None
        value = value.real
    return value if mpmath.isfinite(value) else None


def first_precise_difference(answer: list, target: list) -> int | None:
    """The first index where both values are defined and differ beyond round-off."""
    import mpmath

    for index, (got, wanted) in enumerate(zip(answer, target, strict=True)):
        if got is None or wanted is None:
            continue
        scale = max(abs(got), abs(wanted))
        if abs(got - wanted) > NUMERIC_RTOL * scale + mpmath.mpf(NUMERIC_ATOL):
            return index
    return None

