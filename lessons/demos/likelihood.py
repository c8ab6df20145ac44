"""Sampling explorer of ``03_likelihood``: how spread out are the mean and the median?

Choose the noise (Gaussian, Laplace, or Gaussian with a fraction of gross outliers), the sample
size and the contamination fraction; the figure shows the histograms of the mean and of the
median over many simulated samples whose true location is 0. Every redraw starts a fresh
generator from the same seed, so a setting always gives the same picture. The figure is drawn
with Matplotlib's Agg renderer into an ``ipywidgets.Image`` (no ``%matplotlib widget`` needed);
tests change the widgets' values and read the artists back.
"""

import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from lessons import estimators, plotting
from lessons.demos import WidgetDemo, picture, slider

__all__ = ["KIND_LABELS", "SamplingExplorer"]

KIND_LABELS = {
    "gaussian": "Gaussian",
    "laplace": "Laplace",
    "contaminated": "Gaussian + gross outliers",
}
_BINS = 50
_PNG_DPI = 90


class SamplingExplorer(WidgetDemo):
    """Histograms of the sample mean and the sample median under a chosen noise.

    Parameters
    ----------
    kind : {"gaussian", "laplace", "contaminated"}, default "gaussian"
        Noise, as in `lessons.data.noise` (scale 1).
    n : int, default 25
        Size of each simulated sample (2 to 201).
    contamination : float, default 0.1
        Fraction of draws ten times wider, used when `kind` is ``"contaminated"``.
    repeats : int, default 2000
        Number of simulated samples per picture.
    seed : int, default 7
        Seed of the generator each redraw starts from.

    Attributes
    ----------
    kind_dropdown, n_slider, contamination_slider : ipywidgets widgets
        The three controls; the contamination slider is disabled unless the noise is contaminated.
    figure : matplotlib.figure.Figure
    stairs : dict of str to matplotlib.patches.StepPatch
        ``"mean"`` and ``"median"`` histograms (densities).
    means, medians : ndarray, shape (repeats,)
        The current simulated estimates.
    readout : ipywidgets.HTML
    image : ipywidgets.Image
    widget : ipywidgets.VBox

    Examples
    --------
    >>> explorer = SamplingExplorer(kind="laplace", n=51, repeats=500)
    >>> explorer.standard_deviations()["median"] < explorer.standard_deviations()["mean"]
    True
    """

    def __init__(self, kind="gaussian", n=25, contamination=0.1, *, repeats=2000, seed=7):
        import ipywidgets as widgets

        if kind not in KIND_LABELS:
            raise ValueError(f"kind must be one of {', '.join(KIND_LABELS)}, got {kind!r}.")
        self.repeats = int(repeats)
        if self.repeats < 2:
            raise ValueError(f"repeats must be at least 2, got {repeats!r}.")
        self.seed = int(seed)
        self.kind_dropdown = widgets.Dropdown(
            options=[(label, key) for key, label in KIND_LABELS.items()], value=kind,
            description="noise", style={"description_width": "initial"},
        )
        self.n_slider = slider(n, 2, 201, 1, "sample size n", continuous=False, whole=True)
        self.contamination_slider = slider(contamination, 0.0, 0.5, 0.05, "outlier fraction",
                                           continuous=False)
        self._build_figure()
        self.readout = widgets.HTML()
        self.image = picture(
            "Live figure: histograms of the mean and the median of many samples drawn with the "
            "noise, sample size and outlier fraction chosen above.")
        controls = widgets.HBox([self.kind_dropdown, self.n_slider, self.contamination_slider])
        self.widget = widgets.VBox([controls, self.image, self.readout])
        for control in (self.kind_dropdown, self.n_slider, self.contamination_slider):
            control.observe(self.update, names="value")
        self.update()
        # Lay the figure out once; each later redraw then costs a single draw.
        self.figure.set_layout_engine("none")

    # -- state -------------------------------------------------------------------------------

    @property
    def kind(self):
        """The chosen noise kind."""
        return self.kind_dropdown.value

    @property
    def n(self):
        """The sample size."""
        return int(self.n_slider.value)

    @property
    def contamination(self):
        """The outlier fraction in use: 0 unless the noise is contaminated."""
        return float(self.contamination_slider.value) if self.kind == "contaminated" else 0.0

    def simulate(self):
        """Means and medians of `repeats` samples, from a generator seeded with `seed`."""
        rng = np.random.default_rng(self.seed)
        return estimators.simulate_location_estimates(
            self.kind, self.n, self.repeats, rng, contamination=self.contamination
        )

    def standard_deviations(self):
        """Spread of the current simulated means and medians."""
        return {"mean": float(np.std(self.means)), "median": float(np.std(self.medians))}

    def theory_ratio(self):
        """Large-n Var(median) / Var(mean) for the current noise."""
        return estimators.asymptotic_variance_ratio(self.kind, contamination=self.contamination)

    # -- drawing -----------------------------------------------------------------------------

    def _build_figure(self):
        self.figure = Figure(figsize=(9.0, 4.0))
        FigureCanvasAgg(self.figure)
        self.axes = self.figure.subplots()
        edges = np.linspace(-1.0, 1.0, _BINS + 1)
        self.stairs = {
            "mean": self.axes.stairs(np.zeros(_BINS), edges, color=plotting.color("l2"),
                                     linewidth=2.5, label="sample mean (minimises L2)"),
            "median": self.axes.stairs(np.zeros(_BINS), edges, color=plotting.color("l1"),
                                       linewidth=2.5, label="sample median (minimises L1)"),
        }
        self.axes.axvline(0.0, color=plotting.color("truth"), linestyle="--", linewidth=1.5,
                          label="true location 0")
        self.axes.set(xlabel="estimate of the location", ylabel="density")
        self.axes.legend(loc="upper right")

    def update(self, change=None):
        """Simulate again for the controls' current values and redraw."""
        self.contamination_slider.disabled = self.kind != "contaminated"
        self.means, self.medians = self.simulate()
        spread = self.standard_deviations()
        half_width = 4.0 * max(spread.values())
        edges = np.linspace(-half_width, half_width, _BINS + 1)
        tallest = 0.0
        for name, values in (("mean", self.means), ("median", self.medians)):
            density, _ = np.histogram(values, bins=edges, density=True)
            self.stairs[name].set_data(density, edges)
            tallest = max(tallest, float(density.max()))
        self.axes.set_xlim(-half_width, half_width)
        self.axes.set_ylim(0.0, 1.3 * tallest)
        title = KIND_LABELS[self.kind]
        if self.kind == "contaminated":
            title = f"Gaussian + {self.contamination:.0%} gross outliers (10× wider)"
        self.axes.set_title(f"{title}, n = {self.n}")
        self.readout.value = self._readout_html()
        self.image.value = self.png()

    def _ratio(self):
        return estimators.variance_ratio(self.means, self.medians)[0]

    def _readout_html(self):
        spread = self.standard_deviations()
        return (
            f"<div>{self.repeats} simulated samples. "
            f"Spread of the mean: <b>{spread['mean']:.3f}</b>, of the median: "
            f"<b>{spread['median']:.3f}</b>. Var(median) / Var(mean) = <b>{self._ratio():.2f}</b> "
            f"(large-n theory: {self.theory_ratio():.2f}; below 1, the median is the better "
            "estimator).</div>"
        )

    def png(self):
        """The figure as PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=_PNG_DPI, bbox_inches=None)
        return buffer.getvalue()

    # -- display -----------------------------------------------------------------------------

    def summary(self):
        """One line of plain text: the current setting and spreads (what nbconvert stores)."""
        spread = self.standard_deviations()
        return (f"Sampling explorer, {KIND_LABELS[self.kind]} noise, n = {self.n}: spread of the "
                f"mean {spread['mean']:.3f}, of the median {spread['median']:.3f}, variance "
                f"ratio {self._ratio():.2f}. Change the controls to explore.")
