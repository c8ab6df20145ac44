"""The SymPy side of the `Expression` spec: a formula typed as text, checked for equivalence.

`lessons.checks.expression.Expression` (no SymPy at import) builds a `SymPyExpression` when an
answer is first judged; this module, and SymPy with it, is imported only then.

Examples
--------
>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> SymPyExpression(sp.Abs(x), "x").feedback("sqrt(x**2)").correct
True
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
import sympy as sp

from .coerce import author_text, to_real_number
from .equivalence import (
    POINTS_PER_SYMBOL,
    SEED,
    Comparison,
    Points,
    differences,
    evaluate,
    evaluate_precisely,
    expand_logs,
    extra_points,
    first_precise_difference,
    quickly_equal,
    random_values,
    simplifies_to_zero,
    special_points,
    symbol_scale,
)
from .expression import UNANSWERED_FORMULA
from .formula import FormulaReader
from .specs import Exercise
from .verdicts import Feedback, InvalidAnswer, describe_number, describe_pair, shorten, type_name


class SymPyExpression(Exercise):
    """A formula typed as text (or given as a SymPy expression), checked for equivalence.

    Equivalence is tried symbolically (quick, guarded), then numerically at 200 seeded random
    points per symbol plus special points (0, ±1, ± each positive symbol). Points where the
    expected formula is undefined do not count. An answer that differs only at special points
    (e.g. at ``e = 0``) counts as correct, with a note.

    Parameters are those of `lessons.checks.expression.Expression`, with `expected` and
    `mistakes` as SymPy objects or text (never functions).

    Examples
    --------
    >>> import sympy as sp
    >>> y = sp.Symbol("y", real=True)
    >>> SymPyExpression(2 * y, "y").feedback("y + y").correct
    True
    """

    unanswered_message = UNANSWERED_FORMULA

    def __init__(self, expected, symbols, *, mistakes=(), hints=(), prompt="", extra_names=None,
                 answer_name=""):
        super().__init__(hints=hints, prompt=prompt, answer_name=answer_name)
        author_expressions = [expected] + [expression for expression, _ in mistakes]
        self.symbols = exercise_symbols(symbols, author_expressions)
        extra = dict(extra_names or {})
        for name, value in extra.items():
            if isinstance(value, sp.Basic) and not value.free_symbols <= set(
                self.symbols.values()
            ):
                raise ValueError(f"extra name {name!r} uses symbols outside {list(self.symbols)}")
        self._reader = FormulaReader(self.symbols, extra)
        self.expected = self._author_expression(expected, "expected")
        self.mistakes = tuple(
            (self._author_expression(expression, "a mistake"),
             author_text(message, "a mistake message"))
            for expression, message in mistakes
        )
        self._points: Points | None = None
        self._values: dict[sp.Expr, tuple[np.ndarray, np.ndarray]] = {}
        self._precise: dict[tuple, list] = {}
        self._last_precise: tuple | None = None

    def prepare(self) -> None:
        """Evaluate the expected formula and the mistakes at the sample points (once)."""
        for expression in (self.expected, *(mistake for mistake, _ in self.mistakes)):
            self._values_at_points(expression, cache=True)

    def _author_expression(self, expression, what: str) -> sp.Expr:
        try:
            value = self._learner_expression(expression)
        except InvalidAnswer as problem:
            raise ValueError(f"{what} is not a usable formula: {problem}") from None
        return value

    def _canonical(self, expression: sp.Basic) -> sp.Basic:
        """Replace symbols by name with the exercise's own Symbol objects."""
        replace = {
            symbol: self.symbols[symbol.name]
            for symbol in expression.free_symbols
            if isinstance(symbol, sp.Symbol) and symbol.name in self.symbols
        }
        return expression.xreplace(replace)

    def _learner_expression(self, answer) -> sp.Expr:
        if isinstance(answer, str):
            value = self._reader.read(answer)
        elif isinstance(answer, sp.Basic):
            value = self._canonical(answer)
        elif isinstance(answer, numbers.Real) and not isinstance(answer, (bool, np.bool_)):
            value = sp.Float(to_real_number(answer))
        else:
            raise InvalidAnswer(
                f"I expected a formula written as text, e.g. \"Abs(e)\", got {type_name(answer)}."
            )
        if isinstance(value, tuple):
            raise InvalidAnswer("I expected one formula, not several separated by commas.")
        if not isinstance(value, sp.Expr):
            raise InvalidAnswer(
                "That is a condition, not a formula; conditions belong inside Piecewise."
            )
        unknown = value.free_symbols - set(self.symbols.values())
        if unknown:
            name = sorted(str(symbol) for symbol in unknown)[0]
            raise self._reader.unknown_name(name)
        if value.has(sp.zoo) or value.has(sp.nan):
            raise InvalidAnswer("That formula divides by zero or is undefined everywhere.")
        return value

    # -- numeric comparison ----------------------------------------------------------------

    def _sample_points(self) -> Points:
        if self._points is None:
            symbols = list(self.symbols.values())
            rng = np.random.default_rng(SEED)
            count = POINTS_PER_SYMBOL * max(1, len(symbols))
            generic = np.array([random_values(s, count, rng) for s in symbols], dtype=float)
            special, labels = special_points(symbols)
            self._points = Points(generic.reshape(len(symbols), count), special, labels)
        return self._points

    def _values_at_points(self, expression: sp.Expr, cache: bool) -> tuple[np.ndarray, np.ndarray]:
        if cache and expression in self._values:
            return self._values[expression]
        points = self._sample_points()
        symbols = list(self.symbols.values())
        values = (
            evaluate(expression, symbols, points.generic),
            evaluate(expression, symbols, points.special),
        )
        if cache:
            self._values[expression] = values
        return values

    def _precise_values(self, expression: sp.Expr, points: np.ndarray, cache: bool) -> list:
        key = (expression, points.tobytes())
        if key in self._precise:
            return self._precise[key]
        if not cache and self._last_precise and self._last_precise[0] == key:
            return self._last_precise[1]  # the same answer, compared with the next mistake
        values = evaluate_precisely(expression, list(self.symbols.values()), points)
        if cache:
            self._precise[key] = values
        else:
            self._last_precise = (key, values)
        return values

    def _compare(self, target: sp.Expr, answer: sp.Expr, extra: np.ndarray | None = None
                 ) -> Comparison:
        """Symbolic quick test, then numbers at sample points, then (if given) at `extra`
        points with 40-digit arithmetic; `simplify` only when float numbers overflowed."""
        if quickly_equal(target, answer):
            return Comparison(True)
        comparison = self._compare_sampled(target, answer)
        if not comparison.equal or extra is None or extra.shape[1] == 0:
            return comparison
        wanted = self._precise_values(target, extra, cache=True)
        got = self._precise_values(answer, extra, cache=False)
        index = first_precise_difference(got, wanted)
        if index is None:
            return comparison
        return Comparison(
            False, answer_value=float(got[index]), target_value=float(wanted[index]),
            extra_point=dict(zip(self.symbols, extra[:, index], strict=True)),
        )

    def _compare_sampled(self, target: sp.Expr, answer: sp.Expr) -> Comparison:
        target_generic, target_special = self._values_at_points(target, cache=True)
        answer_generic, answer_special = self._values_at_points(answer, cache=False)
        differs = differences(answer_generic, target_generic)
        overflowed = ~np.isfinite(answer_generic) | ~np.isfinite(target_generic)
        if differs.any() and (differs <= overflowed).all():
            # The only disagreements were float overflow, e.g. log(exp(-|x|/b)) for tiny b.
            if simplifies_to_zero(target, answer):
                return Comparison(True)
            expanded = expand_logs(answer)
            if expanded is not None:
                expanded_generic, expanded_special = self._values_at_points(expanded, cache=False)
                if not differences(expanded_generic, target_generic).any():
                    answer_generic, answer_special = expanded_generic, expanded_special
                    differs = np.zeros_like(differs)
        if differs.any():
            index = int(np.argmax(differs))
            return Comparison(
                False, generic_index=index,
                answer_value=answer_generic[index], target_value=target_generic[index],
            )
        differs = differences(answer_special, target_special)
        if differs.any():
            index = int(np.argmax(differs))
            return Comparison(
                True, special_index=index, special_differs=differs,
                answer_value=answer_special[index], target_value=target_special[index],
            )
        return Comparison(True)

    def _where(self, comparison: Comparison) -> str:
        """Words for where two formulas differ: "e = 0 (with delta = 1)" or "e = 2.5"."""
        points = self._sample_points()
        if comparison.extra_point is not None:
            return ", ".join(f"{name} = {value:.6g}" for name, value in
                             comparison.extra_point.items())
        if comparison.special_index is not None:
            label = points.special_labels[comparison.special_index]
            real = [n for n, s in self.symbols.items() if symbol_scale(s) == "real"]
            others = [n for n in self.symbols if n not in real]
            place = ", ".join(f"{name} = {label[name]}" for name in real or others)
            if real and others:
                place += " (with " + ", ".join(f"{n} = {label[n]}" for n in others) + ")"
            return place
        column = points.generic[:, comparison.generic_index]
        return ", ".join(
            f"{name} = {value:.4g}" for name, value in zip(self.symbols, column, strict=True)
        )

    def _special_places(self, comparison: Comparison) -> int:
        """How many distinct special places (values of the real symbols) the formulas differ at."""
        points = self._sample_points()
        real = [n for n, s in self.symbols.items() if symbol_scale(s) == "real"]
        indices = np.flatnonzero(comparison.special_differs)
        return len({tuple(points.special_labels[i][n] for n in real) for i in indices})

    def judge(self, answer) -> Feedback:
        """The verdict on `answer` within the caller's time budget (`Expression` uses it)."""
        return self._feedback(answer)

    def _feedback(self, answer) -> Feedback:
        if isinstance(answer, str) and not answer.strip():
            return Feedback("unanswered", self.unanswered_message)
        value = self._learner_expression(answer)
        extra = extra_points(list(self.symbols.values()), [value, self.expected])
        comparison = self._compare(self.expected, value, extra)
        if comparison.equal:
            if comparison.special_index is None:
                return Feedback("correct", f"{shorten(str(value), 60)} is right.")
            place = self._where(comparison)
            closing = "A single point like this still counts as correct."
            if self._special_places(comparison) > 1:
                place = f"a few special points, such as {place}"
                closing = "Differing only at such points still counts as correct."
            return Feedback(
                "correct",
                f"Yours matches everywhere except at {place}, where it gives "
                f"{describe_number(comparison.answer_value)} and the expected answer gives "
                f"{describe_number(comparison.target_value)}. {closing}",
            )
        for mistake, message in self.mistakes:
            if self._compare(mistake, value, extra).equal:
                return Feedback("incorrect", message)
        yours, theirs = describe_pair(comparison.answer_value, comparison.target_value)
        return Feedback(
            "incorrect",
            f"Your formula differs from the expected one: at {self._where(comparison)} yours "
            f"gives {yours} but the expected one gives {theirs}.",
        )


def exercise_symbols(symbols, expressions: Sequence) -> dict[str, sp.Symbol]:
    """Name -> Symbol for an Expression exercise, keeping the author's assumptions."""
    if isinstance(symbols, str):
        names = symbols.replace(",", " ").split()
        known: dict[str, sp.Symbol] = {}
        for expression in expressions:
            if isinstance(expression, sp.Basic):
                for symbol in expression.free_symbols:
                    if isinstance(symbol, sp.Symbol):
                        known.setdefault(symbol.name, symbol)
        result = {name: known.get(name, sp.Symbol(name, real=True)) for name in names}
    else:
        result = {}
        for symbol in symbols:
            if isinstance(symbol, str):
                symbol = sp.Symbol(symbol, real=True)
            if not isinstance(symbol, sp.Symbol):
                raise TypeError(f"symbols must be sympy Symbols or names, got {symbol!r}")
            result[symbol.name] = symbol
    for name in result:
        if not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"symbol name {name!r} cannot be typed in a formula")
    return result
