"""Exercise checkers with immediate feedback, shown as ipywidgets.

An exercise is described by a plain *spec* object (`Number`, `Choice`, `Expression`, `Slider`,
`Function`); its ``feedback(answer)`` method returns a `Feedback` without touching any widget.
`check` wraps a spec (or an answer-key name such as ``"01.mae_apples"``) in an `ExerciseView`:
JupyterLab shows the live widget, while nbconvert and nbval store the one-line verdict as text.
`grade` is the same check for nbgrader's hidden tests: it raises ``AssertionError`` unless correct.

Introduced in ``notebooks/01_definitions.ipynb``; the answer keys live in ``lessons/keys/nbNN.py``.

Examples
--------
>>> from lessons import checks
>>> checks.feedback(checks.Number(2.5), "5/2").text()
'✅ Correct: 5/2 (= 2.5) is right.'
>>> checks.feedback(checks.Number(2.5), ...).status
'unanswered'
"""

from __future__ import annotations

import ast
import contextlib
import copy
import decimal
import html
import inspect
import itertools
import math
import numbers
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import sympy as sp

__all__ = [
    "AnswerKeyError",
    "Case",
    "Choice",
    "ExerciseView",
    "Expression",
    "Feedback",
    "Function",
    "Number",
    "Slider",
    "check",
    "feedback",
    "grade",
    "view",
    "lookup",
]

# --------------------------------------------------------------------------------------------
# Feedback
# --------------------------------------------------------------------------------------------

STATUSES = ("correct", "incorrect", "unanswered", "unimplemented", "invalid")

_PREFIXES = {
    "correct": "✅ Correct",
    "incorrect": "❌ Not quite",
    "unanswered": "⏳ Not answered yet",
    "unimplemented": "⏳ Not implemented yet",
    "invalid": "⚠️ Can't check this answer",
}

# Dark enough to read on a white page (WCAG AA contrast), one colour per verdict.
_COLOURS = {
    "correct": "#1a7f37",
    "incorrect": "#cf222e",
    "unanswered": "#57606a",
    "unimplemented": "#57606a",
    "invalid": "#9a6700",
}


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    Parameters
    ----------
    status : {"correct", "incorrect", "unanswered", "unimplemented", "invalid"}
        What the checker concluded.
    message : str
        Plain text for the learner; may quote code between backticks.

    Examples
    --------
    >>> Feedback("incorrect", "That is the sum.").text()
    '❌ Not quite: That is the sum.'
    """

    status: str
    message: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def correct(self) -> bool:
        """True only when the status is ``"correct"``."""
        return self.status == "correct"

    def text(self) -> str:
        """One line: the verdict's words, then ``": "`` and the message."""
        prefix = _PREFIXES[self.status]
        return f"{prefix}: {self.message}" if self.message else prefix

    def html(self) -> str:
        """The verdict as a small coloured HTML block (learner text escaped)."""
        colour = _COLOURS[self.status]
        body = _rich_text(self.message)
        return (
            f'<div class="lessons-verdict lessons-{self.status}" '
            f'style="color: {colour}; line-height: 1.5;">'
            f"<b>{html.escape(_PREFIXES[self.status])}</b>{': ' + body if body else ''}</div>"
        )

    def __str__(self) -> str:
        return self.text()


def _rich_text(text: str) -> str:
    """Escape `text` for HTML and show `backticked` parts as code."""
    escaped = html.escape(text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


class _InvalidAnswer(Exception):
    """An answer that cannot be checked; the message is meant for the learner."""


class AnswerKeyError(RuntimeError):
    """The answer key itself is broken (never the learner's fault)."""


def _is_unanswered(answer) -> bool:
    return answer is ... or answer is None


def _type_name(value) -> str:
    return type(value).__name__


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _format_number(value: float) -> str:
    """Six significant digits, without a trailing ``.0`` noise: 2.5, 6.66667, 1e-05."""
    return f"{value:.6g}"


# --------------------------------------------------------------------------------------------
# A safe reader for formulas typed as text
# --------------------------------------------------------------------------------------------

MAX_FORMULA_CHARS = 1000
MAX_EXPONENT = 1000  # a constant exponent beyond this is refused (9**9**9**9 would never end)
_MAX_CONSTANT_BITS = 1100  # ~330 digits: exact integers past this make SymPy slow, never useful
_MAX_DEPTH = 100

_FUNCTIONS: dict[str, Callable] = {
    "Abs": sp.Abs,
    "sign": sp.sign,
    "Piecewise": sp.Piecewise,
    "exp": sp.exp,
    "log": sp.log,
    "sqrt": sp.sqrt,
    "cosh": sp.cosh,
    "sinh": sp.sinh,
    "tanh": sp.tanh,
    "cos": sp.cos,
    "sin": sp.sin,
    "Max": sp.Max,
    "Min": sp.Min,
    "Heaviside": sp.Heaviside,
    "Rational": sp.Rational,
    "And": sp.And,
    "Or": sp.Or,
    "Eq": sp.Eq,
    "Ne": sp.Ne,
}
_CONSTANTS: dict[str, sp.Basic] = {"pi": sp.pi, "E": sp.E, "oo": sp.oo}

_ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
_COMPARISONS = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}

# Characters a learner may paste from the course text or type on a phone.
_LOOKALIKES = {"−": "-", "×": "*", "·": "*", "⋅": "*", "²": "**2", "³": "**3"}


class _FormulaError(_InvalidAnswer):
    """A formula that cannot be read; the message is meant for the learner."""


class _FormulaReader:
    """Turn text into a SymPy object without ever executing the text.

    The text is parsed with ``ast.parse`` and the tree is walked node by node: only numbers,
    the exercise's symbols, a whitelist of SymPy functions and constants, arithmetic,
    comparisons (for Piecewise conditions), ``and``/``or`` and tuples are understood. Each node
    is turned into a SymPy object directly (no ``eval``), and constant powers are bounded.
    """

    def __init__(self, symbols: Mapping[str, sp.Symbol], extra_names: Mapping | None = None):
        self.symbols = dict(symbols)
        self.names: dict[str, object] = {**_FUNCTIONS, **_CONSTANTS}
        self.names.update(extra_names or {})
        self.names.update(self.symbols)

    # -- messages ------------------------------------------------------------------------

    def _vocabulary(self) -> str:
        if self.symbols:
            names = _join_words([f"`{name}`" for name in self.symbols])
            return (
                f"numbers, the symbols {names}, + - * / ** and functions like Abs, sign, "
                "Piecewise"
            )
        return "numbers, + - * / ** and functions like sqrt, exp, log"

    def _only_formulas(self) -> _FormulaError:
        return _FormulaError(f"I can only read a formula made of {self._vocabulary()}.")

    def _unknown_name(self, name: str) -> _FormulaError:
        if self.symbols:
            listed = ", ".join(self.symbols)
            return _FormulaError(
                f"I don't know `{name}` here; you can use {listed} and functions like Abs, "
                "sign, Piecewise."
            )
        return _FormulaError(
            f"I don't know `{name}` here; write a number, or arithmetic like 20/3."
        )

    # -- reading -------------------------------------------------------------------------

    def read(self, text: str) -> sp.Basic:
        """Parse `text` into a SymPy object; raise `_FormulaError` with a friendly message."""
        if len(text) > MAX_FORMULA_CHARS:
            raise _FormulaError(
                f"That is {len(text)} characters long; I read at most {MAX_FORMULA_CHARS}."
            )
        source = text.strip()
        for lookalike, plain in _LOOKALIKES.items():
            source = source.replace(lookalike, plain)
        source = source.replace("^", "**")
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as error:
            raise self._syntax_error(source, error) from None
        except (ValueError, MemoryError, RecursionError):
            raise _FormulaError("I couldn't read that as a formula.") from None
        try:
            return self._build(tree, 0)
        except _FormulaError:
            raise
        except RecursionError:
            raise _FormulaError("That formula is nested too deeply for me to read.") from None
        except Exception as error:  # SymPy refused to build something (bad arguments, ...)
            detail = _shorten(str(error) or _type_name(error), 120)
            raise _FormulaError(f"I couldn't build a formula from that: {detail}") from None

    def _syntax_error(self, source: str, error: SyntaxError) -> _FormulaError:
        if "|" in source:
            return _FormulaError("Write `Abs(e)` for |e|.")
        if "=" in source and "==" not in source and not re.search(r"[<>!]=", source):
            return _FormulaError(
                "Type only the formula, without `=` or a left-hand side (e.g. `-2*e`)."
            )
        where = f" at character {error.offset}" if error.offset else ""
        return _FormulaError(
            f"I couldn't read that as a formula ({error.msg}{where}). Write products with * "
            "(`2*e`, not `2e`) and powers with ** or ^."
        )

    def _build(self, node: ast.AST, depth: int):
        if depth > _MAX_DEPTH:
            raise _FormulaError("That formula is nested too deeply for me to read.")
        depth += 1
        if isinstance(node, ast.Expression):
            return self._build(node.body, depth)
        if isinstance(node, ast.Constant):
            return self._constant(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            operand = self._build(node.operand, depth)
            if isinstance(node.op, ast.USub):
                return -_as_arithmetic(operand)
            if isinstance(node.op, ast.UAdd):
                return _as_arithmetic(operand)
            raise self._only_formulas()
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Compare):
            return self._compare(node, depth)
        if isinstance(node, ast.BoolOp):
            parts = [self._build(value, depth) for value in node.values]
            return sp.And(*parts) if isinstance(node.op, ast.And) else sp.Or(*parts)
        if isinstance(node, ast.Tuple) and isinstance(node.ctx, ast.Load):
            return tuple(self._build(item, depth) for item in node.elts)
        raise self._only_formulas()

    def _constant(self, value):
        if isinstance(value, bool):  # True/False: the last condition of a Piecewise
            return sp.true if value else sp.false
        if isinstance(value, int):
            if value.bit_length() > _MAX_CONSTANT_BITS:
                raise _FormulaError("That number is too large for me to work with.")
            return sp.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _FormulaError("That number is too large for me to work with.")
            return sp.Float(repr(value))
        raise self._only_formulas()

    def _name(self, name: str):
        if name.startswith("_"):
            raise self._only_formulas()
        if name not in self.names:
            raise self._unknown_name(name)
        value = self.names[name]
        if not isinstance(value, sp.Basic):
            raise _FormulaError(f"`{name}` is a function; call it like `{name}(...)`.")
        return value

    def _binary(self, node: ast.BinOp, depth: int):
        operation = _ARITHMETIC.get(type(node.op))
        if operation is None:
            if isinstance(node.op, ast.BitOr):
                raise _FormulaError("Write `Abs(e)` for |e|.")
            if isinstance(node.op, ast.FloorDiv):
                raise _FormulaError("Use / for division (// is not a formula).")
            raise self._only_formulas()
        left = _as_arithmetic(self._build(node.left, depth))
        right = _as_arithmetic(self._build(node.right, depth))
        if isinstance(node.op, ast.Pow):
            _check_power(left, right)
        result = operation(left, right)
        _check_constant_size(result)
        return result

    def _call(self, node: ast.Call, depth: int):
        if not isinstance(node.func, ast.Name) or node.func.id.startswith("_"):
            raise self._only_formulas()
        name = node.func.id
        if name in self.symbols:
            raise _FormulaError(
                f"`{name}` is a symbol, not a function; write `{name}*(...)` to multiply."
            )
        function = self.names.get(name)
        if function is None:
            raise self._unknown_name(name)
        if isinstance(function, sp.Basic) or not callable(function):
            raise _FormulaError(f"`{name}` is not a function; write `{name}*(...)` to multiply.")
        if node.keywords:
            raise _FormulaError(f"Give {name} its arguments without names, like {name}(e).")
        arguments = [self._build(argument, depth) for argument in node.args]
        result = function(*arguments)
        _check_constant_size(result)
        return result

    def _compare(self, node: ast.Compare, depth: int):
        operands = [self._build(node.left, depth)]
        operands += [self._build(item, depth) for item in node.comparators]
        relations = []
        for operator, left, right in zip(node.ops, operands, operands[1:], strict=False):
            relation = _COMPARISONS.get(type(operator))
            if relation is None:
                if isinstance(operator, ast.Eq):
                    raise _FormulaError("Write an equality as `Eq(a, b)`.")
                if isinstance(operator, ast.NotEq):
                    raise _FormulaError("Write 'not equal' as `Ne(a, b)`.")
                raise self._only_formulas()
            relations.append(relation(_as_arithmetic(left), _as_arithmetic(right)))
        return relations[0] if len(relations) == 1 else sp.And(*relations)


def _join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _as_arithmetic(value):
    """Refuse arithmetic on conditions or tuples with a readable message."""
    if isinstance(value, tuple):
        raise _FormulaError("I can't do arithmetic with a tuple (a, b).")
    if not isinstance(value, sp.Expr):
        raise _FormulaError("I can't do arithmetic with a condition such as `e > 0`.")
    return value


def _check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse powers whose result would be astronomically large (and slow to compute)."""
    if exponent.is_Number and exponent.is_finite is not False:
        if abs(float(exponent)) > MAX_EXPONENT:
            raise _FormulaError(
                f"Exponents above {MAX_EXPONENT} are too large for me to work with."
            )
    elif exponent.is_Number:  # oo, -oo, zoo, nan as an exponent
        raise _FormulaError("An infinite exponent is too large for me to work with.")
    if isinstance(base, sp.Rational) and exponent.is_Number and base not in (0, 1, -1):
        bits = max(abs(base.p).bit_length(), abs(base.q).bit_length())
        if bits * abs(float(exponent)) > _MAX_CONSTANT_BITS:
            raise _FormulaError("That power is too large for me to work with.")


def _check_constant_size(value) -> None:
    if isinstance(value, sp.Rational):
        if max(abs(value.p).bit_length(), abs(value.q).bit_length()) > _MAX_CONSTANT_BITS:
            raise _FormulaError("That number is too large for me to work with.")


_NUMBER_READER = _FormulaReader({})


# --------------------------------------------------------------------------------------------
# Turning an answer into one real number
# --------------------------------------------------------------------------------------------


def _number_from_sympy(value) -> float:
    if isinstance(value, tuple):
        raise _InvalidAnswer(
            f"I read {len(value)} numbers separated by commas; give one number and use a dot "
            "for decimals (2.5, not 2,5)."
        )
    if not isinstance(value, sp.Expr):
        raise _InvalidAnswer("I expected a number, not a condition.")
    if value.free_symbols:
        names = ", ".join(sorted(symbol.name for symbol in value.free_symbols))
        raise _InvalidAnswer(f"I expected a number, but this contains the symbol(s) {names}.")
    if value.has(sp.zoo):
        raise _InvalidAnswer("That divides by zero.")
    if value.has(sp.nan):
        raise _InvalidAnswer("That is undefined (NaN), e.g. 0/0.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            real, imaginary = value.evalf(30).as_real_imag()
            is_complex = imaginary != 0 and abs(complex(imaginary)) > 1e-12 * max(
                1.0, abs(complex(real))
            )
            number = float(real)
    except (OverflowError, TypeError, ValueError, ArithmeticError):
        raise _InvalidAnswer("That number is too large for me to work with.") from None
    if is_complex:
        raise _InvalidAnswer("That is a complex number; I expected a real number.")
    return _finite(number)


def _finite(number: float) -> float:
    if math.isnan(number):
        raise _InvalidAnswer(
            "Your answer is NaN (not a number); look for a 0/0 or the mean of an empty array."
        )
    if math.isinf(number):
        raise _InvalidAnswer("Your answer is infinite; look for a division by zero.")
    return number


def _to_real_number(answer, *, _depth: int = 0) -> float:
    """Coerce a learner's answer to one finite float or raise `_InvalidAnswer`."""
    if isinstance(answer, (bool, np.bool_)):
        raise _InvalidAnswer(f"I expected a number, got {answer} (a bool).")
    if isinstance(answer, str):
        return _number_from_sympy(_NUMBER_READER.read(answer))
    if isinstance(answer, sp.Basic):
        return _number_from_sympy(answer)
    if isinstance(answer, (numbers.Real, decimal.Decimal)):
        try:
            return _finite(float(answer))
        except OverflowError:
            raise _InvalidAnswer("That number is too large for me to work with.") from None
    if isinstance(answer, numbers.Complex):
        raise _InvalidAnswer("That is a complex number; I expected a real number.")
    if isinstance(answer, (list, tuple)):
        kind = "list" if isinstance(answer, list) else "tuple"
        raise _InvalidAnswer(
            f"I expected one number, got a {kind} of {len(answer)} item(s). "
            "Give a single number, e.g. `2.5`."
        )
    if isinstance(answer, np.ndarray) or (hasattr(answer, "__array__") and _depth == 0):
        array = np.asarray(answer)
        if array.size == 1 and _depth == 0:
            return _to_real_number(array.reshape(-1)[0], _depth=1)
        if array.size == 0:
            raise _InvalidAnswer("That is an empty array; I expected one number.")
        raise _InvalidAnswer(
            f"I expected one number, got an array of shape {array.shape}."
        )
    raise _InvalidAnswer(f"I expected a number, got {_type_name(answer)}.")


def _shown_answer(answer, value: float) -> str:
    """How to quote the learner's number back: what they typed, and its value if different."""
    shown = _format_number(value)
    if isinstance(answer, str):
        typed = answer.strip()
        if typed and typed != shown:
            return f"{_shorten(typed, 40)} (= {shown})"
    return shown


# --------------------------------------------------------------------------------------------
# Exercise specs
# --------------------------------------------------------------------------------------------


class Exercise:
    """Base class of the exercise specs: hints, a prompt and a never-raising `feedback`."""

    _unanswered_message = "Replace `...` with your answer and run the cell again."
    _input_kind: str | None = None

    def __init__(self, *, hints: Iterable[str] = (), prompt: str = ""):
        if isinstance(hints, str):
            hints = (hints,)
        self.hints = tuple(str(hint) for hint in hints)
        self.prompt = str(prompt)

    def feedback(self, answer) -> Feedback:
        """Check `answer` and return a `Feedback`; never raises for anything a learner gives.

        Parameters
        ----------
        answer : object
            The learner's answer; ``...`` or ``None`` means "not answered yet".

        Returns
        -------
        Feedback
        """
        if _is_unanswered(answer):
            return Feedback("unanswered", self._unanswered_message)
        try:
            # Nothing may leak into the notebook's output: ast.parse warns about odd literals,
            # NumPy about overflow, a learner's function about anything.
            with _quiet():
                return self._feedback(answer)
        except AnswerKeyError:
            raise
        except _InvalidAnswer as problem:
            return Feedback("invalid", str(problem))
        except Exception as error:  # a last guard: a learner's object may do anything
            return Feedback(
                "invalid",
                f"I couldn't check this answer ({_type_name(error)}: "
                f"{_shorten(str(error), 100)}).",
            )

    def _feedback(self, answer) -> Feedback:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{_type_name(self)} exercise>"


class _NumericExercise(Exercise):
    """Shared feedback of the exercises whose answer is one number (`Number`, `Slider`)."""

    expected: float
    mistakes: tuple

    def _close(self, value: float, target: float) -> bool:  # pragma: no cover - subclasses
        raise NotImplementedError

    def _feedback(self, answer) -> Feedback:
        if isinstance(answer, str) and not answer.strip():
            return Feedback("unanswered", self._unanswered_message)
        value = _to_real_number(answer)
        shown = _shown_answer(answer, value)
        if self._close(value, self.expected):
            return Feedback("correct", f"{shown} is right.")
        for mistake, message in self.mistakes:
            if self._close(value, mistake):
                return Feedback("incorrect", message)
        direction = "high" if value > self.expected else "low"
        return Feedback("incorrect", f"{shown} is too {direction}.")


class Number(_NumericExercise):
    """A numeric answer, correct within ``np.isclose(answer, expected, rtol, atol)``.

    Parameters
    ----------
    expected : float
        The right value (computed in the answer key, never typed).
    rtol, atol : float
        Relative and absolute tolerance, as in ``np.isclose``.
    mistakes : sequence of (float, str)
        Typical wrong values and the message each one earns.
    hints : sequence of str
        Shown one at a time on request.
    prompt : str
        Optional question text shown above the input box.

    Examples
    --------
    >>> Number(2.5, mistakes=[(5.0, "That is the sum.")]).feedback(5).message
    'That is the sum.'
    """

    _unanswered_message = (
        "Replace `...` with your answer and run the cell again, or type it in the box."
    )
    _input_kind = "text"
    _placeholder = "a number, e.g. 2.5 or 20/3"

    def __init__(self, expected, *, rtol=1e-3, atol=1e-9, mistakes=(), hints=(), prompt=""):
        super().__init__(hints=hints, prompt=prompt)
        self.expected = _author_number(expected, "expected")
        self.rtol = float(rtol)
        self.atol = float(atol)
        self.mistakes = tuple(
            (_author_number(value, "a mistake value"), str(message)) for value, message in mistakes
        )

    def _close(self, value: float, target: float) -> bool:
        return abs(value - target) <= self.atol + self.rtol * abs(target)


def _author_number(value, what: str) -> float:
    try:
        return _to_real_number(value)
    except _InvalidAnswer as problem:
        raise ValueError(f"{what} must be one finite real number: {problem}") from None


def _option_keys(count: int) -> list[str]:
    if count > 26:
        raise ValueError("a Choice takes at most 26 options")
    return [chr(ord("a") + index) for index in range(count)]


class Choice(Exercise):
    """A multiple-choice question.

    Parameters
    ----------
    options : dict of str to str, or sequence of str
        ``{key: label}``; a plain list gets the keys "a", "b", ...
    correct : str or collection of str
        The key of the right option, or several keys when more than one is right.
    explanations : dict of str to str, optional
        Text shown when that option is chosen (right ones too).

    Examples
    --------
    >>> Choice(["L1", "L2"], "b").feedback(" B ").status
    'correct'
    """

    _unanswered_message = "Pick an option, or set your answer in the code and run the cell again."
    _input_kind = "radio"

    def __init__(self, options, correct, *, explanations=None, hints=(), prompt=""):
        super().__init__(hints=hints, prompt=prompt)
        if isinstance(options, Mapping):
            if not all(isinstance(key, str) for key in options):
                raise ValueError("Choice option keys must be strings such as 'a', 'b'")
            self.options = {key.strip(): str(label) for key, label in options.items()}
        else:
            labels = [str(label) for label in options]
            self.options = dict(zip(_option_keys(len(labels)), labels, strict=True))
        if len(self.options) < 2:
            raise ValueError("a Choice needs at least two options")
        wanted = {correct} if isinstance(correct, str) else set(correct)
        unknown = wanted - set(self.options)
        if not wanted or unknown:
            raise ValueError(f"correct keys {sorted(unknown)} are not among {list(self.options)}")
        self.correct = frozenset(wanted)
        self.explanations = {str(key): str(text) for key, text in (explanations or {}).items()}
        unknown = set(self.explanations) - set(self.options)
        if unknown:
            raise ValueError(f"explanations for unknown keys {sorted(unknown)}")

    def _valid_keys(self) -> str:
        return ", ".join(f'"{key}"' for key in self.options)

    def resolve(self, answer) -> str | None:
        """The option key that `answer` names (a key, any case, or a label), else None."""
        if not isinstance(answer, str):
            return None
        text = answer.strip()
        by_key = {key.casefold(): key for key in self.options}
        for candidate in (text, text.strip("().:").strip()):
            if candidate.casefold() in by_key:
                return by_key[candidate.casefold()]
        for key, label in self.options.items():
            if text == label.strip():
                return key
        for key, label in self.options.items():
            if text.casefold() == label.strip().casefold():
                return key
        return None

    def _feedback(self, answer) -> Feedback:
        if isinstance(answer, str) and not answer.strip():
            return Feedback("unanswered", self._unanswered_message)
        key = self.resolve(answer)
        if key is None and not isinstance(answer, str):
            raise _InvalidAnswer(
                f"Give your choice as text, one of {self._valid_keys()} "
                f"(got {_type_name(answer)})."
            )
        if key is None:
            raise _InvalidAnswer(
                f'I don\'t know the option "{_shorten(answer.strip(), 40)}"; answer with one of '
                f"{self._valid_keys()}."
            )
        explanation = self.explanations.get(key)
        if key in self.correct:
            return Feedback("correct", explanation or f"{key}) {self.options[key]}.")
        return Feedback(
            "incorrect", explanation or f"{key}) is not the answer; read the options again."
        )


# -- Expressions -----------------------------------------------------------------------------

_NUMERIC_RTOL = 1e-7
_NUMERIC_ATOL = 1e-9
_POINTS_PER_SYMBOL = 200
_MAX_SPECIAL_POINTS = 2000
_SEED = 20240607  # any fixed seed: the points must be the same on every run and machine
_NON_SIMPLIFIABLE = (sp.Piecewise, sp.sign, sp.Heaviside, sp.Max, sp.Min, sp.Abs)


@dataclass
class _Points:
    """Where two formulas are compared: generic random points and special ones (0, ±1, ±delta)."""

    generic: np.ndarray  # shape (n_symbols, n_generic)
    special: np.ndarray  # shape (n_symbols, n_special)
    special_labels: list[dict[str, str]] = field(default_factory=list)


@dataclass
class _Comparison:
    equal: bool
    generic_index: int | None = None  # a random point where they differ
    special_index: int | None = None  # a special point where they differ (if otherwise equal)
    special_differs: np.ndarray | None = None  # every special point where they differ
    answer_value: float = math.nan
    target_value: float = math.nan


def _symbol_scale(symbol: sp.Symbol) -> str:
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


def _random_values(symbol: sp.Symbol, count: int, rng: np.random.Generator) -> np.ndarray:
    scale = _symbol_scale(symbol)
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


_SPECIAL_SCALES = {
    "positive": [1.0, 0.5, 2.0],
    "nonnegative": [0.0, 1.0, 0.5, 2.0],
    "negative": [-1.0, -0.5, -2.0],
    "nonpositive": [0.0, -1.0, -0.5, -2.0],
}


def _special_points(symbols: Sequence[sp.Symbol]) -> tuple[np.ndarray, list[dict[str, str]]]:
    """Points where formulas often disagree on purpose: 0, ±1 and ± each positive symbol."""
    scaled = [s for s in symbols if _symbol_scale(s) != "real"]
    real = [s for s in symbols if _symbol_scale(s) == "real"]
    rows: list[dict[sp.Symbol, float]] = []
    labels: list[dict[str, str]] = []
    scale_choices = [
        [v for v in _SPECIAL_SCALES[_symbol_scale(s)] if not s.is_integer or v == round(v)]
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
            label = {s.name: _format_number(v) for s, v in fixed.items()}
            for symbol, (value, name) in zip(real, combo, strict=True):
                row[symbol] = value
                label[symbol.name] = name
            rows.append(row)
            labels.append(label)
            if len(rows) >= _MAX_SPECIAL_POINTS:
                break
        if len(rows) >= _MAX_SPECIAL_POINTS:
            break
    table = np.array([[row[s] for row in rows] for s in symbols], dtype=float)
    return table.reshape(len(symbols), len(rows)), labels


def _evaluate(expression: sp.Expr, symbols: Sequence[sp.Symbol], points: np.ndarray) -> np.ndarray:
    """Real values of `expression` at each column of `points`; NaN where undefined."""
    count = points.shape[1]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            function = sp.lambdify(list(symbols), expression, modules="numpy")
        except Exception:
            return _evaluate_slowly(expression, symbols, points)
        try:
            values = _real_array(function(*points), count)
        except Exception:
            values = None
        if values is None:
            values = np.full(count, np.nan)
            for index in range(count):
                try:
                    single = function(*(np.float64(v) for v in points[:, index]))
                    values[index] = _real_array(single, 1)[0]
                except Exception:
                    values[index] = np.nan
    return values


def _evaluate_slowly(expression, symbols, points) -> np.ndarray:
    values = np.full(points.shape[1], np.nan)
    for index in range(points.shape[1]):
        substitution = {s: float(v) for s, v in zip(symbols, points[:, index], strict=True)}
        try:
            values[index] = _real_array(complex(expression.evalf(subs=substitution)), 1)[0]
        except Exception:
            values[index] = np.nan
    return values


def _real_array(values, count: int) -> np.ndarray | None:
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


def _quickly_equal(first: sp.Expr, second: sp.Expr) -> bool:
    """A cheap symbolic test: the difference is zero as built, or once expanded."""
    difference = first - second
    if difference == 0:
        return True
    if any(difference.has(kind) for kind in _NON_SIMPLIFIABLE) or not _small(difference):
        return False  # numbers decide; expanding can be slow, and kinks need point checks
    try:
        return sp.expand(difference) == 0
    except Exception:
        return False


def _simplifies_to_zero(first: sp.Expr, second: sp.Expr) -> bool:
    """``simplify(first - second) == 0``, tried only on small formulas without kinks."""
    difference = first - second
    if any(difference.has(kind) for kind in _NON_SIMPLIFIABLE) or not _small(difference):
        return False
    try:
        return sp.simplify(difference) == 0
    except Exception:
        return False


def _expand_logs(expression: sp.Expr):
    """`expression` with logarithms of products and exponentials expanded, or None.

    ``log(exp(z))`` becomes ``z`` for real ``z``, which removes overflow that float evaluation
    meets and the formula itself does not have. Forced expansion ignores signs, so the result is
    only trusted when it then agrees with the expected formula at every sample point.
    """
    if not expression.has(sp.log) or not _small(expression):
        return None
    try:
        expanded = sp.expand_log(expression, force=True)
    except Exception:
        return None
    return None if expanded == expression else expanded


def _small(expression: sp.Expr) -> bool:
    """Small enough for SymPy to expand or simplify in a blink."""
    if sp.count_ops(expression) > 40:
        return False
    return not any(
        power.exp.is_Number and abs(float(power.exp)) > 8 for power in expression.atoms(sp.Pow)
    )


class Expression(Exercise):
    """A formula typed as text (or given as a SymPy expression), checked for equivalence.

    Equivalence is tried symbolically (quick, guarded), then numerically at 200 seeded random
    points per symbol plus special points (0, ±1, ± each positive symbol). Points where the
    expected formula is undefined do not count. An answer that differs only at special points
    (e.g. at ``e = 0``) counts as correct, with a note.

    Parameters
    ----------
    expected : sympy.Expr or str
        The right formula.
    symbols : str or sequence of sympy.Symbol
        The names the learner may use, e.g. ``"e delta"``. Names given as text are real, unless
        `expected` already uses a symbol of that name (whose assumptions are then kept); pass
        ``sympy.Symbol("delta", positive=True)`` to sample only positive values.
    mistakes : sequence of (sympy.Expr or str, str)
        Typical wrong formulas and the message each one earns.
    extra_names : dict, optional
        More names the learner may use: SymPy constants or functions.

    Examples
    --------
    >>> import sympy as sp
    >>> e = sp.Symbol("e", real=True)
    >>> Expression(sp.sign(e), "e").feedback("e/Abs(e)").status
    'correct'
    """

    _unanswered_message = (
        "Replace `...` with your formula (as text) and run the cell again, or type it in the box."
    )
    _input_kind = "text"

    def __init__(self, expected, symbols, *, mistakes=(), hints=(), prompt="", extra_names=None):
        super().__init__(hints=hints, prompt=prompt)
        author_expressions = [expected] + [expression for expression, _ in mistakes]
        self.symbols = _exercise_symbols(symbols, author_expressions)
        extra = dict(extra_names or {})
        for name, value in extra.items():
            if isinstance(value, sp.Basic) and not value.free_symbols <= set(
                self.symbols.values()
            ):
                raise ValueError(f"extra name {name!r} uses symbols outside {list(self.symbols)}")
        self._reader = _FormulaReader(self.symbols, extra)
        self.expected = self._author_expression(expected, "expected")
        self.mistakes = tuple(
            (self._author_expression(expression, "a mistake"), str(message))
            for expression, message in mistakes
        )
        self._points: _Points | None = None
        self._values: dict[sp.Expr, tuple[np.ndarray, np.ndarray]] = {}

    @property
    def _placeholder(self) -> str:
        names = list(self.symbols)
        example = f"Abs({names[0]})" if names else "2*pi"
        return f"a formula in {', '.join(names)}, e.g. {example}"

    def _author_expression(self, expression, what: str) -> sp.Expr:
        try:
            value = self._learner_expression(expression)
        except _InvalidAnswer as problem:
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
            value = sp.Float(_to_real_number(answer))
        else:
            raise _InvalidAnswer(
                f"I expected a formula written as text, e.g. \"Abs(e)\", got {_type_name(answer)}."
            )
        if isinstance(value, tuple):
            raise _InvalidAnswer("I expected one formula, not several separated by commas.")
        if not isinstance(value, sp.Expr):
            raise _InvalidAnswer(
                "That is a condition, not a formula; conditions belong inside Piecewise."
            )
        unknown = value.free_symbols - set(self.symbols.values())
        if unknown:
            name = sorted(str(symbol) for symbol in unknown)[0]
            raise self._reader._unknown_name(name)
        if value.has(sp.zoo) or value.has(sp.nan):
            raise _InvalidAnswer("That formula divides by zero or is undefined everywhere.")
        return value

    # -- numeric comparison ----------------------------------------------------------------

    def _sample_points(self) -> _Points:
        if self._points is None:
            symbols = list(self.symbols.values())
            rng = np.random.default_rng(_SEED)
            count = _POINTS_PER_SYMBOL * max(1, len(symbols))
            generic = np.array([_random_values(s, count, rng) for s in symbols], dtype=float)
            special, labels = _special_points(symbols)
            self._points = _Points(generic.reshape(len(symbols), count), special, labels)
        return self._points

    def _values_at_points(self, expression: sp.Expr, cache: bool) -> tuple[np.ndarray, np.ndarray]:
        if cache and expression in self._values:
            return self._values[expression]
        points = self._sample_points()
        symbols = list(self.symbols.values())
        values = (
            _evaluate(expression, symbols, points.generic),
            _evaluate(expression, symbols, points.special),
        )
        if cache:
            self._values[expression] = values
        return values

    def _compare(self, target: sp.Expr, answer: sp.Expr) -> _Comparison:
        """Symbolic quick test, then numbers; `simplify` only when numbers overflowed."""
        if _quickly_equal(target, answer):
            return _Comparison(True)
        target_generic, target_special = self._values_at_points(target, cache=True)
        answer_generic, answer_special = self._values_at_points(answer, cache=False)
        differs = _differences(answer_generic, target_generic)
        overflowed = ~np.isfinite(answer_generic) | ~np.isfinite(target_generic)
        if differs.any() and (differs <= overflowed).all():
            # The only disagreements were float overflow, e.g. log(exp(-|x|/b)) for tiny b.
            if _simplifies_to_zero(target, answer):
                return _Comparison(True)
            expanded = _expand_logs(answer)
            if expanded is not None:
                expanded_generic, expanded_special = self._values_at_points(expanded, cache=False)
                if not _differences(expanded_generic, target_generic).any():
                    answer_generic, answer_special = expanded_generic, expanded_special
                    differs = np.zeros_like(differs)
        if differs.any():
            index = int(np.argmax(differs))
            return _Comparison(
                False, generic_index=index,
                answer_value=answer_generic[index], target_value=target_generic[index],
            )
        differs = _differences(answer_special, target_special)
        if differs.any():
            index = int(np.argmax(differs))
            return _Comparison(
                True, special_index=index, special_differs=differs,
                answer_value=answer_special[index], target_value=target_special[index],
            )
        return _Comparison(True)

    def _where(self, comparison: _Comparison) -> str:
        """Words for where two formulas differ: "e = 0 (with delta = 1)" or "e = 2.5"."""
        points = self._sample_points()
        if comparison.special_index is not None:
            label = points.special_labels[comparison.special_index]
            real = [n for n, s in self.symbols.items() if _symbol_scale(s) == "real"]
            others = [n for n in self.symbols if n not in real]
            place = ", ".join(f"{name} = {label[name]}" for name in real or others)
            if real and others:
                place += " (with " + ", ".join(f"{n} = {label[n]}" for n in others) + ")"
            return place
        column = points.generic[:, comparison.generic_index]
        return ", ".join(
            f"{name} = {value:.4g}" for name, value in zip(self.symbols, column, strict=True)
        )

    def _special_places(self, comparison: _Comparison) -> int:
        """How many distinct special places (values of the real symbols) the formulas differ at."""
        points = self._sample_points()
        real = [n for n, s in self.symbols.items() if _symbol_scale(s) == "real"]
        indices = np.flatnonzero(comparison.special_differs)
        return len({tuple(points.special_labels[i][n] for n in real) for i in indices})

    def _feedback(self, answer) -> Feedback:
        if isinstance(answer, str) and not answer.strip():
            return Feedback("unanswered", self._unanswered_message)
        value = self._learner_expression(answer)
        comparison = self._compare(self.expected, value)
        if comparison.equal:
            if comparison.special_index is None:
                return Feedback("correct", f"{_shorten(str(value), 60)} is right.")
            place = self._where(comparison)
            closing = "A single point like this still counts as correct."
            if self._special_places(comparison) > 1:
                place = f"a few special points, such as {place}"
                closing = "Differing only at such points still counts as correct."
            return Feedback(
                "correct",
                f"Yours matches everywhere except at {place}, where it gives "
                f"{_describe_number(comparison.answer_value)} and the expected answer gives "
                f"{_describe_number(comparison.target_value)}. {closing}",
            )
        for mistake, message in self.mistakes:
            if self._compare(mistake, value).equal:
                return Feedback("incorrect", message)
        return Feedback(
            "incorrect",
            f"Your formula differs from the expected one: at {self._where(comparison)} yours "
            f"gives {_describe_number(comparison.answer_value, 4)} but the expected one gives "
            f"{_describe_number(comparison.target_value, 4)}.",
        )


def _differences(answer: np.ndarray, target: np.ndarray) -> np.ndarray:
    """True where the target is defined and the answer does not match it."""
    defined = ~np.isnan(target)
    with np.errstate(all="ignore"):
        close = np.isclose(answer, target, rtol=_NUMERIC_RTOL, atol=_NUMERIC_ATOL)
    return defined & ~close


def _describe_number(value: float, digits: int = 6) -> str:
    if math.isnan(value):
        return "an undefined value (nan)"
    return f"{value + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0


def _exercise_symbols(symbols, expressions: Sequence) -> dict[str, sp.Symbol]:
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


class Slider(_NumericExercise):
    """A position on a slider, correct within `tol` of `expected`.

    Parameters
    ----------
    expected : float
        The right position.
    min, max, step : float
        The slider's range and step.
    tol : float
        Largest accepted distance from `expected`.
    mistakes : sequence of (float, str)
        Typical wrong positions (matched within `tol`) and their messages.
    description : str
        Short label shown left of the slider.

    Examples
    --------
    >>> Slider(1.0, min=0, max=3, step=0.1, tol=0.05).feedback(1.02).status
    'correct'
    """

    _unanswered_message = "Move the slider, or set your answer in the code and run the cell again."
    _input_kind = "slider"

    def __init__(
        self, expected, *, min, max, step, tol, mistakes=(), hints=(), prompt="", description=""
    ):
        super().__init__(hints=hints, prompt=prompt)
        self.expected = _author_number(expected, "expected")
        self.min = _author_number(min, "min")
        self.max = _author_number(max, "max")
        self.step = _author_number(step, "step")
        self.tol = _author_number(tol, "tol")
        if not self.min < self.max or self.step <= 0 or self.tol < 0:
            raise ValueError("a Slider needs min < max, step > 0 and tol >= 0")
        self.description = str(description)
        self.mistakes = tuple(
            (_author_number(value, "a mistake value"), str(message)) for value, message in mistakes
        )

    def _close(self, value: float, target: float) -> bool:
        # A hair of slack: slider steps such as 0.1 land on 0.30000000000000004.
        return abs(value - target) <= self.tol + 1e-9 * (1.0 + abs(target))


# -- Functions -------------------------------------------------------------------------------


@dataclass
class Case:
    """One input for a `Function` exercise, described in words.

    Parameters
    ----------
    args : tuple
        Positional arguments.
    kwargs : dict, optional
        Keyword arguments.
    description : str
        What the case is, e.g. "a zero residual"; named in the feedback.
    """

    args: tuple = ()
    kwargs: Mapping | None = None
    description: str = ""

    def __post_init__(self):
        if not isinstance(self.args, (tuple, list)):
            raise TypeError("Case args must be a tuple, e.g. Case(args=(e,))")
        self.args = tuple(self.args)
        self.kwargs = dict(self.kwargs or {})
        self.description = str(self.description)


class Function(Exercise):
    """A function the learner writes, run on each `Case` and compared with `reference`.

    Parameters
    ----------
    reference : callable
        A correct implementation.
    cases : sequence of Case
        Inputs, each described in words.
    rtol, atol : float
        Tolerances for ``np.allclose(..., equal_nan=True)``.

    Examples
    --------
    >>> spec = Function(abs, [Case((-2.0,), description="a negative number")])
    >>> spec.feedback(lambda x: -x).status
    'correct'
    """

    _unanswered_message = "Write your function in the code cell and run it again."
    _input_kind = None

    def __init__(self, reference, cases, *, rtol=1e-9, atol=1e-12, hints=(), prompt=""):
        super().__init__(hints=hints, prompt=prompt)
        if not callable(reference):
            raise TypeError("reference must be a function")
        self.reference = reference
        self.cases = tuple(cases)
        if not self.cases or not all(isinstance(case, Case) for case in self.cases):
            raise ValueError("cases must be a non-empty sequence of checks.Case")
        self.rtol = float(rtol)
        self.atol = float(atol)
        self._expected: list | None = None

    def _expected_outputs(self) -> list:
        if self._expected is None:
            outputs = []
            for index, case in enumerate(self.cases):
                args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
                try:
                    with _quiet():
                        outputs.append(self.reference(*args, **kwargs))
                except Exception as error:
                    raise AnswerKeyError(
                        f"the reference function failed on case {index + 1} "
                        f"({self._name(index)}): {error!r}"
                    ) from error
            self._expected = outputs
        return self._expected

    def _name(self, index: int) -> str:
        return self.cases[index].description or f"case {index + 1}"

    def _inputs(self, case: Case) -> str:
        try:
            bound = inspect.signature(self.reference).bind(*case.args, **case.kwargs)
            parts = [f"{name}={_describe_value(v)}" for name, v in bound.arguments.items()]
        except (TypeError, ValueError):
            parts = [_describe_value(value) for value in case.args]
            parts += [f"{name}={_describe_value(v)}" for name, v in case.kwargs.items()]
        return ", ".join(parts)

    def _feedback(self, answer) -> Feedback:
        if not callable(answer):
            raise _InvalidAnswer(f"I expected a function, got {_type_name(answer)}.")
        expected = self._expected_outputs()
        for index, case in enumerate(self.cases):
            where = f"{self._name(index)} ({self._inputs(case)})"
            args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
            try:
                with _quiet():
                    result = answer(*args, **kwargs)
            except NotImplementedError:
                return Feedback(
                    "unimplemented",
                    "Your function still raises NotImplementedError; replace that line with "
                    "your code and run the cell again.",
                )
            except Exception as error:
                return Feedback(
                    "incorrect",
                    f"Your function raised {_shorten(repr(error), 100)} for {where}.",
                )
            problem = self._mismatch(result, expected[index])
            if problem:
                return Feedback("incorrect", f"For {where} your function {problem}")
        names = "; ".join(self._name(index) for index in range(len(self.cases)))
        count = len(self.cases)
        cases = "the only case" if count == 1 else f"all {count} cases"
        return Feedback("correct", f"Passed {cases} ({_shorten(names, 200)}).")

    def _mismatch(self, result, expected) -> str | None:
        """None when `result` matches `expected`, else the end of a sentence saying how not."""
        if result is None and expected is not None:
            return "returned None — did you forget `return`?"
        if isinstance(expected, tuple):
            if not isinstance(result, (tuple, list)) or len(result) != len(expected):
                return (
                    f"returned {_describe_value(result)}; expected {len(expected)} values: "
                    f"{_describe_value(expected)}."
                )
            for position, (part, wanted) in enumerate(zip(result, expected, strict=True)):
                problem = self._mismatch(part, wanted)
                if problem:
                    return f"(value {position + 1} of {len(expected)}) {problem}"
            return None
        try:
            got, wanted = np.asarray(result), np.asarray(expected)
        except Exception:
            return f"returned {_describe_value(result)}; expected {_describe_value(expected)}."
        if got.shape != wanted.shape:
            return (
                f"returned {_describe_shape(got.shape)}; expected {_describe_shape(wanted.shape)} "
                f"({_describe_value(expected)})."
            )
        try:
            with _quiet():
                same = bool(np.allclose(got, wanted, rtol=self.rtol, atol=self.atol,
                                        equal_nan=True))
        except Exception:
            try:
                same = bool(np.array_equal(got, wanted))
            except Exception:
                same = False
        if same:
            return None
        return f"returned {_describe_value(result)}; expected {_describe_value(expected)}."


@contextlib.contextmanager
def _quiet():
    """Silence warnings (NumPy's included) raised inside a learner's or reference function."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def _describe_shape(shape: tuple) -> str:
    return "a single number" if shape == () else f"an array of shape {shape}"


def _describe_value(value) -> str:
    """A short, readable rendering of an input or output for a feedback message."""
    try:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            text = _describe_value(value.item())
        elif isinstance(value, np.ndarray):
            text = np.array2string(
                value,
                threshold=6,
                edgeitems=2,
                separator=", ",
                max_line_width=200,
                formatter={"float_kind": lambda number: f"{number:.4g}"},
            )
        elif isinstance(value, np.generic):
            text = repr(value.item())
        elif isinstance(value, float):
            text = repr(value) if len(repr(value)) <= 10 else f"{value:.6g}"
        elif isinstance(value, tuple):
            text = "(" + ", ".join(_describe_value(part) for part in value) + ")"
        else:
            text = repr(value)
    except Exception:
        text = f"<{_type_name(value)}>"
    return _shorten(text, 60)


# --------------------------------------------------------------------------------------------
# Widgets
# --------------------------------------------------------------------------------------------


class ExerciseView:
    """An exercise shown as a live widget, whose plain-text form is the verdict.

    Parameters
    ----------
    spec : Exercise
        What to check.
    answer : object, default ...
        The answer given in code; ``...`` means none yet.

    Attributes
    ----------
    spec, feedback, widget, input, feedback_html, hint_button, hints_html
        The spec, the current `Feedback`, the ``VBox``, the input widget (None for a
        `Function`), the verdict's ``HTML``, the hint button and the ``HTML`` of shown hints.
    """

    def __init__(self, spec: Exercise, answer=...):
        import ipywidgets as widgets

        self.spec = spec
        self._answer = answer
        self._quiet_updates = False
        self._hints_shown = 0
        self.feedback = spec.feedback(answer)

        children = []
        if spec.prompt:
            prompt = widgets.HTML(f"<div>{_rich_text(spec.prompt)}</div>")
            prompt.add_class("lessons-prompt")
            children.append(prompt)

        self.input, answer_row = self._make_input(widgets, answer)
        if answer_row is not None:
            children.append(answer_row)

        self.feedback_html = widgets.HTML(self.feedback.html())
        self.feedback_html.add_class("lessons-feedback")
        children.append(self.feedback_html)

        self.hint_button = widgets.Button(icon="lightbulb-o", layout=widgets.Layout(width="auto"))
        self.hint_button.add_class("lessons-hint")
        self.hint_button.on_click(self._show_next_hint)
        self.hints_html = widgets.HTML("")
        self.hints_html.add_class("lessons-hints")
        if not spec.hints:
            self.hint_button.layout.display = "none"
            self.hints_html.layout.display = "none"
        self._update_hints()
        children += [self.hint_button, self.hints_html]

        self.widget = widgets.VBox(children)
        self.widget.add_class("lessons-exercise")

    # -- building ------------------------------------------------------------------------

    def _make_input(self, widgets, answer):
        kind = self.spec._input_kind
        if kind == "text":
            text = widgets.Text(
                value="" if _is_unanswered(answer) else _text_of(answer),
                placeholder=getattr(self.spec, "_placeholder", ""),
                continuous_update=False,
                layout=widgets.Layout(width="24em"),
            )
            text.add_class("lessons-answer")
            text.observe(self._on_input_change, names="value")
            button = widgets.Button(description="Check", layout=widgets.Layout(width="auto"))
            button.add_class("lessons-check")
            button.on_click(lambda _button: self._recheck(self.input.value))
            return text, widgets.HBox([text, button])
        if kind == "radio":
            radio = widgets.RadioButtons(
                options=[(f"{key}) {label}", key) for key, label in self.spec.options.items()],
                value=self.spec.resolve(answer),
                layout=widgets.Layout(width="max-content"),
            )
            radio.add_class("lessons-answer")
            radio.observe(self._on_input_change, names="value")
            return radio, radio
        if kind == "slider":
            spec = self.spec
            decimals = max(0, -math.floor(math.log10(spec.step)))
            slider = widgets.FloatSlider(
                value=_slider_start(spec, answer),
                min=spec.min,
                max=spec.max,
                step=spec.step,
                description=spec.description,
                continuous_update=False,
                readout_format=f".{decimals}f",
                style={"description_width": "initial"},
            )
            slider.add_class("lessons-answer")
            slider.observe(self._on_input_change, names="value")
            return slider, slider
        return None, None

    # -- behaviour -----------------------------------------------------------------------

    @property
    def correct(self) -> bool:
        """True when the current answer is correct."""
        return self.feedback.correct

    def _on_input_change(self, change) -> None:
        if not self._quiet_updates:
            self._recheck(change["new"])

    def _recheck(self, answer) -> None:
        self._answer = answer
        self.feedback = self.spec.feedback(answer)
        self.feedback_html.value = self.feedback.html()

    def submit(self, value) -> Feedback:
        """Put `value` in the input (as well as it fits) and check exactly `value`."""
        self._quiet_updates = True
        try:
            kind = self.spec._input_kind
            if kind == "text":
                self.input.value = "" if _is_unanswered(value) else _text_of(value)
            elif kind == "radio":
                self.input.value = self.spec.resolve(value)
            elif kind == "slider":
                try:
                    self.input.value = _to_real_number(value)
                except Exception:
                    pass  # the verdict below explains what is wrong with the value
        finally:
            self._quiet_updates = False
        self._recheck(value)
        return self.feedback

    def _show_next_hint(self, _button=None) -> None:
        if self._hints_shown < len(self.spec.hints):
            self._hints_shown += 1
        self._update_hints()

    def _update_hints(self) -> None:
        total = len(self.spec.hints)
        shown = self.spec.hints[: self._hints_shown]
        self.hints_html.value = (
            "<ol>" + "".join(f"<li>{_rich_text(hint)}</li>" for hint in shown) + "</ol>"
            if shown
            else ""
        )
        if self._hints_shown < total:
            self.hint_button.description = f"Show a hint ({self._hints_shown + 1} of {total})"
            self.hint_button.disabled = False
        else:
            self.hint_button.description = "No more hints" if total else "No hints"
            self.hint_button.disabled = True

    # -- display -------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.feedback.text()
        return bundle

    def __repr__(self) -> str:
        return self.feedback.text()


def _text_of(answer) -> str:
    """What to pre-fill the text box with; a learner's object may not even convert to str."""
    if isinstance(answer, str):
        return answer
    try:
        return str(answer)
    except Exception:
        return ""


def _slider_start(spec: Slider, answer) -> float:
    try:
        value = _to_real_number(answer)
    except Exception:
        return spec.min
    return min(spec.max, max(spec.min, value))


# --------------------------------------------------------------------------------------------
# Entry points used by notebooks, answer keys and hidden tests
# --------------------------------------------------------------------------------------------


def lookup(key: str) -> Exercise:
    """The spec stored under `key` (``"NN.name"``) in ``lessons.keys.nbNN.EXERCISES``.

    Raises
    ------
    KeyError
        For an unknown key; the message lists the notebook's known keys.
    """
    from lessons import keys

    spec = keys.lookup(key)
    if not isinstance(spec, Exercise):
        raise TypeError(f"answer key {key!r} is a {_type_name(spec)}, not a checks spec")
    return spec


def _spec_of(key_or_spec) -> Exercise:
    if isinstance(key_or_spec, Exercise):
        return key_or_spec
    if isinstance(key_or_spec, str):
        return lookup(key_or_spec)
    raise TypeError(
        f"expected an exercise key such as '01.mae_apples' or a checks spec, "
        f"got {_type_name(key_or_spec)}"
    )


def feedback(key_or_spec, answer=...) -> Feedback:
    """The verdict on `answer`, without any widget.

    Examples
    --------
    >>> feedback(Number(2.5), 2.5).correct
    True
    """
    return _spec_of(key_or_spec).feedback(answer)


def view(key_or_spec, answer=...) -> ExerciseView:
    """The exercise as an `ExerciseView` (not yet displayed), for tests and custom layouts."""
    return ExerciseView(_spec_of(key_or_spec), answer)


def check(key_or_spec, answer=...) -> None:
    """Show the exercise as a widget with immediate feedback, wherever it stands in a cell.

    It is displayed at once (not as the cell's value), so hidden tests may follow it in the same
    cell. Its plain-text form (what nbconvert, nbval and a terminal show) is the one-line verdict.
    """
    from IPython.display import display

    display(view(key_or_spec, answer))


def grade(key_or_spec, answer) -> None:
    """Raise ``AssertionError(feedback.message)`` unless `answer` is correct (hidden tests)."""
    verdict = feedback(key_or_spec, answer)
    if not verdict.correct:
        raise AssertionError(verdict.message or verdict.text())
