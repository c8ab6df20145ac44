"""Training demos and figures of ``06_training``: replay stored training runs side by side.

`TrainingReplay` puts a step slider (and a play button) over the snapshots that
`lessons.mlp.train` records: on the left each network's fit at that step over the data and the
clean signal, on the right each run's error against the clean signal (or its training loss) up
to that step. It draws
with Agg into an ``ipywidgets.Image`` (no ipympl needed) and redraws only what moves (see
`lessons.canvas.LiveFigure`); tests set ``slider.value`` and read the artists back.
`ProgressBar` shows how far a long batch of training runs has got.

The static helpers (`style`, `plot_fits`, `plot_error_curves`, `plot_over_seeds`) draw the
notebook's other figures in the same colours and labels.
"""


import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from lessons import plotting
from lessons.canvas import LiveFigure, new_figure
from lessons.demos import WidgetDemo, picture, slider

__all__ = [
    "STYLES",
    "ProgressBar",
    "TrainingReplay",
    "plot_error_curves",
    "plot_fits",
    "plot_over_seeds",
    "plain_log_yaxis",
    "style",
]

# How each run of 06_training is drawn: the losses in their course colours, the two variants
# in the colour of the loss they end with (or train with) and their own line style.
STYLES = {
    "l2": plotting.line_style("l2"),
    "l1": plotting.line_style("l1"),
    "huber": plotting.line_style("huber", delta=1),
    "l2→l1": {"color": plotting.color("l1"), "linestyle": "-.", "label": "L2, then L1"},
    "l2 clean": {"color": plotting.color("l2"), "linestyle": ":",
                 "label": "L2, outliers removed"},
}
_FIGSIZE = (11.0, 4.4)
_PLAY_INTERVAL_MS = 120


def style(name, **overrides):
    """Keyword arguments for ``ax.plot`` that draw run `name` ("l2", "l1", "huber", "l2→l1",
    "l2 clean") in its colour, line style and label.

    Examples
    --------
    >>> style("l2→l1")["label"]
    'L2, then L1'
    """
    if name not in STYLES:
        raise ValueError(f"no style for run {name!r}; known runs: {', '.join(STYLES)}.")
    return {**STYLES[name], **overrides}


def plain_log_yaxis(ax):
    """Put the y-axis of `ax` on a log scale labelled with plain numbers at 1, 2 and 5 × 10^k."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _check_runs(runs):
    runs = dict(runs)
    if not runs:
        raise ValueError("runs must map at least one run name to a TrainingRun.")
    for name in runs:
        style(name)  # a clear error for a name without a style
    steps = [tuple(run.record_steps) for run in runs.values()]
    if any(recorded != steps[0] for recorded in steps):
        raise ValueError("all runs must have been recorded at the same steps.")
    return runs


def _snapshot_index(run, step):
    where = np.flatnonzero(run.record_steps <= step)
    return int(where[-1]) if where.size else 0


def plot_fits(ax, runs, x, y, *, truth, is_outlier=None, step=None):
    """Draw the data, the clean signal and each run's fit after `step` updates (default: last).

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    runs : mapping of str to lessons.mlp.TrainingRun
        Keys are run names known to `style`; all recorded at the same steps and `eval_x`.
    x, y : array_like
        The training data.
    truth : array_like
        The clean signal at the runs' `eval_x`.
    is_outlier : array_like of bool, optional
        Outliers are drawn in the outlier colour.
    step : int, optional
        Which recorded step to show (the last one at or before it).

    Returns
    -------
    dict of str to Line2D
        The fit lines, by run name.
    """
    runs = _check_runs(runs)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    outlier = np.zeros(x.shape, bool) if is_outlier is None else np.asarray(is_outlier, bool)
    first = next(iter(runs.values()))
    ax.plot(first.eval_x, truth, **plotting.line_style("truth"), linewidth=1.5)
    ax.plot(x[~outlier], y[~outlier], "o", color=plotting.color("data"), markersize=4,
            alpha=0.7, label="data")
    if outlier.any():
        ax.plot(x[outlier], y[outlier], "o", color=plotting.color("outlier"), markersize=7,
                label="outliers")
    lines = {}
    for name, run in runs.items():
        index = len(run.record_steps) - 1 if step is None else _snapshot_index(run, step)
        (lines[name],) = ax.plot(run.eval_x, run.snapshots[index], **style(name, linewidth=2))
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return lines


def plot_error_curves(ax, runs, *, step=None, log=True):
    """Draw each run's RMSE against the clean signal over the steps (up to `step` if given).

    Returns
    -------
    dict of str to Line2D
    """
    runs = _check_runs(runs)
    lines = {}
    for name, run in runs.items():
        end = len(run.record_steps) if step is None else _snapshot_index(run, step) + 1
        (lines[name],) = ax.plot(run.record_steps[:end], run.clean_error[:end], **style(name))
    if log:
        plain_log_yaxis(ax)
    ax.set_xlabel("training step")
    ax.set_ylabel("RMSE against the clean signal")
    return lines


def plot_over_seeds(ax, steps, values, *, names=None, ylabel="", log=False):
    """Draw a measure over the steps for several runs and seeds: thin per seed, thick mean.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    steps : array_like, shape (m,)
        Recorded steps.
    values : mapping of str to array_like, shape (n_seeds, m)
        The measure for each run name (known to `style`), one row per seed.
    names : sequence of str, optional
        Which runs to draw, in order (default: all).
    ylabel : str
    log : bool, default False
        Log scale on the y-axis (labelled with plain numbers).

    Returns
    -------
    dict of str to Line2D
        The thick mean lines.
    """
    means = {}
    for name in names or list(values):
        rows = np.asarray(values[name], dtype=float)
        kwargs = style(name)
        for row in rows:
            ax.plot(steps, row, color=kwargs["color"], linestyle=kwargs["linestyle"],
                    linewidth=0.8, alpha=0.35)
        (means[name],) = ax.plot(steps, rows.mean(axis=0), **kwargs)
    if log:
        plain_log_yaxis(ax)
    ax.set_xlabel("training step")
    ax.set_ylabel(ylabel)
    return means


class TrainingReplay(WidgetDemo):
    """A step slider over stored training runs: fits on the left, their curves on the right.

    The right panel shows, up to the chosen step, either each run's error against the clean
    signal (comparable across losses) or each run's training loss (the loss it minimises, in
    its own units); the toggle above the figure switches between them.

    Parameters
    ----------
    runs : mapping of str to lessons.mlp.TrainingRun
        Run names known to `style` ("l2", "l1", "huber", "l2→l1", "l2 clean"), all recorded at
        the same steps and points, with a clean error (``train(..., eval_target=...)``).
    x, y, truth, is_outlier
        The data, the clean signal and the outliers, as in `plot_fits`.

    Attributes
    ----------
    slider : lessons.demos.controls.LabelledSlider
        The step shown; moves in steps of the recording interval. Its Play button steps it
        forward on its own, in the browser.
    measure : ipywidgets.ToggleButtons
        "clean" (error against the clean signal) or "train" (training loss).
    figure, fit_axes, curve_axes
    fit_lines, curve_lines : dict of str to Line2D
        Each run's fit at the step, and its curve up to the step.
    cursor : Line2D
        The vertical line at the step on the curve panel.
    title : matplotlib.text.Text
    image : ipywidgets.Image
    widget : ipywidgets.VBox

    Examples
    --------
    >>> from lessons import data, mlp
    >>> rng = np.random.default_rng(0)
    >>> x, y, clean, outlier = data.sinusoid_with_outliers(20, rng)
    >>> run = mlp.train(mlp.init_params(rng), x, y, "l1", steps=20, record_every=10,
    ...                 eval_target=clean)
    >>> replay = TrainingReplay({"l1": run}, x, y, truth=clean, is_outlier=outlier)
    >>> replay.slider.value = 10
    >>> len(replay.curve_lines["l1"].get_xdata())
    2
    """

    _MEASURES = {"clean": "RMSE against the clean signal",
                 "train": "training loss (each run's own loss)"}

    def __init__(self, runs, x, y, *, truth, is_outlier=None):
        import ipywidgets as widgets

        self.runs = _check_runs(runs)
        if any(run.clean_error is None for run in self.runs.values()):
            raise ValueError("the runs need a clean error: train them with eval_target=.")
        first = next(iter(self.runs.values()))
        self.steps = np.asarray(first.record_steps)
        last = int(self.steps[-1])
        every = int(self.steps[1] - self.steps[0]) if self.steps.size > 1 else 1
        self.slider = slider(last, 0, last, every, "training step", whole=True, play=True,
                             interval=_PLAY_INTERVAL_MS)
        self.measure = widgets.ToggleButtons(
            options=[("error against the clean signal", "clean"), ("training loss", "train")],
            value="clean", style={"button_width": "auto"})
        self._build_figure(x, y, truth, is_outlier)
        self.image = picture(
            "Left: the data and each run's fitted curve at the chosen step; right: each run's "
            "error over the training steps, with a vertical line at the chosen step.")
        self.widget = widgets.VBox([self.slider, self.measure, self.image])
        self.slider.observe(self.update, names="value")
        self.measure.observe(self._change_measure, names="value")
        self.update()

    def _build_figure(self, x, y, truth, is_outlier):
        self.figure = new_figure(interactive=False, figsize=_FIGSIZE)
        self.fit_axes, self.curve_axes = self.figure.subplots(1, 2)
        self.fit_lines = plot_fits(self.fit_axes, self.runs, x, y, truth=truth,
                                   is_outlier=is_outlier)
        y_values = np.concatenate([np.asarray(y, float), np.asarray(truth, float)])
        margin = 0.1 * np.ptp(y_values)
        self.fit_axes.set_ylim(y_values.min() - margin, y_values.max() + margin)
        self.fit_axes.legend(loc="lower left", fontsize=9, ncol=2)
        self.curve_lines = {name: self.curve_axes.plot([], [], **style(name))[0]
                            for name in self.runs}
        plain_log_yaxis(self.curve_axes)
        self.curve_axes.set_xlim(0, self.steps[-1])
        self.curve_axes.set_xlabel("training step")
        self.cursor = self.curve_axes.axvline(self.steps[-1], color="black", linewidth=1)
        self.title = self.fit_axes.set_title(self._title(int(self.steps[-1])))
        self._set_measure_axes()
        self.live = LiveFigure(self.figure)
        self.live.add(*self.fit_lines.values(), *self.curve_lines.values(), self.cursor,
                      self.title)

    def _set_measure_axes(self):
        measure = self.measure.value
        values = np.concatenate([self._curve(run, len(run.train_loss))[1]
                                 for run in self.runs.values()])
        values = values[np.isfinite(values) & (values > 0)]
        self.curve_axes.set_ylim(values.min() * 0.8, values.max() * 1.25)
        self.curve_axes.set_ylabel(self._MEASURES[measure])
        self.curve_axes.set_title("Error against the clean signal" if measure == "clean"
                                  else "Training loss")

    def _curve(self, run, step):
        """The chosen measure of `run` from step 0 to `step`: (steps, values)."""
        if self.measure.value == "clean":
            end = _snapshot_index(run, step) + 1
            return run.record_steps[:end], run.clean_error[:end]
        # train_loss[k] is the loss of the network after k updates (before update k + 1).
        end = min(int(step) + 1, run.train_loss.size)
        return np.arange(end), run.train_loss[:end]

    def _change_measure(self, change=None):
        self._set_measure_axes()
        self.figure.canvas.draw()  # axes and labels changed: a full draw, then blitting
        self.update()

    @staticmethod
    def _title(step):
        return f"Fits after {step} steps"

    @property
    def step(self):
        """The recorded step on show (the last one at or before the slider's value)."""
        first = next(iter(self.runs.values()))
        return int(first.record_steps[_snapshot_index(first, self.slider.value)])

    def update(self, change=None):
        """Move every fit and curve to the slider's step and show the new picture."""
        step = self.step
        for name, run in self.runs.items():
            self.fit_lines[name].set_ydata(run.snapshots[_snapshot_index(run, step)])
            self.curve_lines[name].set_data(*self._curve(run, step))
        self.cursor.set_xdata([step, step])
        self.title.set_text(self._title(step))
        self.live.refresh()
        self.image.value = self.live.png()

    def errors(self):
        """Each run's clean error at the step on show, by run name."""
        return {name: float(run.clean_error[_snapshot_index(run, self.step)])
                for name, run in self.runs.items()}

    def png(self):
        """The current picture as PNG bytes."""
        return self.live.png()

    def summary(self):
        """One line of plain text (what nbconvert stores): the runs, not their numbers.

        No errors are quoted: they may differ in the last digits between machines, and this
        line is compared verbatim when the notebook is tested.
        """
        labels = ", ".join(style(name)["label"] for name in self.runs)
        return (f"TrainingReplay of {len(self.runs)} runs ({labels}) over "
                f"{int(self.steps[-1])} steps, at step {self.step}. Move the slider or press "
                "Play.")


class ProgressBar:
    """A progress bar for a batch of training runs; hand `run` to ``mlp.train(progress=...)``.

    Parameters
    ----------
    total_steps : int
        Training steps of the whole batch (runs × steps per run).
    description : str
        Shown before the bar.

    Attributes
    ----------
    bar : ipywidgets.IntProgress
    label : ipywidgets.Label
        Names the run in progress, then says "done".
    widget : ipywidgets.HBox

    Examples
    --------
    >>> progress = ProgressBar(20)
    >>> report = progress.run("l2")
    >>> report(10, 10)
    >>> progress.bar.value, progress.run("l1")(5, 10), progress.bar.value
    (10, None, 15)
    """

    def __init__(self, total_steps, description="training"):
        import ipywidgets as widgets

        if int(total_steps) != total_steps or total_steps < 1:
            raise ValueError(f"total_steps must be a positive whole number, got {total_steps!r}.")
        self.total_steps = int(total_steps)
        self.bar = widgets.IntProgress(value=0, min=0, max=self.total_steps,
                                       description=description)
        self.label = widgets.Label("")
        self.widget = widgets.HBox([self.bar, self.label])
        self._done = 0

    def run(self, name):
        """A ``progress(step, steps)`` callback for one run called `name`."""
        start = self._done
        self.label.value = str(name)

        def report(step, steps):
            self.bar.value = min(start + int(step), self.total_steps)
            if step >= steps:
                self._done = start + int(steps)

        return report

    def finish(self):
        """Fill the bar and say the batch is done."""
        self.bar.value = self.total_steps
        self.bar.bar_style = "success"
        self.label.value = "done"

    def summary(self):
        """One line of plain text (what nbconvert stores)."""
        return f"Progress bar for {self.total_steps} training steps."

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.summary()
        return bundle

    def __repr__(self):
        return self.summary()
