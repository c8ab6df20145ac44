"""A safe reader for formulas typed as text: an AST walk that builds SymPy objects, never `eval`.

Examples
--------
>>> import sympy as sp
>>> FormulaReader({"e": sp.Symbol("e", real=True)}).read("2*Abs(e)")
2*Abs(e)
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping

import sympy as sp

from .verdicts import TOO_LARGE, InvalidAnswer, join_words, shorten, type_name

MAX_FORMULA_CHARS = 1000
MAX_EXPONENT = 1000  # a constant exponent beyond this is refused (9**9**9**9 would never end)
MAX_CONSTANT_BITS = 1100  # ~330 digits: exact integers past this make SymPy slow, never useful
MAX_DEPTH = 100

LOG_LIMIT = 700.0  # exp(700) ≈ 1e304: a constant beyond float's range is refused (exp(exp(4e4)))


def _clip(value, low, high):
    return sp.Min(sp.Max(value, low), high)


def _where(condition, then, otherwise):
    return sp.Piecewise((then, condition), (otherwise, True))


FUNCTIONS: dict[str, Callable] = {
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
    # What a Python learner types first (issue 11): abs, max, min, clip.
    "abs": sp.Abs,
    "max": sp.Max,
    "min": sp.Min,
    "clip": _clip,
}
CONSTANTS: dict[str, sp.Basic] = {"pi": sp.pi, "E": sp.E, "oo": sp.oo}

# np.abs, numpy.sign, math.log, sp.exp ...: the attribute after one of these module names.
MODULE_NAMES = ("np", "numpy", "math", "sp", "sympy")
MODULE_ATTRIBUTES: dict[str, object] = {
    **{name: FUNCTIONS[name] for name in ("exp", "log", "sqrt", "cosh", "sinh", "tanh", "cos",
                                          "sin", "sign", "abs", "clip")},
    "Abs": sp.Abs, "Max": sp.Max, "Min": sp.Min, "Piecewise": sp.Piecewise,
    "absolute": sp.Abs, "fabs": sp.Abs, "maximum": sp.Max, "minimum": sp.Min, "fmax": sp.Max,
    "fmin": sp.Min, "where": _where, "heaviside": sp.Heaviside, "Heaviside": sp.Heaviside,
    "log1p": lambda value: sp.log(1 + value), "expm1": lambda value: sp.exp(value) - 1,
    "square": lambda value: value**2,
    "pi": sp.pi, "e": sp.E, "E": sp.E,
}

ARITHMETIC = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}
COMPARISONS = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}

# Characters a learner may paste from the course text or type on a phone.
LOOKALIKES = {"−": "-", "×": "*", "·": "*", "⋅": "*", "²": "**2", "³": "**3"}


class FormulaError(InvalidAnswer):
    """A formula that cannot be read; the message is meant for the learner."""


class FormulaReader:
    """Turn text into a SymPy object without ever executing the text.

    The text is parsed with ``ast.parse`` and the tree is walked node by node: only numbers,
    the exercise's symbols, a whitelist of SymPy functions and constants, arithmetic,
    comparisons (for Piecewise conditions), ``and``/``or`` and tuples are understood. Each node
    is turned into a SymPy object directly (no ``eval``), and constant powers are bounded.
    """

    def __init__(self, symbols: Mapping[str, sp.Symbol], extra_names: Mapping | None = None):
        self.symbols = dict(symbols)
        self.names: dict[str, object] = {**FUNCTIONS, **CONSTANTS}
        self.names.update(extra_names or {})
        self.names.update(self.symbols)

    # -- messages ------------------------------------------------------------------------

    def _vocabulary(self) -> str:
        if self.symbols:
            names = join_words([f"`{name}`" for name in self.symbols])
            return (
                f"numbers, the symbols {names}, + - * / ** and functions like Abs, sign, "
                "Piecewise"
            )
        return "numbers, + - * / ** and functions like sqrt, exp, log"

    def _only_formulas(self) -> FormulaError:
        return FormulaError(f"I can only read a formula made of {self._vocabulary()}.")

    def unknown_name(self, name: str) -> FormulaError:
        if self.symbols:
            listed = ", ".join(self.symbols)
            return FormulaError(
                f"I don't know `{name}` here; you can use {listed} and functions like Abs, "
                "sign, Piecewise."
            )
        return FormulaError(
            f"I don't know `{name}` here; write a number, or arithmetic like 20/3."
        )

    # -- reading -------------------------------------------------------------------------

    def read(self, text: str) -> sp.Basic:
        """Parse `text` into a SymPy object; raise `FormulaError` with a friendly message."""
        if len(text) > MAX_FORMULA_CHARS:
            raise FormulaError(
                f"That is {len(text)} characters long; I read at most {MAX_FORMULA_CHARS}."
            )
        source = text.strip()
        for lookalike, plain in LOOKALIKES.items():
            source = source.replace(lookalike, plain)
        source = source.replace("^", "**")
        try:
            tree = ast.parse(source, mode="eval")
        except SyntaxError as error:
            raise self._syntax_error(source, error) from None
        except (ValueError, MemoryError, RecursionError):
            raise FormulaError("I couldn't read that as a formula.") from None
        try:
            return self._build(tree, 0)
        except FormulaError:
            raise
        except RecursionError:
            raise FormulaError("That formula is nested too deeply for me to read.") from None
        except Exception as error:  # SymPy refused to build something (bad arguments, ...)
            detail = shorten(str(error) or type_name(error), 120)
            raise FormulaError(f"I couldn't build a formula from that: {detail}") from None

    def _syntax_error(self, source: str, error: SyntaxError) -> FormulaError:
        if "|" in source:
            return FormulaError("Write `Abs(e)` for |e|.")
        if "=" in source and "==" not in source and not re.search(r"[<>!]=", source):
            return FormulaError(
                "Type only the formula, without `=` or a left-hand side (e.g. `-2*e`)."
            )
        where = f" at character {error.offset}" if error.offset else ""
        return FormulaError(
            f"I couldn't read that as a formula ({error.msg}{where}). Write products with * "
            "(`2*e`, not `2e`) and powers with ** or ^."
        )

    def _build(self, node: ast.AST, depth: int):
        if depth > MAX_DEPTH:
            raise FormulaError("That formula is nested too deeply for me to read.")
        depth += 1
        if isinstance(node, ast.Expression):
            return self._build(node.body, depth)
        if isinstance(node, ast.Constant):
            return self._constant(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.Attribute):
            value = self._attribute(node)
            if not isinstance(value, sp.Basic):
                raise FormulaError(f"`{self._dotted(node)}` is a function; call it with (...).")
            return value
        if isinstance(node, ast.BinOp):
            return self._binary(node, depth)
        if isinstance(node, ast.UnaryOp):
            operand = self._build(node.operand, depth)
            if isinstance(node.op, ast.USub):
                return -as_arithmetic(operand)
            if isinstance(node.op, ast.UAdd):
                return as_arithmetic(operand)
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
            if value.bit_length() > MAX_CONSTANT_BITS:
                raise FormulaError(TOO_LARGE)
            return sp.Integer(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise FormulaError(TOO_LARGE)
            return sp.Float(repr(value))
        raise self._only_formulas()

    def _name(self, name: str):
        if name.startswith("_"):
            raise self._only_formulas()
        if name not in self.names:
            raise self.unknown_name(name)
        value = self.names[name]
        if not isinstance(value, sp.Basic):
            raise FormulaError(f"`{name}` is a function; call it like `{name}(...)`.")
        return value

    def _binary(self, node: ast.BinOp, depth: int):
        operation = ARITHMETIC.get(type(node.op))
        if operation is None:
            if isinstance(node.op, ast.BitOr):
                raise FormulaError("Write `Abs(e)` for |e|.")
            if isinstance(node.op, ast.FloorDiv):
                raise FormulaError("Use / for division (// is not a formula).")
            raise self._only_formulas()
        left = as_arithmetic(self._build(node.left, depth))
        right = as_arithmetic(self._build(node.right, depth))
        if isinstance(node.op, ast.Pow):
            check_power(left, right)
        result = operation(left, right)
        check_constant_size(result)
        return result

    def _dotted(self, node: ast.Attribute) -> str:
        prefix = node.value.id if isinstance(node.value, ast.Name) else "..."
        return f"{prefix}.{node.attr}"

    def _attribute(self, node: ast.Attribute):
        """``np.abs``, ``math.pi``...: a module name and one known attribute, nothing deeper."""
        if not (isinstance(node.value, ast.Name) and node.value.id in MODULE_NAMES):
            raise self._only_formulas()
        if node.attr.startswith("_") or node.attr not in MODULE_ATTRIBUTES:
            raise self.unknown_name(self._dotted(node))
        return MODULE_ATTRIBUTES[node.attr]

    def _call(self, node: ast.Call, depth: int):
        if isinstance(node.func, ast.Attribute):
            function = self._attribute(node.func)
            name = self._dotted(node.func)
            if isinstance(function, sp.Basic) or not callable(function):
                raise FormulaError(f"`{name}` is not a function.")
            return self._apply(name, function, node, depth)
        if not isinstance(node.func, ast.Name) or node.func.id.startswith("_"):
            raise self._only_formulas()
        name = node.func.id
        if name in self.symbols:
            raise FormulaError(
                f"`{name}` is a symbol, not a function; write `{name}*(...)` to multiply."
            )
        function = self.names.get(name)
        if function is None:
            raise self.unknown_name(name)
        if isinstance(function, sp.Basic) or not callable(function):
            raise FormulaError(f"`{name}` is not a function; write `{name}*(...)` to multiply.")
        return self._apply(name, function, node, depth)

    def _apply(self, name: str, function, node: ast.Call, depth: int):
        if node.keywords:
            raise FormulaError(f"Give {name} its arguments without names, like {name}(e).")
        arguments = [self._build(argument, depth) for argument in node.args]
        if function in (sp.exp, sp.sinh, sp.cosh) and len(arguments) == 1:
            check_exponential(as_arithmetic(arguments[0]))
        result = function(*arguments)
        check_constant_size(result)
        return result

    def _compare(self, node: ast.Compare, depth: int):
        operands = [self._build(node.left, depth)]
        operands += [self._build(item, depth) for item in node.comparators]
        relations = []
        for operator, left, right in zip(node.ops, operands, operands[1:], strict=False):
            relation = COMPARISONS.get(type(operator))
            if relation is None:
                if isinstance(operator, ast.Eq):
                    raise FormulaError("Write an equality as `Eq(a, b)`.")
                if isinstance(operator, ast.NotEq):
                    raise FormulaError("Write 'not equal' as `Ne(a, b)`.")
                raise self._only_formulas()
            relations.append(relation(as_arithmetic(left), as_arithmetic(right)))
        return relations[0] if len(relations) == 1 else sp.And(*relations)


def as_arithmetic(value):
    """Refuse arithmetic on conditions or tuples with a readable message."""
    if isinstance(value, tuple):
        raise FormulaError("I can't do arithmetic with a tuple (a, b).")
    if not isinstance(value, sp.Expr):
        raise FormulaError("I can't do arithmetic with a condition such as `e > 0`.")
    return value


def constant_value(value: sp.Expr) -> float | None:
    """The float a constant expression stands for (None if it has symbols or no real value).

    Safe to call on what the reader built: every constant inside it is already bounded.
    """
    if value.free_symbols:
        return None
    try:
        number = complex(value.evalf(15))
    except (TypeError, ValueError, ArithmeticError):
        return None
    return number.real if math.isfinite(number.real) else math.inf


def check_exponential(argument: sp.Expr) -> None:
    """Refuse exp/sinh/cosh of a constant whose result would be beyond float's range."""
    value = constant_value(argument)
    if value is not None and abs(value) > LOG_LIMIT:
        raise FormulaError(TOO_LARGE)


def check_power(base: sp.Expr, exponent: sp.Expr) -> None:
    """Refuse powers whose result would be astronomically large (and slow to compute)."""
    if not exponent.is_Number and not exponent.free_symbols:
        # A constant that is not a plain number: E, pi, exp(3), E**E ...
        power = constant_value(exponent)
        if power is not None and abs(power) > MAX_EXPONENT:
            raise FormulaError(f"Exponents above {MAX_EXPONENT} are too large for me to work with.")
        size = constant_value(base) if power is not None else None
        if size is not None and size != 0 and abs(power) * math.log(abs(size)) > LOG_LIMIT:
            raise FormulaError(TOO_LARGE)
    if exponent.is_Number and exponent.is_finite is not False:
        if abs(float(exponent)) > MAX_EXPONENT:
            raise FormulaError(
                f"Exponents above {MAX_EXPONENT} are too large for me to work with."
            )
    elif exponent.is_Number:  # oo, -oo, zoo, nan as an exponent
        raise FormulaError("An infinite exponent is too large for me to work with.")
    if isinstance(base, sp.Rational) and exponent.is_Number and base not in (0, 1, -1):
        bits = max(abs(base.p).bit_length(), abs(base.q).bit_length())
        if bits * abs(float(exponent)) > MAX_CONSTANT_BITS:
            raise FormulaError(TOO_LARGE)


def check_constant_size(value) -> None:
    if isinstance(value, sp.Rational):
        if max(abs(value.p).bit_length(), abs(value.q).bit_length()) > MAX_CONSTANT_BITS:
            raise FormulaError(TOO_LARGE)


_NUMBER_READER: FormulaReader | None = None


def number_reader() -> FormulaReader:
    """The reader of plain numbers and arithmetic (no symbols), built once."""
    global _NUMBER_READER
    if _NUMBER_READER is None:
        _NUMBER_READER = FormulaReader({})
    return _NUMBER_READER
