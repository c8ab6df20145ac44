"""The demos' slider: a native ``<input type=range>`` with a visible label and a read-out.

ipywidgets' ``FloatSlider`` and ``IntSlider`` draw their handle as a ``div`` with
``role=slider`` and no accessible name (nothing set from Python reaches it), and ``Play``
draws icon-only buttons: a screen reader announces "slider" and "button" and nothing more.
`LabelledSlider` is a small `anywidget` instead. Its range input is named by its ``<label>``;
its ``aria-valuetext`` is the value as the read-out shows it; it moves with the arrow keys,
Page Up/Down, Home and End like any native slider; its optional Play button has the text
"Play" or "Pause"; and it follows JupyterLab's theme colours.

In Python it behaves like the ipywidgets slider it replaces: set and read ``.value``, and
observe ``"value"``. A value outside the range is clipped, as ipywidgets does.

`CanvasName` names an ipympl canvas the same way: ipympl makes its canvas a focusable ``div``
with no name, so a screen reader announces nothing; shown in the same box, `CanvasName` gives it
``role=img`` and the figure's one-sentence description.
"""

import math

import anywidget
import traitlets

__all__ = ["CanvasName", "LabelledSlider"]

_ESM = r"""
let counter = 0;

function format(value, spec) {
  const match = /^\.(\d+)([fg])$/.exec(spec);
  if (spec === "d") return String(Math.round(value));
  if (!match) return String(value);
  const digits = Number(match[1]);
  return match[2] === "f" ? value.toFixed(digits) : String(Number(value.toPrecision(digits)));
}

function render({ model, el }) {
  // anywidget may load this module once per widget, so a module counter alone can repeat:
  // two sliders with one id would leave the second without its label. Add a random part.
  const id = `lessons-slider-${Math.random().toString(36).slice(2, 10)}-${counter++}`;
  const root = document.createElement("div");
  root.className = "lessons-slider";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.className = "lessons-slider-label";
  const input = document.createElement("input");
  input.type = "range";
  input.id = id;
  const output = document.createElement("output");
  output.htmlFor = id;
  output.className = "lessons-slider-readout";
  const play = document.createElement("button");
  play.type = "button";
  play.className = "lessons-slider-play";

  const log = () => model.get("log");
  const toInput = (value) => (log() ? Math.log10(value) : value);
  const fromInput = (position) => {
    const value = log() ? 10 ** position : position;
    return model.get("integer") ? Math.round(value) : value;
  };
  // The read-out and what a screen reader announces: the value as the demo formats it.
  function show(value) {
    output.textContent = format(value, model.get("readout_format"));
    input.setAttribute("aria-valuetext", output.textContent);
  }

  function sync() {
    label.textContent = model.get("description");
    input.min = String(model.get("min"));
    input.max = String(model.get("max"));
    input.step = String(model.get("step"));
    input.value = String(toInput(model.get("value")));
    input.disabled = model.get("disabled");
    show(model.get("value"));
    play.hidden = !model.get("play");
    play.disabled = model.get("disabled");
  }

  function send(position) {
    model.set("value", fromInput(Number(position)));
    model.save_changes();
  }

  input.addEventListener("input", () => {
    show(fromInput(Number(input.value)));
    if (model.get("continuous_update")) send(input.value);
  });
  input.addEventListener("change", () => send(input.value));
  // JupyterLab's notebook shortcuts listen for keys on the page: keep the keys that move a
  // slider or press a button for the control itself.
  const own = new Set(["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "PageUp", "PageDown",
                       "Home", "End", "Enter", " "]);
  for (const node of [input, play]) {
    node.addEventListener("keydown", (event) => {
      if (own.has(event.key)) event.stopPropagation();
    });
  }

  let timer = null;
  function stop() {
    if (timer !== null) clearInterval(timer);
    timer = null;
    play.textContent = "Play";
    play.setAttribute("aria-pressed", "false");
  }
  function step() {
    const next = Number(input.value) + Number(model.get("step"));
    if (next > Number(model.get("max")) + 1e-9) { stop(); return; }
    input.value = String(next);
    send(input.value);
  }
  play.addEventListener("click", () => {
    if (timer !== null) { stop(); return; }
    if (Number(input.value) >= Number(model.get("max")) - 1e-9) {
      input.value = String(model.get("min"));
      send(input.value);
    }
    timer = setInterval(step, model.get("interval"));
    play.textContent = "Pause";
    play.setAttribute("aria-pressed", "true");
  });
  stop();

  model.on("change", sync);
  sync();
  root.append(play, label, input, output);
  el.append(root);
  return () => { stop(); model.off("change", sync); };
}

export default { render };
"""

_CSS = """
.lessons-slider { display: flex; align-items: center; gap: 0.6em; margin: 2px 0;
  color: var(--jp-ui-font-color1, #1a1a1a); font-size: var(--jp-widgets-font-size, 13px); }
.lessons-slider-label { white-space: nowrap; }
.lessons-slider input[type=range] { width: 16em; accent-color: var(--jp-brand-color1, #1565c0); }
.lessons-slider input[type=range]:focus-visible {
  outline: 2px solid var(--jp-brand-color1, #1565c0); outline-offset: 2px; }
.lessons-slider-readout { min-width: 4ch; font-variant-numeric: tabular-nums; }
.lessons-slider-play { font: inherit; padding: 1px 10px; color: var(--jp-ui-font-color1, #1a1a1a);
  background: var(--jp-layout-color2, #eeeeee); border: 1px solid var(--jp-border-color1, #757575);
  border-radius: 2px; }
.lessons-slider-play[hidden] { display: none; }
"""


class LabelledSlider(anywidget.AnyWidget):
    """A slider with a visible label that screen readers announce, and an optional Play button.

    Parameters
    ----------
    value : float
        The start; clipped into the range (on a log slider, the value itself, not its exponent).
    min, max, step : float
        The range and step; on a log slider (`log`), of the base-10 exponent, as in
        ``ipywidgets.FloatLogSlider``.
    description : str
        The label, shown before the slider and read out by screen readers.
    integer : bool, default False
        Whole-number values (an ``IntSlider``).
    log : bool, default False
        Move on a base-10 log scale.
    readout_format : str, default ".2f"
        How the read-out shows the value: ``".Nf"``, ``".Ng"`` or ``"d"``.
    continuous_update : bool, default True
        Send the value while the slider moves (False: only when it is released).
    play : bool, default False
        Show a Play/Pause button that steps the slider to its end, one step every `interval` ms.

    Examples
    --------
    >>> delta = LabelledSlider(value=1.0, min=0.1, max=3.0, step=0.05, description="δ")
    >>> delta.value = 5.0  # clipped, as ipywidgets clips
    >>> delta.value
    3.0
    >>> LabelledSlider(value=10.0, min=-1, max=2, step=0.5, log=True, description="δ").bounds()
    (0.1, 100.0)
    """

    _esm = _ESM
    _css = _CSS

    value = traitlets.Float(0.0).tag(sync=True)
    min = traitlets.Float(0.0).tag(sync=True)
    max = traitlets.Float(1.0).tag(sync=True)
    step = traitlets.Float(0.1).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)
    integer = traitlets.Bool(False).tag(sync=True)
    log = traitlets.Bool(False).tag(sync=True)
    readout_format = traitlets.Unicode(".2f").tag(sync=True)
    continuous_update = traitlets.Bool(True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    play = traitlets.Bool(False).tag(sync=True)
    interval = traitlets.Int(120).tag(sync=True)

    def __init__(self, **kwargs):
        value = kwargs.pop("value", None)
        super().__init__(**kwargs)
        if not (self.max > self.min and self.step > 0):
            raise ValueError(f"a slider needs min < max and step > 0, got min={self.min}, "
                             f"max={self.max}, step={self.step}")
        if value is not None:
            self.value = value

    def bounds(self):
        """The smallest and largest value (powers of 10 on a log slider)."""
        if self.log:
            return (10.0 ** self.min, 10.0 ** self.max)
        return (self.min, self.max)

    @traitlets.validate("value")
    def _clip(self, proposal):
        value = float(proposal["value"])
        if not math.isfinite(value):
            raise traitlets.TraitError(f"{self.description or 'slider'}: {value} is not a number")
        low, high = self.bounds()
        value = min(max(value, low), high)
        return float(round(value)) if self.integer else value


_CANVAS_ESM = r"""
function render({ model, el }) {
  el.style.display = "none";
  // ipympl renders its canvas when it is ready: look for it in this widget's box until it is there.
  let tries = 0;
  const name = () => {
    const box = el.parentElement;
    const canvas = box ? box.querySelector(".jupyter-matplotlib-canvas-div") : null;
    if (!canvas) return false;
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", model.get("label"));
    return true;
  };
  const timer = setInterval(() => { if (name() || ++tries > 200) clearInterval(timer); }, 50);
  model.on("change:label", name);
  return () => { clearInterval(timer); model.off("change:label", name); };
}

export default { render };
"""


class CanvasName(anywidget.AnyWidget):
    """Names the ipympl canvas shown in the same box: ``role=img`` and `label` as its name.

    Put it in the ``VBox`` (or ``HBox``) that holds ``figure.canvas``; it shows nothing itself.

    Examples
    --------
    >>> CanvasName(label="Eight points with their L2 and L1 lines; drag a point.").label
    'Eight points with their L2 and L1 lines; drag a point.'
    """

    _esm = _CANVAS_ESM

    label = traitlets.Unicode("").tag(sync=True)
