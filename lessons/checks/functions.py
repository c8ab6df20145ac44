"""The `Function` spec: a learner's function run on described `Case` inputs.

Examples
--------
>>> Function(abs, [Case((-2.0,), description="a negative number")]).feedback(lambda x: -x).status
'correct'
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .specs import Exercise
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
                    with quiet():
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
            parts = [f"{name}={describe_value(v)}" for name, v in bound.arguments.items()]
        except (TypeError, ValueError):
            parts = [describe_value(value) for value in case.args]
            parts += [f"{name}={describe_value(v)}" for name, v in case.kwargs.items()]
        return ", ".join(parts)

    def _feedback(self, answer) -> Feedback:
        if not callable(answer):
            raise InvalidAnswer(f"I expected a function, got {type_name(answer)}.")
        expected = self._expected_outputs()
        for index, case in enumerate(self.cases):
            where = f"{self._name(index)} ({self._inputs(case)})"
            args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
            try:
                with quiet():
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
                    f"Your function raised {shorten(repr(error), 100)} for {where}.",
                )
            problem = self._mismatch(result, expected[index])
            if problem:
                return Feedback("incorrect", f"For {where} your function {problem}")
        names = "; ".join(self._name(index) for index in range(len(self.cases)))
        count = len(self.cases)
        cases = "the only case" if count == 1 else f"all {count} cases"
        return Feedback("correct", f"Passed {cases} ({shorten(names, 200)}).")

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
        try:
            got, wanted = np.asarray(result), np.asarray(expected)
        except Exception:
            return f"returned {describe_value(result)}; expected {describe_value(expected)}."
        if got.shape != wanted.shape:
            return (
                f"returned {describe_shape(got.shape)}; expected {describe_shape(wanted.shape)} "
                f"({describe_value(expected)})."
            )
        try:
            with quiet():
                same = bool(np.allclose(got, wanted, rtol=self.rtol, atol=self.atol,
                                        equal_nan=True))
        except Exception:
            try:
                same = bool(np.array_equal(got, wanted))
            except Exception:
                same = False
        if same:
            return None
        return f"returned {describe_value(result)}; expected {describe_value(expected)}."
