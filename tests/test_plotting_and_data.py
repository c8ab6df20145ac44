"""Tests of lessons.plotting (one colour per loss) and lessons.data (deterministic data sets)."""

import doctest
import itertools
import json
import os
import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from lessons import data, plotting


def test_doctests_pass():
    for module in (plotting, data):
        assert doctest.testmod(module).failed == 0


def test_each_loss_has_the_course_colour():
    assert plotting.color("l2") == plotting.color("mse") == "#D85A30"
    assert plotting.color("l1") == plotting.color("MAE") == "#28698A"
    assert plotting.color("huber") == plotting.color("smooth_l1") == "#1D9E75"
    assert plotting.line_style("smooth_l1", beta=1)["linestyle"] != plotting.line_style(
        "huber", delta=1)["linestyle"]
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


# ---- accessibility of the palette (issue 14) --------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
SIMULATIONS = {"normal": None, "protan": "protanomaly", "deutan": "deuteranomaly",
               "tritan": "tritanomaly"}


def _colorspacious():
    if os.environ.get("CI"):
        import colorspacious  # under CI a missing package is a failure, not a skip
    else:
        colorspacious = pytest.importorskip("colorspacious",
                                            reason="pip install -r site/requirements.txt")
    return colorspacious


def _distances():
    """{(simulation, loss a, loss b): CAM02-UCS distance} for every pair drawn together."""
    cs = _colorspacious()
    out = {}
    for pair in plotting.DRAWN_TOGETHER:
        a, b = sorted(pair)
        if plotting.color(a) == plotting.color(b):
            continue  # SmoothL1 shares Huber's colour by design; line style tells them apart
        rgb = [np.array(matplotlib.colors.to_rgb(plotting.color(n))) for n in (a, b)]
        for name, cvd in SIMULATIONS.items():
            seen = rgb if cvd is None else [
                np.clip(cs.cspace_convert(c, {"name": "sRGB1+CVD", "cvd_type": cvd,
                                              "severity": 100}, "sRGB1"), 0, 1) for c in rgb]
            out[name, a, b] = float(cs.deltaE(*seen, input_space="sRGB1",
                                              uniform_space="CAM02-UCS"))
    return out


def test_every_pair_drawn_together_stays_distinguishable_under_colour_blindness():
    distances = _distances()
    too_close = {k: round(d, 1) for k, d in distances.items() if d < plotting.MIN_CVD_DISTANCE}
    assert not too_close, f"pairs under ΔE' {plotting.MIN_CVD_DISTANCE}: {too_close}"
    worst = {sim: min((d, a, b) for (s, a, b), d in distances.items() if s == sim)
             for sim in SIMULATIONS}
    report = {sim: f"{a} vs {b}: {d:.1f}" for sim, (d, a, b) in worst.items()}
    out = ROOT / "artifacts" / "a11y"
    out.mkdir(parents=True, exist_ok=True)
    (out / "palette.json").write_text(json.dumps({"threshold": plotting.MIN_CVD_DISTANCE,
                                                 "worst": report}, indent=2, ensure_ascii=False))
    print(report)


def test_the_old_palette_fails_the_same_check():
    # The check can fail: the colours the course started with did (issue 14's findings).
    old = {"l1": "#4A9EDE", "log_cosh": "#8E5BB5", "pinball": "#C58B00"}
    saved = dict(plotting.COLORS)
    try:
        plotting.COLORS.update(old)
        distances = _distances()
    finally:
        plotting.COLORS.clear()
        plotting.COLORS.update(saved)
    assert distances["tritan", "huber", "l1"] < plotting.MIN_CVD_DISTANCE
    assert distances["deutan", "l2", "pinball"] < plotting.MIN_CVD_DISTANCE
    assert plotting.contrast_ratio(old["l1"]) < 3 and plotting.contrast_ratio(old["pinball"]) < 3


def test_every_loss_line_has_3_to_1_contrast_on_white():
    ratios = {n: round(plotting.contrast_ratio(plotting.color(n)), 2) for n in plotting.LOSSES}
    assert all(r >= plotting.MIN_CONTRAST for r in ratios.values()), ratios
    assert plotting.contrast_ratio("#FFFFFF") == 1
    assert round(plotting.contrast_ratio("#000000"), 1) == 21


def test_every_loss_has_its_own_line_style_and_marker():
    params = {"delta": 1, "beta": 1, "tau": 0.5}
    styles = [plotting.line_style(n, **params)["linestyle"] for n in plotting.LOSSES]
    assert len({str(s) for s in styles}) == len(plotting.LOSSES)
    markers = [plotting.line_style(n, markers=True, delta=1, beta=1, tau=0.5)["marker"]
               for n in plotting.LOSSES]
    assert len(set(markers)) == len(plotting.LOSSES)
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    for n in plotting.LOSSES:  # Matplotlib accepts every style
        ax.plot([0, 1], [0, 1], **plotting.line_style(n, markers=2, delta=1, beta=1, tau=0.5))
    fig.canvas.draw()
    plt.close(fig)


_LOSS_WORDS = {"l2": "l2", "mse": "l2", "l1": "l1", "mae": "l1", "huber": "huber",
               "smooth_l1": "smooth_l1", "smoothl1": "smooth_l1", "log_cosh": "log_cosh",
               "logcosh": "log_cosh", "pinball": "pinball", "quantile": "pinball"}


def _pairs_in(source):
    if "plotting" not in source:
        return set()
    names = {_LOSS_WORDS[w.lower()] for w in re.findall(r"[\"']([A-Za-z_0-9]+)[\"']", source)
             if w.lower() in _LOSS_WORDS}
    return {frozenset(p) for p in itertools.combinations(sorted(names), 2)}


def test_drawn_together_lists_every_pair_the_course_draws():
    # Conservative scan: losses named in one code cell, or one module of lessons/, that plots.
    found = {}
    for folder in ("notebooks", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
                if cell["cell_type"] == "code":
                    for pair in _pairs_in("".join(cell["source"])):
                        found.setdefault(pair, f"{folder}/{path.name} cell {i}")
    modules = [*sorted((ROOT / "lessons" / "demos").glob("*.py")), ROOT / "lessons" / "history.py"]
    for path in modules:
        if path.is_file():
            for pair in _pairs_in(path.read_text(encoding="utf-8")):
                found.setdefault(pair, str(path.relative_to(ROOT)))
    missing = {tuple(sorted(p)): w for p, w in found.items() if p not in plotting.DRAWN_TOGETHER}
    assert not missing, f"add these pairs to plotting.DRAWN_TOGETHER and re-check: {missing}"
