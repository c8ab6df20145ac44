"""Training the tanh network of `lessons.network` with any of the course's losses.

The network (1 → 64 → 64 → 1, the network of ``notebooks/06_training.ipynb``) and its
hand-written forward and backward passes live in `lessons.network`; they are importable from
here too (``mlp.init_params``, ``mlp.forward``, ...). The loss enters training only through its
gradient with respect to the network's output, taken from `lessons.losses`. `train` runs one
network, `train_many` a batch at once (each with exactly the numbers it gets alone), `compare`
the notebook's experiments over several seeds.

Examples
--------
>>> x = np.linspace(-1.0, 1.0, 16)
>>> run = train(init_params(np.random.default_rng(0)), x, np.sin(3 * x), "l1", steps=50)
>>> bool(run.train_loss[-1] < run.train_loss[0])
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from lessons import batched, registry
from lessons.network import (
    LAYER_SIZES,
    backward,
    copy_params,
    forward,
    init_params,
    predict,
)

__all__ = [
    "LAYER_SIZES",
    "LOSSES",
    "OPTIMISERS",
    "TrainingRun",
    "Trial",
    "backward",
    "compare",
    "copy_params",
    "forward",
    "init_params",
    "loss_and_grads",
    "loss_gradient",
    "loss_value",
    "outlier_fit_fraction",
    "predict",
    "rmse",
    "train",
    "train_many",
]

OPTIMISERS = ("adam", "gd")

# Keys of `lessons.registry` the network trains with; any of their spellings works.
LOSSES = ("l2", "l1", "huber", "log_cosh")


# --------------------------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------------------------
def _loss_key(name):
    return registry.get(name, among=LOSSES).key


def loss_value(name, prediction, target, delta=1.0):
    """The mean loss `name` ("l2", "l1", "huber" or "log_cosh") of `prediction` for `target`."""
    return registry.get(name, among=LOSSES).value(prediction, target, delta=delta)


def loss_gradient(name, prediction, target, delta=1.0):
    """d(mean loss)/d(prediction), from `lessons.losses` (sign(0) = 0 for L1), shape ``(n,)``."""
    return registry.get(name, among=LOSSES).gradient(prediction, target, delta=delta)


def loss_and_grads(params, x, y, loss="l2", delta=1.0):
    """The mean loss of the network on ``(x, y)`` and its gradient for every parameter.

    Returns
    -------
    value : float
    grads : dict of str to ndarray
    """
    output, cache = forward(params, x)
    value = loss_value(loss, output, y, delta)
    return value, backward(params, cache, loss_gradient(loss, output, y, delta))


def rmse(prediction, target):
    """Root mean squared difference: the yardstick for "error against the clean signal"."""
    difference = np.asarray(prediction, dtype=np.float64) - np.asarray(target, dtype=np.float64)
    return float(np.sqrt(np.mean(difference**2)))


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------
@dataclass
class TrainingRun:
    """What `train` records.

    Attributes
    ----------
    losses : list of str
        The loss in use at each step (length `steps`).
    train_loss : ndarray, shape (steps,)
        The loss in use, on the training data, before each step's update (NaN after a
        divergence).
    record_steps : ndarray of int
        Steps after which the network was recorded (0 = the initial weights, last = `steps`).
    snapshots : ndarray, shape (len(record_steps), len(eval_x))
        Predictions at `eval_x` at each recorded step.
    data_snapshots : ndarray, shape (len(record_steps), len(x))
        Predictions at the training inputs `x` at each recorded step.
    eval_x : ndarray
        Where the snapshots were taken.
    clean_error : ndarray or None
        RMSE of each snapshot against `eval_target`, when one was given.
    diverged_at : int or None
        The step at which the loss stopped being a finite number (training stopped there).
    params : dict of str to ndarray
        The final parameters.
    """

    losses: list
    train_loss: np.ndarray
    record_steps: np.ndarray
    snapshots: np.ndarray
    data_snapshots: np.ndarray
    eval_x: np.ndarray
    clean_error: np.ndarray | None
    diverged_at: int | None
    params: dict = field(repr=False)

    def _clean_error(self):
        if self.clean_error is None:
            raise ValueError("no eval_target was given to train(), so there is no clean error.")
        return self.clean_error

    @property
    def final_clean_error(self):
        """RMSE against the clean signal at the last recorded step."""
        return float(self._clean_error()[-1])

    def late_clean_error(self, window=100):
        """Mean RMSE against the clean signal over the recorded steps of the last `window` steps.

        Steadier than `final_clean_error`: an L1 network's error wobbles from step to step.
        """
        recorded = self.record_steps >= self.record_steps[-1] - window
        return float(np.mean(self._clean_error()[recorded]))

    def clean_error_at(self, step):
        """RMSE against the clean signal after `step` updates (a recorded step)."""
        where = np.flatnonzero(self.record_steps == step)
        if where.size == 0:
            raise ValueError(f"step {step} was not recorded; recorded steps are "
                             f"{self.record_steps[0]}, {self.record_steps[1]}, ...")
        return float(self._clean_error()[where[0]])

    def first_step_below(self, level):
        """First recorded step whose clean error is below `level` (None if it never is)."""
        below = np.flatnonzero(self._clean_error() < level)
        return int(self.record_steps[below[0]]) if below.size else None


def outlier_fit_fraction(fit, y, clean, is_outlier):
    """How far a fit follows the outliers: 0 = through the clean signal, 1 = through the outliers.

    The mean over outliers of ``(fit - clean) / (y - clean)``.

    Parameters
    ----------
    fit : array_like, shape (..., n)
        Predictions at the training inputs (one row per snapshot, or a single row).
    y, clean : array_like, shape (n,)
        Noisy targets and the clean signal at the same inputs.
    is_outlier : array_like of bool, shape (n,)

    Returns
    -------
    float or ndarray
        One value per row of `fit`.

    Examples
    --------
    >>> outlier_fit_fraction([0.0, 1.5], [0.0, 3.0], [0.0, 0.0], [False, True])
    0.5
    """
    is_outlier = np.asarray(is_outlier, dtype=bool)
    if not is_outlier.any():
        raise ValueError("is_outlier marks no outlier, so there is nothing to follow.")
    fit = np.asarray(fit, dtype=np.float64)
    clean = np.asarray(clean, dtype=np.float64)[is_outlier]
    displacement = np.asarray(y, dtype=np.float64)[is_outlier] - clean
    fraction = np.mean((fit[..., is_outlier] - clean) / displacement, axis=-1)
    return float(fraction) if np.ndim(fraction) == 0 else fraction


def _loss_schedule(loss, steps, switch_to, switch_at):
    first = _loss_key(loss)
    if switch_to is None:
        if switch_at is not None:
            raise ValueError("switch_at needs switch_to: the loss to switch to.")
        return [first] * steps
    second = _loss_key(switch_to)
    if switch_at is None or not 0 <= int(switch_at) <= steps:
        raise ValueError(f"switch_at must be a step between 0 and {steps}, got {switch_at!r}.")
    return [first] * int(switch_at) + [second] * (steps - int(switch_at))


def _check_training_data(x, y):
    x = np.asarray(x, dtype=np.float64).reshape(-1)
    y = np.asarray(y, dtype=np.float64).reshape(-1)
    if x.shape != y.shape or x.size == 0:
        raise ValueError(f"x and y must be non-empty and the same length, got {x.size}, {y.size}.")
    return x, y


def _per_run(value, runs, name):
    """`value` once per run: a sequence of `runs` values is kept, anything else repeated."""
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != runs:
            raise ValueError(f"{name} must be one value or one per run ({runs}), "
                             f"got {len(value)}.")
        return list(value)
    return [value] * runs


def train(params, x, y, loss="l2", *, steps=1000, lr=0.01, optimiser="adam", delta=1.0,
          switch_to=None, switch_at=None, eval_x=None, eval_target=None, record_every=50,
          dtype=np.float64, progress: Callable[[int, int], None] | None = None):
    """Train the network on ``(x, y)`` with full-batch updates; `params` is left unchanged.

    Parameters
    ----------
    params : dict of str to ndarray
        Starting weights (copied, so several losses can start from the same ones).
    x, y : array_like, shape (n,)
        Training inputs and (noisy) targets.
    loss : {"l2", "l1", "huber", "log_cosh"}, default "l2"
        Mean loss to minimise; its gradient comes from `lessons.losses`.
    steps : int
        Number of updates.
    lr : float
        Learning rate (the same for every loss when comparing them).
    optimiser : {"adam", "gd"}, default "adam"
        Adam with torch's defaults (betas 0.9 and 0.999, eps 1e-8), or plain gradient descent.
    delta : float, default 1.0
        Huber's threshold.
    switch_to, switch_at : str and int, optional
        Use `switch_to` instead of `loss` from step `switch_at` on (Adam's state carries over).
    eval_x, eval_target : array_like, optional
        Where to record predictions (default: `x`) and the clean signal there, for the
        RMSE in `TrainingRun.clean_error`.
    record_every : int
        Record a snapshot every this many steps (and after the last step).
    dtype : numpy float type, default numpy.float64
        Precision of the computation. Training with L1 is chaotic enough (residuals keep
        crossing zero, flipping their sign) that float32 round-off, which differs between
        CPUs and BLAS builds, changes results in the second decimal; in float64 they agree
        to about three decimals. ``numpy.float32`` (PyTorch's default) is somewhat faster.
    progress : callable, optional
        Called as ``progress(step, steps)`` after each recorded step.

    Returns
    -------
    TrainingRun
        If the loss stops being finite (too large a learning rate), training stops there and
        `TrainingRun.diverged_at` says when.

    See Also
    --------
    train_many : several such runs at once, each with exactly the numbers it gets here.
    """
    return train_many([params], [x], [y], loss, steps=steps, lr=lr, optimiser=optimiser,
                      delta=delta, switch_to=switch_to, switch_at=switch_at, eval_x=eval_x,
                      eval_target=eval_target, record_every=record_every, dtype=dtype,
                      progress=progress)[0]


def train_many(params, x, y, loss="l2", *, delta=1.0, switch_to=None, switch_at=None,
               steps=1000, lr=0.01, optimiser="adam", eval_x=None, eval_target=None,
               record_every=50, dtype=np.float64, progress=None):
    """`train` several networks at once: one run per ``(params[i], x[i], y[i])``.

    Each run gets exactly the numbers `train` would give it alone (the runs are stacked and
    every matrix product is still done one network at a time), but the whole batch takes one
    pass of Python per step instead of one per run: 25 runs train several times faster.

    Parameters
    ----------
    params, x, y : sequences of equal length
        Starting weights, inputs and targets of each run (as in `train`).
    loss, delta, switch_to, switch_at
        As in `train`: one value for every run, or a list or tuple with one value per run.
    steps, lr, optimiser, eval_x, eval_target, record_every, dtype
        As in `train`, shared by every run.
    progress : callable, optional
        Called as ``progress(step, steps)`` after each recorded step of the batch.

    Returns
    -------
    list of TrainingRun
        One per run, in order.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.linspace(-1, 1, 8)
    >>> inits = [init_params(rng), init_params(rng)]
    >>> runs = train_many(inits, [x, x], [x**2, x**2], ["l2", "l1"], steps=5)
    >>> alone = train(inits[1], x, x**2, "l1", steps=5)
    >>> [run.losses[0] for run in runs], bool(np.all(runs[1].train_loss == alone.train_loss))
    (['l2', 'l1'], True)
    """
    runs = len(params)
    if runs == 0 or len(x) != runs or len(y) != runs:
        raise ValueError(f"params, x and y must name the same runs, at least one; got "
                         f"{runs}, {len(x)} and {len(y)}.")
    data_points = [_check_training_data(xi, yi) for xi, yi in zip(x, y, strict=True)]
    steps = int(steps)
    if steps < 1 or int(record_every) < 1:
        raise ValueError("steps and record_every must be positive whole numbers.")
    if optimiser not in OPTIMISERS:
        raise ValueError(f"optimiser must be one of {', '.join(OPTIMISERS)}, got {optimiser!r}.")
    if not (np.isscalar(lr) and np.isfinite(lr) and lr > 0):
        raise ValueError(f"lr must be a positive number, got {lr!r}.")
    schedules = [_loss_schedule(first, steps, then, at) for first, then, at in zip(
        _per_run(loss, runs, "loss"), _per_run(switch_to, runs, "switch_to"),
        _per_run(switch_at, runs, "switch_at"), strict=True)]
    deltas = _per_run(delta, runs, "delta")
    if eval_x is not None:
        eval_x = np.asarray(eval_x, dtype=np.float64).reshape(-1)
    if eval_target is not None:
        eval_target = np.asarray(eval_target, dtype=np.float64).reshape(-1)
        where = [xi for xi, _ in data_points] if eval_x is None else [eval_x]
        if any(points.shape != eval_target.shape for points in where):
            raise ValueError("eval_target must have one value per point of eval_x.")

    # Runs on as many points train as one stack; usually that is every run.
    results = [None] * runs
    sizes = sorted({xi.size for xi, _ in data_points})
    for size in sizes:
        members = [run for run in range(runs) if data_points[run][0].size == size]
        batch = batched.train_stack(
            [params[run] for run in members], np.array([data_points[run][0] for run in members]),
            np.array([data_points[run][1] for run in members]),
            [schedules[run] for run in members], [deltas[run] for run in members],
            steps=steps, lr=lr, optimiser=optimiser, eval_x=eval_x, eval_target=eval_target,
            record_every=int(record_every), dtype=dtype,
            progress=progress if size == sizes[-1] else None)
        for run, fields in zip(members, batch, strict=True):
            results[run] = TrainingRun(**fields)
    return results


# --------------------------------------------------------------------------------------------
# Experiments: several settings, several seeds, identical starting weights within a seed
# --------------------------------------------------------------------------------------------
@dataclass
class Trial:
    """One seed of `compare`: its data, the starting weights all runs shared, and the runs.

    Attributes
    ----------
    x, y, clean, is_outlier : ndarray, shape (n,)
        As returned by `lessons.data.sinusoid_with_outliers`.
    init : dict of str to ndarray
        The initial weights every run of this seed started from.
    runs : dict of str to TrainingRun
        One run per setting, by setting name.
    """

    x: np.ndarray
    y: np.ndarray
    clean: np.ndarray
    is_outlier: np.ndarray
    init: dict = field(repr=False)
    runs: dict = field(repr=False)


def compare(settings, rngs, *, n_points=64, steps=500, lr=0.01, record_every=10, grid=None,
            data_options=None, progress=None):
    """Train one network per setting and seed; within a seed, only the setting differs.

    For each generator in `rngs`: draw a noisy composite sinusoid with outliers
    (`lessons.data.sinusoid_with_outliers`), then ONE set of initial weights, then train every
    setting from those weights on those points, with the same optimiser, learning rate and
    number of steps. Each run's error is measured against the clean signal on `grid`.

    Parameters
    ----------
    settings : mapping of str to dict
        Run name -> keyword arguments of `train` (``loss``, ``delta``, ``switch_to``, ...).
        ``without_outliers=True`` trains on the same points with the outliers put back on the
        clean signal (a control run).
    rngs : sequence of numpy.random.Generator
        One per seed, e.g. ``rng.spawn(5)``.
    n_points, steps, lr, record_every
        Data size and training settings shared by every run.
    grid : array_like, optional
        Where the error against the clean signal is measured (default: 241 points on [-3, 3]).
    data_options : dict, optional
        Extra keyword arguments of `lessons.data.sinusoid_with_outliers` (noise, outliers).
    progress : object with a ``run(name)`` method, optional
        E.g. `lessons.demos.training.ProgressBar`; ``run(name)`` must return a
        ``progress(step, steps)`` callback.

    Returns
    -------
    list of Trial
        One per generator, in order.
    """
    from lessons import data  # here, not at the top: data is not needed to run a network

    settings = {str(name): dict(setting) for name, setting in dict(settings).items()}
    if not settings:
        raise ValueError("settings must name at least one run, e.g. {'l2': {'loss': 'l2'}}.")
    grid = np.linspace(-3.0, 3.0, 241) if grid is None else np.asarray(grid, dtype=np.float64)
    truth = data.composite_sinusoid(grid)
    drawn = []  # (x, y, clean, is_outlier, init) per seed, drawn in the order `train` had
    for rng in rngs:
        drawn.append((*data.sinusoid_with_outliers(n_points, rng, **(data_options or {})),
                      init_params(rng)))
    # Every (seed, setting) run trains in one `train_many` batch; settings that differ in what
    # the runs must share (the optimiser, say) make separate batches.
    per_run = ("loss", "delta", "switch_to", "switch_at")
    batches = {}
    for name, setting in settings.items():
        shared = {key: value for key, value in setting.items()
                  if key not in per_run and key != "without_outliers"}
        batches.setdefault(tuple(sorted(shared.items(), key=lambda item: item[0])),
                           []).append(name)
    runs = [{} for _ in drawn]
    for shared, names in batches.items():
        jobs = [(seed, name) for seed in range(len(drawn)) for name in names]
        targets = []
        for seed, name in jobs:
            _, y, clean, is_outlier, _ = drawn[seed]
            without = bool(settings[name].get("without_outliers", False))
            targets.append(np.where(is_outlier, clean, y) if without else y)
        options = {key: [settings[name].get(key, default) for _, name in jobs]
                   for key, default in zip(per_run, ("l2", 1.0, None, None), strict=True)}
        report = None
        if progress is not None:
            report = _batch_progress(progress.run(", ".join(names)), len(jobs))
        trained = train_many([drawn[seed][4] for seed, _ in jobs],
                             [drawn[seed][0] for seed, _ in jobs], targets, **options,
                             steps=steps, lr=lr, eval_x=grid, eval_target=truth,
                             record_every=record_every, progress=report, **dict(shared))
        for (seed, name), run in zip(jobs, trained, strict=True):
            runs[seed][name] = run
    return [Trial(x=x, y=y, clean=clean, is_outlier=is_outlier, init=init,
                  runs={name: runs[seed][name] for name in settings})
            for seed, (x, y, clean, is_outlier, init) in enumerate(drawn)]


def _batch_progress(report, runs):
    """A batch's ``progress(step, steps)`` as the steps of all its `runs` together."""
    return lambda step, steps: report(runs * step, runs * steps)
