"""Interactive demos: each wires widgets to a figure and exposes both, so tests can drive it."""

import base64

import numpy as np

__all__ = ["WidgetDemo", "picture", "slider"]

_PICTURE_CLASS = []


def slider(value, low, high, step, description, *, continuous=True, whole=False):
    """A labelled ipywidgets slider from `low` to `high`, its value clipped into that range.

    Parameters
    ----------
    value, low, high, step : float
        Start, ends and step (whole numbers when `whole`).
    description : str
        The label, shown in full before the slider.
    continuous : bool, default True
        Update while dragging (False: only on release, for slow redraws).
    whole : bool, default False
        An ``IntSlider`` instead of a ``FloatSlider`` (two decimals).
    """
    import ipywidgets as widgets

    options = {"min": low, "max": high, "step": step, "description": description,
               "continuous_update": continuous, "style": {"description_width": "initial"}}
    if whole:
        return widgets.IntSlider(value=int(np.clip(value, low, high)), **options)
    return widgets.FloatSlider(value=float(np.clip(value, low, high)), readout_format=".2f",
                               **options)


def picture(alt):
    """An ``ipywidgets.Image`` for a demo's live figure, named `alt` for screen readers.

    ipywidgets writes no ``alt`` on its ``<img>``; its ``tooltip`` becomes the image's ``title``,
    an accessible name (axe's image-alt rule accepts it), but only when the model has a
    ``description``, which ``Image`` lacks (the view reads its length): this subclass syncs an
    empty one.

    Examples
    --------
    >>> image = picture("The L1 and L2 lines through eight points.")
    >>> image.tooltip, image.description, image.format
    ('The L1 and L2 lines through eight points.', '', 'png')
    """
    import ipywidgets as widgets
    import traitlets

    if not _PICTURE_CLASS:
        class NamedImage(widgets.Image):
            description = traitlets.Unicode("").tag(sync=True)

        _PICTURE_CLASS.append(NamedImage)
    return _PICTURE_CLASS[0](format="png", tooltip=" ".join(str(alt).split()))


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
