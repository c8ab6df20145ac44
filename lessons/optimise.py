"""Gradient descent on the simplest model there is: one constant ``c`` predicted for every point.

Minimising the mean L2 loss over ``c`` gives the mean of the data, the mean L1 loss its median.
Gradient descent shows how differently the two get there (``notebooks/06_training.ipynb``):

* L2: ``c ← c - η·2(c - mean)``, so the distance to the mean shrinks by ``|1 - 2η|`` every step
  (geometric convergence);
* L1: ``c ← c - η·mean(sign(c - y))``; the gradient never shrinks near the median, so with a
  constant step the iterates hop across it for ever, and only a shrinking step (``η/√(t+1)``)
  makes them converge.

The gradients come from `lessons.losses`, with its conventions (``sign(0) = 0`` for L1).

Examples
--------
>>> y = np.array([2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 15.0])
>>> path = descend_constant(y, "l2", step=0.25, n_steps=30)
>>> round(float(path[-1]), 6)
6.0
"""

import numpy as np

from lessons import registry

__all__ = ["LOSSES", "SCHEDULES", "constant_gradient", "descend_constant", "l1_step", "step_sizes"]

LOSSES = ("l2", "l1", "huber")  # keys of `lessons.registry`; any of their spellings works
SCHEDULES = ("constant", "inv_sqrt", "geometric")


def _as_data(y):
    try:
        values = np.asarray(y, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise ValueError(f"y must be numbers, got {type(y).__name__}.") from None
    if values.size == 0 or not np.all(np.isfinite(values)):
        raise ValueError("y must hold at least one finite number (no NaN or infinity).")
    return values


def constant_gradient(c, y, loss="l2", delta=1.0):
    """d/dc of the mean loss of predicting the constant `c` for every value of `y`.

    Parameters
    ----------
    c : float
        The constant prediction.
    y : array_like
        The data.
    loss : {"l2", "l1", "huber"}
        Which mean loss (any spelling `lessons.registry` knows, e.g. "mse" or "mae").
    delta : float
        Huber's threshold.

    Returns
    -------
    float
        ``2(c - mean(y))`` for L2, ``mean(sign(c - y))`` for L1 (in [-1, 1]).

    Examples
    --------
    >>> constant_gradient(4.0, [1.0, 2.0, 3.0, 9.0], "l1")
    0.5
    """
    record = registry.get(loss, among=LOSSES)
    values = _as_data(y)
    # The constant feeds every prediction, so its derivative is the sum of theirs.
    return float(np.sum(record.gradient(np.full_like(values, float(c)), values, delta=delta)))


def step_sizes(step, n_steps, schedule="constant", decay=0.5):
    """The step size of each of `n_steps` updates.

    Parameters
    ----------
    step : float
        The first step size η, positive.
    n_steps : int
        How many updates.
    schedule : {"constant", "inv_sqrt", "geometric"}
        ``η`` every time; ``η/√(t+1)`` at update t = 0, 1, ...; or ``η·decay**t``.
    decay : float
        Factor of the geometric schedule, in (0, 1).

    Returns
    -------
    ndarray, shape (n_steps,)

    Examples
    --------
    >>> step_sizes(1.0, 4, "inv_sqrt").round(3)
    array([1.   , 0.707, 0.577, 0.5  ])
    """
    if not (np.isscalar(step) and np.isfinite(step) and step > 0):
        raise ValueError(f"step must be a positive number, got {step!r}.")
    if int(n_steps) != n_steps or n_steps < 0:
        raise ValueError(f"n_steps must be a whole number, 0 or more, got {n_steps!r}.")
    t = np.arange(int(n_steps), dtype=np.float64)
    if schedule == "constant":
        return np.full(t.shape, float(step))
    if schedule == "inv_sqrt":
        return step / np.sqrt(t + 1.0)
    if schedule == "geometric":
        if not 0 < decay < 1:
            raise ValueError(f"decay must lie strictly between 0 and 1, got {decay!r}.")
        return step * decay**t
    raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}.")


def descend_constant(y, loss="l2", *, start=0.0, step=0.1, n_steps=100, schedule="constant",
                     decay=0.5, delta=1.0):
    """Gradient descent on the mean loss of a constant prediction; every iterate is kept.

    Parameters
    ----------
    y : array_like
        The data.
    loss : {"l2", "l1", "huber"}
        Which mean loss to minimise.
    start : float
        The first iterate c₀.
    step, n_steps, schedule, decay
        The step sizes, as in `step_sizes`.
    delta : float
        Huber's threshold.

    Returns
    -------
    ndarray, shape (n_steps + 1,)
        ``c₀, c₁, ..., c_n``.
    """
    record = registry.get(loss, among=LOSSES)  # a misspelt loss fails before any step
    values = _as_data(y)
    sizes = step_sizes(step, n_steps, schedule, decay)
    path = np.empty(sizes.size + 1)
    path[0] = float(start)
    # `constant_gradient` at each iterate, with the look-ups and checks done once, not per step.
    prediction = np.empty_like(values)
    for t, size in enumerate(sizes):
        prediction.fill(path[t])
        gradient = float(np.sum(record.gradient(prediction, values, delta=delta)))
        path[t + 1] = path[t] - size * gradient
    return path


def l1_step(c, y, step):
    """One subgradient step on the mean absolute error of the constant `c`.

    ``c - step * mean(sign(c - y))``, with ``sign(0) = 0``: each point above `c` pulls it up
    by ``step/n``, each point below pushes it down by as much, however far away the point is.

    Examples
    --------
    >>> l1_step(0.0, [1.0, 2.0, 3.0, -5.0], step=0.5)
    0.25
    """
    values = _as_data(y)
    return float(c) - float(step) * float(np.mean(np.sign(float(c) - values)))
