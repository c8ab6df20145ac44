"""The training loop behind `lessons.mlp.train_many`: a stack of networks, one pass per step.

Every run of a stack trains on the same number of points; all parameters of a run live in one
row of one array, so a step (forward, loss gradient, backward, Adam or plain gradient descent)
is a handful of array operations for every run at once, with exactly the numbers each run gets
alone (`lessons.network`'s ``*_stack`` passes). A run that repeats an earlier run's first steps
(a loss switched part-way, from the same weights on the same data) joins the stack only where it
differs. `train_stack` returns plain fields; `lessons.mlp` wraps them in its ``TrainingRun``.

Examples
--------
>>> from lessons import network
>>> params = network.init_params(np.random.default_rng(0))
>>> x = np.linspace(-1.0, 1.0, 8)[None, :]
>>> fields = train_stack([params], x, x**2, [["l2"] * 3], [1.0], steps=3, lr=0.01,
...                      optimiser="adam", eval_x=None, eval_target=None, record_every=1,
...                      dtype=np.float64, progress=None)
>>> fields[0]["record_steps"].tolist(), fields[0]["train_loss"].shape
([0, 1, 2, 3], (3,))
"""

import numpy as np

from lessons import registry
from lessons.network import backward_stack, forward_stack, predict_stack, workspace

__all__ = ["ADAM_BETAS", "ADAM_EPS", "train_stack"]

# Adam's usual constants (those of torch.optim.Adam).
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8


def _stacked_views(params, dtype):
    """One array with a row of every parameter per run, and a dict of stacked views into it."""
    flat = np.stack([np.concatenate([np.ravel(value) for value in run.values()])
                     for run in params]).astype(dtype)
    views, offset = {}, 0
    for name, value in params[0].items():
        size = int(np.size(value))
        views[name] = flat[:, offset:offset + size].reshape((len(params),) + np.shape(value))
        offset += size
    return flat, views


def _stack_loss_and_grad(schedules, step, deltas, output, y):
    """The mean loss of every run at `step` (1-based) and d(mean loss)/d(output), by row."""
    values = np.empty(output.shape[0])
    gradient = np.empty(output.shape)
    groups = {}
    for run, schedule in enumerate(schedules):
        groups.setdefault((schedule[step - 1], deltas[run]), []).append(run)
    for (key, delta), members in groups.items():
        rows = slice(None) if len(members) == len(schedules) else members
        record = registry.get(key)
        # reduction="none", then the mean of each row: the numbers `loss_value` and
        # `loss_gradient` give for one run (the mean divides each derivative by n).
        values[rows] = np.mean(record.value(output[rows], y[rows], reduction="none",
                                            delta=delta), axis=-1)
        gradient[rows] = record.gradient(output[rows], y[rows], reduction="none",
                                         delta=delta) / y.shape[-1]
    return values, gradient


def _followers(params, x, y, schedules, deltas):
    """Runs that repeat an earlier run's first steps exactly: {follower: (leader, steps)}.

    A run with the same starting weights, data and delta as an earlier run, and the same loss
    for its first k >= 1 steps (a run switched from that loss part-way, say), computes exactly
    the leader's numbers for those k steps, so it is trained from the leader's state after
    step k instead of computing them again.
    """
    followers = {}
    for run in range(len(params)):
        best = None
        for leader in range(run):
            if leader in followers or deltas[leader] != deltas[run]:
                continue
            shared = next((step for step, (first, second) in enumerate(
                zip(schedules[leader], schedules[run], strict=True)) if first != second),
                len(schedules[run]))
            if shared == 0 or (best is not None and shared <= best[1]):
                continue
            if (params[leader].keys() == params[run].keys()
                    and all(np.array_equal(params[leader][name], params[run][name])
                            for name in params[run])
                    and np.array_equal(x[leader], x[run]) and np.array_equal(y[leader], y[run])):
                best = (leader, shared)
        if best is not None:
            followers[run] = best
    return followers


def train_stack(params, x, y, schedules, deltas, **options):
    """Train runs on the same number of points as one stack; `lessons.mlp.train_many` calls it.

    Runs that repeat an earlier run's first steps (see `_followers`) are put last and join the
    stack when their own steps begin, with the leader's weights, Adam moments and records.

    Parameters
    ----------
    params : list of dict of str to ndarray
        Starting weights of each run (left unchanged).
    x, y : ndarray, shape (runs, n)
        Inputs and targets, one row per run.
    schedules : list of list of str
        The loss key (`lessons.registry`) of each run at each step.
    deltas : list of float
        Huber's threshold of each run.
    **options
        ``steps, lr, optimiser, eval_x, eval_target, record_every, dtype, progress``, already
        checked by `lessons.mlp.train_many` (``eval_x``, ``eval_target`` may be None).

    Returns
    -------
    list of dict
        One per run, in the order of `params`: the fields of `lessons.mlp.TrainingRun`.
    """
    followers = _followers(params, x, y, schedules, deltas)
    order = [run for run in range(len(params)) if run not in followers]
    order += sorted(followers, key=lambda run: followers[run][1])
    row = {run: index for index, run in enumerate(order)}
    joins = [(row[run], row[followers[run][0]], followers[run][1]) for run in order
             if run in followers]
    results = _train_rows([params[run] for run in order], x[order], y[order],
                          [schedules[run] for run in order], [deltas[run] for run in order],
                          joins, **options)
    return [results[row[run]] for run in range(len(params))]


def _train_rows(params, x, y, schedules, deltas, joins, *, steps, lr, optimiser, eval_x,
                eval_target, record_every, dtype, progress):
    """The training loop of `train_stack`; `joins` lists (row, leader row, shared steps)."""
    runs = len(params)
    eval_points = x if eval_x is None else np.tile(eval_x, (runs, 1))
    # All parameters of a run live in one row of `flat` (the dict holds stacked views of it),
    # so an update is a handful of array operations for every run at once.
    flat, stacked = _stacked_views(params, dtype)
    first_moment, second_moment = np.zeros_like(flat), np.zeros_like(flat)
    grad, step_work, update = np.empty_like(flat), np.empty_like(flat), np.empty_like(flat)
    work = workspace(stacked, x.shape[-1])
    train_loss = np.full((runs, steps), np.nan)
    active = np.ones(runs, dtype=bool)
    diverged_at = [None] * runs
    record_steps = [[0] for _ in range(runs)]
    snapshots = [[] for _ in range(runs)]
    data_snapshots = [[] for _ in range(runs)]
    # The predictions at x after a recorded step are the next step's forward pass: they are
    # taken from there (`waiting` lists the runs that wait for it) instead of being recomputed.
    live = runs - len(joins)  # rows [0, live) are trained; the joining rows follow, in order
    waiting = list(range(live))
    pending = list(joins)

    def join(until):
        """Rows whose shared steps end before step `until` take over their leader's state."""
        nonlocal live
        while pending and pending[0][2] < until:
            follower, leader, shared = pending.pop(0)
            for array in (flat, first_moment, second_moment):
                array[follower] = array[leader]
            train_loss[follower, :shared] = train_loss[leader, :shared]
            record_steps[follower] = list(record_steps[leader])
            snapshots[follower] = list(snapshots[leader])
            data_snapshots[follower] = list(data_snapshots[leader])
            active[follower], diverged_at[follower] = active[leader], diverged_at[leader]
            if leader in waiting:
                waiting.append(follower)
            live = follower + 1

    if eval_x is not None:
        for run, fit in enumerate(predict_stack(stacked, eval_points)):
            snapshots[run].append(fit)
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
        for step in range(1, steps + 1):
            join(step)
            rows = slice(0, live)
            now = {name: value[rows] for name, value in stacked.items()}
            now_work = {name: value[rows] for name, value in work.items()}
            output, cache = forward_stack(now, x[rows], now_work)
            for run in waiting:
                data_snapshots[run].append(output[run])
            waiting = []
            values, grad_output = _stack_loss_and_grad(schedules[rows], step, deltas[rows],
                                                       output, y[rows])
            for run in np.flatnonzero(active[rows] & ~np.isfinite(values)):
                diverged_at[run] = step  # this run stops here; the others go on
                active[run] = False
            if not active[rows].any():
                join(steps + 1)  # rows still to join share a diverged leader's fate
                if not active.any():
                    break
            training = active[rows]
            train_loss[rows][training, step - 1] = values[training]
            grads = backward_stack(now, cache, grad_output, now_work)
            np.concatenate([grads[name].reshape(live, -1) for name in stacked], axis=1,
                           out=grad[rows])
            if optimiser == "gd":
                np.multiply(grad[rows], lr, out=update[rows])
            else:  # Adam, computed as torch.optim.Adam does (in place, in the same order)
                _adam_step(grad[rows], first_moment[rows], second_moment[rows], step_work[rows],
                           update[rows], step, lr)
            if training.all():
                flat[rows] -= update[rows]
            else:
                flat[rows][training] -= update[rows][training]
            if step % record_every == 0 or step == steps:
                waiting = list(np.flatnonzero(training))
                fits = None if eval_x is None else predict_stack(now, eval_points[rows])
                for run in waiting:
                    record_steps[run].append(step)
                    if fits is not None:
                        snapshots[run].append(fits[run])
                if progress is not None:
                    progress(step, steps)
    join(steps + 1)  # rows that share every step (a repeated run) take the leader's results
    if waiting:  # after the last step: no forward pass follows
        data_fits = predict_stack(stacked, x)
        for run in waiting:
            data_snapshots[run].append(data_fits[run])
    if eval_x is None:
        snapshots = data_snapshots
    if progress is not None and not any(record[-1] == steps for record in record_steps):
        progress(steps, steps)  # every run diverged, nothing more will come: finish the bar
    results = []
    for run in range(runs):
        run_snapshots = np.array(snapshots[run], dtype=np.float64)
        clean_error = None
        if eval_target is not None:
            clean_error = np.sqrt(np.mean((run_snapshots - eval_target) ** 2, axis=1))
        results.append({
            "losses": schedules[run], "train_loss": train_loss[run],
            "record_steps": np.array(record_steps[run]), "snapshots": run_snapshots,
            "data_snapshots": np.array(data_snapshots[run], dtype=np.float64),
            "eval_x": eval_points[run] if eval_x is None else eval_x,
            "clean_error": clean_error, "diverged_at": diverged_at[run],
            "params": {name: np.array(value[run]) for name, value in stacked.items()}})
    return results


def _adam_step(grad, first_moment, second_moment, step_work, update, step, lr):
    """One Adam update into `update`, in place and in torch.optim.Adam's order of operations."""
    beta1, beta2 = ADAM_BETAS
    first_moment *= beta1
    first_moment += np.multiply(grad, 1.0 - beta1, out=step_work)
    second_moment *= beta2
    np.multiply(grad, 1.0 - beta2, out=step_work)
    second_moment += np.multiply(step_work, grad, out=step_work)
    np.sqrt(second_moment, out=step_work)  # then the denominator
    step_work /= np.sqrt(1.0 - beta2**step)
    step_work += ADAM_EPS
    np.multiply(first_moment, lr / (1.0 - beta1**step), out=update)
    update /= step_work
