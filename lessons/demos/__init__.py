"""Interactive demos: each wires widgets to a figure and exposes both, so tests can drive it."""

import base64

__all__ = ["WidgetDemo"]


class WidgetDemo:
    """How a demo shows itself: the live widget, a still picture and a one-line summary.

    Subclasses provide ``widget`` (an ipywidgets container), ``png()`` (bytes of the current
    picture) and ``summary()`` (plain text). JupyterLab renders the widget; a viewer that cannot
    run widgets (a notebook rendered on GitHub) shows the picture; nbconvert, nbval and a terminal
    get the summary, which is deterministic.
    """

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["image/png"] = base64.b64encode(self.png()).decode("ascii")
        bundle["text/plain"] = self.summary()
        return bundle

    def __repr__(self):
        return self.summary()
