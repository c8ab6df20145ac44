"""Exercise checkers with immediate feedback, shown as ipywidgets.

An exercise is described by a plain *spec* object (`Number`, `Choice`, `Expression`, `Slider`,
`Function`); its ``feedback(answer)`` method returns a `Feedback` without touching any widget.
`check` wraps a spec (or an answer-key name such as ``"01.mae_apples"``) in an `ExerciseView`:
JupyterLab shows the live widget, while nbconvert and nbval store the one-line verdict as text.
`grade` is the same check for nbgrader's hidden tests: it raises ``AssertionError`` unless correct.

Introduced in ``notebooks/01_definitions.ipynb``; the answer keys live in ``lessons/keys/nbNN.py``.

The package's modules, bottom-up: `verdicts` (`Feedback` and its words), `budget` (the time
limit of every check), `coerce` (a learner's value as one float; one set of validation helpers
for keys), `formula` (a safe reader of typed formulas, SymPy), `equivalence` (are two formulas
the same function: sampled, far-out, beyond-threshold and exact checks), `specs` (`Exercise`,
`Number`, `Choice`, `Slider`), `expression` (`Expression`, without SymPy), `sympy_expression`
(its SymPy side), `functions` (`Function`, `Case`, the learner's code contained), `guard` (keys
built from the course's unpatched functions), `widget` (`ExerciseView`). SymPy is imported only
when an `Expression` first judges an answer (or is given SymPy objects), so
``import lessons.checks`` and importing an answer key stay cheap.

The answer cell is the learner's one input: the widget shows the prompt, the verdict on the value
passed in, hints and a Choice's options, and has no answer box (see `widget`).

Examples
--------
>>> from lessons import checks
>>> checks.feedback(checks.Number(2.5), "5/2").text()
'✅ Correct: 5/2 (= 2.5) is right.'
>>> checks.feedback(checks.Number(2.5), ...).status
'unanswered'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .expression import Expression
from .functions import Case, Function
from .specs import Choice, Exercise, Number, Slider
from .verdicts import STATUSES, AnswerKeyError, Feedback, type_name

if TYPE_CHECKING:
    from .widget import ExerciseView

__all__ = [
    "STATUSES",
    "AnswerKeyError",
    "Case",
    "Choice",
    "Exercise",
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

_LAZY = {"ExerciseView": ".widget"}


def __getattr__(name: str):
    """Import `ExerciseView` (and ipywidgets with it) only on first use."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


def lookup(key: str) -> Exercise:
    """The spec stored under `key` (``"NN.name"``) in ``lessons.keys.nbNN.EXERCISES``.

    Raises
    ------
    KeyError
        For an unknown key; the message lists the notebook's known keys.
    """
    from lessons import keys

    from .guard import pristine_lessons

    with pristine_lessons():  # the key's values come from the course's own functions
        spec = keys.lookup(key)
    if not isinstance(spec, Exercise):
        raise TypeError(f"answer key {key!r} is a {type_name(spec)}, not a checks spec")
    return spec


def _spec_of(key_or_spec) -> Exercise:
    if isinstance(key_or_spec, Exercise):
        return key_or_spec
    if isinstance(key_or_spec, str):
        return lookup(key_or_spec)
    raise TypeError(
        f"expected an exercise key such as '01.mae_apples' or a checks spec, "
        f"got {type_name(key_or_spec)}"
    )


def feedback(key_or_spec, answer=...) -> Feedback:
    """The verdict on `answer`, without any widget.

    Examples
    --------
    >>> feedback(Number(2.5), 2.5).correct
    True
    """
    try:
        spec = _spec_of(key_or_spec)
    except AnswerKeyError as error:
        return _unbuilt(key_or_spec, error)
    return spec.feedback(answer)


def _unbuilt(key, error) -> Feedback:
    """The verdict when the answer key `key` cannot be built in this kernel."""
    return Feedback("invalid", f"the answer key {key!r} could not be computed in this kernel "
                    f"({error}). If you reassigned a NumPy or course function (such as "
                    "`np.mean = ...`), restart the kernel and run the notebook from the top.")


def view(key_or_spec, answer=...) -> ExerciseView:
    """The exercise as an `ExerciseView` (not yet displayed), for tests and custom layouts."""
    from .widget import ExerciseView

    return ExerciseView(_spec_of(key_or_spec), answer)


def check(key_or_spec, answer=...) -> None:
    """Show the exercise as a widget with immediate feedback, wherever it stands in a cell.

    It is displayed at once (not as the cell's value), so hidden tests may follow it in the same
    cell. Its plain-text form (what nbconvert, nbval and a terminal show) is the one-line verdict.
    """
    from IPython.display import display

    try:
        shown = view(key_or_spec, answer)
    except AnswerKeyError as error:
        shown = _unbuilt(key_or_spec, error).text()
    display(shown)


def grade(key_or_spec, answer) -> None:
    """Raise ``AssertionError(feedback.message)`` unless `answer` is correct (hidden tests)."""
    verdict = feedback(key_or_spec, answer)
    if not verdict.correct:
        raise AssertionError(verdict.message or verdict.text())
