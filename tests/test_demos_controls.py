"""The demos' own controls (lessons.demos.controls): values clipped like ipywidgets', log and
whole-number sliders, bad ranges refused, and no demo left on ipywidgets' unnamed sliders."""

import math
import re
from pathlib import Path

import pytest
import traitlets

from lessons.demos import slider
from lessons.demos.controls import CanvasName, LabelledSlider

LESSONS = Path(__file__).resolve().parents[1] / "lessons"


def test_value_is_clipped_into_the_range_from_both_sides():
    control = slider(1.0, 0.1, 3.0, 0.05, "δ")
    control.value = 7.5
    assert control.value == 3.0
    control.value = -2.0
    assert control.value == 0.1
    control.value = 1.25
    assert control.value == 1.25


def test_start_value_outside_the_range_is_clipped():
    assert slider(9.0, 0.0, 2.0, 0.5, "e").value == 2.0


def test_whole_slider_rounds_and_shows_no_decimals():
    control = slider(3, 1, 8, 1, "point", whole=True)
    control.value = 4.6
    assert control.value == 5.0
    assert control.readout_format == "d" and control.integer


def test_log_slider_range_is_powers_of_ten():
    control = slider(10.0, -1.0, 2.0, 0.02, "Huber δ", log=True, readout_format=".3g")
    assert control.bounds() == pytest.approx((0.1, 100.0))
    assert control.value == pytest.approx(10.0)
    control.value = 1e6
    assert control.value == pytest.approx(100.0)
    control.value = 1e-6
    assert control.value == pytest.approx(0.1)


@pytest.mark.parametrize("low, high, step", [(1.0, 1.0, 0.1), (2.0, 1.0, 0.1), (0.0, 1.0, 0.0)])
def test_bad_range_is_refused_with_a_message(low, high, step):
    with pytest.raises(ValueError, match="min < max and step > 0"):
        LabelledSlider(value=0.5, min=low, max=high, step=step, description="x")


def test_nan_value_is_refused():
    control = slider(0.5, 0.0, 1.0, 0.1, "x")
    with pytest.raises(traitlets.TraitError, match="not a number"):
        control.value = math.nan
    assert control.value == 0.5


def test_label_and_play_button_reach_the_browser():
    control = slider(0, 0, 500, 10, "training step", whole=True, play=True)
    state = control.get_state()
    assert state["description"] == "training step" and state["play"] is True
    assert "<label" not in state["description"]
    assert 'input.type = "range"' in control._esm and "label.htmlFor = id" in control._esm
    assert CanvasName(label="A figure.").get_state()["label"] == "A figure."


def test_no_demo_uses_an_ipywidgets_slider_or_play():
    """ipywidgets' sliders and Play have no accessible name: every demo uses LabelledSlider."""
    pattern = re.compile(r"\b(FloatSlider|IntSlider|FloatLogSlider|Play)\(")
    offenders = [f"{path.relative_to(LESSONS)}:{number}"
                 for path in LESSONS.rglob("*.py")
                 for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert not offenders, offenders


def test_play_interval_is_set_where_the_slider_is_made():
    assert slider(0, 0, 10, 1, "step", whole=True, play=True, interval=40).interval == 40
    assert slider(0, 0, 10, 1, "step").interval == LabelledSlider().interval == 120
