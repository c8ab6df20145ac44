"""Input checks shared by the maths modules: one wording for each mistake a learner can make.

Each helper returns the cleaned value or raises a ValueError that says what to change, never a
traceback from deep inside NumPy.

Examples
--------
>>> number("2.5", "delta")
2.5
>>> numbers([1, 2, 3], "x").tolist()
[1.0, 2.0, 3.0]
>>> number(True, "delta")
Traceback (most recent call last):
...
ValueError: delta must be a number, got True.
"""

import math

import numpy as np

__all__ = ["number", "numbers"]


def number(value, name, *, minimum=None):
    """`value` as a finite float (at least `minimum`, if given)."""
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number, got {value!r}.")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {value!r}.") from None
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {value!r}.")
    if minimum is not None and result < minimum:
        raise ValueError(f"{name} must be at least {minimum:g}, got {result:g}.")
    return result


def numbers(values, name, *, ndim=1):
    """`values` as a finite float array: a flat list (``ndim=1``) or a table of rows (2)."""
    what = "a flat list of numbers" if ndim == 1 else "a table of numbers (rows of equal length)"
    try:
        array = np.asarray(values)
    except ValueError:  # ragged nested lists
        raise ValueError(f"{name} must be {what}.") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{name} must contain numbers, got values of type {array.dtype}.")
    if ndim == 2 and array.ndim == 1:
        raise ValueError(f"{name} must be 2-D, one row per point and one column per feature; "
                         f"for a single feature use {name}.reshape(-1, 1).")
    if array.ndim != ndim:
        shape = "1-D (a flat list of numbers)" if ndim == 1 else "2-D (points × features)"
        raise ValueError(f"{name} must be {shape}, got shape {array.shape}.")
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        rows = "points" if ndim == 1 else "rows"
        raise ValueError(f"{name} contains NaN or infinite values; remove or fix those {rows}.")
    return array
