"""`ExerciseView`: an exercise shown as an ipywidget whose plain-text form is the verdict.

The answer cell is the learner's one input (what nbgrader grades), so the view has no answer
box: it shows the prompt, the verdict on the value passed in, a Choice's options as text, hints
on request and, for a `Slider`, an exploration box that is clearly *not* the answer.

Accessibility: the verdict is words and an emoji, never colour alone; its colours come from a
small style sheet with one contrast-checked colour per JupyterLab theme (light and dark, see
`lessons.checks.verdicts.VERDICT_COLOURS`); the verdict and the hints are ARIA live regions;
every control has a visible label and a tooltip, and buttons and sliders are reachable by Tab.

Examples
--------
>>> from lessons.checks import Choice
>>> print(ExerciseView(Choice(["L1", "L2"], "b")).text())  # doctest: +NORMALIZE_WHITESPACE
⏳ Not answered yet: Replace `...` with the letter of your choice (e.g. "a") in the answer cell,
run it, then run this cell again.
  a) L1
  b) L2
"""

from __future__ import annotations

import html
import math

from .specs import Choice, Exercise, Slider
from .verdicts import Feedback, rich_text


class ExerciseView:
    """An exercise shown as a live widget, whose plain-text form is the verdict.

    Parameters
    ----------
    spec : Exercise
        What to check.
    answer : object, default ...
        The learner's answer, as assigned in the answer cell; ``...`` means none yet.

    Attributes
    ----------
    spec, feedback, widget, feedback_html, hint_button, hints_html
        The spec, the `Feedback` on `answer`, the ``VBox``, the verdict's ``HTML``, the hint
        button and the ``HTML`` of the hints shown so far.
    options_html : ipywidgets.HTML or None
        A Choice's options, as a list (None for other kinds).
    explore : ipywidgets.BoundedFloatText or None
        A Slider's exploration box (None for other kinds): a number field with a visible label
        that a screen reader announces (a slider's handle cannot be given a name from Python),
        stepped with the arrow keys; it moves nothing but its own readout, and never produces a
        verdict.
    explore_html : ipywidgets.HTML or None
        The exploration box's readout and the reminder of how to answer.
    """

    def __init__(self, spec: Exercise, answer=...):
        import ipywidgets as widgets

        self.spec = spec
        self._hints_shown = 0
        self.feedback = spec.feedback(answer)

        children = []
        if spec.prompt:
            prompt = widgets.HTML(f"<div>{rich_text(spec.prompt)}</div>")
            prompt.add_class("lessons-prompt")
            children.append(prompt)

        self.options_html = None
        if isinstance(spec, Choice):
            items = "".join(
                f"<li><b>{html.escape(key)})</b> {rich_text(label)}</li>"
                for key, label in spec.options.items()
            )
            self.options_html = widgets.HTML(
                f'<ul aria-label="Options" style="list-style: none; padding-left: 0.5em;">'
                f"{items}</ul>"
            )
            self.options_html.add_class("lessons-options")
            children.append(self.options_html)

        self.explore = self.explore_html = None
        if isinstance(spec, Slider):
            children += self._make_explorer(widgets, spec)

        self.feedback_html = widgets.HTML(self._verdict_html())
        self.feedback_html.add_class("lessons-feedback")
        children.append(self.feedback_html)

        self.hint_button = widgets.Button(
            icon="lightbulb-o",
            layout=widgets.Layout(width="auto"),
            tooltip="Show the next hint below (keyboard: Tab to this button, then Enter)",
        )
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

    def _make_explorer(self, widgets, spec: Slider) -> list:
        decimals = max(0, -math.floor(math.log10(spec.step)))
        label = "Explore (not your answer)"
        if spec.description:
            label = f"{spec.description} — explore, not your answer"
        # A labelled number field, not a FloatSlider: ipywidgets gives a slider's handle no
        # accessible name (axe: aria-input-field-name), while a text field's description is its
        # <label for=...>. Arrow keys step it by `spec.step`, within [min, max].
        self.explore = widgets.BoundedFloatText(
            value=spec.min,
            min=spec.min,
            max=spec.max,
            step=spec.step,
            description=label,
            tooltip="An exploration box: it does not answer the exercise",
            continuous_update=True,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="36em"),
        )
        self.explore.add_class("lessons-explore")
        self._decimals = decimals
        self.explore_html = widgets.HTML(self._explore_text(spec.min))
        self.explore_html.add_class("lessons-explore-readout")
        self.explore.observe(
            lambda change: setattr(self.explore_html, "value", self._explore_text(change["new"])),
            names="value",
        )
        return [self.explore, self.explore_html]

    def _explore_text(self, value: float) -> str:
        name = self.spec.answer_name or "your answer variable"
        shown = f"{value:.{self._decimals}f}"
        return (
            f'<div aria-live="polite">🔍 Exploring: {html.escape(shown)} (not checked). '
            f"To answer, set <code>{html.escape(name)} = value</code> in the answer cell, run "
            "it, then run this cell again.</div>"
        )

    def _verdict_html(self) -> str:
        return (
            f'<div role="status" aria-live="polite" aria-atomic="true">{self.feedback.html()}</div>'
        )

    # -- behaviour -----------------------------------------------------------------------

    @property
    def correct(self) -> bool:
        """True when the answer passed in is correct."""
        return self.feedback.correct

    def recheck(self, answer) -> Feedback:
        """Check `answer` (e.g. re-read from the answer cell) and show the new verdict."""
        self.feedback = self.spec.feedback(answer)
        self.feedback_html.value = self._verdict_html()
        return self.feedback

    def _show_next_hint(self, _button=None) -> None:
        if self._hints_shown < len(self.spec.hints):
            self._hints_shown += 1
        self._update_hints()

    def _update_hints(self) -> None:
        total = len(self.spec.hints)
        shown = self.spec.hints[: self._hints_shown]
        items = "".join(f"<li>{rich_text(hint)}</li>" for hint in shown)
        self.hints_html.value = (
            f'<ol aria-label="Hints" aria-live="polite">{items}</ol>' if shown else ""
        )
        if self._hints_shown < total:
            self.hint_button.description = f"Show a hint ({self._hints_shown + 1} of {total})"
            self.hint_button.disabled = False
        else:
            self.hint_button.description = "No more hints" if total else "No hints"
            self.hint_button.disabled = True

    # -- display -------------------------------------------------------------------------

    def text(self) -> str:
        """The plain-text form: the verdict, then a Choice's options (one per line)."""
        lines = [self.feedback.text()]
        if isinstance(self.spec, Choice):
            lines += [f"  {key}) {label}" for key, label in self.spec.options.items()]
        return "\n".join(lines)

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["text/plain"] = self.text()
        return bundle

    def __repr__(self) -> str:
        return self.text()
