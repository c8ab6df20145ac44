"""lessons.mlp: the NumPy network's backward pass against finite differences and torch autograd,
its Adam against torch.optim.Adam, and what `train` and `compare` record."""

import doctest
import warnings

import numpy as np
import pytest
from test_losses import TORCH_MISSING  # noqa: I001

from lessons import batched, data, losses, mlp
from lessons import network as network_module

SMOOTH_LOSSES = ("l2", "huber", "log_cosh")


@pytest.fixture
def network():
    rng = np.random.default_rng(20240606)
    params = mlp.init_params(rng)
    x = rng.uniform(-3.0, 3.0, size=12)
    y = rng.normal(0.0, 1.5, size=12)
    return params, x, y


@pytest.mark.parametrize("module", [network_module, batched, mlp])
def test_doctests_pass(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


def _finite_difference(params, x, y, loss, name, index, h=1e-6, delta=1.0):
    shifted = mlp.copy_params(params)
    shifted[name][index] += h
    above = mlp.loss_value(loss, mlp.predict(shifted, x), y, delta)
    shifted[name][index] -= 2 * h
    below = mlp.loss_value(loss, mlp.predict(shifted, x), y, delta)
    return (above - below) / (2 * h)


# --------------------------------------------------------------------------------------------
# Parameters and forward pass
# --------------------------------------------------------------------------------------------
def test_init_params_shapes_bounds_and_determinism():
    params = mlp.init_params(np.random.default_rng(3))
    shapes = {name: value.shape for name, value in params.items()}
    assert shapes == {"W1": (1, 64), "b1": (64,), "W2": (64, 64), "b2": (64,),
                      "W3": (64, 1), "b3": (1,)}
    for layer, fan_in in ((1, 1), (2, 64), (3, 64)):
        for name in (f"W{layer}", f"b{layer}"):
            assert np.abs(params[name]).max() <= 1 / np.sqrt(fan_in)
    # torch.nn.Linear's default: weights fill the interval, not a narrower one
    assert np.abs(params["W2"]).max() > 0.9 / np.sqrt(64)
    again = mlp.init_params(np.random.default_rng(3))
    assert all(np.array_equal(params[name], again[name]) for name in params)
    other = mlp.init_params(np.random.default_rng(4))
    assert not np.array_equal(params["W2"], other["W2"])


def test_init_params_rejects_what_is_not_a_generator():
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        mlp.init_params(7)
    with pytest.raises(ValueError, match="layer widths"):
        mlp.init_params(np.random.default_rng(0), sizes=(1,))


def test_forward_by_hand_and_cache(network):
    params, x, _ = network
    output, cache = mlp.forward(params, x)
    hidden1 = np.tanh(x[:, None] @ params["W1"] + params["b1"])
    hidden2 = np.tanh(hidden1 @ params["W2"] + params["b2"])
    expected = (hidden2 @ params["W3"] + params["b3"])[:, 0]
    np.testing.assert_allclose(output, expected, rtol=1e-12, atol=1e-12)
    assert output.shape == (12,) and len(cache) == 3
    np.testing.assert_allclose(cache[2], hidden2, rtol=1e-12)


def test_predict_in_blocks_equals_one_forward_pass(network):
    params, _, _ = network
    long_x = np.linspace(-3.0, 3.0, 241)
    np.testing.assert_allclose(mlp.predict(params, long_x), mlp.forward(params, long_x)[0],
                               rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Backward pass: finite differences
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", SMOOTH_LOSSES)
def test_backward_matches_finite_differences_for_every_parameter(network, loss):
    params, x, y = network
    _, grads = mlp.loss_and_grads(params, x, y, loss)
    rng = np.random.default_rng(1)
    for name, value in params.items():
        assert grads[name].shape == value.shape
        flat_indices = rng.choice(value.size, size=min(6, value.size), replace=False)
        for flat_index in flat_indices:
            index = np.unravel_index(flat_index, value.shape)
            numeric = _finite_difference(params, x, y, loss, name, index)
            assert grads[name][index] == pytest.approx(numeric, rel=1e-5, abs=1e-9), (name, index)


def test_backward_for_l1_matches_finite_differences_away_from_the_kink(network):
    params, x, _ = network
    output = mlp.predict(params, x)
    # Targets at least 0.5 away from every prediction: a tiny weight change flips no sign.
    y = output + np.where(np.arange(x.size) % 2 == 0, 0.5, -0.7)
    _, grads = mlp.loss_and_grads(params, x, y, "l1")
    for name in params:
        index = (0,) * params[name].ndim
        numeric = _finite_difference(params, x, y, "l1", name, index)
        assert grads[name][index] == pytest.approx(numeric, rel=1e-5, abs=1e-9), name


def test_backward_uses_the_loss_only_through_the_output_gradient(network):
    params, x, y = network
    output, cache = mlp.forward(params, x)
    by_hand = mlp.backward(params, cache, losses.l1_loss_grad(output, y))
    _, by_name = mlp.loss_and_grads(params, x, y, "mae")
    assert all(np.array_equal(by_hand[name], by_name[name]) for name in params)
    # L1 at a zero residual: sign(0) = 0, so that point contributes nothing
    y_exact = output.copy()
    _, grads = mlp.loss_and_grads(params, x, y_exact, "l1")
    assert all(not np.any(value) for value in grads.values())


# --------------------------------------------------------------------------------------------
# Backward pass and Adam: torch (CI installs torch 2.13.0)
# --------------------------------------------------------------------------------------------
def _torch_network(torch, params):
    layers = []
    for layer in (1, 2, 3):
        weight = params[f"W{layer}"]
        linear = torch.nn.Linear(weight.shape[0], weight.shape[1], dtype=torch.float64)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(weight.T.copy()))
            linear.bias.copy_(torch.from_numpy(params[f"b{layer}"].copy()))
        layers.append(linear)
    return torch.nn.Sequential(layers[0], torch.nn.Tanh(), layers[1], torch.nn.Tanh(), layers[2])


def _torch_loss(torch, name):
    functional = torch.nn.functional
    return {"l2": functional.mse_loss, "l1": functional.l1_loss,
            "huber": lambda input, target: functional.huber_loss(input, target, delta=1.0)}[name]


@pytest.mark.parametrize("loss", ("l2", "l1", "huber"))
def test_backward_matches_torch_autograd(network, loss):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    params, x, y = network
    model = _torch_network(torch, params)
    inputs = torch.from_numpy(x.reshape(-1, 1))
    output = model(inputs)[:, 0]
    value = _torch_loss(torch, loss)(output, torch.from_numpy(y))
    value.backward()
    ours_value, ours = mlp.loss_and_grads(params, x, y, loss)
    assert ours_value == pytest.approx(value.item(), rel=1e-12)
    np.testing.assert_allclose(mlp.predict(params, x), output.detach().numpy(), rtol=1e-12)
    for layer, linear in zip((1, 2, 3), (model[0], model[2], model[4]), strict=True):
        np.testing.assert_allclose(ours[f"W{layer}"], linear.weight.grad.numpy().T,
                                   rtol=1e-10, atol=1e-13)
        np.testing.assert_allclose(ours[f"b{layer}"], linear.bias.grad.numpy(),
                                   rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("loss", ("l2", "l1"))
def test_adam_training_matches_torch_optim_adam(network, loss):
    torch = pytest.importorskip("torch", reason=TORCH_MISSING)
    params, x, y = network
    steps, lr = 5, 0.01
    run = mlp.train(params, x, y, loss, steps=steps, lr=lr, dtype=np.float64)
    model = _torch_network(torch, params)
    optimiser = torch.optim.Adam(model.parameters(), lr=lr)
    inputs, targets = torch.from_numpy(x.reshape(-1, 1)), torch.from_numpy(y)
    torch_losses = []
    for _ in range(steps):
        optimiser.zero_grad()
        value = _torch_loss(torch, loss)(model(inputs)[:, 0], targets)
        torch_losses.append(value.item())
        value.backward()
        optimiser.step()
    np.testing.assert_allclose(run.train_loss, torch_losses, rtol=1e-10)
    for layer, linear in zip((1, 2, 3), (model[0], model[2], model[4]), strict=True):
        np.testing.assert_allclose(run.params[f"W{layer}"], linear.weight.detach().numpy().T,
                                   rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------------------------
# Training
# --------------------------------------------------------------------------------------------
def test_one_gradient_descent_step_is_params_minus_lr_times_grads(network):
    params, x, y = network
    run = mlp.train(params, x, y, "l2", steps=1, lr=0.1, optimiser="gd", dtype=np.float64)
    _, grads = mlp.loss_and_grads(params, x, y, "l2")
    for name in params:
        np.testing.assert_allclose(run.params[name], params[name] - 0.1 * grads[name],
                                   rtol=1e-12, atol=1e-15)


def test_training_defaults_to_float64_and_float32_is_available(network):
    params, x, y = network
    assert mlp.train(params, x, y, steps=2).params["W2"].dtype == np.float64
    single = mlp.train(params, x, y, steps=2, dtype=np.float32)
    assert single.params["W2"].dtype == np.float32
    np.testing.assert_allclose(single.train_loss, mlp.train(params, x, y, steps=2).train_loss,
                               rtol=1e-5)


def test_train_leaves_its_starting_weights_alone_and_records(network):
    params, x, y = network
    before = mlp.copy_params(params)
    grid = np.linspace(-3, 3, 7)
    truth = np.sin(grid)
    run = mlp.train(params, x, y, "huber", steps=25, lr=0.01, eval_x=grid, eval_target=truth,
                    record_every=10)
    assert all(np.array_equal(params[name], before[name]) for name in params)
    assert run.record_steps.tolist() == [0, 10, 20, 25]
    assert run.snapshots.shape == (4, 7) and run.data_snapshots.shape == (4, x.size)
    assert run.losses == ["huber"] * 25 and run.diverged_at is None
    np.testing.assert_allclose(run.snapshots[0], mlp.predict(params, grid), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(run.clean_error,
                               np.sqrt(np.mean((run.snapshots - truth) ** 2, axis=1)))
    assert run.final_clean_error == run.clean_error[-1]
    assert run.late_clean_error(10) == pytest.approx(run.clean_error[-2:].mean())
    assert run.late_clean_error(25) == pytest.approx(run.clean_error.mean())
    assert run.clean_error_at(20) == run.clean_error[2]
    assert run.train_loss[0] == pytest.approx(
        losses.huber_loss(mlp.predict(params, x), y), rel=1e-5)
    assert run.train_loss[-1] < run.train_loss[0]  # it learns
    with pytest.raises(ValueError, match="not recorded"):
        run.clean_error_at(15)


def test_switching_loss_part_way(network):
    params, x, y = network
    run = mlp.train(params, x, y, "l2", steps=6, switch_to="l1", switch_at=4)
    assert run.losses == ["l2"] * 4 + ["l1"] * 2
    straight = mlp.train(params, x, y, "l2", steps=4)
    np.testing.assert_array_equal(run.train_loss[:4], straight.train_loss)
    with pytest.raises(ValueError, match="switch_at"):
        mlp.train(params, x, y, "l2", steps=6, switch_to="l1", switch_at=9)
    with pytest.raises(ValueError, match="switch_to"):
        mlp.train(params, x, y, "l2", steps=6, switch_at=3)


def test_divergence_is_reported_not_warned(network):
    params, x, y = network
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = mlp.train(params, x, y * 50, "l2", steps=200, lr=5.0, optimiser="gd")
    assert run.diverged_at is not None and run.diverged_at < 200
    assert np.isnan(run.train_loss[run.diverged_at - 1:]).all()


def test_progress_is_reported_at_each_recorded_step(network):
    params, x, y = network
    calls = []
    mlp.train(params, x, y, "l1", steps=30, record_every=10,
              progress=lambda step, steps: calls.append((step, steps)))
    assert calls == [(10, 30), (20, 30), (30, 30)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"loss": "l3"}, "unknown loss 'l3'"), ({"optimiser": "sgd"}, "optimiser"),
     ({"lr": -1.0}, "lr must be a positive"), ({"steps": 0}, "positive whole")],
)
def test_train_explains_bad_settings(network, kwargs, message):
    params, x, y = network
    with pytest.raises(ValueError, match=message):
        mlp.train(params, x, y, **kwargs)


def test_train_explains_mismatched_data(network):
    params, x, _ = network
    with pytest.raises(ValueError, match="same length"):
        mlp.train(params, x, x[:-1])


def _same_run(batched, alone):
    """Every field of two TrainingRuns identical, to the last bit."""
    assert batched.losses == alone.losses and batched.diverged_at == alone.diverged_at
    for name in ("train_loss", "record_steps", "snapshots", "data_snapshots", "eval_x"):
        np.testing.assert_array_equal(getattr(batched, name), getattr(alone, name), err_msg=name)
    if alone.clean_error is None:
        assert batched.clean_error is None
    else:
        np.testing.assert_array_equal(batched.clean_error, alone.clean_error)
    assert batched.params.keys() == alone.params.keys()
    for name, value in alone.params.items():
        np.testing.assert_array_equal(batched.params[name], value, err_msg=name)
        assert batched.params[name].shape == value.shape


def test_train_many_gives_each_run_exactly_what_train_gives_it_alone():
    rng = np.random.default_rng(11)
    inits = [mlp.init_params(rng) for _ in range(4)]
    xs = [rng.uniform(-3, 3, size=size) for size in (64, 64, 64, 9)]
    ys = [np.sin(x) + rng.normal(0, 0.3, size=x.size) for x in xs]
    grid = np.linspace(-3, 3, 61)
    shared = {"steps": 23, "lr": 0.02, "record_every": 5, "eval_x": grid,
              "eval_target": np.sin(grid)}
    per_run = {"loss": ["l2", "l1", "huber", "log_cosh"], "delta": [1.0, 1.0, 0.3, 1.0],
               "switch_to": [None, None, "l1", None], "switch_at": [None, None, 7, None]}
    runs = mlp.train_many(inits, xs, ys, **per_run, **shared)
    assert len(runs) == 4
    for index, run in enumerate(runs):
        alone = mlp.train(inits[index], xs[index], ys[index],
                          **{key: values[index] for key, values in per_run.items()}, **shared)
        _same_run(run, alone)
    # Without eval_x the snapshots are taken at each run's own x; plain gradient descent too.
    plain = mlp.train_many(inits[:2], xs[:2], ys[:2], "l1", steps=12, optimiser="gd", lr=0.1,
                           record_every=4)
    for index, run in enumerate(plain):
        _same_run(run, mlp.train(inits[index], xs[index], ys[index], "l1", steps=12,
                                 optimiser="gd", lr=0.1, record_every=4))


def test_train_many_lets_one_run_diverge_while_the_others_go_on(network):
    params, x, y = network
    calls = []
    runs = mlp.train_many([params, params], [x, x], [y * 50, y], "l2", steps=60, lr=5.0,
                          optimiser="gd", record_every=20,
                          progress=lambda step, steps: calls.append((step, steps)))
    assert runs[0].diverged_at is not None and runs[1].diverged_at is None
    for run, targets in zip(runs, (y * 50, y), strict=True):
        _same_run(run, mlp.train(params, x, targets, "l2", steps=60, lr=5.0, optimiser="gd",
                                 record_every=20))
    assert calls == [(20, 60), (40, 60), (60, 60)]


def test_a_run_that_repeats_another_runs_first_steps_is_trained_only_from_where_it_differs(
        network, monkeypatch):
    # A loss switched part-way, or a repeated run, from the same weights on the same data: its
    # first steps are the other run's, so the batch computes them once, to the same bits.
    params, x, y = network
    grid = np.linspace(-3, 3, 31)
    shared = {"steps": 12, "lr": 0.02, "record_every": 5, "eval_x": grid,
              "eval_target": np.sin(grid)}
    per_run = {"loss": ["l2", "l2", "l1", "l2", "l2"],
               "switch_to": [None, "l1", None, "huber", None],
               "switch_at": [None, 5, None, 8, None]}
    rows = []
    forward = batched.forward_stack
    monkeypatch.setattr(batched, "forward_stack", lambda stack, inputs, work=None: (
        rows.append(inputs.shape[0]), forward(stack, inputs, work))[1])
    runs = mlp.train_many([params] * 5, [x] * 5, [y] * 5, **per_run, **shared)
    # Steps 1-5: the L2 and L1 runs; the run switched at 5 joins at step 6, the one switched at
    # 8 at step 9; the repeated L2 run is never trained.
    assert rows == [2] * 5 + [3] * 3 + [4] * 4
    monkeypatch.undo()
    for index, run in enumerate(runs):
        _same_run(run, mlp.train(params, x, y, **{key: values[index]
                                                  for key, values in per_run.items()}, **shared))
    # A leader that diverges before the switch takes its follower with it, at the same step.
    switches = {"switch_to": [None, "l1", "l1"], "switch_at": [None, 1, 58]}
    diverging = mlp.train_many([params] * 3, [x] * 3, [y * 50] * 3, "l2", **switches, steps=60,
                               lr=5.0, optimiser="gd", record_every=20)
    assert diverging[0].diverged_at < 58 and diverging[2].diverged_at == diverging[0].diverged_at
    for index, run in enumerate(diverging):
        _same_run(run, mlp.train(params, x, y * 50, "l2", switch_to=switches["switch_to"][index],
                                 switch_at=switches["switch_at"][index], steps=60, lr=5.0,
                                 optimiser="gd", record_every=20))


def test_train_many_explains_mismatched_runs(network):
    params, x, y = network
    with pytest.raises(ValueError, match="same runs"):
        mlp.train_many([params, params], [x], [y])
    with pytest.raises(ValueError, match="one per run"):
        mlp.train_many([params, params], [x, x], [y, y], ["l2", "l1", "huber"])


# --------------------------------------------------------------------------------------------
# Measures and experiments
# --------------------------------------------------------------------------------------------
def test_outlier_fit_fraction_runs_from_clean_signal_to_outliers():
    y = np.array([0.0, 3.0, 1.0, -2.0])
    clean = np.array([0.0, 0.0, 1.0, 0.0])
    is_outlier = np.array([False, True, False, True])
    assert mlp.outlier_fit_fraction(clean, y, clean, is_outlier) == 0.0
    assert mlp.outlier_fit_fraction(y, y, clean, is_outlier) == 1.0
    halfway = np.stack([clean, (clean + y) / 2])
    np.testing.assert_allclose(mlp.outlier_fit_fraction(halfway, y, clean, is_outlier), [0, 0.5])
    with pytest.raises(ValueError, match="no outlier"):
        mlp.outlier_fit_fraction(y, y, clean, np.zeros(4, bool))


def test_rmse():
    assert mlp.rmse([1.0, 3.0], [0.0, 0.0]) == pytest.approx(np.sqrt(5.0))


def test_compare_trains_every_setting_from_the_same_weights_on_the_same_points():
    settings = {"l2": {"loss": "l2"}, "l1": {"loss": "l1"},
                "l2 clean": {"loss": "l2", "without_outliers": True}}
    trials = mlp.compare(settings, np.random.default_rng(5).spawn(2), n_points=20, steps=3,
                         record_every=1, grid=np.linspace(-3, 3, 9))
    assert len(trials) == 2
    first, second = trials
    assert not np.array_equal(first.x, second.x)  # each seed draws its own data
    start = mlp.predict(first.init, first.x)
    # Identical starting weights: the first recorded fit is the same for every run.
    for run in first.runs.values():
        np.testing.assert_allclose(run.data_snapshots[0], start, rtol=1e-5, atol=1e-5)
    assert first.runs["l2"].train_loss[0] == pytest.approx(
        losses.mse_loss(start, first.y), rel=1e-5)
    control_targets = np.where(first.is_outlier, first.clean, first.y)
    assert first.runs["l2 clean"].train_loss[0] == pytest.approx(
        losses.mse_loss(start, control_targets), rel=1e-5)
    np.testing.assert_allclose(first.runs["l1"].clean_error[0],
                               mlp.rmse(mlp.predict(first.init, np.linspace(-3, 3, 9)),
                                        data.composite_sinusoid(np.linspace(-3, 3, 9))),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="at least one run"):
        mlp.compare({}, np.random.default_rng(0).spawn(1))


def test_compare_gives_every_run_what_train_gives_it_alone():
    """compare trains its runs in batches (one per optimiser here): the numbers do not change."""
    settings = {"l2": {"loss": "l2"}, "switch": {"loss": "l2", "switch_to": "l1", "switch_at": 3},
                "gd": {"loss": "huber", "delta": 0.5, "optimiser": "gd"},
                "clean": {"loss": "l1", "without_outliers": True}}
    grid = np.linspace(-3, 3, 13)
    calls = []

    class Progress:
        def run(self, name):
            calls.append(name)
            return lambda step, steps: calls.append((step, steps))

    trials = mlp.compare(settings, np.random.default_rng(8).spawn(2), n_points=16, steps=6,
                         lr=0.05, record_every=3, grid=grid, progress=Progress())
    for trial in trials:
        assert list(trial.runs) == list(settings)
        for name, setting in settings.items():
            setting = dict(setting)
            targets = (np.where(trial.is_outlier, trial.clean, trial.y)
                       if setting.pop("without_outliers", False) else trial.y)
            _same_run(trial.runs[name], mlp.train(
                trial.init, trial.x, targets, steps=6, lr=0.05, record_every=3, eval_x=grid,
                eval_target=data.composite_sinusoid(grid), **setting))
    # Two batches (Adam: 3 settings x 2 seeds; gradient descent: 1 x 2), each reported whole.
    assert calls == ["l2, switch, clean", (18, 36), (36, 36), "gd", (6, 12), (12, 12)]


def test_composite_sinusoid_is_the_clean_signal_of_the_data_set():
    x, _, clean, _ = data.sinusoid_with_outliers(30, np.random.default_rng(2))
    np.testing.assert_allclose(data.composite_sinusoid(x), clean, rtol=1e-15)


def test_gaussian_noise_exercise_key_agrees_with_the_measurement():
    """Exercise 06.noise_winner's answer key is a claim about training: measure it."""
    from lessons import checks
    from lessons.keys import nb06

    trials = mlp.compare(nb06.NOISE_SETTINGS, np.random.default_rng(nb06.NOISE_SEED).spawn(
        nb06.NOISE_SEEDS), **nb06.NOISE_EXPERIMENT)
    per_seed = {name: [trial.runs[name].late_clean_error() for trial in trials]
                for name in nb06.NOISE_SETTINGS}
    final = {name: np.mean(errors) for name, errors in per_seed.items()}
    assert abs(final["l2"] - final["l1"]) > nb06.NOISE_TIE
    winner = min(final, key=final.get)
    assert checks.feedback("06.noise_winner", nb06.NOISE_OPTION_OF_RUN[winner]).correct
    # With as few seeds as the exercise uses, the difference must also stand out from its
    # seed-to-seed spread (NOISE_SE_FACTOR standard errors), not only from NOISE_TIE.
    option, _, _ = nb06.noise_verdict(per_seed["l2"], per_seed["l1"])
    assert option == nb06.NOISE_OPTION_OF_RUN[winner]
