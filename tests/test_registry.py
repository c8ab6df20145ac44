"""Tests of lessons.registry: one list of losses, the same spellings accepted everywhere."""

import numpy as np
import pytest

from lessons import fitting, losses, mlp, optimise, plotting, registry
from lessons.demos import gradients

# Every spelling the course promises, and the loss it means.
SPELLINGS = {
    "l1": "l1_loss", "mae": "l1_loss", "L1": "l1_loss", "l1_loss": "l1_loss",
    "absolute": "l1_loss",
    "l2": "mse_loss", "mse": "mse_loss", "MSE": "mse_loss", "mse_loss": "mse_loss",
    "squared": "mse_loss",
    "huber": "huber_loss", "Huber": "huber_loss", "huber_loss": "huber_loss",
    "smooth_l1": "smooth_l1_loss", "smoothl1": "smooth_l1_loss", "SmoothL1": "smooth_l1_loss",
    "smooth-l1": "smooth_l1_loss", "smooth_l1_loss": "smooth_l1_loss",
    "log_cosh": "log_cosh_loss", "logcosh": "log_cosh_loss", "log-cosh": "log_cosh_loss",
    "log_cosh_loss": "log_cosh_loss",
    "pinball": "pinball_loss", "quantile": "pinball_loss", "pinball_loss": "pinball_loss",
}


@pytest.mark.parametrize("spelling, name", sorted(SPELLINGS.items()))
def test_every_spelling_finds_its_loss(spelling, name):
    assert registry.get(spelling).name == name


def test_names_are_torch_style_and_functions_come_from_losses():
    assert registry.names() == ("l1_loss", "mse_loss", "huber_loss", "smooth_l1_loss",
                                "log_cosh_loss", "pinball_loss")
    for name in registry.names():
        record = registry.get(name)
        assert record.loss is getattr(losses, name)
        assert record.grad is getattr(losses, name + "_grad")
        assert plotting.color(record.key) == plotting.color(name)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="unknown loss 'l3'") as error:
        registry.get("l3")
    for name in registry.names():
        assert name in str(error.value)
    assert "mae" in str(error.value) and "quantile" in str(error.value)


def test_a_loss_outside_a_modules_list_names_only_that_list():
    with pytest.raises(ValueError, match="not available here") as error:
        registry.get("pinball", among=("l2", "l1"))
    assert "l1_loss" in str(error.value) and "pinball_loss" not in str(error.value)


def test_parameters_are_passed_only_to_the_losses_that_take_them():
    huber = registry.get("huber")
    assert huber.value([3.0], [0.0], delta=2.0, tau=0.3) == losses.huber_loss([3.0], [0.0],
                                                                              delta=2.0)
    assert registry.get("mae").value([3.0], [0.0], delta=2.0) == 3.0


# Every module that takes a loss by name accepts the same spellings of the losses it supports.
X = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
Y = np.array([0.0, 1.5, 1.0, 3.5, 9.0])


def _uses(module_losses, spelling):
    return registry.get(spelling).key in module_losses


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_fitting_accepts_every_spelling(spelling):
    if not _uses(fitting.LOSSES, spelling):
        with pytest.raises(ValueError, match="not available here"):
            fitting.fit_line(X, Y, spelling)
        return
    fit = fitting.fit_line(X, Y, spelling)
    assert fit.loss == registry.get(spelling).key


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_optimise_mlp_and_demos_accept_every_spelling(spelling):
    key = registry.get(spelling).key
    for module_losses, call in (
        (optimise.LOSSES, lambda: optimise.constant_gradient(1.0, Y, spelling)),
        (mlp.LOSSES, lambda: mlp.loss_value(spelling, X, Y)),
        (gradients.LOSSES, lambda: gradients.slope(spelling, 2.0)),
    ):
        if key in module_losses:
            assert np.isfinite(call())
        else:
            with pytest.raises(ValueError, match="not available here"):
                call()
    assert plotting.color(spelling) == plotting.COLORS[key]
