"""Every checker at its tolerance edge, from both sides (issue 12: tests that bite).

A mutation such as "accept anything within 10 %" or "Number's rtol widened to 5 %" must fail
here; so must one that narrows a tolerance until right answers fail.
"""

import importlib
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from lessons import checks
from lessons.checks import verdicts

KEY_MODULES = sorted(
    path.stem for path in (Path(checks.__file__).parents[1] / "keys").glob("nb[0-9][0-9].py")
)


def all_specs():
    for name in KEY_MODULES:
        yield from importlib.import_module(f"lessons.keys.{name}").EXERCISES.items()


# -- the spec classes themselves ----------------------------------------------------------------

def test_number_default_relative_tolerance_edge():
    spec = checks.Number(2.5)  # rtol 1e-3
    assert spec.feedback(2.5 * (1 + 0.9e-3)).correct and spec.feedback(2.5 * (1 - 0.9e-3)).correct
    assert not spec.feedback(2.5 * (1 + 1.1e-3)).correct
    assert not spec.feedback(2.5 * (1 - 1.1e-3)).correct


def test_number_absolute_tolerance_edge_at_zero():
    spec = checks.Number(0.0, atol=1e-6)
    assert spec.feedback(0.9e-6).correct and spec.feedback(-0.9e-6).correct
    assert not spec.feedback(1.1e-6).correct and not spec.feedback(-1.1e-6).correct


@pytest.mark.parametrize(("expected", "figures", "right", "close"), [
    (4.875, 3, [4.88, 4.875, 4.87, 4.8799], [4.8699, 4.8801, 4.9, 4.85]),
    (83.714, 3, [83.7, 83.71, 83.749], [83.6, 83.8, 84.0]),
    (0.0123456, 2, [0.012, 0.0124, 0.0126], [0.0129, 0.0118]),
    (-2.5, 2, [-2.5, -2.54, -2.46], [-2.56, -2.44, -2.6]),
])
def test_number_significant_figures_one_rule_both_sides(expected, figures, right, close):
    spec = checks.Number(expected, sig_figs=figures)
    assert f"Give {figures} significant figures" in spec.prompt
    for value in right:
        assert spec.feedback(value).correct, value
    for value in close:
        verdict = spec.feedback(value)
        assert verdict.status == "incorrect", value
        assert verdict.message.startswith(f"Close — give {figures} significant figures"), value


def test_number_significant_figures_far_misses_say_the_direction():
    spec = checks.Number(4.875, sig_figs=3)
    assert spec.feedback(5.2).message == "5.2 is too high."  # more than 5 % off: no "Close"
    assert spec.feedback(4.5).message == "4.5 is too low."


def test_slider_tolerance_edge():
    spec = checks.Slider(1.0, min=0, max=3, step=0.01, tol=0.05)
    assert spec.feedback(1.049).correct and spec.feedback(0.951).correct
    assert not spec.feedback(1.051).correct and not spec.feedback(0.949).correct


@pytest.mark.parametrize("factor", [1 + 1e-9, 1 - 1e-9])
def test_expression_accepts_round_off_sized_differences(factor):
    e = sp.Symbol("e", real=True)
    assert checks.Expression(sp.sign(e), (e,)).feedback(f"{factor!r}*sign(e)").correct


@pytest.mark.parametrize("factor", ["1.05", "0.95", "1.000001", "0.999999"])
def test_expression_rejects_anything_beyond_round_off(factor):
    e = sp.Symbol("e", real=True)
    assert not checks.Expression(sp.sign(e), (e,)).feedback(f"{factor}*sign(e)").correct


def test_function_tolerance_edge():
    spec = checks.Function(lambda x: 3.0 * x, [checks.Case((2.0,), description="two")])
    assert spec.feedback(lambda x: 6.0 * (1 + 1e-11)).correct
    assert not spec.feedback(lambda x: 6.0 * (1 + 1e-7)).correct
    assert not spec.feedback(lambda x: 6.0 * 1.05).correct


# -- every key in the course ----------------------------------------------------------------------

def _perturbed(value, size):
    if isinstance(value, tuple):
        return tuple(_perturbed(part, size) for part in value)
    return np.asarray(value, dtype=float) * (1.0 + size)  # relative: zeros stay right


@pytest.mark.parametrize(("key", "spec"), list(all_specs()),
                         ids=lambda x: x if isinstance(x, str) else "")
def test_every_key_at_its_edge(key, spec):
    if isinstance(spec, checks.Number):
        x = spec.expected
        if spec.sig_figs is not None:
            half = checks.specs.half_unit(x, spec.sig_figs)
            inside, outside = 0.9 * half, 1.1 * half + 1e-12 * abs(x)
        else:
            inside = 0.9 * (spec.atol + spec.rtol * abs(x))
            outside = 1.1 * (spec.atol + spec.rtol * abs(x))
        for sign in (1, -1):
            assert spec.feedback(x + sign * inside).correct, key
            assert not spec.feedback(x + sign * outside).correct, key
    elif isinstance(spec, checks.Slider):
        for sign in (1, -1):
            assert spec.feedback(spec.expected + sign * 0.9 * spec.tol).correct, key
            assert not spec.feedback(spec.expected + sign * (1.1 * spec.tol + 1e-6)).correct, key
    elif isinstance(spec, checks.Expression):
        assert spec.feedback(spec.expected).correct, key
        for factor in (sp.Rational(105, 100), sp.Rational(95, 100)):
            assert not spec.feedback(factor * spec.expected).correct, key
        assert not spec.feedback(spec.expected + sp.Rational(1, 10**5)).correct, key
    elif isinstance(spec, checks.Function):
        reference = spec.reference
        assert spec.feedback(reference).correct, key
        wrong = spec.feedback(lambda *a, **k: _perturbed(reference(*a, **k), 1e-6))
        assert wrong.status == "incorrect", key
    elif isinstance(spec, checks.Choice):
        for option in spec.options:
            assert spec.feedback(option).correct == (option in spec.correct), key


# -- accessibility of the verdict (issue 14) ---------------------------------------------------

def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("status", verdicts.STATUSES)
def test_verdict_colours_meet_aa_on_both_jupyterlab_themes(theme, status):
    colour = verdicts.VERDICT_COLOURS[theme][status]
    for background in verdicts.THEME_BACKGROUNDS[theme]:
        assert contrast(colour, background) >= 4.5, (theme, status, background)


def test_verdict_html_follows_the_theme_and_is_never_colour_only():
    html = checks.Feedback("incorrect", "That is the sum.").html()
    assert 'body[data-jp-theme-light="false"] .lessons-verdict.lessons-incorrect' in html
    assert "❌ Not quite" in html  # words and a symbol, not just red
    assert "color:" not in html.split("</style>")[1]  # no inline colour that would beat the theme


def test_widget_controls_are_labelled_and_announced():
    spec = checks.Slider(1.0, min=0, max=3, step=0.1, tol=0.05, hints=["h1", "h2"],
                         description="delta")
    view = checks.view(spec)
    assert view.explore.description and view.explore.tooltip
    assert view.hint_button.description.startswith("Show a hint") and view.hint_button.tooltip
    assert 'role="status"' in view.feedback_html.value
    assert 'aria-live="polite"' in view.feedback_html.value
    view.hint_button.click()
    assert 'aria-live="polite"' in view.hints_html.value
    choice = checks.view(checks.Choice(["L1", "L2"], "a"))
    assert 'aria-label="Options"' in choice.options_html.value


# safe_lambdify("numpy") builds SymPy's NumPy namespace itself (no `from numpy import *`, which
# loads f2py and more): the printed code and the values must be those of lambdify(..., "numpy").
_E, _D = sp.Symbol("e", real=True), sp.Symbol("delta", positive=True)
_FORMULAS = [sp.sign(_E), sp.Abs(_E) / _D, sp.log(sp.cosh(_E)), sp.atan(_E) + sp.asinh(_E),
             sp.Piecewise((_E, sp.Abs(_E) < _D), (_D * sp.sign(_E), True)), sp.Max(_E, _D),
             sp.Heaviside(_E), sp.exp(-_E**2) / sp.sqrt(2 * sp.pi), sp.floor(_E)]


@pytest.mark.parametrize("formula", _FORMULAS, ids=str)
def test_safe_lambdify_prints_what_sympys_numpy_module_prints(formula):
    import inspect

    from lessons.checks import equivalence

    fast = equivalence.safe_lambdify([_E, _D], formula, "numpy")
    renamed = [sp.Symbol(f"lessons_arg{i}", **s.assumptions0) for i, s in enumerate((_E, _D))]
    body = formula.xreplace(dict(zip((_E, _D), renamed, strict=True)))
    def heaviside(x, h0=0.5):
        return np.heaviside(np.asarray(x, dtype=float), float(h0))

    reference = sp.lambdify(renamed, body, modules=[{"Heaviside": heaviside}, "numpy"])
    assert inspect.getsource(fast) == inspect.getsource(reference)
    points = np.random.default_rng(1).normal(scale=3.0, size=(2, 64))
    points[1] = np.abs(points[1]) + 0.1
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(np.broadcast_to(fast(*points), 64),
                                      np.broadcast_to(reference(*points), 64))


def test_judging_a_formula_does_not_load_numpys_lazy_submodules():
    import subprocess
    import sys

    code = ("import sys; from lessons import checks; "
            "checks.Expression('sign(e)', 'e').feedback('e/Abs(e)'); "
            "print('numpy.f2py' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
