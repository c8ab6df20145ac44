"""Interactive demos: each wires widgets to a figure and exposes both, so tests can drive it."""

import base64

__all__ = ["WidgetDemo"]


class WidgetDemo:
    """How a demo shows itself: the live widget, a still picture and a one-line summary.

    Subclasses provide ``png()`` (bytes of the current picture), ``summary()`` (plain text) and,
    when they are interactive, ``widget`` (an ipywidgets container; a figure without one shows
    only its picture and summary). JupyterLab renders the widget; a viewer that cannot
    run widgets (a notebook rendered on GitHub) shows the picture; nbconvert, nbval and a terminal
    get the summary, which is deterministic.
    """

    def _repr_mimebundle_(self, **kwargs):
        widget = getattr(self, "widget", None)
        bundle = dict(widget._repr_mimebundle_(**kwargs) or {}) if widget is not None else {}
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        bundle["text/plain"] = self.summary()
        return bundle

    def __repr__(self):
        return self.summary()
