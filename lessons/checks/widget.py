"""`ExerciseView`: an exercise shown as an ipywidget whose plain-text form is the verdict."""

from __future__ import annotations

import math

from .coerce import to_real_number
from .specs import Exercise, Slider
from .verdicts import Feedback, is_unanswered, rich_text


class ExerciseView:
    """An exercise shown as a live widget, whose plain-text form is the verdict.

    Parameters
    ----------
    spec : Exercise
        What to check.
    answer : object, default ...
        The answer given in code; ``...`` means none yet.

    Attributes
    ----------
    spec, feedback, widget, input, feedback_html, hint_button, hints_html
        The spec, the current `Feedback`, the ``VBox``, the input widget (None for a
        `Function`), the verdict's ``HTML``, the hint button and the ``HTML`` of shown hints.
    """

    def __init__(self, spec: Exercise, answer=...):
        import ipywidgets as widgets

        self.spec = spec
        self._answer = answer
        self._quiet_updates = False
        self._hints_shown = 0
        self.feedback = spec.feedback(answer)

        children = []
        if spec.prompt:
            prompt = widgets.HTML(f"<div>{rich_text(spec.prompt)}</div>")
            prompt.add_class("lessons-prompt")
            children.append(prompt)

        self.input, answer_row = self._make_input(widgets, answer)
        if answer_row is not None:
            children.append(answer_row)

        self.feedback_html = widgets.HTML(self.feedback.html())
        self.feedback_html.add_class("lessons-feedback")
        children.append(self.feedback_html)

        self.hint_button = widgets.Button(icon="lightbulb-o", layout=widgets.Layout(width="auto"))
        self.hint_button.add_class("lessons-hint")
        self.hint_button.on_click(self._show_next_hint)
        self.hints_html = widgets.HTML("")
        self.hints_html.add_class("lessons-hints")
        if not spec.hints:
            self.hint_button.layout.display = "none"
            self.hints_html.layout.display = "none"
        self._update_hints()
        children += [self.hint_button, self.hints_html]

        self.widget = widgets.VBox(children)
        self.widget.add_class("lessons-exercise")

    # -- building ------------------------------------------------------------------------

    def _make_input(self, widgets, answer):
        kind = self.spec._input_kind
        if kind == "text":
            text = widgets.Text(
                value="" if is_unanswered(answer) else text_of(answer),
                placeholder=getattr(self.spec, "_placeholder", ""),
                continuous_update=False,
                layout=widgets.Layout(width="24em"),
            )
            text.add_class("lessons-answer")
            text.observe(self._on_input_change, names="value")
            button = widgets.Button(description="Check", layout=widgets.Layout(width="auto"))
            button.add_class("lessons-check")
            button.on_click(lambda _button: self._recheck(self.input.value))
            return text, widgets.HBox([text, button])
        if kind == "radio":
            radio = widgets.RadioButtons(
                options=[(f"{key}) {label}", key) for key, label in self.spec.options.items()],
                value=self.spec.resolve(answer),
                layout=widgets.Layout(width="max-content"),
            )
            radio.add_class("lessons-answer")
            radio.observe(self._on_input_change, names="value")
            return radio, radio
        if kind == "slider":
            spec = self.spec
            decimals = max(0, -math.floor(math.log10(spec.step)))
            slider = widgets.FloatSlider(
                value=slider_start(spec, answer),
                min=spec.min,
                max=spec.max,
                step=spec.step,
                description=spec.description,
                continuous_update=False,
                readout_format=f".{decimals}f",
                style={"description_width": "initial"},
            )
            slider.add_class("lessons-answer")
            slider.observe(self._on_input_change, names="value")
            return slider, slider
        return None, None

    # -- behaviour -----------------------------------------------------------------------

    @property
    def correct(self) -> bool:
        """True when the current answer is correct."""
        return self.feedback.correct

    def _on_input_change(self, change) -> None:
        if not self._quiet_updates:
            self._recheck(change["new"])

    def _recheck(self, answer) -> None:
        self._answer = answer
        self.feedback = self.spec.feedback(answer)
        self.feedback_html.value = self.feedback.html()

    def submit(self, value) -> Feedback:
        """Put `value` in the input (as well as it fits) and check exactly `value`."""
        self._quiet_updates = True
        try:
            kind = self.spec._input_kind
            if kind == "text":
                self.input.value = "" if is_unanswered(value) else text_of(value)
            elif kind == "radio":
                self.input.value = self.spec.resolve(value)
            elif kind == "slider":
                try:
                    self.input.value = to_real_number(value)
                except Exception:
                    pass  # the verdict below explains what is wrong with the value
        finally:
            self._quiet_updates = False
        self._recheck(value)
        return self.feedback

    def _show_next_hint(self, _button=None) -> None:
        if self._hints_shown < len(self.spec.hints):
            self._hints_shown += 1
        self._update_hints()

    def _update_hints(self) -> None:
        total = len(self.spec.hints)
        shown = self.spec.hints[: self._hints_shown]
        self.hints_html.value = (
            "<ol>" + "".join(f"<li>{rich_text(hint)}</li>" for hint in shown) + "</ol>"
            if shown
            else ""
        )
        if self._hints_shown < total:
            self.hint_button.description = f"Show a hint ({self._hints_shown + 1} of {total})"
            self.hint_button.disabled = False
        else:
            self.hint_button.description = "No more hints" if total else "No hints"
            self.hint_button.disabled = True

    # -- display -------------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.feedback.text()
        return bundle

    def __repr__(self) -> str:
        return self.feedback.text()


def text_of(answer) -> str:
    """What to pre-fill the text box with; a learner's object may not even convert to str."""
    if isinstance(answer, str):
        return answer
    try:
        return str(answer)
    except Exception:
        return ""


def slider_start(spec: Slider, answer) -> float:
    try:
        value = to_real_number(answer)
    except Exception:
        return spec.min
    return min(spec.max, max(spec.min, value))
