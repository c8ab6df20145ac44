"""Where the losses came from: a sourced timeline and Boscovich's meridian-arc data.

Introduced in ``notebooks/08_history.ipynb``. Every entry cites the publication it dates (author,
title, year) and a standard history that discusses it (Stigler 1986, Koenker 2005), never the
course's own source texts, which contain mistakes. Where a text is quoted through another one, the
citation says so.

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
import re
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
# Sources (author, title, year, where). An event is dated by the publication it refers to (for
# a society's volume, the year it is "for" and the year it was printed) and placed by a standard
# history, Stigler (1986) or Koenker (2005). "As quoted by" marks a text seen through another.
# ---------------------------------------------------------------------------------------------
SOURCES = {
    "stigler1986": (
        "S. M. Stigler, The History of Statistics: The Measurement of Uncertainty before 1900 "
        "(Belknap Press of Harvard University Press, 1986): ch. 1 (Boscovich, Laplace's memoir "
        "in the Académie volume for 1789 and his 1799 modification, Legendre), ch. 3 (Laplace's "
        "1774 error curve) and ch. 4 (Gauss 1809 and 1823)"
    ),
    "koenker2005": (
        "R. Koenker, Quantile Regression (Cambridge University Press, 2005): its historical "
        "remarks on L1 regression (Boscovich, Laplace, Edgeworth, the linear-programming "
        "formulation) and Boscovich's data, which Koenker's R package quantreg ships as the data "
        "set `Bosco`, with a reference to the book"
    ),
    "plackett1972": (
        "R. L. Plackett, “Studies in the History of Probability and Statistics XXIX: The "
        "discovery of the method of least squares”, Biometrika 59(2), 239–251 (1972)"
    ),
    "farebrother_eom": (
        "R. W. Farebrother, “Boscovich, Rogerius Josephus”, StatProb encyclopedia article, "
        "reprinted in the Encyclopedia of Mathematics (revision of 25 March 2023)"
    ),
    "laplace1774": (
        "P.-S. Laplace, “Mémoire sur la probabilité des causes par les événements”, Mémoires "
        "de mathématique et de physique présentés à l'Académie royale des sciences par divers "
        "savans 6, 621–656 (1774); English translation by S. M. Stigler, Statistical Science "
        "1(3), 364–378 (1986)"
    ),
    "laplace1793": (
        "P.-S. Laplace, “Sur les degrés mesurés des méridiens, et sur les longueurs observées "
        "sur le pendule”, Histoire de l'Académie royale des sciences, année 1789, with the "
        "Mémoires of that year (Paris, printed 1793)"
    ),
    "laplace1799": (
        "P.-S. Laplace, Traité de mécanique céleste, vol. 2, book 3 (Paris, an VII = 1799)"
    ),
    "stigler1977": (
        "S. M. Stigler, “An attack on Gauss, published by Legendre in 1820”, Historia "
        "Mathematica 4, 31–35 (1977)"
    ),
    "gauss1809": (
        "C. F. Gauss, Theoria motus corporum coelestium (Hamburg, 1809), art. 186, in "
        "C. H. Davis's translation (1857), as quoted by Stigler (1977)"
    ),
    "gauss1809_fr": (
        "C. F. Gauss, Theoria motus corporum coelestium (1809), art. 186, in J. Bertrand's "
        "French translation (1855): Laplace uses Boscovich's principle of the least sum of "
        "absolute differences"
    ),
    "gauss1823": (
        "C. F. Gauss, “Theoria combinationis observationum erroribus minimis obnoxiae”, pars "
        "prior (read 1821) and pars posterior (1823), Commentationes Societatis Regiae "
        "Scientiarum Gottingensis recentiores 5 (1823); English translation by G. W. Stewart, "
        "Theory of the Combination of Observations Least Subject to Errors (SIAM, 1995)"
    ),
    "legendre1805": (
        "A.-M. Legendre, Nouvelles méthodes pour la détermination des orbites des comètes "
        "(Paris, 1805), appendix “Sur la méthode des moindres quarrés”"
    ),
    "edgeworth1887": (
        "F. Y. Edgeworth, “On observations relating to several quantities”, Hermathena 6(13), "
        "279–285 (1887)"
    ),
    "charnes1955": (
        "A. Charnes, W. W. Cooper and R. O. Ferguson, “Optimal estimation of executive "
        "compensation by linear programming”, Management Science 1(2), 138–151 (1955)"
    ),
    "huber1964": (
        "P. J. Huber, “Robust estimation of a location parameter”, Annals of Mathematical "
        "Statistics 35(1), 73–101 (1964)"
    ),
    "hoerl_kennard1970": (
        "A. E. Hoerl and R. W. Kennard, “Ridge regression: biased estimation for nonorthogonal "
        "problems”, Technometrics 12(1), 55–67 (1970)"
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
    "zou_hastie2005": (
        "H. Zou and T. Hastie, “Regularization and variable selection via the elastic net”, "
        "Journal of the Royal Statistical Society, Series B 67(2), 301–320 (2005)"
    ),
    "girshick2015": (
        "R. Girshick, “Fast R-CNN”, Proceedings of the IEEE International Conference on "
        "Computer Vision (ICCV 2015); arXiv:1504.08083"
    ),
    "pytorch1_7": (
        "PyTorch 1.7.0 release notes and documentation of torch.nn.SmoothL1Loss (October 2020): "
        "the new argument `beta`, default 1.0, the threshold that had been fixed at 1"
    ),
    "pytorch1_9": (
        "PyTorch 1.9.0 release notes and documentation (June 2021): the new torch.nn.HuberLoss "
        "and torch.nn.functional.huber_loss, with argument `delta`, default 1.0"
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


_TIMELINE_HEAD = re.compile(
    r"(?P<year>\d{4}) \| (?P<who>[^|]+) \| (?P<what>[^|]+) \| "
    r"(?P<strand>\w+) (?P<level>-?[\d.]+)(?: (?P<align>left|right))?"
)


def _timeline(text):
    """The `Event` entries of a timeline written as text (the format is described at TIMELINE)."""
    entries = []
    for line in text.strip().splitlines():
        head = _TIMELINE_HEAD.fullmatch(line)
        if head:
            entries.append({"head": head, "detail": [], "sources": ()})
        elif not entries or not line.startswith("    "):
            raise ValueError(f"timeline: {line!r} is neither an event's first line nor indented")
        elif line.strip().startswith("sources:"):
            entries[-1]["sources"] = tuple(line.split(":", 1)[1].split())
        else:
            entries[-1]["detail"].append(line.strip())
    return tuple(
        Event(int(entry["head"]["year"]), entry["head"]["who"], entry["head"]["what"],
              " ".join(entry["detail"]), entry["sources"], entry["head"]["strand"],
              float(entry["head"]["level"]), entry["head"]["align"] or "left")
        for entry in entries
    )


# One event per entry: "year | who | what | strand level [align]" at the margin, then what
# happened (indented, wrapping freely) and its sources (keys of SOURCES). The strand is the loss
# family the event belongs to (its colour), the level the height of its stem in the figure, and
# align the side of the stem its label sits on ("left" unless given).
TIMELINE = _timeline("""
1757 | Boscovich | least absolute deviations | l1 3.4
    Combines five measured degrees of meridian by making the sum of absolute deviations as small
    as possible, subject to the deviations summing to zero.
    sources: stigler1986 koenker2005 plackett1972
1760 | Boscovich | a geometric method | l1 -3.2
    Publishes a geometric procedure for that constrained least-absolute-deviations line.
    sources: stigler1986 farebrother_eom
1774 | Laplace | double-exponential error law | l1 1
    Proposes the error curve (m/2)·exp(−m|x|), today's Laplace distribution, the root of
    notebook 03.
    sources: laplace1774 stigler1986
1789 | Laplace | Boscovich's rule in algebra | l1 -1.2
    Turns Boscovich's procedure into an algebraic one, in a memoir of the Académie volume for
    1789 (printed 1793).
    sources: laplace1793 stigler1986 gauss1809_fr
1799 | Laplace | modifies it | l1 -2.2
    Modifies Boscovich's method in the second volume of the Mécanique céleste.
    sources: laplace1799 stigler1986
1805 | Legendre | least squares, in print | l2 2.2
    Publishes and names the method of least squares, in an appendix to a book on comet orbits.
    sources: legendre1805 stigler1977 stigler1986
1809 | Gauss | least squares + normal law | l2 3.4
    Links least squares to the normal law of errors and writes that he had used the principle
    since 1795.
    sources: gauss1809 stigler1977 plackett1972
1820 | Legendre | attacks Gauss's claim | l2 1
    Publishes an attack on Gauss's priority claim: the climax of the dispute.
    sources: stigler1977
1821 | Gauss | least squares, no normality | l2 -3.2
    Shows, without assuming normal errors, that least squares has the smallest variance among
    unbiased linear estimates (read 1821, printed 1823): the Gauss–Markov theorem.
    sources: gauss1823 stigler1986
1887 | Edgeworth | LAD, several parameters | l1 2.2 right
    Extends least absolute deviations to regressions with several parameters.
    sources: edgeworth1887 koenker2005
1955 | Charnes, Cooper & Ferguson | LAD as a linear program | l1 3.4
    Write least-absolute-deviations regression as a linear program, solvable by the simplex
    method.
    sources: charnes1955 koenker2005
1964 | Huber | Huber loss | huber -1.2
    Estimators between the sample mean and the sample median that are asymptotically most robust
    for contaminated normal data.
    sources: huber1964
1970 | Hoerl & Kennard | ridge (L2 penalty) | l2 1
    Ridge regression: least squares with a squared-size penalty on the coefficients.
    sources: hoerl_kennard1970
1978 | Koenker & Bassett | regression quantiles | pinball -2.2
    Regression quantiles: the pinball loss fits conditional quantiles, the median (L1) being one
    of them.
    sources: koenker_bassett1978 koenker_hallock2001
1996 | Tibshirani | the lasso (L1 penalty) | l1 2.2
    Least squares with a bound on the sum of absolute coefficients, which sets some coefficients
    exactly to zero.
    sources: tibshirani1996
2005 | Zou & Hastie | elastic net (L1 + L2) | l1 -3.2 right
    The elastic net: L1 and L2 penalties together.
    sources: zou_hastie2005
2015 | Girshick | SmoothL1 in Fast R-CNN | smooth_l1 -4.3 right
    Smooth L1 loss for bounding-box regression, “less sensitive to outliers than the L2 loss” of
    earlier detectors.
    sources: girshick2015
2020 | PyTorch 1.7 | β for SmoothL1Loss | smooth_l1 -1.2 right
    SmoothL1Loss gets its argument beta (default 1.0, the threshold fixed at 1 before).
    sources: pytorch1_7
2021 | PyTorch 1.9 | nn.HuberLoss | huber 1 right
    A separate HuberLoss with argument delta: probably the origin of the story that SmoothL1's
    default changed in 1.9.
    sources: pytorch1_9
""")

# Parameters that `plotting.label` needs for these strands (only the line style is used here).
_LABEL_PARAMS = {"huber": {"delta": 1}, "smooth_l1": {"beta": 1}, "pinball": {"tau": 0.5}}

# Legend text of each strand's colour.
_STRAND_NAMES = {"l1": "L1: absolute deviations, L1 penalty", "l2": "L2: least squares, L2 penalty",
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


def plot_timeline(axes, events=TIMELINE, spans=SPANS, periods=((1745, 1895), (1948, 2028))):
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
        ax.set_ylim(-5.4, 4.8)
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
