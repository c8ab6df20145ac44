"""Answer key of ``05_huber``: every expected value is computed from the notebook's data."""


from lessons import checks, data, estimators, keys, losses

# Exercises 1 and 2: one prediction, Huber with δ = 1.5
_PREDICTION, _TARGET, _DELTA = 6.0, 2.0, 1.5
_e = _TARGET - _PREDICTION
_huber = losses.huber_loss(_PREDICTION, _TARGET, delta=_DELTA)
_gradient = float(losses.huber_loss_grad(_PREDICTION, _TARGET, delta=_DELTA))

# Exercise 3: the sources' pair; its second residual
_pair = data.huber_pair()
_second_residual = float(_pair.residuals[1])

# Exercise 4: SmoothL1 as a formula. SymPy is imported only when an answer is judged (see
# checks.Expression); tests/answers/test_keys_nb05_08.py checks that Huber(δ = β) / β simplifies
# to this SmoothL1 (the first mistake below is that Huber).
def _symbols():
    import sympy as sp

    return sp.Symbol("e", real=True), sp.Symbol("beta", positive=True)


def _huber_formula(threshold):
    import sympy as sp

    e = _symbols()[0]
    return sp.Piecewise((e**2 / 2, sp.Abs(e) < threshold),
                        (threshold * (sp.Abs(e) - threshold / 2), True))


def _smooth_l1():
    import sympy as sp

    e, beta = _symbols()
    return sp.Piecewise((e**2 / (2 * beta), sp.Abs(e) < beta), (sp.Abs(e) - beta / 2, True))


def _smooth_l1_mistakes():
    import sympy as sp

    e, beta = _symbols()
    return [
        (_huber_formula(beta),
         "That is Huber with δ = β itself; SmoothL1 divides it by β."),
        (beta * _huber_formula(beta), "You multiplied by β; divide instead."),
        (sp.Piecewise((e**2 / (2 * beta), sp.Abs(e) < beta), (sp.Abs(e) - beta, True)),
         "The quadratic part is right; check the linear part: β(|e| − β/2) divided by β."),
    ]


# Exercise 5: a scale with Gaussian noise of 0.4 kg
_SIGMA = 0.4
_TUNED = 1.345  # Huber's constant for 95 % efficiency under Gaussian noise (checked below)
if abs(estimators.gaussian_efficiency(_TUNED) - 0.95) >= 5e-4:
    raise checks.AnswerKeyError("05.choose_delta: δ = 1.345σ should give 95 % efficiency.")


def _efficiency(delta):
    """Efficiency of δ (in kg) as a percentage, with enough digits not to show 100.0 %."""
    value = estimators.gaussian_efficiency(delta / _SIGMA)
    return f"{value:.1%}" if value < 0.995 else f"{value:.2%}"


_options = {"a": _TUNED * _SIGMA, "b": _TUNED, "c": _SIGMA, "d": 10 * _SIGMA}

EXERCISES = {
    "05.huber_value": checks.Number(
        expected=_huber,
        sig_figs=4,
        mistakes=[
            (0.5 * _e**2, "That is ½e², the quadratic branch; |e| is beyond δ, so the linear "
                          "branch δ(|e| − ½δ) applies."),
            (_e**2, "That is the squared error; Huber is linear beyond δ."),
            (_DELTA * abs(_e), "Almost: the linear branch is δ(|e| − ½δ); subtract ½δ² = "
                               f"{0.5 * _DELTA**2:g}."),
            (losses.smooth_l1_loss(_PREDICTION, _TARGET, beta=_DELTA),
             "That is SmoothL1 with β = δ, which is Huber divided by δ."),
            (abs(_e), "That is the absolute error |e|."),
        ],
        hints=["First the residual: e = y − ŷ. Is |e| below or beyond δ?",
               "Beyond δ the loss is δ·(|e| − δ/2)."],
    ),
    "05.huber_grad": checks.Number(
        expected=_gradient,
        sig_figs=2,
        mistakes=[
            (_e, "That is the unclipped slope e of ½e² with respect to e; Huber caps the slope "
                 "at ±δ, and the gradient with respect to ŷ has the opposite sign of dℓ/de."),
            (-_gradient, "That is the slope dℓ/de. With e = y − ŷ, the gradient with respect to "
                         "the prediction ŷ has the opposite sign."),
            (_PREDICTION - _TARGET, "That is the unclipped gradient ŷ − y of ½e²; Huber caps it "
                                    "at ±δ."),
            (2 * (_PREDICTION - _TARGET), "That is the gradient of the squared error, 2(ŷ − y)."),
            (float(losses.smooth_l1_loss_grad(_PREDICTION, _TARGET, beta=_DELTA)),
             "That is SmoothL1's gradient, capped at ±1; Huber's is capped at ±δ."),
        ],
        hints=["Beyond δ the gradient is capped: its size is δ.",
               "The prediction is too high, so the gradient pushes it down: it is positive."],
    ),
    "05.regime_delta": checks.Slider(
        expected=abs(_second_residual),
        min=0.0,
        max=5.0,
        step=0.05,
        tol=0.05,
        description="δ",
        mistakes=[
            (abs(float(_pair.residuals[0])),
             "That is the size of the first residual; the question asks about the second."),
            (_second_residual,
             "δ is a distance, never negative: the switch is where |e| = δ, so use the size of "
             "the residual, not its signed value."),
            (1.0, "At the default δ = 1 this residual is already in the linear part."),
            (_second_residual**2, "That is e²; the switch happens where |e| = δ."),
        ],
        hints=["Huber changes formula where |e| = δ."],
    ),
    "05.smooth_from_huber": keys.formula(
        _smooth_l1, "e beta", _smooth_l1_mistakes,
        "Divide each branch of Huber(δ = β) by β.",
        "Write it as Piecewise((first, Abs(e) < beta), (second, True))."),
    "05.choose_delta": checks.Choice.from_text(f"""
        a) δ = {_options['a']:.2f} kg
           -> Right: δ = 1.345σ = {_options['a']:.2f} kg keeps
              {_efficiency(_options['a'])} of the mean's efficiency on clean readings and
              caps the pull of the gross errors.
        b) δ = {_options['b']:.3f} kg
           -> 1.345 is in units of σ: 1.345 kg is {_options['b'] / _SIGMA:.1f}σ. Efficiency
              would be {_efficiency(_options['b'])}, but errors up to 1.345 kg would
              still count quadratically.
        c) δ = {_options['c']:.2f} kg
           -> δ = σ works, but keeps only {_efficiency(_options['c'])} efficiency on
              clean readings; 1.345σ buys 95 %.
        d) δ = {_options['d']:.1f} kg
           -> With δ = {_options['d'] / _SIGMA:.0f}σ almost every reading is in the
              quadratic part (efficiency {_efficiency(_options['d'])}): the gross errors
              are hardly capped at all.
        """,
        correct="a",
        hints=["The classic tuning is δ = 1.345σ, in the units of the residuals."],
    ),
    "05.q_delta_limit": checks.Choice.from_text("""
        a) e²
           -> Close: the quadratic part of Huber is ½e², half the squared error.
        b) ½e²
           -> Right: once δ ≥ |e|, Huber(e) is exactly ½e².
        c) |e|
           -> That is the limit of Huber/δ as δ → 0, or of SmoothL1 as β → 0.
        d) 0
           -> That is the limit of Huber as δ → 0 (and of SmoothL1 as β → ∞).
        """,
        correct="b",
    ),
}
