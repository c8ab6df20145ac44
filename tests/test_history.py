"""Tests of lessons.history: the sourced timeline, Boscovich's data and fits, and the figure."""

import doctest
import re

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lessons import fitting, history, plotting

matplotlib.use("Agg")


def test_doctests_pass():
    assert doctest.testmod(history).failed == 0


def test_every_event_cites_known_sources_with_a_year():
    assert [event.year for event in history.TIMELINE] == sorted(
        event.year for event in history.TIMELINE
    )
    for event in history.TIMELINE:
        assert event.sources, f"{event.year} {event.who} has no source"
        for key in event.sources:
            assert key in history.SOURCES
        assert re.search(r"\b1[789]\d\d\b|\b20[0-2]\d\b", event.citation())
        plotting.color(event.strand)  # a known colour
        assert event.align in ("left", "right")
    for span in history.SPANS:
        assert span.start < span.end and all(key in history.SOURCES for key in span.sources)
    # Every source is used somewhere (no dead citations).
    used = {key for event in history.TIMELINE for key in event.sources}
    used |= {key for span in history.SPANS for key in span.sources}
    used |= {"koenker2005", "wgs84", "kant1807"}  # cited by the data, not by events
    assert used == set(history.SOURCES)


def test_the_timeline_holds_the_dates_the_notebook_discusses():
    years = {(event.year, event.who) for event in history.TIMELINE}
    for expected in [(1757, "Boscovich"), (1805, "Legendre"), (1809, "Gauss"), (1821, "Gauss"),
                     (1887, "Edgeworth"), (1955, "Charnes, Cooper & Ferguson"), (1964, "Huber"),
                     (1970, "Hoerl & Kennard"), (1978, "Koenker & Bassett"),
                     (1996, "Tibshirani"), (2005, "Zou & Hastie"), (2015, "Girshick"),
                     (2020, "PyTorch 1.7"), (2021, "PyTorch 1.9")]:
        assert expected in years
    # Laplace: the 1774 error law, the memoir of the Académie volume for 1789 (printed 1793),
    # and the 1799 modification; never the 1788 of a course source text.
    assert {year for year, who in years if who == "Laplace"} == {1774, 1789, 1799}
    memoir = next(event for event in history.TIMELINE if event.year == 1789)
    assert "printed 1793" in memoir.detail and "1793" in memoir.citation()
    assert all(event.year != 1788 for event in history.TIMELINE)


def test_the_history_leans_on_stigler_and_koenker_not_on_section_titles():
    assert "1986" in history.SOURCES["stigler1986"] and "2005" in history.SOURCES["koenker2005"]
    early = [event for event in history.TIMELINE if event.year <= 1823]
    assert all("stigler1986" in event.sources or "stigler1977" in event.sources
               for event in early)
    assert not any("as listed by" in text for text in history.SOURCES.values())


def test_boscovich_arcs_are_the_quantreg_numbers():
    arcs = history.boscovich_arcs()
    assert arcs.places == ("Quito", "Cape of Good Hope", "Rome", "Paris", "Lapland")
    assert (arcs.arc_toises - 56700).tolist() == [51, 337, 279, 374, 722]
    assert arcs.sin2_latitude.tolist() == [0.0, 0.2987, 0.4648, 0.5762, 0.8386]
    assert "Koenker" in arcs.source and "2005" in arcs.source
    with pytest.raises(ValueError):
        arcs.arc_toises[0] = 0.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(-100, 100), st.floats(0.01, 10)), min_size=1, max_size=12))
def test_weighted_median_minimises_weighted_absolute_deviation(pairs):
    values = np.array([value for value, _ in pairs])
    weights = np.array([weight for _, weight in pairs])
    best = history.weighted_median(values, weights)
    cost = lambda m: float(np.sum(weights * np.abs(values - m)))  # noqa: E731
    assert best in values
    assert cost(best) <= min(cost(v) for v in values) + 1e-9 * (1 + cost(best))


def test_weighted_median_rejects_bad_weights():
    with pytest.raises(ValueError, match="non-negative"):
        history.weighted_median([1.0, 2.0], [1.0, -1.0])
    with pytest.raises(ValueError, match="same length"):
        history.weighted_median([1.0, 2.0], [1.0])


def test_boscovich_fit_meets_both_of_his_conditions():
    arcs = history.boscovich_arcs()
    x, y = arcs.sin2_latitude, arcs.arc_toises
    intercept, slope = history.boscovich_fit(x, y)
    residuals = y - intercept - slope * x
    assert abs(residuals.sum()) < 1e-8  # condition 1: deviations sum to zero
    # condition 2: no line through the centroid has a smaller sum of absolute deviations
    for trial in np.linspace(slope - 400, slope + 400, 2001):
        trial_intercept = y.mean() - trial * x.mean()
        assert np.abs(y - trial_intercept - trial * x).sum() >= np.abs(residuals).sum() - 1e-9
    assert slope == pytest.approx(692.28, abs=0.01)
    assert intercept == pytest.approx(56751.0, abs=0.01)  # it passes through Quito


def test_boscovich_fit_differs_from_the_unconstrained_l1_line():
    arcs = history.boscovich_arcs()
    constrained = history.boscovich_fit(arcs.sin2_latitude, arcs.arc_toises)
    free = fitting.fit_line(arcs.sin2_latitude, arcs.arc_toises, "l1")
    assert free.slope != pytest.approx(constrained[1], abs=1.0)
    sae = lambda a, b: np.abs(arcs.arc_toises - a - b * arcs.sin2_latitude).sum()  # noqa: E731
    assert free.objective <= sae(*constrained)


def test_degree_length_ends_and_the_flattening_approximation():
    a, f = history.WGS84_SEMI_MAJOR_M, 1 / history.WGS84_INVERSE_FLATTENING
    e2 = f * (2 - f)
    assert history.degree_length(0.0) == pytest.approx(a * (1 - e2) * np.pi / 180)
    assert history.degree_length(90.0) == pytest.approx(a / np.sqrt(1 - e2) * np.pi / 180)
    # On the true ellipsoid, arc ≈ A + B sin²φ gives f ≈ B / (3A) to within a few percent.
    latitudes = np.linspace(0, 70, 15)
    design = np.column_stack([np.ones_like(latitudes), np.sin(np.radians(latitudes)) ** 2])
    A, B = np.linalg.lstsq(design, history.degree_length(latitudes), rcond=None)[0]
    assert B / (3 * A) == pytest.approx(f, rel=0.01)


def test_timeline_markdown_has_one_row_per_event_and_span():
    table = history.timeline_markdown()
    rows = table.splitlines()[2:]
    assert len(rows) == len(history.TIMELINE) + len(history.SPANS)
    for row, event in zip(rows, history.TIMELINE, strict=False):
        assert row.startswith(f"| {event.year} | {event.who} |")
        assert event.citation() in row


def test_plot_timeline_draws_each_event_in_its_colour():
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    fig, axes = plt.subplots(1, 2, sharey=True, width_ratios=[150, 80], layout="constrained")
    drawn = history.plot_timeline(axes)
    assert set(drawn) == {event.year for event in history.TIMELINE}
    for event in history.TIMELINE:
        marker, label = drawn[event.year]
        assert marker.get_xdata()[0] == event.year
        assert to_hex(marker.get_color()).upper() == plotting.color(event.strand).upper()
        assert label.get_text().startswith(f"{event.year} {event.who}")
    # No two labels overlap (drawn on the notebook's figure size).
    fig.set_size_inches(14, 6.4)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(year, label.get_window_extent(renderer)) for year, (_, label) in drawn.items()]
    for index, (year, box) in enumerate(boxes):
        for other_year, other in boxes[index + 1:]:
            assert not box.overlaps(other), (year, other_year)
    with pytest.raises(ValueError, match="got 1 axes for 2 periods"):
        history.plot_timeline(axes[:1])
    plt.close(fig)


def test_answer_key_of_08_specific_answers():
    from lessons import checks
    from lessons.keys import nb08

    # Each key accepting its answers and naming its mistakes: tests/test_answer_keys.py.
    assert round(nb08.EXERCISES["08.flattening_l2"].expected) == 235
    formula = nb08.EXERCISES["08.flattening_formula"]
    assert checks.feedback(formula, "B/(3*A)").correct
    assert checks.feedback(formula, "3*A/B").status == "incorrect"
    # A weighted median that returns the upper middle value is caught.
    upper = lambda values, weights: float(np.sort(values)[len(values) // 2])  # noqa: E731
    assert not checks.feedback(nb08.EXERCISES["08.weighted_median"], upper).correct


def test_timeline_text_table_reads_into_the_events():
    first = history.TIMELINE[0]
    assert first == history.Event(
        1757, "Boscovich", "least absolute deviations",
        "Combines five measured degrees of meridian by making the sum of absolute deviations as "
        "small as possible, subject to the deviations summing to zero.",
        ("stigler1986", "koenker2005", "plackett1972"), "l1", 3.4, "left")
    by_year = {event.year: event for event in history.TIMELINE}
    assert by_year[1955].who == "Charnes, Cooper & Ferguson"
    assert (by_year[2005].align, by_year[2005].level) == ("right", -3.2)
    assert isinstance(by_year[1774].level, float) and by_year[1774].level == 1.0
    assert len(history.TIMELINE) == 19
