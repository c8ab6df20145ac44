"""The exercise specs without SymPy: the `Exercise` base, `Number`, `Choice` and `Slider`.

Every spec's `Exercise.feedback` answers within a time budget (`lessons.checks.budget`) and turns
anything a learner's value does (raising, even ``SystemExit``; the kernel being interrupted) into
a `Feedback`.

Examples
--------
>>> Number(2.5).feedback("5/2").correct
True
>>> Number(4.875, sig_figs=3).feedback(4.88).correct
True
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Iterable, Mapping

from .budget import FORMULA_SECONDS, CheckTimeout, seconds, time_limit
from .coerce import author_number, author_text, shown_answer, to_real_number
from .verdicts import (
    AnswerKeyError,
    Feedback,
    InvalidAnswer,
    is_unanswered,
    quiet,
    shorten,
    type_name,
)

AFTER_ANSWERING = "in the answer cell, run it, then run this cell again"
INTERRUPTED = "Checking was interrupted (the kernel was stopped); run this cell again to check."


def too_slow(budget: float) -> str:
    """The one wording of an answer that could not be checked within `budget` seconds."""
    return (
        f"That is too large to check: I stopped after {seconds(budget)}. Simplify it, or check "
        "for a huge number such as exp(exp(100))."
    )


class Exercise:
    """Base class of the exercise specs: hints, a prompt and a never-raising `feedback`.

    Parameters
    ----------
    hints : sequence of str
        Shown one at a time on request.
    prompt : str
        Optional question text shown above the verdict.
    answer_name : str
        The variable the learner assigns in the answer cell (named in the widget's messages).
    """

    unanswered_message = f"Replace `...` with your answer {AFTER_ANSWERING}."
    time_budget: float | None = FORMULA_SECONDS
    """Seconds one check may take (None: the spec times its own parts)."""

    def __init__(self, *, hints: Iterable[str] = (), prompt: str = "", answer_name: str = ""):
        if isinstance(hints, str):
            hints = (hints,)
        self.hints = tuple(author_text(hint, "a hint") for hint in hints)
        self.prompt = author_text(prompt, "prompt")
        self.answer_name = author_text(answer_name, "answer_name")

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
        if is_unanswered(answer):
            return Feedback("unanswered", self.unanswered_message)
        try:
            self.prepare()  # the key's own work, outside the learner's budget
            # Nothing may leak into the notebook's output: ast.parse warns about odd literals,
            # NumPy about overflow, a learner's function about anything.
            with quiet(), time_limit(self.time_budget):
                return self._feedback(answer)
        except AnswerKeyError:
            raise
        except InvalidAnswer as problem:
            return Feedback("invalid", str(problem))
        except CheckTimeout:
            return Feedback("invalid", too_slow(self.time_budget or FORMULA_SECONDS))
        except KeyboardInterrupt:
            return Feedback("invalid", INTERRUPTED)
        except (Exception, SystemExit, GeneratorExit) as error:  # a learner's object did it
            return Feedback(
                "invalid",
                f"I couldn't check this answer ({type_name(error)}: "
                f"{shorten(str(error), 100)}).",
            )

    def prepare(self) -> None:
        """Work on the key's side done before the learner's budget starts (cached)."""

    def _feedback(self, answer) -> Feedback:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type_name(self)} exercise>"


class NumericExercise(Exercise):
    """Shared feedback of the exercises whose answer is one number (`Number`, `Slider`)."""

    expected: float
    mistakes: tuple
    unanswered_message = f"Replace `...` with your number (e.g. `2.5` or `20/3`) {AFTER_ANSWERING}."

    def close(self, value: float, target: float) -> bool:  # pragma: no cover - subclasses
        """Whether `value` counts as `target`."""
        raise NotImplementedError

    def near_miss(self, value: float, shown: str) -> str | None:
        """A message for a value that is nearly right (None: no such message)."""
        return None

    def _feedback(self, answer) -> Feedback:
        if isinstance(answer, str) and not answer.strip():
            return Feedback("unanswered", self.unanswered_message)
        value = to_real_number(answer)
        shown = shown_answer(answer, value)
        if self.close(value, self.expected):
            return Feedback("correct", f"{shown} is right.")
        for mistake, message in self.mistakes:
            if self.close(value, mistake):
                return Feedback("incorrect", message)
        near = self.near_miss(value, shown)
        if near:
            return Feedback("incorrect", near)
        direction = "high" if value > self.expected else "low"
        return Feedback("incorrect", f"{shown} is too {direction}.")


NEAR_MISS = 0.05  # within 5 % but not right to the stated precision: "Close — give N s.f."


def half_unit(value: float, sig_figs: int) -> float:
    """Half a unit in the `sig_figs`-th significant figure of `value` (0 for 0)."""
    if value == 0:
        return 0.0
    exponent = math.floor(math.log10(abs(value)))
    return 0.5 * 10.0 ** (exponent - sig_figs + 1)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


class Number(NumericExercise):
    """A numeric answer: right to `sig_figs` significant figures, or within `rtol`/`atol`.

    With ``sig_figs=N`` an answer is right when it is within half a unit in the N-th
    significant figure of `expected` (plus a relative 1e-12 for round-off), so 4.88 is right for
    4.875 at 3 significant figures; an answer within 5 % that misses this gets "Close — give N
    significant figures". Without `sig_figs`: ``|answer − expected| ≤ atol + rtol·|expected|``.

    Parameters
    ----------
    expected : float
        The right value (computed in the answer key, never typed).
    rtol, atol : float
        Relative and absolute tolerance, used when `sig_figs` is not given.
    sig_figs : int, optional
        The precision the prompt asks for; the prompt then says "Give N significant figures".
    mistakes : sequence of (float, str)
        Typical wrong values and the message each one earns.
    hints, prompt, answer_name
        As for `Exercise`.

    Examples
    --------
    >>> Number(2.5, mistakes=[(5.0, "That is the sum.")]).feedback(5).message
    'That is the sum.'
    >>> Number(83.714, sig_figs=3).feedback(83.9).message
    'Close — give 3 significant figures: 83.9 is not right at that precision.'
    """

    def __init__(self, expected, *, rtol=1e-3, atol=1e-9, sig_figs=None, mistakes=(), hints=(),
                 prompt="", answer_name=""):
        super().__init__(hints=hints, prompt=prompt, answer_name=answer_name)
        self.expected = author_number(expected, "expected")
        self.rtol = author_number(rtol, "rtol", minimum=0.0)
        self.atol = author_number(atol, "atol", minimum=0.0)
        self.sig_figs = None
        if sig_figs is not None:
            if isinstance(sig_figs, bool) or not isinstance(sig_figs, int) or sig_figs < 1:
                raise ValueError(f"sig_figs must be a whole number of at least 1, got {sig_figs!r}")
            self.sig_figs = sig_figs
            wanted = f"Give {plural(sig_figs, 'significant figure')}."
            if "significant" not in self.prompt:
                self.prompt = f"{self.prompt} {wanted}".strip()
        self.mistakes = tuple(
            (author_number(value, "a mistake value"),
             author_text(message, "a mistake message"))
            for value, message in mistakes
        )

    def close(self, value: float, target: float) -> bool:
        """Right to the stated significant figures, or within ``atol + rtol·|target|``."""
        if self.sig_figs is None:
            return abs(value - target) <= self.atol + self.rtol * abs(target)
        slack = half_unit(target, self.sig_figs) + 1e-12 * abs(target)
        return abs(value - target) <= max(slack, self.atol)

    def near_miss(self, value: float, shown: str) -> str | None:
        if self.sig_figs is None or abs(value - self.expected) > NEAR_MISS * abs(self.expected):
            return None
        figures = plural(self.sig_figs, "significant figure")
        return f"Close — give {figures}: {shown} is not right at that precision."


def option_keys(count: int) -> list[str]:
    """The keys a, b, c, ... of a Choice given as a plain list."""
    if count > 26:
        raise ValueError("a Choice takes at most 26 options")
    return [chr(ord("a") + index) for index in range(count)]


_OPTION_LINE = re.compile(r"(?P<key>[a-z])\) +(?P<label>\S.*)")


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

    unanswered_message = (
        f'Replace `...` with the letter of your choice (e.g. "a") {AFTER_ANSWERING}.'
    )

    def __init__(self, options, correct, *, explanations=None, hints=(), prompt="",
                 answer_name=""):
        super().__init__(hints=hints, prompt=prompt, answer_name=answer_name)
        if isinstance(options, Mapping):
            if not all(isinstance(key, str) for key in options):
                raise ValueError("Choice option keys must be strings such as 'a', 'b'")
            self.options = {key.strip(): str(label) for key, label in options.items()}
        else:
            labels = [str(label) for label in options]
            self.options = dict(zip(option_keys(len(labels)), labels, strict=True))
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

    @classmethod
    def from_text(cls, text, *, correct, hints=(), prompt="", answer_name=""):
        """A Choice written as text: each option ``a) label``, then ``-> explanation``.

        Each option starts at the left margin with its letter and a parenthesis; the line after
        its label that starts with ``->`` begins the text shown when that option is chosen.
        Labels and explanations may wrap onto further (indented) lines, which are joined with
        single spaces.

        Parameters
        ----------
        text : str
            The options, as above (common indentation is ignored).
        correct : str or collection of str
            The key of the right option (or keys), as for `Choice`.
        hints, prompt, answer_name
            As for `Choice`.

        Examples
        --------
        >>> q = Choice.from_text('''
        ...     a) L1
        ...        -> It grows linearly:
        ...           ten times the error costs ten times as much.
        ...     b) L2
        ...        -> Yes: it squares the error.
        ...     ''', correct="b")
        >>> q.options
        {'a': 'L1', 'b': 'L2'}
        >>> q.feedback("a").message
        'It grows linearly: ten times the error costs ten times as much.'
        """
        options: dict[str, list[str]] = {}
        explanations: dict[str, list[str]] = {}
        for line in textwrap.dedent(text).splitlines():
            start = _OPTION_LINE.fullmatch(line.rstrip())
            if start:
                if start["key"] in options:
                    raise AnswerKeyError(f"Choice.from_text: option {start['key']}) twice")
                options[start["key"]] = [start["label"]]
            elif line.strip() and not options:
                raise AnswerKeyError(
                    f"Choice.from_text: {line.strip()!r} comes before the first option 'a) ...'"
                )
            elif line.strip().startswith("->"):
                key = list(options)[-1]
                if key in explanations:
                    raise AnswerKeyError(f"Choice.from_text: option {key}) has two '->' lines")
                explanations[key] = [line.strip()[2:].strip()]
            elif line.strip():
                key = list(options)[-1]
                (explanations if key in explanations else options)[key].append(line.strip())
        return cls({key: " ".join(words) for key, words in options.items()}, correct,
                   explanations={key: " ".join(words) for key, words in explanations.items()},
                   hints=hints, prompt=prompt, answer_name=answer_name)

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
            return Feedback("unanswered", self.unanswered_message)
        key = self.resolve(answer)
        if key is None and not isinstance(answer, str):
            raise InvalidAnswer(
                f"Give your choice as text, one of {self._valid_keys()} "
                f"(got {type_name(answer)})."
            )
        if key is None:
            raise InvalidAnswer(
                f'I don\'t know the option "{shorten(answer.strip(), 40)}"; answer with one of '
                f"{self._valid_keys()}."
            )
        explanation = self.explanations.get(key)
        if key in self.correct:
            return Feedback("correct", explanation or f"{key}) {self.options[key]}.")
        return Feedback(
            "incorrect", explanation or f"{key}) is not the answer; read the options again."
        )


class Slider(NumericExercise):
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
        Short label of the exploration slider.
    hints, prompt, answer_name
        As for `Exercise`.

    Examples
    --------
    >>> Slider(1.0, min=0, max=3, step=0.1, tol=0.05).feedback(1.02).status
    'correct'
    """

    unanswered_message = (
        f"Replace `...` with the value you read off (e.g. `1.5`) {AFTER_ANSWERING}; the slider "
        "above is only for exploring."
    )

    def __init__(
        self, expected, *, min, max, step, tol, mistakes=(), hints=(), prompt="", description="",
        answer_name="",
    ):
        super().__init__(hints=hints, prompt=prompt, answer_name=answer_name)
        self.expected = author_number(expected, "expected")
        self.min = author_number(min, "min")
        self.max = author_number(max, "max")
        self.step = author_number(step, "step")
        self.tol = author_number(tol, "tol", minimum=0.0)
        if not self.min < self.max or self.step <= 0:
            raise ValueError("a Slider needs min < max and step > 0")
        self.description = author_text(description, "description")
        self.mistakes = tuple(
            (author_number(value, "a mistake value"),
             author_text(message, "a mistake message")) for value, message in mistakes
        )

    def close(self, value: float, target: float) -> bool:
        """Within `tol` of `target`."""
        # A hair of slack: slider steps such as 0.1 land on 0.30000000000000004.
        return abs(value - target) <= self.tol + 1e-9 * (1.0 + abs(target))
