"""Tests of lessons.plotting (one colour per loss) and lessons.data (deterministic data sets)."""

import doctest

import matplotlib
import numpy as np
import pytest

from lessons import data, plotting


def test_doctests_pass():
    for module in (plotting, data):
        assert doctest.testmod(module).failed == 0


def test_each_loss_has_the_course_colour():
    assert plotting.color("l2") == plotting.color("mse") == "#D85A30"
    assert plotting.color("l1") == plotting.color("MAE") == "#4A9EDE"
    assert plotting.color("huber") == plotting.color("smooth_l1") == "#1D9E75"
    assert plotting.line_style("smooth_l1", beta=1)["linestyle"] == "--"
    with pytest.raises(ValueError, match="no colour for 'cauchy'"):
        plotting.color("cauchy")
    with pytest.raises(ValueError, match="needs the parameter 'delta'"):
        plotting.label("huber")


def test_importing_changes_no_matplotlib_setting_until_use_style():
    matplotlib.rcdefaults()
    before = dict(matplotlib.rcParams)
    import importlib

    importlib.reload(plotting)
    assert dict(matplotlib.rcParams) == before
    plotting.use_style()
    assert matplotlib.rcParams["font.size"] == 13
    matplotlib.rcdefaults()


def test_plot_loss_curves_draws_in_the_loss_colours():
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    e = np.linspace(-3, 3, 7)
    lines = plotting.plot_loss_curves(ax, e, [("l2", e**2, {}), ("huber", abs(e), {"delta": 1})])
    assert [line.get_color() for line in lines] == ["#D85A30", "#1D9E75"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["L2 (squared)", "Huber, δ = 1"]
    plt.close(fig)


def test_seeded_sets_repeat_exactly_and_differ_across_seeds():
    first = data.line_with_outliers(20, np.random.default_rng(7), n_outliers=3)
    again = data.line_with_outliers(20, np.random.default_rng(7), n_outliers=3)
    other = data.line_with_outliers(20, np.random.default_rng(8), n_outliers=3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])
    assert first[2].sum() == 3
    x, y, clean, is_outlier = data.sinusoid_with_outliers(100, np.random.default_rng(1))
    assert x.shape == y.shape == clean.shape == (100,) and is_outlier.sum() == 6
    assert np.all(np.diff(x) >= 0)


def test_known_values_pin_the_generators_across_machines():
    # PCG64 and NumPy's normal sampler are platform independent; these pin the stream.
    x, y, _ = data.line_with_outliers(3, np.random.default_rng(0))
    np.testing.assert_allclose(x, [0.40973524, 2.69786714, 6.36961687], atol=1e-8)
    np.testing.assert_allclose(y, [1.25731768, 2.08109888, 4.36560596], atol=1e-8)


def test_noise_kinds():
    rng = np.random.default_rng(3)
    assert data.noise("laplace", 1000, rng).std() > 1.2  # Laplace(b=1) has sd sqrt(2)
    contaminated = data.noise("contaminated", 20000, rng, contamination=0.1, outlier_scale=10)
    assert 3.0 < contaminated.std() < 3.6  # sqrt(0.9 + 0.1·100) ≈ 3.30
    with pytest.raises(ValueError, match="kind must be"):
        data.noise("cauchy", 3, rng)


def test_worked_examples():
    assert data.apples().residuals.tolist() == [10.0, 5.0, -5.0]
    assert data.five_residuals().sum() == 9
    x, y = data.eight_points()
    assert x.shape == y.shape == (8,)
