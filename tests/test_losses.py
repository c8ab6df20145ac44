"""Tests of lessons.losses: hand-checked values, torch parity, properties and bad input."""

import doctest
import inspect

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from lessons import losses

# Every loss with a parameter value to test it at: (name, keyword arguments).
PARAMETRISED = [
    ("l1_loss", {}),
    ("mse_loss", {}),
    ("huber_loss", {"delta": 1.0}),
    ("huber_loss", {"delta": 0.3}),
    ("huber_loss", {"delta": 2.5}),
    ("smooth_l1_loss", {"beta": 1.0}),
    ("smooth_l1_loss", {"beta": 0.5}),
    ("smooth_l1_loss", {"beta": 0.0}),
    ("log_cosh_loss", {}),
    ("pinball_loss", {"tau": 0.5}),
    ("pinball_loss", {"tau": 0.1}),
    ("pinball_loss", {"tau": 0.9}),
]
REDUCTIONS = ["mean", "sum", "none"]


def loss_and_grad(name):
    return getattr(losses, name), getattr(losses, name + "_grad")


def test_doctests_pass():
    result = doctest.testmod(losses, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 12
    assert result.failed == 0


# ---------------------------------------------------------------------------------------------
# Hand-checked values (the sources' worked examples, recomputed by hand)
# ---------------------------------------------------------------------------------------------
def test_worked_examples_by_hand():
    # |3-1| + |1-3| = 4, mean 2; squares 4 + 4 = 8, mean 4.
    assert losses.l1_loss([3.0, 1.0], [1.0, 3.0]) == 2.0
    assert losses.mse_loss([3.0, 1.0], [1.0, 3.0]) == 4.0
    # Huber(delta=1) of 0.5 and 2: 0.125 and 1.5, mean 0.8125.
    assert losses.huber_loss([0.5, 2.0], [0.0, 0.0]) == 0.8125
    # 0.5 + 0.5 + 0.1 + 0.3 = 1.4, mean 0.35 (one source prints 0.325 for this example).
    assert losses.l1_loss([2.5, 0.0, 2.1, 7.8], [3.0, -0.5, 2.0, 7.5]) == pytest.approx(0.35)
    assert losses.mse_loss([90, 95, 105], [100, 100, 100], reduction="sum") == 150.0


def test_reductions_relate_by_n():
    rng = np.random.default_rng(0)
    prediction, target = rng.normal(size=(2, 3, 4))
    for name, kwargs in PARAMETRISED:
        loss, grad = loss_and_grad(name)
        per_element = loss(prediction, target, reduction="none", **kwargs)
        assert per_element.shape == (3, 4)
        total = loss(prediction, target, reduction="sum", **kwargs)
        assert total == pytest.approx(per_element.sum())
        assert loss(prediction, target, **kwargs) == pytest.approx(per_element.mean())
        np.testing.assert_allclose(
            grad(prediction, target, **kwargs),
            grad(prediction, target, reduction="sum", **kwargs) / 12,
        )
        np.testing.assert_array_equal(
            grad(prediction, target, reduction="none", **kwargs),
            grad(prediction, target, reduction="sum", **kwargs),
        )


def test_subgradients_at_kinks():
    zero = np.zeros(3)
    np.testing.assert_array_equal(losses.l1_loss_grad(zero, zero, reduction="sum"), 0.0)
    np.testing.assert_array_equal(
        losses.smooth_l1_loss_grad(zero, zero, beta=0.0, reduction="sum"), 0.0
    )
    # Pinball at e = 0: midpoint 0.5 - tau of the subdifferential [-tau, 1 - tau].
    np.testing.assert_allclose(
        losses.pinball_loss_grad(zero, zero, tau=0.2, reduction="sum"), 0.3
    )
    # Huber exactly at |e| = delta: the derivative is continuous, ±delta.
    np.testing.assert_array_equal(
        losses.huber_loss_grad([2.0, -2.0], [0.0, 0.0], delta=2.0, reduction="sum"), [2.0, -2.0]
    )
    assert losses.huber_loss([2.0], [0.0], delta=2.0) == 2.0  # ½·2² = 2·(2 - 1) = 2


def test_log_cosh_is_stable_for_huge_residuals():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        value = losses.log_cosh_loss([1000.0, -1000.0], [0.0, 0.0], reduction="none")
    np.testing.assert_allclose(value, 1000.0 - np.log(2.0), rtol=1e-15)
    assert losses.log_cosh_loss([0.0], [0.0]) == 0.0
    np.testing.assert_allclose(losses.log_cosh_loss_grad([1e6], [0.0], reduction="sum"), [1.0])


def test_scalars_and_lists_are_accepted():
    assert losses.mse_loss(3.0, 1.0) == 4.0
    grad = losses.l1_loss_grad(3.0, 1.0)
    assert isinstance(grad, np.ndarray) and grad.shape == () and grad == 1.0


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss",
                                  "log_cosh_loss", "pinball_loss"])
def test_bad_input_is_explained(name):
    loss, grad = loss_and_grad(name)
    for function in (loss, grad):
        with pytest.raises(ValueError, match="same shape.*\\(3,\\) and \\(2,\\)"):
            function(np.zeros(3), np.zeros(2))
        with pytest.raises(ValueError, match="reduction must be one of"):
            function(np.zeros(3), np.zeros(3), reduction="average")
        with pytest.raises(ValueError, match="must be numbers"):
            function(["a", "b"], [1.0, 2.0])
        with pytest.raises(ValueError, match="empty"):
            function(np.zeros(0), np.zeros(0))


@pytest.mark.parametrize("delta", [0.0, -1.0, float("nan"), float("inf")])
def test_huber_rejects_non_positive_delta(delta):
    for function in loss_and_grad("huber_loss"):
        with pytest.raises(ValueError, match="delta` must be a positive number"):
            function([1.0], [0.0], delta=delta)


@pytest.mark.parametrize("beta", [-0.5, float("nan")])
def test_smooth_l1_rejects_negative_beta(beta):
    for function in loss_and_grad("smooth_l1_loss"):
        with pytest.raises(ValueError, match="beta` must be zero or a positive number"):
            function([1.0], [0.0], beta=beta)


@pytest.mark.parametrize("tau", [0.0, 1.0, -0.1, 1.5, float("nan")])
def test_pinball_rejects_tau_outside_unit_interval(tau):
    for function in loss_and_grad("pinball_loss"):
        with pytest.raises(ValueError, match="tau` must lie strictly between 0 and 1"):
            function([1.0], [0.0], tau=tau)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------
finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)
vectors = st.integers(1, 8).flatmap(
    lambda n: st.tuples(arrays(np.float64, n, elements=finite),
                        arrays(np.float64, n, elements=finite))
)
positive = st.floats(1e-3, 1e3)


@settings(max_examples=200, deadline=None)
@given(vectors, positive, st.floats(0.01, 0.99))
def test_losses_are_non_negative_and_zero_at_perfect_prediction(pair, width, tau):
    prediction, target = pair
    values = [
        losses.l1_loss(prediction, target, reduction="none"),
        losses.mse_loss(prediction, target, reduction="none"),
        losses.huber_loss(prediction, target, delta=width, reduction="none"),
        losses.smooth_l1_loss(prediction, target, beta=width, reduction="none"),
        losses.log_cosh_loss(prediction, target, reduction="none"),
        losses.pinball_loss(prediction, target, tau=tau, reduction="none"),
    ]
    for value in values:
        assert np.all(value >= 0)
    assert losses.huber_loss(target, target, delta=width) == 0.0
    assert losses.pinball_loss(target, target, tau=tau) == 0.0


@settings(max_examples=200, deadline=None)
@given(vectors, positive)
def test_symmetric_losses_ignore_the_sign_of_the_residual(pair, width):
    prediction, target = pair
    for name, kwargs in [("l1_loss", {}), ("mse_loss", {}), ("huber_loss", {"delta": width}),
                         ("smooth_l1_loss", {"beta": width}), ("log_cosh_loss", {})]:
        loss = getattr(losses, name)
        assert loss(prediction, target, **kwargs) == pytest.approx(
            loss(target, prediction, **kwargs), rel=1e-12, abs=1e-12
        )


@settings(max_examples=200, deadline=None)
@given(vectors, positive)
def test_smooth_l1_is_huber_divided_by_beta(pair, beta):
    prediction, target = pair
    for reduction in REDUCTIONS:
        np.testing.assert_allclose(
            losses.smooth_l1_loss(prediction, target, beta=beta, reduction=reduction),
            np.divide(losses.huber_loss(prediction, target, delta=beta, reduction=reduction), beta),
            rtol=1e-12, atol=1e-12,
        )
        np.testing.assert_allclose(
            losses.smooth_l1_loss_grad(prediction, target, beta=beta, reduction=reduction),
            losses.huber_loss_grad(prediction, target, delta=beta, reduction=reduction) / beta,
            rtol=1e-12, atol=1e-12,
        )


@settings(max_examples=200, deadline=None)
@given(vectors)
def test_pinball_at_one_half_is_half_the_absolute_error(pair):
    prediction, target = pair
    assert losses.pinball_loss(prediction, target, tau=0.5) == pytest.approx(
        0.5 * losses.l1_loss(prediction, target), rel=1e-12, abs=1e-12
    )
    np.testing.assert_allclose(
        losses.pinball_loss_grad(prediction, target, tau=0.5),
        0.5 * losses.l1_loss_grad(prediction, target), atol=1e-15,
    )


@settings(max_examples=100, deadline=None)
@given(vectors)
def test_huber_limits(pair):
    prediction, target = pair
    largest = float(np.max(np.abs(target - prediction)))
    # Once delta exceeds every residual, Huber is exactly half the squared error.
    assert losses.huber_loss(prediction, target, delta=largest + 1.0) == pytest.approx(
        0.5 * losses.mse_loss(prediction, target), rel=1e-12, abs=1e-12
    )
    # Huber/delta -> |e| as delta -> 0: the gap is at most delta/2 per element.
    for delta in (1e-2, 1e-4, 1e-6):
        gap = abs(losses.huber_loss(prediction, target, delta=delta) / delta
                  - losses.l1_loss(prediction, target))
        assert gap <= delta / 2 + 1e-9


def _finite_difference(loss, prediction, target, step=1e-4, **kwargs):
    grad = np.zeros_like(prediction)
    for index in np.ndindex(prediction.shape):
        up, down = prediction.copy(), prediction.copy()
        up[index] += step
        down[index] -= step
        grad[index] = (loss(up, target, **kwargs) - loss(down, target, **kwargs)) / (2 * step)
    return grad


@settings(max_examples=100, deadline=None)
@given(vectors, st.sampled_from(PARAMETRISED), st.sampled_from(["mean", "sum"]))
def test_gradients_match_finite_differences_away_from_kinks(pair, case, reduction):
    # Moderate values keep the finite difference's rounding error (~ eps·loss/step) small.
    prediction, target = (np.round(np.clip(a, -100, 100), 3) for a in pair)
    name, kwargs = case
    residual = np.abs(target - prediction)
    kinks = [0.0] + [value for key, value in kwargs.items() if key in ("delta", "beta")]
    # Keep clear of every kink by more than the finite-difference step.
    if any(np.any(np.abs(residual - kink) < 1e-3) for kink in kinks):
        return
    loss, grad = loss_and_grad(name)
    np.testing.assert_allclose(
        grad(prediction, target, reduction=reduction, **kwargs),
        _finite_difference(loss, prediction, target, reduction=reduction, **kwargs),
        rtol=1e-5, atol=1e-5,
    )


# ---------------------------------------------------------------------------------------------
# Parity with PyTorch (runs whenever torch is installed; .ci/run installs torch==2.13.0)
# ---------------------------------------------------------------------------------------------
TORCH_MISSING = ("torch parity not checked: torch is not installed "
                 "(pip install torch==2.13.0, as .ci/run does)")


def _torch():
    return pytest.importorskip("torch", reason=TORCH_MISSING)


def _torch_reference(name, prediction, target, reduction, kwargs):
    torch = _torch()
    functional = torch.nn.functional
    x = torch.tensor(prediction, dtype=torch.float64, requires_grad=True)
    y = torch.tensor(target, dtype=torch.float64)
    if name == "l1_loss":
        value = functional.l1_loss(x, y, reduction=reduction)
    elif name == "mse_loss":
        value = functional.mse_loss(x, y, reduction=reduction)
    elif name == "huber_loss":
        value = functional.huber_loss(x, y, reduction=reduction, delta=kwargs["delta"])
    elif name == "smooth_l1_loss":
        value = functional.smooth_l1_loss(x, y, reduction=reduction, beta=kwargs["beta"])
    else:
        # No torch.nn.functional version: autograd of the defining formula.
        residual = y - x
        if name == "log_cosh_loss":
            per_element = torch.log(torch.cosh(residual))
        else:
            tau = kwargs["tau"]
            per_element = torch.maximum(tau * residual, (tau - 1) * residual)
        value = {"mean": per_element.mean, "sum": per_element.sum,
                 "none": lambda: per_element}[reduction]()
    value.backward(torch.ones_like(value))
    return value.detach().numpy(), x.grad.numpy()


EDGE_PREDICTIONS = np.array([0.0, 1.0, -1.0, 0.3, -0.3, 0.5, -0.5, 2.5, -2.5, 1e-12, 7.0, -40.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kwargs", PARAMETRISED)
def test_values_and_gradients_match_torch(name, kwargs, reduction):
    rng = np.random.default_rng(2024)
    target = np.zeros_like(EDGE_PREDICTIONS)  # residuals of exactly 0, ±delta, ±beta and beyond
    cases = [(EDGE_PREDICTIONS, target), (rng.normal(size=(4, 5)) * 3, rng.normal(size=(4, 5)))]
    # Exactly at the boundary with a non-zero target too.
    cases.append((np.array([1.25, -0.75, 2.0]), np.array([1.25 - 0.3, -0.75 + 0.3, 2.0 + 2.5])))
    loss, grad = loss_and_grad(name)
    for prediction, target in cases:
        expected_value, expected_grad = _torch_reference(
            name, prediction, target, reduction, kwargs
        )
        np.testing.assert_allclose(
            loss(prediction, target, reduction=reduction, **kwargs), expected_value,
            rtol=1e-12, atol=1e-14,
        )
        np.testing.assert_allclose(
            grad(prediction, target, reduction=reduction, **kwargs), expected_grad,
            rtol=1e-12, atol=1e-14,
        )


# ---------------------------------------------------------------------------------------------
# Argument order: torch's, with everything after (input, target) keyword-only
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,kwargs", PARAMETRISED)
def test_everything_after_input_and_target_is_keyword_only(name, kwargs):
    loss, grad = loss_and_grad(name)
    for function in (loss, grad):
        parameters = list(inspect.signature(function).parameters.values())
        assert [p.name for p in parameters[:3]] == ["input", "target", "reduction"]
        assert all(p.kind is p.KEYWORD_ONLY for p in parameters[2:])
        with pytest.raises(TypeError):
            function([1.0], [0.0], "sum")


@pytest.mark.parametrize("name", ["l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss"])
def test_keyword_order_and_defaults_agree_with_torch(name):
    functional = _torch().nn.functional
    ours = inspect.signature(getattr(losses, name)).parameters
    theirs = inspect.signature(getattr(functional, name)).parameters
    legacy = {"size_average", "reduce", "weight"}
    theirs = {key: value for key, value in theirs.items() if key not in legacy}
    assert list(ours) == list(theirs)
    for key in list(ours)[2:]:
        assert ours[key].default == theirs[key].default
