"""Notebooks 02 and 03: the two demos driven headlessly, and the answer keys' accepted forms."""

import base64
import doctest

import numpy as np
import pytest

from lessons import checks, estimators, losses
from lessons.demos import gradients, likelihood
from lessons.keys import nb02, nb03

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _line_slope(line):
    xs, ys = (np.asarray(values, dtype=float) for values in line.get_data())
    return (ys[-1] - ys[0]) / (xs[-1] - xs[0])


def test_doctests_pass():
    for module in (gradients, likelihood):
        result = doctest.testmod(module)
        assert result.attempted >= 1 and result.failed == 0


# ---------------------------------------------------------------------------------------------
# The gradient explorer of 02_gradients
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def explorer():
    return gradients.GradientExplorer(e=2.0, delta=1.0)


def test_slope_functions_follow_the_losses():
    for e in (-2.5, -0.4, 0.3, 1.0, 4.0):
        assert gradients.slope("l2", e) == pytest.approx(2 * e)
        assert gradients.slope("l1", e) == np.sign(e)
        assert gradients.slope("huber", e, delta=1.5) == pytest.approx(np.clip(e, -1.5, 1.5))
        assert gradients.loss_value("huber", e, 1.5) == pytest.approx(
            losses.huber_loss(0.0, e, delta=1.5))
    assert gradients.slope("l1", 0.0) == 0.0  # autograd's choice at the kink
    assert gradients.subgradients("l1", 0.0) == (-1.0, 1.0)
    assert gradients.subgradients("l2", 0.0) == (0.0, 0.0)
    with pytest.raises(ValueError, match="unknown loss .l3.; choose one of"):
        gradients.slope("l3", 1.0)


@pytest.mark.parametrize("e", [-2.65, -0.5, 0.35, 1.0, 2.95])
def test_tangents_and_markers_follow_the_slider(explorer, e):
    explorer.delta_slider.value = 1.0
    explorer.slider.value = e
    for name in gradients.LOSSES:
        tangent = explorer.tangents[name]
        assert tangent.get_visible()
        assert _line_slope(tangent) == pytest.approx(gradients.slope(name, e))
        point_x, point_y = explorer.points[name].get_data()
        assert point_x[0] == pytest.approx(e)
        assert point_y[0] == pytest.approx(gradients.loss_value(name, e))
        assert explorer.slope_points[name].get_data()[1][0] == pytest.approx(
            gradients.slope(name, e))
    assert not explorer.fan.get_visible() and not explorer.subdifferential.get_visible()


def test_l2_slope_grows_while_l1_stays_and_huber_is_capped(explorer):
    explorer.delta_slider.value = 1.5
    slopes = {}
    for e in (0.5, 1.0, 2.0, 3.0):
        explorer.slider.value = e
        slopes[e] = explorer.slopes()
    assert [slopes[e]["l2"] for e in slopes] == pytest.approx([1.0, 2.0, 4.0, 6.0])
    assert {slopes[e]["l1"] for e in slopes} == {1.0}
    assert [slopes[e]["huber"] for e in slopes] == pytest.approx([0.5, 1.0, 1.5, 1.5])


def test_at_zero_the_fan_and_the_subdifferential_replace_l1s_tangent(explorer):
    explorer.delta_slider.value = 1.0
    explorer.slider.value = 1e-12  # a slider step that lands a hair away from 0 counts as 0
    assert explorer.e == 0.0
    assert not explorer.tangents["l1"].get_visible()
    assert explorer.tangents["l2"].get_visible()
    assert explorer.fan.get_visible() and explorer.subdifferential.get_visible()
    fan_slopes = [(end[1] - start[1]) / (end[0] - start[0])
                  for start, end in explorer.fan.get_segments()]
    assert min(fan_slopes) == pytest.approx(-1) and max(fan_slopes) == pytest.approx(1)
    assert list(explorer.subdifferential.get_ydata()) == [-1.0, 1.0]
    assert "any value in [−1, 1]" in explorer.readout.value
    assert "autograd returns 0" in explorer.readout.value
    legend_labels = [text.get_text() for text in explorer.slope_axes.get_legend().get_texts()]
    assert "∂|e|(0) = [−1, 1]" in legend_labels


def test_delta_slider_redraws_huber(explorer):
    explorer.slider.value = 2.0
    explorer.delta_slider.value = 2.5
    grid = explorer.curves["huber"].get_xdata()
    np.testing.assert_allclose(explorer.curves["huber"].get_ydata(),
                               losses.huber_loss(np.zeros_like(grid), grid, delta=2.5,
                                                 reduction="none"))
    np.testing.assert_allclose(explorer.slope_curves["huber"].get_ydata(),
                               np.clip(grid, -2.5, 2.5))
    assert explorer.curves["huber"].get_label() == "Huber, δ = 2.5"
    assert "±δ = ±2.5" in explorer.readout.value


def test_picture_and_text_forms(explorer):
    explorer.delta_slider.value = 1.0
    explorer.slider.value = 2.0
    before = bytes(explorer.image.value)  # ipywidgets hands the bytes back as a memoryview
    explorer.slider.value = -1.0
    after = bytes(explorer.image.value)
    assert after.startswith(PNG_SIGNATURE) and after != before
    bundle = explorer._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)
    assert bundle["text/plain"] == (
        "Gradient explorer at e = −1, δ = 1: slope dℓ/de is L2 −2; L1 −1; Huber −1. "
        "Move the sliders to explore.")
    assert repr(explorer) == bundle["text/plain"]


def test_explorer_rejects_a_bad_range():
    with pytest.raises(ValueError, match="e_max"):
        gradients.GradientExplorer(e_max=0)


# ---------------------------------------------------------------------------------------------
# The sampling explorer of 03_likelihood
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sampler():
    return likelihood.SamplingExplorer(kind="gaussian", n=21, repeats=300, seed=7)


def test_histograms_show_the_current_simulation(sampler):
    sampler.kind_dropdown.value = "laplace"
    sampler.n_slider.value = 31
    means, medians = sampler.simulate()
    np.testing.assert_array_equal(means, sampler.means)
    for name, values in (("mean", means), ("median", medians)):
        stairs = sampler.stairs[name].get_data()
        heights, edges = stairs.values, stairs.edges
        expected, _ = np.histogram(values, bins=edges, density=True)
        np.testing.assert_allclose(heights, expected)
    assert sampler.axes.get_title() == "Laplace, n = 31"


def test_same_setting_same_picture(sampler):
    sampler.kind_dropdown.value = "gaussian"
    sampler.n_slider.value = 15
    first = sampler.means.copy()
    sampler.n_slider.value = 16
    sampler.n_slider.value = 15
    np.testing.assert_array_equal(sampler.means, first)


def test_contamination_only_counts_for_contaminated_noise(sampler):
    sampler.kind_dropdown.value = "gaussian"
    sampler.contamination_slider.value = 0.3
    assert sampler.contamination_slider.disabled and sampler.contamination == 0.0
    sampler.kind_dropdown.value = "contaminated"
    assert not sampler.contamination_slider.disabled and sampler.contamination == 0.3
    assert sampler.theory_ratio() == pytest.approx(
        estimators.asymptotic_variance_ratio("contaminated", contamination=0.3))
    assert sampler.axes.get_title().startswith("Gaussian + 30% gross outliers")


def test_median_beats_mean_under_gross_outliers(sampler):
    sampler.kind_dropdown.value = "contaminated"
    sampler.contamination_slider.value = 0.2
    sampler.n_slider.value = 51
    spread = sampler.standard_deviations()
    assert spread["median"] < 0.6 * spread["mean"]
    assert f"{spread['mean']:.3f}" in sampler.readout.value


def test_sampler_text_form_and_bad_input(sampler):
    sampler.kind_dropdown.value = "gaussian"
    sampler.n_slider.value = 21
    text = sampler._repr_mimebundle_()["text/plain"]
    assert text.startswith("Sampling explorer, Gaussian noise, n = 21: spread of the mean ")
    assert bytes(sampler.image.value).startswith(PNG_SIGNATURE)
    with pytest.raises(ValueError, match="kind must be one of"):
        likelihood.SamplingExplorer(kind="cauchy")
    with pytest.raises(ValueError, match="repeats"):
        likelihood.SamplingExplorer(repeats=1)


# ---------------------------------------------------------------------------------------------
# Answer keys of 02 and 03: accepted forms and typical mistakes
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key,answer", [
    ("02.mse_derivative", "2*(yhat - y)/n"),
    ("02.mse_derivative", "-2*(y - yhat)/n"),
    ("02.mse_derivative", "2*yhat/n - 2*y/n"),
    ("02.l1_derivative", "sign(yhat - y)"),
    ("02.l1_derivative", "-sign(y - yhat)"),
    ("02.l1_derivative", "Piecewise((1, yhat > y), (-1, True))"),
    ("02.l1_derivative", "Piecewise((1, yhat > y), (-1, yhat < y), (0, True))"),
    ("02.l1_derivative", "(yhat - y)/Abs(y - yhat)"),
    ("02.huber_derivative", "Piecewise((e, Abs(e) < delta), (delta*sign(e), True))"),
    ("02.huber_derivative", "Piecewise((e, Abs(e) <= delta), (delta*sign(e), True))"),
    ("02.huber_derivative", "Piecewise((-delta, e < -delta), (e, e < delta), (delta, True))"),
    ("02.huber_derivative", "Max(-delta, Min(delta, e))"),
    ("02.subgradient_at_kink", "c"),
    ("03.laplace_nll", "Abs(x - mu)/b + log(2*b)"),
    ("03.laplace_nll", "Abs(mu - x)/b + log(2) + log(b)"),
    ("03.noise_choice", "b"),
])
def test_keys_accept_equivalent_forms(key, answer):
    verdict = checks.feedback(key, answer)
    assert verdict.correct, verdict.text()


@pytest.mark.parametrize("key,answer,words", [
    ("02.mse_derivative", "2*(y - yhat)/n", "sign is flipped"),
    ("02.mse_derivative", "2*(yhat - y)", "divides it by n"),
    ("02.l1_derivative", "sign(y - yhat)", "flips the sign"),
    ("02.huber_derivative", "Piecewise((e, Abs(e) < delta), (sign(e), True))", "δ·sign(e)"),
    ("02.huber_derivative", "e", "only the quadratic part"),
    ("02.subgradient_at_kink", "a", "not the only one"),
    ("03.laplace_nll", "Abs(x - mu)/b", "adds log(2b)"),
    ("03.laplace_nll", "-Abs(x - mu)/b - log(2*b)", "log-likelihood itself"),
    ("03.laplace_location", 20.4777778, "That is the mean"),
    ("03.laplace_scale", 5.4, "sum of absolute errors"),
    ("03.noise_choice", "a", "Gaussian noise"),
])
def test_keys_name_typical_mistakes(key, answer, words):
    verdict = checks.feedback(key, answer)
    assert verdict.status == "incorrect" and words in verdict.message, verdict.text()


def test_key_values_are_computed_from_the_data():
    assert checks.lookup("03.laplace_location").expected == pytest.approx(20.1)
    assert checks.lookup("03.laplace_scale").expected == pytest.approx(0.6)


def test_huber_gradient_function_key():
    def clipped(residual, delta=1.0):
        return np.clip(residual, -delta, delta)

    def forgot_delta(residual, delta=1.0):
        return np.where(np.abs(residual) <= delta, residual, np.sign(residual))

    def scalar_only(residual, delta=1.0):
        return residual if abs(residual) <= delta else delta * np.sign(residual)

    assert checks.feedback("02.huber_gradient", clipped).correct
    wrong = checks.feedback("02.huber_gradient", forgot_delta)
    assert wrong.status == "incorrect" and "δ = 0.5" in wrong.message
    assert checks.feedback("02.huber_gradient", scalar_only).status == "incorrect"
    np.testing.assert_array_equal(nb02.reference_huber_gradient([0.0, 1.0, -1e12]), [0, 1, -1])


def test_sae_minimiser_key_accepts_every_minimiser():
    def lower_middle(sample):
        ordered = np.sort(np.asarray(sample, dtype=float))
        return float(ordered[(ordered.size - 1) // 2])

    def upper_middle_sorting_in_place(sample):
        sample = np.asarray(sample, dtype=float)
        sample.sort()
        return float(sample[sample.size // 2])

    def mean(sample):
        return float(np.mean(sample))

    def stub(sample):
        raise NotImplementedError

    for function in (np.median, lower_middle, upper_middle_sorting_in_place):
        assert checks.feedback("03.sae_minimiser", function).correct
    verdict = checks.feedback("03.sae_minimiser", mean)
    assert verdict.status == "incorrect" and "returned 27.0; expected 24.0" in verdict.message
    assert checks.feedback("03.sae_minimiser", stub).status == "unimplemented"
    assert checks.feedback("03.sae_minimiser", 24.0).status == "invalid"
    assert nb03.reference_sae_minimiser([4.0, 1.0, 3.0, 2.0]) == 2.5


def test_sae_minimiser_key_measures_closeness_on_the_middle_values_not_the_outliers():
    def off_by_09_when_an_outlier_is_huge(sample):
        sample = np.asarray(sample, dtype=float)
        return float(np.median(sample) + (0.9 if sample.max() > 1e6 else 0.0))

    def median_as_text(sample):
        return str(np.median(sample))

    verdict = checks.feedback("03.sae_minimiser", off_by_09_when_an_outlier_is_huge)
    assert verdict.status == "incorrect" and "returned -1.1; expected -2.0" in verdict.message
    assert not checks.feedback("03.sae_minimiser", median_as_text).correct
    with pytest.raises(AssertionError):
        checks.grade("03.sae_minimiser", off_by_09_when_an_outlier_is_huge)
