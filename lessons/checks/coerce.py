"""Turning a learner's answer (a number, a string, an array, a SymPy object) into one real float.

SymPy is imported only for answers that need it (text formulas, SymPy objects).

Examples
--------
>>> to_real_number("5/2")
2.5
"""

from __future__ import annotations

import decimal
import math
import numbers
import re
import sys
import warnings

import numpy as np

from .verdicts import TOO_LARGE, InvalidAnswer, format_number, shorten, type_name


def number_from_sympy(value) -> float:
    """The finite real float a constant SymPy expression stands for."""
    import sympy as sp

    if isinstance(value, tuple):
        raise InvalidAnswer(
            f"I read {len(value)} numbers separated by commas; give one number and use a dot "
            "for decimals (2.5, not 2,5)."
        )
    if not isinstance(value, sp.Expr):
        raise InvalidAnswer("I expected a number, not a condition.")
    if value.free_symbols:
        names = ", ".join(sorted(symbol.name for symbol in value.free_symbols))
        raise InvalidAnswer(f"I expected a number, but this contains the symbol(s) {names}.")
    if value.has(sp.zoo):
        raise InvalidAnswer("That divides by zero.")
    if value.has(sp.nan):
        raise InvalidAnswer("That is undefined (NaN), e.g. 0/0.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            real, imaginary = value.evalf(30).as_real_imag()
            is_complex = imaginary != 0 and abs(complex(imaginary)) > 1e-12 * max(
                1.0, abs(complex(real))
            )
            number = float(real)
    except (OverflowError, TypeError, ValueError, ArithmeticError):
        raise InvalidAnswer(TOO_LARGE) from None
    if is_complex:
        raise InvalidAnswer("That is a complex number; I expected a real number.")
    return finite(number)


def finite(number: float) -> float:
    if math.isnan(number):
        raise InvalidAnswer(
            "Your answer is NaN (not a number); look for a 0/0 or the mean of an empty array."
        )
    if math.isinf(number):
        raise InvalidAnswer("Your answer is infinite; look for a division by zero.")
    return number


def _is_sympy(value) -> bool:
    """A SymPy object? (Without importing SymPy: one exists only if SymPy is loaded.)"""
    sympy = sys.modules.get("sympy")
    return sympy is not None and isinstance(value, sympy.Basic)


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def to_real_number(answer, *, _depth: int = 0) -> float:
    """Coerce a learner's answer to one finite float or raise `InvalidAnswer`."""
    if isinstance(answer, (bool, np.bool_)):
        raise InvalidAnswer(f"I expected a number, got {answer} (a bool).")
    if isinstance(answer, str):
        if _PLAIN_NUMBER.fullmatch(answer.strip()) and math.isfinite(float(answer)):
            return float(answer)  # "2.5": no need to load SymPy
        from .formula import number_reader

        return number_from_sympy(number_reader().read(answer))
    if _is_sympy(answer):
        return number_from_sympy(answer)
    if isinstance(answer, (numbers.Real, decimal.Decimal)):
        try:
            return finite(float(answer))
        except OverflowError:
            raise InvalidAnswer(TOO_LARGE) from None
    if isinstance(answer, numbers.Complex):
        raise InvalidAnswer("That is a complex number; I expected a real number.")
    if isinstance(answer, (list, tuple)):
        kind = "list" if isinstance(answer, list) else "tuple"
        raise InvalidAnswer(
            f"I expected one number, got a {kind} of {len(answer)} item(s). "
            "Give a single number, e.g. `2.5`."
        )
    if isinstance(answer, np.ndarray) or (hasattr(answer, "__array__") and _depth == 0):
        array = np.asarray(answer)
        if array.size == 1 and _depth == 0:
            return to_real_number(array.reshape(-1)[0], _depth=1)
        if array.size == 0:
            raise InvalidAnswer("That is an empty array; I expected one number.")
        raise InvalidAnswer(
            f"I expected one number, got an array of shape {array.shape}."
        )
    raise InvalidAnswer(f"I expected a number, got {type_name(answer)}.")


def shown_answer(answer, value: float) -> str:
    """How to quote the learner's number back: what they typed, and its value if different."""
    shown = format_number(value)
    if isinstance(answer, str):
        typed = answer.strip()
        if typed and typed != shown:
            return f"{shorten(typed, 40)} (= {shown})"
    return shown



# -- validation of what an answer key's author gives (one wording per error) ----------------


def author_number(value, what: str, *, minimum: float | None = None) -> float:
    """`value` as one finite float, else ``ValueError("<what> must be ...")``."""
    try:
        number = to_real_number(value)
    except InvalidAnswer as problem:
        raise ValueError(f"{what} must be one finite real number: {problem}") from None
    if minimum is not None and number < minimum:
        raise ValueError(f"{what} must be at least {minimum:g}, got {number:g}")
    return number


def author_text(value, what: str) -> str:
    """`value` as text, else ``TypeError("<what> must be text ...")``."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be text (a str), got {type_name(value)}")
    return value
