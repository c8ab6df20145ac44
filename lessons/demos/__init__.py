"""Interactive demos: each wires widgets to a figure and exposes both, so tests can drive it."""

import base64

__all__ = ["WidgetDemo", "picture", "slider"]

_PICTURE_CLASS = []


def slider(value, low, high, step, description, *, continuous=True, whole=False, log=False,
           readout_format=".2f", play=False, interval=120):
    """A labelled slider (`controls.LabelledSlider`) from `low` to `high`, `value` clipped into it.

    Parameters
    ----------
    value, low, high, step : float
        Start, ends and step (whole numbers when `whole`; on a `log` slider the ends and step
        are base-10 exponents and `value` is the value itself).
    description : str
        The label, shown in full before the slider and announced by screen readers.
    continuous : bool, default True
        Update while dragging (False: only on release, for slow redraws).
    whole : bool, default False
        Whole-number values, shown without decimals.
    log : bool, default False
        Move on a base-10 log scale.
    readout_format : str, default ".2f"
        How the read-out shows the value (``"d"`` when `whole`).
    play : bool, default False
        Add a Play/Pause button that steps the slider to its end.
    interval : int, default 120
        Milliseconds between two steps while playing.

    Examples
    --------
    >>> slider(7, 1, 8, 1, "point", whole=True).value
    7.0
    """
    from lessons.demos.controls import LabelledSlider

    return LabelledSlider(value=value, min=low, max=high, step=step, description=description,
                          continuous_update=continuous, integer=whole, log=log, play=play,
                          interval=interval,
                          readout_format="d" if whole else readout_format)


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
