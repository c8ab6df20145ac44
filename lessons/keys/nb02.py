"""Answer key of ``02_gradients``: formulas come from SymPy, values from `lessons.losses`."""

import numpy as np

from lessons import checks, keys, losses

# The formula exercises import SymPy only when an answer is judged (see checks.Expression).


def _symbols():
    """e, delta, y, yhat and n, with the assumptions the exercises sample under."""
    import sympy as sp

    return (sp.Symbol("e", real=True), sp.Symbol("delta", positive=True),
            sp.Symbol("y", real=True), sp.Symbol("yhat", real=True),
            sp.Symbol("n", positive=True, integer=True))


def _mse_derivative():
    """d/dŷ₁ of the mean of n squared errors, only the first of which involves ŷ₁."""
    import sympy as sp

    _, _, y, yhat, n = _symbols()
    first_term = (y - yhat) ** 2 / n
    return sp.diff(first_term, yhat)


def _mse_derivative_mistakes():
    import sympy as sp

    _, _, y, yhat, n = _symbols()
    return [
        (-_mse_derivative(),
         "The sign is flipped. The residual is y − ŷ, so the chain rule brings a factor "
         "∂(y − ŷ)/∂ŷ = −1."),
        (sp.diff((y - yhat) ** 2, yhat),
         "That is the derivative of one squared error; the mean divides it by n."),
        (sp.diff((y - yhat) ** 2, yhat) / 2 / n,
         "The factor 2 from differentiating the square is missing."),
    ]


def _l1_derivative():
    import sympy as sp

    _, _, y, yhat, _ = _symbols()
    return sp.diff(sp.Abs(y - yhat), yhat)


def _l1_derivative_mistakes():
    import sympy as sp

    _, _, y, yhat, _ = _symbols()
    return [
        (sp.sign(y - yhat),
         "That is the derivative with respect to y (or the residual e). With respect to ŷ "
         "the chain rule flips the sign."),
        (sp.Integer(1), "The slope is +1 only when ŷ > y; it is −1 when ŷ < y."),
    ]


def _huber(delta):
    import sympy as sp

    e = _symbols()[0]
    return sp.Piecewise((e**2 / 2, sp.Abs(e) < delta), (delta * (sp.Abs(e) - delta / 2), True))


def _huber_derivative():
    import sympy as sp

    e, delta, _, _, _ = _symbols()
    return sp.diff(_huber(delta), e)


def _huber_derivative_mistakes():
    import sympy as sp

    e, delta, _, _, _ = _symbols()
    return [
        (sp.Piecewise((e, sp.Abs(e) < delta), (sp.sign(e), True)),
         "Beyond δ the loss is δ·(|e| − δ/2), whose slope is δ·sign(e), not sign(e)."),
        (e, "That is only the quadratic part: beyond ±δ the slope stops growing."),
        (delta * sp.sign(e), "That is only the linear part: inside ±δ the slope is e."),
        (sp.Piecewise((e / delta, sp.Abs(e) < delta), (sp.sign(e), True)),
         "That is the slope of SmoothL1 with β = δ, which is Huber divided by δ."),
    ]


def reference_huber_gradient(residual, delta=1.0):
    """dHuber/de for each residual: e clipped to [-delta, delta] (the course's own losses)."""
    residual = np.asarray(residual, dtype=float)
    # Input 0 and target e give the residual e; the gradient w.r.t. the input is -dHuber/de.
    return -losses.huber_loss_grad(np.zeros_like(residual), residual, delta=delta,
                                   reduction="none") + 0.0


EXERCISES = {
    "02.mse_derivative": keys.formula(
        _mse_derivative, "y yhat n", _mse_derivative_mistakes,
        "Only one term of the mean, (y − ŷ)²/n, depends on ŷ.",
        "Chain rule: d/dŷ (y − ŷ)² = 2(y − ŷ) · (−1)."),
    "02.l1_derivative": keys.formula(
        _l1_derivative, "y yhat", _l1_derivative_mistakes,
        "d|u|/du = sign(u), and u = y − ŷ.",
        "Write it with `sign(...)`, or as a `Piecewise((1, yhat > y), (-1, True))`."),
    "02.huber_derivative": keys.formula(
        _huber_derivative, "e delta", _huber_derivative_mistakes,
        "Differentiate each piece: e²/2 inside, δ·(|e| − δ/2) outside.",
        "Piecewise((e, Abs(e) < delta), (delta*sign(e), True)); Max/Min work too."),
    "02.subgradient_at_kink": checks.Choice.from_text("""
        a) only 0, the value PyTorch returns
           -> 0 is one subgradient (the one autograd picks), but not the only one.
        b) only −1 and +1, the one-sided slopes
           -> The one-sided slopes are the ends of the set; every slope between them works
              too.
        c) every number from −1 to 1
           -> Right: every line g·e with |g| ≤ 1 stays below |e|, so ∂|e|(0) = [−1, 1].
        d) none: |e| has no derivative at 0, so it has no subgradient either
           -> No derivative, yes; but subgradients exist: lines through the corner that stay
              below the V.
        e) every number from 0 to 1
           -> Negative slopes also stay below |e|: try g = −0.5.
        """,
        correct="c",
        hints=["A subgradient g at 0 satisfies |z| ≥ g·z for every z."],
    ),
    "02.huber_gradient": checks.Function(
        reference=reference_huber_gradient,
        cases=[
            checks.Case(args=(0.0,), description="a residual of exactly 0"),
            checks.Case(args=(0.5,), description="a small residual inside ±δ"),
            checks.Case(args=(1.0,), description="a residual of exactly +δ"),
            checks.Case(args=(-1.0,), description="a residual of exactly −δ"),
            checks.Case(args=(1e12,), description="a huge positive residual"),
            checks.Case(args=(-1e12,), description="a huge negative residual"),
            checks.Case(args=(2.5,), kwargs={"delta": 0.5},
                        description="a residual beyond a smaller δ = 0.5"),
            checks.Case(args=(-2.0,), kwargs={"delta": 2.0},
                        description="a residual of exactly −δ for δ = 2"),
            checks.Case(args=(0.3,), kwargs={"delta": 2.0},
                        description="a small residual inside a larger δ = 2"),
            checks.Case(args=(np.array([-2.5, -0.5, 0.0, 1.5, 4.0]),), kwargs={"delta": 3.0},
                        description="an array of residuals with δ = 3"),
            checks.Case(args=(np.array([-7.0, -1.0, -0.25, 0.0, 0.25, 1.0, 7.0]),),
                        description="an array of residuals"),
        ],
        hints=["Inside ±δ the slope is e itself; beyond, it is ±δ.",
               "np.clip(e, -delta, delta) does it in one line, for arrays too."],
    ),
    "02.q_outlier_gradient": checks.Choice.from_text("""
        a) L1: its gradient is always ±1/N
           -> L1's gradient does not grow: a point off by 100 pulls exactly as hard as one off
              by 1.
        b) L2: its gradient is 2e/N, so it grows with the error
           -> Yes: under L2 a point off by 100 pulls 100 times as hard as one off by 1.
        c) Huber: its gradient is e/N for every error
           -> Huber's gradient is e/N only inside ±δ; beyond, it is capped at δ/N.
        """,
        correct="b",
    ),
}
