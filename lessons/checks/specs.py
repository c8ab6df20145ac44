"""The exercise specs without SymPy: the `Exercise` base, `Number`, `Choice` and `Slider`.

Examples
--------
>>> Number(2.5).feedback("5/2").correct
True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .coerce import author_number, shown_answer, to_real_number
from .verdicts import (
    AnswerKeyError,
    Feedback,
    InvalidAnswer,
    is_unanswered,
    quiet,
    shorten,
    type_name,
)


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
        if is_unanswered(answer):
            return Feedback("unanswered", self._unanswered_message)
        try:
            # Nothing may leak into the notebook's output: ast.parse warns about odd literals,
            # NumPy about overflow, a learner's function about anything.
            with quiet():
                return self._feedback(answer)
        except AnswerKeyError:
            raise
        except InvalidAnswer as problem:
            return Feedback("invalid", str(problem))
        except Exception as error:  # a last guard: a learner's object may do anything
            return Feedback(
                "invalid",
                f"I couldn't check this answer ({type_name(error)}: "
                f"{shorten(str(error), 100)}).",
            )

    def _feedback(self, answer) -> Feedback:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type_name(self)} exercise>"


class NumericExercise(Exercise):
    """Shared feedback of the exercises whose answer is one number (`Number`, `Slider`)."""

    expected: float
    mistakes: tuple

    def _close(self, value: float, target: float) -> bool:  # pragma: no cover - subclasses
        raise NotImplementedError

    def _feedback(self, answer) -> Feedback:
        if isinstance(answer, str) and not answer.strip():
            return Feedback("unanswered", self._unanswered_message)
        value = to_real_number(answer)
        shown = shown_answer(answer, value)
        if self._close(value, self.expected):
            return Feedback("correct", f"{shown} is right.")
        for mistake, message in self.mistakes:
            if self._close(value, mistake):
                return Feedback("incorrect", message)
        direction = "high" if value > self.expected else "low"
        return Feedback("incorrect", f"{shown} is too {direction}.")


class Number(NumericExercise):
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
        self.expected = author_number(expected, "expected")
        self.rtol = float(rtol)
        self.atol = float(atol)
        self.mistakes = tuple(
            (author_number(value, "a mistake value"), str(message)) for value, message in mistakes
        )

    def _close(self, value: float, target: float) -> bool:
        return abs(value - target) <= self.atol + self.rtol * abs(target)


def option_keys(count: int) -> list[str]:
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
        self.expected = author_number(expected, "expected")
        self.min = author_number(min, "min")
        self.max = author_number(max, "max")
        self.step = author_number(step, "step")
        self.tol = author_number(tol, "tol")
        if not self.min < self.max or self.step <= 0 or self.tol < 0:
            raise ValueError("a Slider needs min < max, step > 0 and tol >= 0")
        self.description = str(description)
        self.mistakes = tuple(
            (author_number(value, "a mistake value"), str(message)) for value, message in mistakes
        )

    def _close(self, value: float, target: float) -> bool:
        # A hair of slack: slider steps such as 0.1 land on 0.30000000000000004.
        return abs(value - target) <= self.tol + 1e-9 * (1.0 + abs(target))
