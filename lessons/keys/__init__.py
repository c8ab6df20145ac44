"""Answer keys: one module per notebook, ``lessons.keys.nbNN``, each defining ``EXERCISES``.

``EXERCISES`` maps keys such as ``"01.mae_apples"`` to `lessons.checks` specs. A key module is
imported only when one of its keys is first looked up, so importing `lessons` stays cheap.

Examples
--------
>>> from lessons import keys
>>> keys.module_name("01.mae_apples")
'lessons.keys.nb01'
"""

from __future__ import annotations

import importlib
import re

__all__ = ["UnknownExerciseError", "exercises", "formula", "lookup", "module_name"]

_KEY = re.compile(r"(?P<notebook>\d+)\.(?P<name>\S+)")


class UnknownExerciseError(KeyError):
    """An exercise key that names no exercise: an author's mistake, never a learner's."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


def module_name(key: str) -> str:
    """The module holding `key`: ``"NN.name"`` -> ``"lessons.keys.nbNN"``."""
    match = _KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        raise UnknownExerciseError(
            f"{key!r} is not an exercise key; keys look like '01.mae_apples' "
            "(notebook number, a dot, the exercise name)"
        )
    return f"{__name__}.nb{match['notebook']}"


def exercises(key: str) -> dict:
    """The ``EXERCISES`` dict of the notebook that `key` belongs to (imported on first use)."""
    name = module_name(key)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise  # the key module exists but imports something missing: show that error
        raise UnknownExerciseError(
            f"no answer key module {name} for {key!r}: "
            f"create lessons/keys/{name.rsplit('.', 1)[-1]}.py defining EXERCISES"
        ) from None
    table = getattr(module, "EXERCISES", None)
    if not isinstance(table, dict):
        raise UnknownExerciseError(f"{name} does not define an EXERCISES dict")
    return table


def lookup(key: str):
    """The spec stored under `key`; raise `UnknownExerciseError` listing the known keys."""
    table = exercises(key)
    if key not in table:
        known = ", ".join(sorted(table)) or "(none)"
        raise UnknownExerciseError(
            f"no exercise {key!r} in {module_name(key)}; its keys are: {known}"
        )
    return table[key]


def formula(expected, symbols, mistakes, *hints):
    """A formula exercise, `lessons.checks.Expression`, declared in one line of a key's table.

    Parameters
    ----------
    expected, symbols, mistakes
        As in `lessons.checks.Expression` (functions of no arguments keep SymPy unimported
        until the first answer is judged).
    *hints : str
        The hints, first to last.

    Examples
    --------
    >>> from lessons import keys
    >>> spec = keys.formula("2*e", "e", [("e", "Half of it.")], "Differentiate e**2.")
    >>> spec.feedback("e + e").status, spec.feedback("e").message
    ('correct', 'Half of it.')
    """
    from lessons import checks

    return checks.Expression(expected, symbols, mistakes=mistakes, hints=list(hints))
