"""lessons.demos.training: the replay is driven headlessly (slider, toggle) and its artists are
read back; the progress bar and the static helpers are checked on small runs."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from lessons import data, mlp
from lessons.demos import training


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(11)
    x, y, clean, is_outlier = data.sinusoid_with_outliers(24, rng, n_outliers=3)
    init = mlp.init_params(rng)
    grid = np.linspace(-3, 3, 31)
    truth = data.composite_sinusoid(grid)
    runs = {name: mlp.train(init, x, y, loss, steps=40, lr=0.01, eval_x=grid,
                            eval_target=truth, record_every=10, **extra)
            for name, loss, extra in [("l2", "l2", {}), ("l1", "l1", {}),
                                      ("l2→l1", "l2", {"switch_to": "l1", "switch_at": 20})]}
    return x, y, is_outlier, truth, runs


@pytest.fixture
def replay(setup):
    x, y, is_outlier, truth, runs = setup
    return training.TrainingReplay(runs, x, y, truth=truth, is_outlier=is_outlier)


def test_replay_starts_at_the_last_step(replay, setup):
    *_, runs = setup
    assert replay.step == 40 and replay.slider.max == 40 and replay.slider.step == 10
    for name, run in runs.items():
        np.testing.assert_array_equal(replay.fit_lines[name].get_ydata(), run.snapshots[-1])
        np.testing.assert_array_equal(replay.curve_lines[name].get_ydata(), run.clean_error)
    assert replay.title.get_text() == "Fits after 40 steps"


def test_moving_the_slider_moves_fits_curves_cursor_and_picture(replay, setup):
    *_, runs = setup
    before = replay.image.value
    replay.slider.value = 20
    assert replay.step == 20
    for name, run in runs.items():
        np.testing.assert_array_equal(replay.fit_lines[name].get_ydata(), run.snapshots[2])
        np.testing.assert_array_equal(replay.curve_lines[name].get_xdata(), [0, 10, 20])
        np.testing.assert_array_equal(replay.curve_lines[name].get_ydata(),
                                      run.clean_error[:3])
    assert list(replay.cursor.get_xdata()) == [20, 20]
    assert replay.title.get_text() == "Fits after 20 steps"
    assert replay.image.value[:4] == b"\x89PNG" and replay.image.value != before
    assert replay.errors()["l1"] == pytest.approx(runs["l1"].clean_error[2])
    replay.slider.value = 0
    for name, run in runs.items():
        np.testing.assert_array_equal(replay.fit_lines[name].get_ydata(), run.snapshots[0])


def test_the_toggle_shows_each_runs_training_loss(replay, setup):
    *_, runs = setup
    replay.slider.value = 20
    replay.measure.value = "train"
    for name, run in runs.items():
        np.testing.assert_array_equal(replay.curve_lines[name].get_xdata(), np.arange(21))
        np.testing.assert_array_equal(replay.curve_lines[name].get_ydata(),
                                      run.train_loss[:21])
    assert "training loss" in replay.curve_axes.get_ylabel()
    low, high = replay.curve_axes.get_ylim()
    assert low <= min(run.train_loss.min() for run in runs.values())
    assert high >= max(run.train_loss.max() for run in runs.values())
    replay.measure.value = "clean"
    assert replay.curve_axes.get_ylabel() == "RMSE against the clean signal"
    np.testing.assert_array_equal(replay.curve_lines["l2"].get_xdata(), [0, 10, 20])


def test_replay_text_and_bundle(replay):
    replay.slider.value = 10
    text = replay.summary()
    assert text.startswith("TrainingReplay of 3 runs (L2 (squared), L1 (absolute), L2, then L1)")
    assert "over 40 steps, at step 10." in text
    bundle = replay._repr_mimebundle_()
    assert bundle["text/plain"] == text and repr(replay) == text
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle


def test_replay_explains_bad_runs(setup):
    x, y, is_outlier, truth, runs = setup
    with pytest.raises(ValueError, match="no style for run 'adam'"):
        training.TrainingReplay({"adam": runs["l2"]}, x, y, truth=truth)
    short = mlp.train(mlp.init_params(np.random.default_rng(0)), x, y, "l1", steps=15,
                      record_every=5, eval_x=runs["l2"].eval_x, eval_target=truth)
    with pytest.raises(ValueError, match="same steps"):
        training.TrainingReplay({"l2": runs["l2"], "l1": short}, x, y, truth=truth)
    no_truth = mlp.train(mlp.init_params(np.random.default_rng(0)), x, y, "l1", steps=5)
    with pytest.raises(ValueError, match="clean error"):
        training.TrainingReplay({"l1": no_truth}, x, y, truth=y)
    with pytest.raises(ValueError, match="at least one run"):
        training.TrainingReplay({}, x, y, truth=truth)


def test_progress_bar_adds_up_runs_and_finishes(setup):
    x, y, *_ = setup
    progress = training.ProgressBar(2 * 30)
    assert progress.summary() == "Progress bar for 60 training steps."
    init = mlp.init_params(np.random.default_rng(1))
    mlp.train(init, x, y, "l2", steps=30, record_every=10, progress=progress.run("l2"))
    assert progress.bar.value == 30 and progress.label.value == "l2"
    mlp.train(init, x, y, "l1", steps=30, record_every=7, progress=progress.run("l1"))
    assert progress.bar.value == 60
    progress.finish()
    assert progress.bar.bar_style == "success" and progress.label.value == "done"
    assert progress._repr_mimebundle_()["text/plain"] == progress.summary()
    with pytest.raises(ValueError, match="positive whole number"):
        training.ProgressBar(0)


def test_progress_bar_reaches_the_end_of_a_diverged_run(setup):
    x, y, *_ = setup
    progress = training.ProgressBar(100)
    run = mlp.train(mlp.init_params(np.random.default_rng(2)), x, y * 50, "l2", steps=100,
                    lr=5.0, optimiser="gd", progress=progress.run("l2"))
    assert run.diverged_at is not None and progress.bar.value == 100


def test_static_helpers(setup):
    x, y, is_outlier, truth, runs = setup
    figure = Figure()
    ax_fit, ax_error, ax_seeds = figure.subplots(1, 3)
    lines = training.plot_fits(ax_fit, runs, x, y, truth=truth, is_outlier=is_outlier, step=15)
    np.testing.assert_array_equal(lines["l1"].get_ydata(), runs["l1"].snapshots[1])
    curves = training.plot_error_curves(ax_error, runs)
    assert ax_error.get_yscale() == "log"
    np.testing.assert_array_equal(curves["l2"].get_ydata(), runs["l2"].clean_error)
    values = {"l2": np.array([[1.0, 2.0], [3.0, 4.0]]), "l1": np.array([[0.5, 0.5], [1.5, 2.5]])}
    means = training.plot_over_seeds(ax_seeds, [0, 10], values, ylabel="metric", log=True)
    np.testing.assert_array_equal(means["l2"].get_ydata(), [2.0, 3.0])
    np.testing.assert_array_equal(means["l1"].get_ydata(), [1.0, 1.5])
    assert len(ax_seeds.lines) == 6 and ax_seeds.get_ylabel() == "metric"
    assert ax_seeds.yaxis.get_major_formatter()(0.2, 0) == "0.2"


def test_style_names_every_run_of_the_notebook():
    assert training.style("l2")["color"] == "#D85A30"
    assert training.style("l2→l1")["linestyle"] == "-."
    assert training.style("l1", linewidth=1)["linewidth"] == 1
    with pytest.raises(ValueError, match="known runs"):
        training.style("sgd")
