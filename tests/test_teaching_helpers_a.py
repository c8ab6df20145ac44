"""Tests of the helpers teach-a appended for notebook 04's breakdown section."""

import numpy as np
import pytest

from lessons import fitting


def test_corruption_shifts_of_the_mean_grow_by_displacement_over_n():
    values = np.arange(10.0)
    shifts = fitting.corruption_shifts(np.mean, values, np.arange(10), 50.0)
    assert shifts.shape == (11,)
    assert np.allclose(shifts, 5.0 * np.arange(11))
    assert values.tolist() == list(np.arange(10.0))  # the data are not changed


def test_the_median_breaks_down_at_half_the_sample_and_the_mean_at_one_value():
    values = np.random.default_rng(1).normal(size=40)
    order = np.random.default_rng(2).permutation(40)
    far = 1e6
    median = fitting.corruption_shifts(np.median, values, order, far)
    mean = fitting.corruption_shifts(np.mean, values, order, far)
    assert fitting.breakdown_count(median, far) == 20
    assert fitting.breakdown_count(mean, far) == 1


def test_the_l1_line_breaks_down_at_a_quarter_of_an_even_design_from_one_end():
    # For x spread evenly, moving the points with the largest x up tips the exact L1 line once
    # they are about a quarter of the data (the limit is exactly 1/4 for large n).
    x = np.linspace(0.0, 10.0, 40)
    y = 1.0 + 0.5 * x

    def height_at_centre(values):
        return fitting.fit_line(x, values, "l1").predict(x.mean())

    shifts = fitting.corruption_shifts(height_at_centre, y, np.arange(40)[::-1], 1e6)
    count = fitting.breakdown_count(shifts, 1e6)
    assert count == 11
    assert np.all(np.abs(shifts[:count]) < 1.0)


def test_breakdown_count_is_none_when_nothing_follows():
    assert fitting.breakdown_count([0.0, 0.5, 0.9], 100.0) is None
    assert fitting.breakdown_count([0.0, -2.0], 100.0) == 1  # a move downwards counts too


@pytest.mark.parametrize("order", [[0, 0], [5], [[0, 1]]])
def test_corruption_shifts_rejects_bad_orders(order):
    with pytest.raises(ValueError):
        fitting.corruption_shifts(np.mean, np.zeros(3), order, 1.0)


def test_plot_location_objectives_marks_the_mean_and_every_median():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from lessons import plotting

    fig, axes = plt.subplots(2, 2)
    found = plotting.plot_location_objectives(
        axes, {"odd": [3.0, 1.0, 2.0, 10.0, 4.0], "even": [4.0, 1.0, 3.0, 2.0]},
        np.linspace(0, 11, 111), unit="min")
    assert found == {"odd": (4.0, (3.0, 3.0)), "even": (2.5, (2.0, 3.0))}
    assert axes[1, 0].get_xlabel() == "location m (min)"
    assert len(axes[1, 1].patches) == 1  # the shaded interval of an even sample
    plt.close(fig)
