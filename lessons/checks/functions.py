"""The `Function` spec: a learner's function run on described `Case` inputs.

Examples
--------
>>> Function(abs, [Case((-2.0,), description="a negative number")]).feedback(lambda x: -x).status
'correct'
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import io
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .budget import FUNCTION_CASE_SECONDS, CheckTimeout, seconds, time_limit
from .coerce import author_number
from .specs import AFTER_ANSWERING, INTERRUPTED, Exercise
from .verdicts import (
    AnswerKeyError,
    Feedback,
    InvalidAnswer,
    describe_shape,
    describe_value,
    quiet,
    shorten,
    type_name,
)


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


_PLAIN = "return floats or a float array."


class Function(Exercise):
    """A function the learner writes, run on each `Case` and compared with `reference`.

    The reference's outputs are computed (on private copies of the cases) when the spec is
    built, so a learner who later reassigns ``lessons.losses.l1_loss`` or calls
    ``np.seterr(all="raise")`` changes nothing. The learner's function runs on fresh copies of
    each case, at most `case_seconds` per case; whatever it raises (``SystemExit`` and
    ``KeyboardInterrupt`` included) becomes a verdict, what it prints is captured and quoted
    (shortened), and its results are compared as numbers.

    Parameters
    ----------
    reference : callable
        A correct implementation.
    cases : sequence of Case
        Inputs, each described in words.
    rtol, atol : float
        Tolerances for ``np.allclose(..., equal_nan=True)``.
    case_seconds : float
        Time budget of one case (default `lessons.checks.budget.FUNCTION_CASE_SECONDS`).
    hints, prompt, answer_name
        As for `Exercise`.

    Examples
    --------
    >>> spec = Function(abs, [Case((-2.0,), description="a negative number")])
    >>> spec.feedback(lambda x: -x).status
    'correct'
    """

    unanswered_message = f"Write your function {AFTER_ANSWERING}."
    time_budget = None  # each case has its own budget

    def __init__(self, reference, cases, *, rtol=1e-9, atol=1e-12, hints=(), prompt="",
                 answer_name="", case_seconds=FUNCTION_CASE_SECONDS):
        super().__init__(hints=hints, prompt=prompt, answer_name=answer_name)
        if not callable(reference):
            raise TypeError("reference must be a function")
        self.reference = reference
        self.cases = tuple(cases)
        if not self.cases or not all(isinstance(case, Case) for case in self.cases):
            raise ValueError("cases must be a non-empty sequence of checks.Case")
        self.rtol = author_number(rtol, "rtol", minimum=0.0)
        self.atol = author_number(atol, "atol", minimum=0.0)
        self.case_seconds = author_number(case_seconds, "case_seconds", minimum=0.001)
        self._inputs = tuple(
            (copy.deepcopy(case.args), copy.deepcopy(case.kwargs)) for case in self.cases
        )
        self.expected = tuple(self._reference_output(index) for index in range(len(self.cases)))

    def _reference_output(self, index: int):
        args, kwargs = copy.deepcopy(self._inputs[index])
        try:
            with quiet():
                return copy.deepcopy(self.reference(*args, **kwargs))
        except Exception as error:
            raise AnswerKeyError(
                f"the reference function failed on case {index + 1} "
                f"({self.case_name(index)}): {error!r}"
            ) from error

    def case_name(self, index: int) -> str:
        """The words naming case `index` (its description, else "case N")."""
        return self.cases[index].description or f"case {index + 1}"

    def case_inputs(self, index: int) -> str:
        """The inputs of case `index`, as ``name=value`` text."""
        args, kwargs = self._inputs[index]
        try:
            bound = inspect.signature(self.reference).bind(*args, **kwargs)
            parts = [f"{name}={describe_value(v)}" for name, v in bound.arguments.items()]
        except (TypeError, ValueError):
            parts = [describe_value(value) for value in args]
            parts += [f"{name}={describe_value(v)}" for name, v in kwargs.items()]
        return ", ".join(parts)

    def _feedback(self, answer) -> Feedback:
        if not callable(answer):
            raise InvalidAnswer(f"I expected a function, got {type_name(answer)}.")
        for index in range(len(self.cases)):
            where = f"{self.case_name(index)} ({self.case_inputs(index)})"
            output = BoundedText()
            verdict = self._run_case(answer, index, where, output)
            if verdict is not None:
                return with_output(verdict, output)
        names = "; ".join(self.case_name(index) for index in range(len(self.cases)))
        count = len(self.cases)
        cases = "the only case" if count == 1 else f"all {count} cases"
        return Feedback("correct", f"Passed {cases} ({shorten(names, 200)}).")

    def _run_case(self, answer, index: int, where: str, output) -> Feedback | None:
        """The verdict on case `index` (None when it passes). The call and the reading of its
        result share the case's time budget, so a result whose ``__array__`` or ``__len__``
        never returns is stopped too."""
        args, kwargs = copy.deepcopy(self._inputs[index])
        failure, returned, problem = None, False, None
        try:
            with quiet(), contextlib.redirect_stdout(output), \
                    contextlib.redirect_stderr(output), time_limit(self.case_seconds):
                try:
                    result = answer(*args, **kwargs)
                except CheckTimeout:
                    raise
                except BaseException as error:  # noqa: BLE001 - the learner's code may raise anything
                    failure = error
                else:
                    returned = True
                    problem = self._mismatch(result, self.expected[index])
        except CheckTimeout:
            if returned:
                return Feedback("incorrect", f"What your function returned for {where} could "
                                f"not be read within {seconds(self.case_seconds)}; " + _PLAIN)
            return Feedback("incorrect", f"Your function did not finish within "
                            f"{seconds(self.case_seconds)} for {where}; look for a loop that "
                            "never ends.")
        except BaseException as error:  # noqa: BLE001 - reading the learner's result raised
            return Feedback("incorrect", f"What your function returned for {where} could not be "
                            f"read ({type_name(error)}); " + _PLAIN)
        if isinstance(failure, NotImplementedError):
            return Feedback("unimplemented", "Your function still raises NotImplementedError; "
                            f"replace that line with your code {AFTER_ANSWERING}.")
        if isinstance(failure, KeyboardInterrupt):
            return Feedback("invalid", INTERRUPTED)
        if isinstance(failure, SystemExit):
            return Feedback("incorrect", f"Your function called exit() (SystemExit) for {where}; "
                            "return a value instead.")
        if failure is not None:
            raised = shorten(bounded_repr(failure), 100)
            return Feedback("incorrect", f"Your function raised {raised} for {where}.")
        return Feedback("incorrect", f"For {where} your function {problem}") if problem else None

    def _mismatch(self, result, expected) -> str | None:
        """None when `result` matches `expected`, else the end of a sentence saying how not."""
        if result is None and expected is not None:
            return "returned None — did you forget `return`?"
        if isinstance(expected, tuple):
            if not isinstance(result, (tuple, list)) or len(result) != len(expected):
                return (
                    f"returned {describe_value(result)}; expected {len(expected)} values: "
                    f"{describe_value(expected)}."
                )
            for position, (part, wanted) in enumerate(zip(result, expected, strict=True)):
                problem = self._mismatch(part, wanted)
                if problem:
                    return f"(value {position + 1} of {len(expected)}) {problem}"
            return None
        wanted = np.asarray(expected)
        got = as_numbers(result)
        if got is None:
            return (
                f"returned {describe_value(result)}, which is not made of numbers; return "
                f"numbers (floats or a float array), like {describe_value(expected)}."
            )
        if got.shape != wanted.shape:
            return (
                f"returned {describe_shape(got.shape)}; expected {describe_shape(wanted.shape)} "
                f"({describe_value(expected)})."
            )
        with quiet():
            same = bool(np.allclose(got, wanted.astype(float), rtol=self.rtol, atol=self.atol,
                                    equal_nan=True))
        if same:
            return None
        shown, wanted_text = describe_value(result), describe_value(expected)
        with quiet():
            gap = float(np.max(np.abs(got - wanted) / np.maximum(np.abs(wanted), 1e-300)))
        if gap < 1e-6:  # too close to tell apart at the digits shown
            return (f"returned {shown}, which differs from the expected {wanted_text} by a "
                    f"relative {gap:.1e}, more than the {self.rtol:g} allowed.")
        return f"returned {shown}; expected {wanted_text}."


def as_numbers(value) -> np.ndarray | None:
    """`value` as a float array, or None if it is not made of real numbers (object arrays,
    strings, complex numbers, objects that claim to equal anything)."""
    if isinstance(value, (str, bytes)):
        return None
    try:
        with quiet():
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                return None
            return array.astype(float)
    except Exception:
        return None


def bounded_repr(value, limit: float = 0.5) -> str:
    """``repr(value)`` within `limit` seconds (a learner's ``__repr__`` may fail or never
    end), else its type's name."""
    try:
        with time_limit(limit):
            return repr(value)
    except (Exception, CheckTimeout):
        return f"<{type_name(value)}>"


class BoundedText(io.TextIOBase):
    """A write-only text stream keeping the first `limit` characters (and counting the rest)."""

    def __init__(self, limit: int = 2000):
        self.limit = limit
        self.kept: list[str] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text) -> int:
        text = str(text)
        room = self.limit - sum(len(part) for part in self.kept)
        if room > 0:
            self.kept.append(text[:room])
        self.size += len(text)
        return len(text)

    def getvalue(self) -> str:
        return "".join(self.kept)


def with_output(verdict: Feedback, output: BoundedText) -> Feedback:
    """`verdict`, with what the learner's function printed quoted (shortened) at the end."""
    if not output.size:
        return verdict
    printed = " ".join(output.getvalue().split())
    more = "" if output.size <= output.limit else f" ({output.size:,} characters in all)"
    return Feedback(
        verdict.status, f"{verdict.message} It printed: {shorten(printed, 120)}{more}"
    )
