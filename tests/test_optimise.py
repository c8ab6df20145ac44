"""lessons.optimise: gradient descent on a constant under L2 and L1, and its step-size rules."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import losses, optimise

SEVEN = np.array([2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 15.0])  # mean 6, median 5


def test_constant_gradient_by_hand():
    assert optimise.constant_gradient(0.0, SEVEN, "l2") == pytest.approx(2 * (0.0 - 6.0))
    # c = 4.5: three points below, four above
    assert optimise.constant_gradient(4.5, SEVEN, "l1") == pytest.approx((3 - 4) / 7)
    # c on a data point: that point contributes sign(0) = 0
    assert optimise.constant_gradient(5.0, SEVEN, "l1") == 0.0
    assert optimise.constant_gradient(4.0, [1.0, 2.0, 3.0, 9.0], "l1") == 0.5
    # Huber: residuals clipped at delta
    expected = np.mean(np.clip(0.0 - SEVEN, -1.0, 1.0))
    assert optimise.constant_gradient(0.0, SEVEN, "huber") == pytest.approx(expected)


def test_constant_gradient_is_the_derivative_of_the_mean_loss():
    h = 1e-6
    for loss, function in (("l2", losses.mse_loss), ("huber", losses.huber_loss)):
        for c in (-1.0, 4.3, 9.0):
            numeric = (function(np.full(7, c + h), SEVEN) - function(np.full(7, c - h), SEVEN))
            assert optimise.constant_gradient(c, SEVEN, loss) == pytest.approx(
                numeric / (2 * h), rel=1e-6)


def test_step_sizes():
    np.testing.assert_allclose(optimise.step_sizes(0.3, 3), [0.3, 0.3, 0.3])
    np.testing.assert_allclose(optimise.step_sizes(1.0, 4, "inv_sqrt"),
                               1 / np.sqrt([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_allclose(optimise.step_sizes(1.0, 3, "geometric", decay=0.5),
                               [1.0, 0.5, 0.25])
    assert optimise.step_sizes(1.0, 0).shape == (0,)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [((0.0, 3), {}, "positive number"), ((1.0, 2.5), {}, "whole number"),
     ((1.0, 3, "cosine"), {}, "schedule must be one of"),
     ((1.0, 3, "geometric"), {"decay": 1.5}, "decay")],
)
def test_step_sizes_explain_bad_input(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        optimise.step_sizes(*args, **kwargs)


def test_l2_converges_geometrically_to_the_mean():
    step = 0.3
    path = optimise.descend_constant(SEVEN, "l2", step=step, n_steps=60)
    distance = np.abs(path - SEVEN.mean())
    np.testing.assert_allclose(distance[1:21] / distance[:20], 1 - 2 * step)
    assert distance[-1] < 1e-14


def test_l1_with_a_constant_step_hops_across_the_median_for_ever():
    step = 0.3
    path = optimise.descend_constant(SEVEN, "l1", step=step, n_steps=2000)
    tail = path[-200:]
    values = np.unique(np.round(tail, 9))
    assert values.size == 2 and values[0] < 5.0 < values[1]
    assert np.ptp(tail) == pytest.approx(step / SEVEN.size)
    # every other iterate is the same: a 2-cycle, not slow convergence
    np.testing.assert_allclose(tail[::2], tail[0])


def test_l1_with_a_shrinking_step_converges_to_the_median():
    path = optimise.descend_constant(SEVEN, "l1", step=0.3, n_steps=2000, schedule="inv_sqrt")
    late = np.abs(path[-100:] - 5.0).max()
    constant = optimise.descend_constant(SEVEN, "l1", step=0.3, n_steps=2000)
    assert late < 0.002 < np.abs(constant[-100:] - 5.0).max()
    # the largest distance still to come keeps shrinking
    early = np.abs(path[600:700] - 5.0).max()
    assert late < early


def test_a_summable_schedule_stalls_before_the_median():
    path = optimise.descend_constant(SEVEN, "l1", start=0.0, step=1.0, n_steps=200,
                                     schedule="geometric", decay=0.5)
    # |gradient| <= 1, so c can travel at most 1 + 1/2 + 1/4 + ... = 2
    assert path[-1] <= 2.0 + 1e-12 and abs(path[-1] - 5.0) > 2.9


def test_l1_step_matches_one_step_of_descend_constant():
    for c in (0.0, 4.5, 5.0, 20.0):
        path = optimise.descend_constant(SEVEN, "l1", start=c, step=0.3, n_steps=1)
        assert optimise.l1_step(c, SEVEN, 0.3) == pytest.approx(path[1], abs=1e-15)
    # a far outlier pulls no harder than a near point
    assert optimise.l1_step(1.0, [0.0, 100.0], 1.0) == 1.0
    assert optimise.l1_step(1.0, [0.0, 2.0], 1.0) == 1.0
    # a zero residual contributes nothing (sign(0) = 0)
    assert optimise.l1_step(2.0, [2.0, 2.0, 2.0], 1.0) == 2.0


@pytest.mark.parametrize("bad", [[], [1.0, np.nan], "abc"])
def test_bad_data_gets_a_clear_message(bad):
    with pytest.raises(ValueError, match="y must"):
        optimise.descend_constant(bad, "l1")


def test_unknown_loss_gets_a_clear_message():
    with pytest.raises(ValueError, match="unknown loss .l3.; choose one of"):
        optimise.constant_gradient(0.0, SEVEN, "l3")


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=12),
    start=st.floats(-50, 50),
    step=st.floats(0.01, 0.49),
)
def test_l2_distance_to_the_mean_never_grows_for_steps_below_half(values, start, step):
    y = np.array(values)
    path = optimise.descend_constant(y, "l2", start=start, step=step, n_steps=30)
    distance = np.abs(path - y.mean())
    assert np.all(distance[1:] <= distance[:-1] + 1e-9)


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.floats(-50, 50, allow_nan=False), min_size=1, max_size=12),
    start=st.floats(-50, 50),
    step=st.floats(0.01, 3.0),
)
def test_an_l1_step_never_moves_further_than_the_step(values, start, step):
    moved = optimise.l1_step(start, values, step) - start
    assert abs(moved) <= step * (1 + 1e-12)
