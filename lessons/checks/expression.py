"""The `Expression` spec: a formula typed as text, checked for equivalence (SymPy, on first use).

This module does not import SymPy. An answer key may give the expected formula and its listed
mistakes as zero-argument functions that import SymPy themselves: they run, and SymPy is
imported, only when an answer is first judged, so importing a key (and a blank answer's
"not answered yet") stays cheap. The comparison itself is `sympy_expression.SymPyExpression`.

Examples
--------
>>> def mean_of_abs():
...     import sympy as sp
...     a, b = sp.symbols("a b", real=True)
...     return (sp.Abs(a) + sp.Abs(b)) / 2
>>> spec = Expression(mean_of_abs, "a b")
>>> spec.feedback(...).status
'unanswered'
>>> spec.feedback("(Abs(b) + Abs(a))/2").correct
True
"""

from __future__ import annotations

import sys

from .specs import AFTER_ANSWERING, Exercise
from .verdicts import AnswerKeyError, Feedback

# What a blank formula answer is told (the same before and after SymPy is loaded).
UNANSWERED_FORMULA = f'Replace `...` with your formula as text (e.g. "Abs(e)") {AFTER_ANSWERING}.'


def deferred(value) -> bool:
    """Whether `value` is a zero-argument function to call later (a SymPy object is not)."""
    sympy = sys.modules.get("sympy")
    if sympy is not None and isinstance(value, sympy.Basic):
        return False  # a Symbol is callable, but it is a formula
    return callable(value)


class Expression(Exercise):
    """A formula typed as text (or given as a SymPy expression), checked for equivalence.

    Equivalence is tried symbolically (quick, guarded), then numerically at 200 seeded random
    points per symbol plus special points (0, ±1, ± each positive symbol). Points where the
    expected formula is undefined do not count. An answer that differs only at special points
    (e.g. at ``e = 0``) counts as correct, with a note.

    Parameters
    ----------
    expected : sympy.Expr or str, or a function of no arguments returning one
        The right formula. A function is called (inside `pristine_lessons`) when the first answer
        is judged or `expected`, `mistakes` or `symbols` is first read, so a key that imports
        SymPy only inside it costs nothing until then.
    symbols : str or sequence of sympy.Symbol
        The names the learner may use, e.g. ``"e delta"``. Names given as text are real, unless
        `expected` (or a mistake) already uses a symbol of that name (whose assumptions are then
        kept); pass ``sympy.Symbol("delta", positive=True)`` to sample only positive values.
    mistakes : sequence of (sympy.Expr or str, str), or a function of no arguments returning one
        Typical wrong formulas and the message each one earns (a function is called when
        `expected`'s is).
    extra_names : dict, optional
        More names the learner may use: SymPy constants or functions.

    Examples
    --------
    >>> import sympy as sp
    >>> e = sp.Symbol("e", real=True)
    >>> Expression(sp.sign(e), "e").feedback("e/Abs(e)").status
    'correct'
    """

    unanswered_message = UNANSWERED_FORMULA

    def __init__(self, expected, symbols, *, mistakes=(), hints=(), prompt="", extra_names=None,
                 answer_name=""):
        super().__init__(hints=hints, prompt=prompt, answer_name=answer_name)
        self._author = (expected, symbols, mistakes, extra_names)
        self._judge = None
        if not (deferred(expected) or deferred(mistakes)):
            self._judge = self._build()  # SymPy objects given: check them at once

    def _build(self):
        from .sympy_expression import SymPyExpression

        expected, symbols, mistakes, extra_names = self._author
        return SymPyExpression(expected, symbols, mistakes=mistakes, extra_names=extra_names)

    def _built(self):
        """The `SymPyExpression` that judges answers (built, and SymPy imported, on first use)."""
        if self._judge is None:
            from .guard import pristine_lessons

            expected, symbols, mistakes, extra_names = self._author
            try:
                with pristine_lessons():  # as when the key module itself was imported
                    if deferred(expected):
                        expected = expected()
                    if deferred(mistakes):
                        mistakes = mistakes()
                self._author = (expected, symbols, mistakes, extra_names)
                self._judge = self._build()
            except Exception as error:
                raise AnswerKeyError(
                    f"the answer key's formulas could not be built: {type(error).__name__}: "
                    f"{error}"
                ) from error
        return self._judge

    @property
    def expected(self):
        """The right formula (a SymPy expression)."""
        return self._built().expected

    @property
    def mistakes(self) -> tuple:
        """The listed wrong formulas and their messages: ``((formula, message), ...)``."""
        return self._built().mistakes

    @property
    def symbols(self) -> dict:
        """Name -> SymPy Symbol of each name the learner may use."""
        return self._built().symbols

    def prepare(self) -> None:
        """Build the formulas and evaluate them at the sample points (once)."""
        self._built().prepare()

    def _feedback(self, answer) -> Feedback:
        return self._built().judge(answer)
