"""Where the losses came from: a sourced timeline and Boscovich's meridian-arc data.

Introduced in ``notebooks/08_history.ipynb``. Every entry carries the scholarly or primary source
it was checked against (author, title, year), not the course's own source texts, which contain
mistakes. Where a source could only be read through another one, the citation says so.

Contents
--------
TIMELINE, SPANS        dated events and periods, each with its citation
boscovich_arcs         the five arcs Boscovich combined, with their source
boscovich_fit          his constrained least-absolute-deviations line (a weighted median)
weighted_median        the lower weighted median used by `boscovich_fit`
degree_length          exact length of one degree of meridian on an ellipsoid (for checking)
timeline_markdown      the timeline as a Markdown table
plot_timeline          the timeline as a figure on a broken time axis
"""

import math
from dataclasses import dataclass

import numpy as np

from lessons import plotting

__all__ = [
    "Event",
    "Span",
    "MeridianArcs",
    "SOURCES",
    "TIMELINE",
    "SPANS",
    "BOSCOVICH_SOURCE",
    "WGS84_SEMI_MAJOR_M",
    "WGS84_INVERSE_FLATTENING",
    "WGS84_SOURCE",
    "boscovich_arcs",
    "weighted_median",
    "boscovich_fit",
    "degree_length",
    "timeline_markdown",
    "plot_timeline",
]

# ---------------------------------------------------------------------------------------------
# Sources (author, title, year, where). Each was read, at least in the part cited, when this
# module was written; "as listed by" marks a source seen only through another one.
# ---------------------------------------------------------------------------------------------
SOURCES = {
    "hald1998": (
        "A. Hald, A History of Mathematical Statistics from 1750 to 1930 (Wiley, 1998): "
        "§6.3 “The Method of Least Absolute Deviations by Boscovich, 1757 and 1760” and "
        "§6.7 “Laplace's Modification of Boscovich's Method, 1799” (section titles as listed "
        "by I. Martinović, Prilozi za istraživanje hrvatske filozofske baštine 44/1, 2018)"
    ),
    "plackett1972": (
        "R. L. Plackett, “Studies in the History of Probability and Statistics XXIX: The "
        "discovery of the method of least squares”, Biometrika 59(2), 239–251 (1972)"
    ),
    "bidabad2019": (
        "B. Bidabad, “L1 norm based computational algorithms”, Bangladesh Journal of "
        "Multidisciplinary Scientific Research 1(1) (2019), §“Historical development”"
    ),
    "farebrother_eom": (
        "R. W. Farebrother, “Boscovich, Rogerius Josephus”, StatProb encyclopedia article, "
        "reprinted in the Encyclopedia of Mathematics (revision of 25 March 2023)"
    ),
    "stigler1977": (
        "S. M. Stigler, “An attack on Gauss, published by Legendre in 1820”, Historia "
        "Mathematica 4, 31–35 (1977)"
    ),
    "stigler1986": (
        "S. M. Stigler, The History of Statistics: The Measurement of Uncertainty before 1900 "
        "(Belknap Press of Harvard University Press, 1986), ch. 1"
    ),
    "gauss1809": (
        "C. F. Gauss, Theoria motus corporum coelestium (Hamburg, 1809), art. 186, in "
        "C. H. Davis's translation (1857), as quoted by Stigler (1977)"
    ),
    "gauss1809_fr": (
        "C. F. Gauss, Theoria motus corporum coelestium (1809), art. 186, in J. Bertrand's "
        "French translation (1855), transcribed on fr.wikisource.org: Laplace uses Boscovich's "
        "principle of the least sum of absolute differences"
    ),
    "legendre1805": (
        "A.-M. Legendre, Nouvelles méthodes pour la détermination des orbites des comètes "
        "(Paris, 1805), appendix “Sur la méthode des moindres quarrés”"
    ),
    "huber1964": (
        "P. J. Huber, “Robust estimation of a location parameter”, Annals of Mathematical "
        "Statistics 35(1), 73–101 (1964)"
    ),
    "koenker_bassett1978": (
        "R. Koenker and G. Bassett, “Regression quantiles”, Econometrica 46(1), 33–50 (1978)"
    ),
    "koenker_hallock2001": (
        "R. Koenker and K. F. Hallock, “Quantile regression”, Journal of Economic "
        "Perspectives 15(4), 143–156 (2001)"
    ),
    "tibshirani1996": (
        "R. Tibshirani, “Regression shrinkage and selection via the lasso”, Journal of the "
        "Royal Statistical Society, Series B 58, 267–288 (1996)"
    ),
    "girshick2015": (
        "R. Girshick, “Fast R-CNN”, Proceedings of the IEEE International Conference on "
        "Computer Vision (ICCV 2015); arXiv:1504.08083"
    ),
    "koenker2005": (
        "R. Koenker, Quantile Regression (Cambridge University Press, 2005), through the data "
        "set `Bosco` of Koenker's R package quantreg, whose documentation refers to the book"
    ),
    "wgs84": (
        "National Imagery and Mapping Agency, Department of Defense World Geodetic System 1984, "
        "Technical Report TR8350.2, 3rd ed. (2000), Table 3.1 (EPSG ellipsoid 7030)"
    ),
    "kant1807": (
        "I. Kant, Geografia fisica, vol. 1 (Italian translation, 1807), p. 32: a table of "
        "measured degrees, transcribed on it.wikisource.org"
    ),
}


@dataclass(frozen=True)
class Event:
    """One dated step, with the source it was checked against.

    Attributes
    ----------
    year : int
    who : str
    what : str
        One short line, for the figure.
    detail : str
        A sentence for the table.
    sources : tuple of str
        Keys of `SOURCES`.
    strand : str
        A loss name known to `lessons.plotting` (its colour marks the event).
    level : float
        Height of the label in the figure (negative: below the axis).
    align : {"left", "right"}
        Which side of its stem the label sits on (chosen so labels do not overlap).
    """

    year: int
    who: str
    what: str
    detail: str
    sources: tuple
    strand: str
    level: float
    align: str = "left"

    def citation(self):
        """The full citations of this event, joined by "; "."""
        return "; ".join(SOURCES[key] for key in self.sources)


@dataclass(frozen=True)
class Span:
    """A period drawn as a bar under the time axis (e.g. a priority dispute)."""

    start: int
    end: int
    label: str
    sources: tuple


TIMELINE = (
    Event(1757, "Boscovich", "least absolute deviations",
          "Combines five measured degrees of meridian by making the absolute deviations as small "
          "as possible, subject to the deviations summing to zero.",
          ("hald1998", "bidabad2019", "plackett1972"), "l1", 2.2),
    Event(1760, "Boscovich", "a geometric method",
          "Publishes a geometric procedure for that constrained least-absolute-deviations line.",
          ("farebrother_eom", "hald1998"), "l1", -2.6),
    Event(1793, "Laplace", "Boscovich's method in algebra",
          "Turns Boscovich's procedure into an algebraic algorithm (memoir printed in 1793).",
          ("farebrother_eom", "bidabad2019", "gauss1809_fr"), "l1", -1.3, "right"),
    Event(1799, "Laplace", "modifies Boscovich's method",
          "Publishes a modification of Boscovich's method.",
          ("hald1998", "bidabad2019"), "l1", -2.6),
    Event(1805, "Legendre", "least squares, in print",
          "Publishes and names the method of least squares, in an appendix to a book on "
          "comet orbits.",
          ("stigler1977", "stigler1986", "legendre1805"), "l2", 3.3, "right"),
    Event(1809, "Gauss", "least squares + normal law",
          "Links least squares to the normal law of errors and writes that he had used the "
          "principle since 1795.",
          ("stigler1977", "gauss1809", "plackett1972"), "l2", 2.2),
    Event(1820, "Legendre", "attacks Gauss's claim",
          "Publishes an attack on Gauss's priority claim: the climax of the dispute.",
          ("stigler1977",), "l2", 1.1),
    Event(1964, "Huber", "robust location (Huber loss)",
          "Estimators between the sample mean and the sample median that are asymptotically "
          "most robust for contaminated normal data.",
          ("huber1964",), "huber", 2.2),
    Event(1978, "Koenker & Bassett", "regression quantiles",
          "Regression quantiles: the pinball loss fits conditional quantiles, the median "
          "(L1) being one of them.",
          ("koenker_bassett1978", "koenker_hallock2001"), "pinball", -1.3),
    Event(1996, "Tibshirani", "the lasso (L1 penalty)",
          "Least squares with a bound on the sum of absolute coefficients, which sets some "
          "coefficients exactly to zero.",
          ("tibshirani1996",), "l1", 1.1),
    Event(2015, "Girshick", "SmoothL1 in Fast R-CNN",
          "Smooth L1 loss for bounding-box regression, “less sensitive to outliers than the "
          "L2 loss” of earlier detectors.",
          ("girshick2015",), "smooth_l1", -2.6, "right"),
)

# Parameters that `plotting.label` needs for these strands (only the line style is used here).
_LABEL_PARAMS = {"huber": {"delta": 1}, "smooth_l1": {"beta": 1}, "pinball": {"tau": 0.5}}

# Legend text of each strand's colour.
_STRAND_NAMES = {"l1": "L1: absolute deviations, L1 penalty", "l2": "L2: least squares",
                 "huber": "Huber / SmoothL1", "smooth_l1": "Huber / SmoothL1",
                 "pinball": "pinball: quantiles"}

SPANS = (
    Span(1805, 1820, "Legendre–Gauss priority dispute", ("stigler1977", "plackett1972")),
)

# ---------------------------------------------------------------------------------------------
# Boscovich's data and the modern reference ellipsoid
# ---------------------------------------------------------------------------------------------
BOSCOVICH_SOURCE = SOURCES["koenker2005"]
WGS84_SEMI_MAJOR_M = 6378137.0
WGS84_INVERSE_FLATTENING = 298.257223563
WGS84_SOURCE = SOURCES["wgs84"]


@dataclass(frozen=True)
class MeridianArcs:
    """Measured lengths of one degree of meridian at several latitudes.

    Attributes
    ----------
    places : tuple of str
    sin2_latitude : ndarray
        sin²(latitude) of each arc's middle, as tabulated.
    arc_toises : ndarray
        Length of one degree of latitude there, in toises (1 toise ≈ 1.95 m).
    source : str
    """

    places: tuple
    sin2_latitude: np.ndarray
    arc_toises: np.ndarray
    source: str


def boscovich_arcs():
    """The five degrees of meridian Boscovich combined (Quito to Lapland).

    The numbers are those of the data set ``Bosco`` in Koenker's R package quantreg, which
    stores ``x = sin²(latitude)`` and ``y = arc - 56700`` toises and refers to Koenker (2005);
    the 56700 is added back here.

    Returns
    -------
    MeridianArcs

    Examples
    --------
    >>> arcs = boscovich_arcs()
    >>> arcs.places[0], float(arcs.arc_toises[0])
    ('Quito', 56751.0)
    """
    places = ("Quito", "Cape of Good Hope", "Rome", "Paris", "Lapland")
    sin2 = np.array([0.0, 0.2987, 0.4648, 0.5762, 0.8386])
    arcs = 56700.0 + np.array([51.0, 337.0, 279.0, 374.0, 722.0])
    sin2.setflags(write=False)
    arcs.setflags(write=False)
    return MeridianArcs(places, sin2, arcs, BOSCOVICH_SOURCE)


def weighted_median(values, weights):
    """The lower weighted median: the smallest value whose cumulative weight reaches half.

    Any weighted median minimises ``sum(weights * |values - m|)`` over m; this one is the
    smallest such value.

    Parameters
    ----------
    values, weights : array_like
        1-D, same length; weights non-negative with a positive total.

    Returns
    -------
    float

    Examples
    --------
    >>> weighted_median([1.0, 2.0, 3.0], [1.0, 1.0, 5.0])
    3.0
    >>> weighted_median([1.0, 2.0, 3.0, 4.0], [1.0, 1.0, 1.0, 1.0])
    2.0
    """
    values = np.asarray(values, dtype=float).reshape(-1)
    weights = np.asarray(weights, dtype=float).reshape(-1)
    if values.size != weights.size or values.size == 0:
        raise ValueError("values and weights must be non-empty and of the same length.")
    if not (np.all(np.isfinite(values)) and np.all(np.isfinite(weights))):
        raise ValueError("values and weights must be finite numbers.")
    if np.any(weights < 0) or weights.sum() <= 0:
        raise ValueError("weights must be non-negative with a positive total.")
    order = np.argsort(values, kind="stable")
    cumulative = np.cumsum(weights[order])
    index = int(np.searchsorted(cumulative, 0.5 * cumulative[-1], side="left"))
    return float(values[order][index])


def boscovich_fit(x, y):
    """Boscovich's line: residuals summing to zero, least sum of absolute residuals.

    The first condition makes the line pass through the centroid (x̄, ȳ). Through it,
    ``sum |y_i - ȳ - b (x_i - x̄)| = sum |x_i - x̄| · |s_i - b|`` with slopes
    ``s_i = (y_i - ȳ) / (x_i - x̄)``, so the best b is a weighted median of the s_i with weights
    ``|x_i - x̄|`` (points at x̄ add a constant and are left out).

    Returns
    -------
    intercept, slope : float

    Examples
    --------
    >>> [round(value, 4) for value in boscovich_fit([0.0, 1.0, 2.0, 3.0], [0.0, 1.0, 2.0, 7.0])]
    [0.0, 1.6667]
    """
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    if x.size != y.size or x.size < 2:
        raise ValueError("x and y must have the same length, at least 2.")
    x_mean, y_mean = x.mean(), y.mean()
    away = x != x_mean
    if not away.any():
        raise ValueError("x needs at least two distinct values to fit a line.")
    slopes = (y[away] - y_mean) / (x[away] - x_mean)
    slope = weighted_median(slopes, np.abs(x[away] - x_mean))
    return float(y_mean - slope * x_mean), slope


def degree_length(latitude_deg, semi_major=WGS84_SEMI_MAJOR_M,
                  inverse_flattening=WGS84_INVERSE_FLATTENING):
    """Length of one degree of meridian at a latitude, on an ellipsoid of revolution.

    ``M(φ) · π/180`` with the meridian radius of curvature ``M = a (1 - e²) / (1 - e² sin²φ)^1.5``
    and ``e² = f (2 - f)``.

    Returns
    -------
    float or ndarray
        In the unit of `semi_major` (metres by default).

    Examples
    --------
    >>> round(float(degree_length(0.0)), 1), round(float(degree_length(90.0)), 1)
    (110574.3, 111694.0)
    """
    f = 1.0 / inverse_flattening
    e2 = f * (2.0 - f)
    s2 = np.sin(np.radians(latitude_deg)) ** 2
    return semi_major * (1.0 - e2) / (1.0 - e2 * s2) ** 1.5 * math.pi / 180.0


# ---------------------------------------------------------------------------------------------
# The timeline as a table and as a figure
# ---------------------------------------------------------------------------------------------
def timeline_markdown(events=TIMELINE, spans=SPANS):
    """A Markdown table: year, who, what, and the sources checked."""
    rows = ["| year | who | what | checked against |", "| --- | --- | --- | --- |"]
    for event in sorted(events, key=lambda item: item.year):
        rows.append(f"| {event.year} | {event.who} | {event.detail} | {event.citation()} |")
    for span in spans:
        sources = "; ".join(SOURCES[key] for key in span.sources)
        rows.append(f"| {span.start}–{span.end} | — | {span.label} | {sources} |")
    return "\n".join(rows)


def plot_timeline(axes, events=TIMELINE, spans=SPANS, periods=((1745, 1845), (1955, 2025))):
    """Draw the events on a time axis broken into `periods`, one Matplotlib axis per period.

    Parameters
    ----------
    axes : sequence of matplotlib.axes.Axes
        One per period, e.g. from ``plt.subplots(1, 2, sharey=True)``.
    events : sequence of Event
    spans : sequence of Span
        Drawn as labelled bars under the axis.
    periods : sequence of (start, end)

    Returns
    -------
    dict
        ``{year: (marker, label)}`` for every event drawn, so tests can read the artists back.
    """
    if len(axes) != len(periods):
        raise ValueError(f"got {len(axes)} axes for {len(periods)} periods.")
    drawn = {}
    for ax, (start, end) in zip(axes, periods, strict=True):
        ax.axhline(0.0, color="black", linewidth=1.2, zorder=1)
        ax.set_xlim(start, end)
        ax.set_ylim(-3.6, 4.4)
        ax.set_yticks([])
        ax.grid(False)
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
        for event in events:
            if not start <= event.year <= end:
                continue
            colour = plotting.color(event.strand)
            dashed = plotting.line_style(event.strand, **_LABEL_PARAMS.get(event.strand, {}))[
                "linestyle"
            ]
            ax.plot([event.year, event.year], [0.0, event.level], color=colour, linewidth=1.2,
                    linestyle=dashed, zorder=2)
            (marker,) = ax.plot(event.year, 0.0, "o", color=colour, markersize=8, zorder=3)
            label = ax.text(
                event.year, event.level, f"{event.year} {event.who}\n{event.what}",
                ha=event.align, va="bottom" if event.level > 0 else "top",
                fontsize=10.5, color="black",
                bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": colour},
            )
            drawn[event.year] = (marker, label)
        for span in spans:
            if start <= span.start and span.end <= end:
                ax.annotate("", xy=(span.start, -0.45), xytext=(span.end, -0.45),
                            arrowprops={"arrowstyle": "<->", "color": plotting.color("l2")})
                ax.text(0.5 * (span.start + span.end), -0.6, span.label, ha="center",
                        va="top", fontsize=9.5, color=plotting.color("l2"))
    for ax in axes[1:]:
        ax.spines["left"].set_visible(True)
        ax.spines["left"].set_linestyle((0, (2, 2)))  # the break in the time axis
    names = dict.fromkeys(_STRAND_NAMES[event.strand] for event in events)
    colours = {_STRAND_NAMES[event.strand]: plotting.color(event.strand) for event in events}
    handles = [axes[-1].plot([], [], "o", color=colours[name], label=name)[0] for name in names]
    axes[0].figure.legend(handles=handles, loc="outside lower center", ncol=len(handles),
                          fontsize=11, frameon=False)
    return drawn
