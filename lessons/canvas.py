"""The live canvas every interactive figure of the course draws on.

`new_figure` makes a figure outside pyplot, on an ipympl canvas (a widget that receives mouse
events in JupyterLab) or on a plain Agg canvas (pictures, tests); `LiveFigure` redraws only the
artists that move, by blitting them over a cached picture of the rest; `png_bytes` encodes the
pixels fast. The figures layer: it knows Matplotlib and ipympl, nothing about losses. Used by the
demos in `lessons.demos` (outliers, Huber, training).
"""

import io
import sys
import warnings

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["FIGSIZE", "LiveFigure", "new_figure", "png_bytes"]

FIGSIZE = (8.0, 4.5)
_PNG_COMPRESSION = 1  # fast zlib level: a live picture is rebuilt on every slider step


def png_bytes(rgba):
    """PNG bytes of an RGBA pixel array (height, width, 4), compressed fast.

    Examples
    --------
    >>> png_bytes(np.zeros((2, 2, 4), dtype=np.uint8))[:4]
    b'\\x89PNG'
    """
    from PIL import Image  # Pillow comes with Matplotlib

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgba)).save(buffer, format="png", compress_level=_PNG_COMPRESSION)
    return buffer.getvalue()


class LiveFigure:
    """Redraw a figure's moving artists fast: blit them over a cached picture of the rest.

    A full Matplotlib draw spends most of its time on text (ticks, labels, legend). The artists
    given to `add` are marked animated: a full draw leaves them out and caches the picture of
    everything else, and `refresh` then pastes that picture back and draws only them.
    Works on any Agg-based canvas: Agg itself (pictures, tests) and ipympl (live figures).

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        A figure whose canvas is Agg-based (``FigureCanvasAgg`` or ipympl's ``Canvas``).

    Examples
    --------
    >>> figure = new_figure(interactive=False)
    >>> (line,) = figure.add_subplot().plot([0, 1], [0, 1])
    >>> live = LiveFigure(figure)
    >>> live.add(line)
    >>> line.set_ydata([1, 0])
    >>> live.refresh()
    >>> live.png()[:4]
    b'\\x89PNG'
    """

    def __init__(self, figure):
        self.figure = figure
        self.artists = []
        self._canvas = figure.canvas
        self._background = None
        self._renderer = None
        figure.canvas.mpl_connect("draw_event", self._on_draw)

    def add(self, *artists):
        """Mark `artists` as moving: they are redrawn by every `refresh`."""
        for artist in artists:
            artist.set_animated(True)
            self.artists.append(artist)

    def _on_draw(self, event):
        renderer = event.renderer
        if (self._canvas.is_saving() or renderer is not getattr(self._canvas, "renderer", None)
                or "draw_path" in vars(renderer)):
            # savefig draws animated artists itself; draw_without_rendering (which replaces
            # the renderer's draw methods for the pass) paints no pixels worth keeping.
            return
        # A full draw has just painted everything except the moving artists: keep that picture,
        # then put the moving artists on top.
        self._background = self._canvas.copy_from_bbox(self.figure.bbox)
        self._renderer = self._canvas.get_renderer()
        for artist in self.artists:
            artist.draw(renderer)

    def invalidate(self):
        """Forget the cached picture: call after changing anything that is not moving."""
        self._background = None

    def refresh(self):
        """Show the moving artists' current state (a full draw only when the size changed)."""
        canvas = self._canvas
        if self._background is None or canvas.get_renderer() is not self._renderer:
            canvas.draw()
            return
        canvas.restore_region(self._background)
        for artist in self.artists:
            self.figure.draw_artist(artist)
        canvas.blit(self.figure.bbox)

    def png(self):
        """The picture as PNG bytes, at the figure's own size and dpi."""
        if self._background is None or self._canvas.get_renderer() is not self._renderer:
            self._canvas.draw()
        return png_bytes(self._canvas.buffer_rgba())


def _ipympl_classes():
    """ipympl's ``Canvas`` and ``FigureManager``, imported without switching pyplot's backend.

    Importing the ``ipympl`` package the first time calls ``matplotlib.use`` on itself (so that
    ``import ipympl`` works as ``%matplotlib widget``). Here only its canvas is wanted: the
    notebook's other figures must stay inline, so the backend in use before is restored.
    """
    if "ipympl" not in sys.modules:
        import matplotlib

        before = matplotlib.rcParams._get("backend")  # the raw value: no backend resolution
        fallback = matplotlib.rcParams["backend_fallback"]
        import ipympl  # noqa: F401

        if matplotlib.rcParams._get("backend") != before:
            pyplot = sys.modules.get("matplotlib.pyplot")
            if pyplot is not None:
                pyplot.switch_backend(before)
            else:
                matplotlib.rcParams._set("backend", before)
        matplotlib.rcParams["backend_fallback"] = fallback
    from ipympl.backend_nbagg import Canvas, FigureManager

    return Canvas, FigureManager


def new_figure(interactive=True, figsize=FIGSIZE):
    """A figure outside pyplot, on an ipympl canvas (live in JupyterLab) or an Agg canvas.

    Parameters
    ----------
    interactive : bool, default True
        True: an ipympl ``Canvas`` widget that receives mouse events from the browser (header,
        toolbar and footer hidden). False: a plain Agg canvas (pictures and tests).
    figsize : (float, float)
        In inches.

    Returns
    -------
    matplotlib.figure.Figure
        Laid out with constrained layout; ``figure.canvas`` is the widget when interactive.
    """
    figure = Figure(figsize=figsize, layout="constrained")
    if interactive:
        Canvas, FigureManager = _ipympl_classes()
        canvas = Canvas(figure)
        # Before a browser shows it, ipympl 0.10 stores every picture the kernel draws in the
        # widget's state as bare base64, which the browser cannot load: a canvas shown inside
        # a box then stays empty (0 × 0 pixels). The browser asks for a picture anyway once
        # the canvas appears, so the kernel need not send one before.
        canvas.syncing_data_url = False
        with warnings.catch_warnings():
            # ipympl's toolbar passes traitlets an argument it ignores (ipympl 0.10, harmless)
            warnings.filterwarnings("ignore", "Passing unrecognized arguments",
                                    DeprecationWarning)
            FigureManager(canvas, 0)  # handles the browser's messages; also makes the toolbar
        canvas.header_visible = False
        canvas.footer_visible = False
        canvas.toolbar_visible = False  # pan and zoom would fight with dragging
        canvas.resizable = False
    else:
        FigureCanvasAgg(figure)
    return figure
