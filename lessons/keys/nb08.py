"""Answer key of ``08_history``: every expected value is computed from the notebook's data."""


import numpy as np

from lessons import checks, fitting, history, keys

_arcs = history.boscovich_arcs()
_l2 = fitting.fit_line(_arcs.sin2_latitude, _arcs.arc_toises, "l2")
_l1 = fitting.fit_line(_arcs.sin2_latitude, _arcs.arc_toises, "l1")


def _inverse_flattening(fit):
    return 3.0 * fit.intercept / fit.slope


_boscovich = history.boscovich_fit(_arcs.sin2_latitude, _arcs.arc_toises)
_BOSCOVICH_INVERSE = 3.0 * _boscovich[0] / _boscovich[1]
_BOSCOVICH_MESSAGE = ("That is the flattening of Boscovich's own rule (residuals summing to zero, "
                      "about 1/246); the question asks for the unconstrained least-squares line.")
_ROUNDED_MESSAGE = (f"Close: you rounded to 3 significant figures. Give 4 "
                    f"({_inverse_flattening(_l2):.1f}).")


# 08.flattening_formula: SymPy is imported only when an answer is judged (see checks.Expression).
def _flattening_formula():
    import sympy as sp

    A, B = sp.symbols("A B", positive=True)
    return B / (3 * A)


def _flattening_formula_mistakes():
    import sympy as sp

    A, B = sp.symbols("A B", positive=True)
    return [
        (3 * A / B, "That is 1/f; the question asks for f."),
        (B / A, "That is 3f: B/A ≈ (3/2)e² and e² ≈ 2f."),
        (B / (2 * A), "That uses B/A ≈ 2f; the first-order ratio is B/A ≈ (3/2)·e² ≈ 3f."),
        (2 * B / (3 * A), "That is e² (from B/A ≈ (3/2)e²); f is about e²/2."),
    ]


# A weighted median that never sorts, or sorts the values but not their weights, gives the
# right answer whenever the input happens to be in a lucky order: these cases are not.
_RANDOM = np.random.default_rng(1760)
_RANDOM_CASES = [
    (np.round(_RANDOM.normal(0.0, 10.0, size), 2), np.round(_RANDOM.uniform(0.1, 3.0, size), 2))
    for size in (5, 8, 11)
]


EXERCISES = {
    "08.flattening_l2": checks.Number(
        expected=_inverse_flattening(_l2),
        sig_figs=4,
        mistakes=[
            (round(_inverse_flattening(_l2)), _ROUNDED_MESSAGE),
            (_BOSCOVICH_INVERSE, _BOSCOVICH_MESSAGE),
            (round(_BOSCOVICH_INVERSE), _BOSCOVICH_MESSAGE),
            (_inverse_flattening(_l1),
             "That is the L1 line's value; the question asks for the least-squares (L2) line."),
            (round(_inverse_flattening(_l1)),
             "That is the L1 line's value; the question asks for the least-squares (L2) line."),
            (_l2.slope / (3.0 * _l2.intercept),
             "That is the flattening f itself; the question asks for 1/f."),
            (_l2.intercept / _l2.slope, "You left out the factor 3: f ≈ b / (3a)."),
            (history.WGS84_INVERSE_FLATTENING,
             "That is the modern WGS 84 value; compute the one Boscovich's data imply."),
        ],
        hints=["fit = fitting.fit_line(arcs.sin2_latitude, arcs.arc_toises, 'l2')",
               "f ≈ b / (3a) with a = fit.intercept and b = fit.slope; answer 1/f."],
    ),
    "08.l1_through": checks.Choice.from_text("""
        a) Quito and Lapland
           -> Yes: its residuals are exactly 0 at the two end points, the equator and the
              polar circle. An exact L1 line passes through (at least) two data points.
        b) Rome and Paris
           -> Look at the residuals of the L1 fit: which two are exactly zero?
        c) Quito and Paris
           -> Quito is right; the other zero residual is at the highest latitude.
        d) the Cape of Good Hope and Lapland
           -> Lapland is right; the other zero residual is at the equator.
        """,
        correct="a",
    ),
    "08.flattening_formula": keys.formula(
        _flattening_formula, "A B", _flattening_formula_mistakes,
        "B/A ≈ (3/2)·e² and e² = 2f − f² ≈ 2f.", "So B/A ≈ 3f."),
    "08.weighted_median": checks.Function(
        reference=history.weighted_median,
        cases=[
            checks.Case(args=(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0])),
                        description="three equal weights"),
            checks.Case(args=(np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 1.0, 1.0, 1.0])),
                        description="four equal weights (the lower of the two middle values)"),
            checks.Case(args=(np.array([5.0, 1.0, 3.0]), np.array([1.0, 1.0, 5.0])),
                        description="unsorted values with one heavy weight"),
            checks.Case(args=(np.array([2.0, -1.0, 7.0, 0.5]), np.array([0.5, 3.0, 0.25, 0.25])),
                        description="a weight above half the total on one value"),
            checks.Case(args=(np.array([10.0]), np.array([2.0])), description="a single value"),
            checks.Case(args=(np.array([5.0, 1.0, 4.0, 2.0, 3.0]), np.ones(5)),
                        description="five shuffled values, equal weights (the answer is 3)"),
            checks.Case(args=(np.array([3.0, 1.0, 2.0]), np.array([1.0, 1.0, 3.0])),
                        description="the heaviest weight on a value that is not last"),
            *[checks.Case(args=(values, weights),
                          description=f"{values.size} random values and weights")
              for values, weights in _RANDOM_CASES],
        ],
        hints=["Sort the values and carry their weights along (np.argsort).",
               "Walk the cumulative weights (np.cumsum) to the first that reaches half the total."],
    ),
    "08.laplace_date": checks.Choice.from_text("""
        a) 1788
           -> That is the article's date; no work of Laplace on Boscovich's method carries it.
        b) the Académie volume for 1789 (printed 1793) for an algebraic version, and 1799
           for a modification
           -> Yes: the memoir is in the Académie volume for 1789, printed in 1793, and the
              modification is in the Mécanique céleste of 1799 (Stigler 1986, ch. 1).
        c) 1774, together with the two-sided exponential law
           -> 1774 is Laplace's double-exponential error law, an earlier and separate work;
              he turned to Boscovich's method later.
        d) 1805
           -> 1805 is Legendre's least squares.
        """,
        correct="b",
    ),
    "08.q_first": checks.Choice.from_text("""
        a) least absolute deviations (L1)
           -> Yes: Boscovich used least absolute deviations in 1757, 48 years before
              Legendre printed least squares in 1805.
        b) least squares (L2)
           -> Least squares first appeared in print in 1805 (Legendre), after Boscovich's
              1757 work.
        c) both appeared in the same year
           -> They are 48 years apart: 1757 and 1805.
        """,
        correct="a",
    ),
}
