"""Regression losses and their gradients, with PyTorch's names and conventions.

Every loss takes ``(input, target)`` (predictions first) positionally and everything else by
keyword, ``reduction`` first and then its own parameter, in the order of ``torch.nn.functional``
(``huber_loss(input, target, *, reduction="mean", delta=1.0)``). torch also accepts them
positionally, where its ``l1_loss(input, target, x)`` takes ``x`` as the old ``size_average``;
here a positional third argument is an error, so a call cannot mean different things in the two.
Everything works in float64. The residual is
``e = target - input`` (what happened minus what was predicted).

Each ``*_grad`` function returns the gradient of the loss with respect to ``input``, shaped like
``input``: what ``loss.backward()`` would leave in ``input.grad``. With ``reduction="none"`` that is
the element-wise derivative (autograd with a gradient of ones). At a kink the value is the
subgradient autograd returns: 0 for L1 at a residual of exactly 0 (``sign(0) = 0``), and the
midpoint of the subdifferential for the pinball loss. Introduced in ``01_definitions``; the
derivatives are worked out in ``02_gradients``.
"""

import numpy as np

__all__ = [
    "REDUCTIONS",
    "l1_loss",
    "l1_loss_grad",
    "mse_loss",
    "mse_loss_grad",
    "huber_loss",
    "huber_loss_grad",
    "smooth_l1_loss",
    "smooth_l1_loss_grad",
    "log_cosh_loss",
    "log_cosh_loss_grad",
    "pinball_loss",
    "pinball_loss_grad",
]

REDUCTIONS = ("mean", "sum", "none")

# The parameters and result every loss shares, written once and put into each loss's docstring
# by `_documented` (help() and the rendered docs show them in full).
_SHARED_PARAMETERS = """    input : array_like
        Predictions, any shape.
    target : array_like
        True values, same shape as `input`.
    reduction : {"mean", "sum", "none"}, default "mean"
        How to combine the elements, as in ``torch.nn.functional``: their mean, their sum, or
        none (one value per element)."""
_SHARED_RETURNS = """    Returns
    -------
    float or ndarray
        Never negative; shaped like `input` when ``reduction="none"``.

    """
_LOG2 = float(np.log(2.0))


# --------------------------------------------------------------------------------------------
# Input checking and reductions
# --------------------------------------------------------------------------------------------
def _as_float_array(value, name):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"`{name}` must be numbers (an array, list or float), got {type(value).__name__}."
        ) from None
    return array


def _prepare(input, target, reduction):
    """Return ``(input, target)`` as float64 arrays after checking shapes and `reduction`."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of 'mean', 'sum' or 'none', got {reduction!r}.")
    input_array = _as_float_array(input, "input")
    target_array = _as_float_array(target, "target")
    if input_array.shape != target_array.shape:
        raise ValueError(
            f"`input` and `target` must have the same shape, got {input_array.shape} and "
            f"{target_array.shape}."
        )
    if reduction == "mean" and input_array.size == 0:
        raise ValueError("the mean of zero elements is undefined: `input` is empty.")
    return input_array, target_array


def _reduce(elementwise, reduction):
    if reduction == "mean":
        return float(np.mean(elementwise))
    if reduction == "sum":
        return float(np.sum(elementwise))
    return np.asarray(elementwise, dtype=np.float64)


def _scale_grad(elementwise_grad, reduction):
    """Chain rule through the reduction: the mean divides every element's derivative by N."""
    elementwise_grad = np.asarray(elementwise_grad, dtype=np.float64)
    if reduction == "mean":
        # np.asarray again: dividing a 0-d array gives a NumPy scalar, not an array.
        return np.asarray(elementwise_grad / elementwise_grad.size)
    return elementwise_grad


def _check_positive(value, name):
    if not (np.isscalar(value) and float(value) > 0 and np.isfinite(value)):
        raise ValueError(f"`{name}` must be a positive number, got {value!r}.")
    return float(value)


def _check_beta(beta):
    if not (np.isscalar(beta) and float(beta) >= 0 and np.isfinite(beta)):
        raise ValueError(f"`beta` must be zero or a positive number, got {beta!r}.")
    return float(beta)


def _check_tau(tau):
    if not (np.isscalar(tau) and 0 < float(tau) < 1):
        raise ValueError(f"`tau` must lie strictly between 0 and 1, got {tau!r}.")
    return float(tau)


def _documented(loss):
    """Complete `loss`'s docstring with the shared parameters and result (numpydoc layout)."""
    doc = loss.__doc__
    if "{input, target, reduction}" not in doc:  # no parameters of its own
        doc = doc.replace("\n\n    Examples", "\n\n    Parameters\n    ----------\n"
                          "    {input, target, reduction}\n\n    Examples", 1)
    doc = doc.replace("    {input, target, reduction}", _SHARED_PARAMETERS)
    loss.__doc__ = doc.replace("    Examples\n", _SHARED_RETURNS + "Examples\n", 1)
    return loss


# --------------------------------------------------------------------------------------------
# L1 and L2
# --------------------------------------------------------------------------------------------
@_documented
def l1_loss(input, target, *, reduction="mean"):
    """Absolute error |target - input|, reduced: MAE by default, SAE with ``reduction="sum"``.

    Every error counts in proportion to its size, so one far-off point weighs no more than its
    distance.

    Examples
    --------
    >>> l1_loss([90, 95, 105], [100, 100, 100])
    6.666666666666667
    """
    input_array, target_array = _prepare(input, target, reduction)
    return _reduce(np.abs(target_array - input_array), reduction)


def l1_loss_grad(input, target, *, reduction="mean"):
    """Gradient of `l1_loss` w.r.t. `input`: sign(input - target), divided by N for the mean.

    At a residual of exactly 0 it returns 0, the subgradient PyTorch uses (``sign(0) = 0``).

    Examples
    --------
    >>> l1_loss_grad([3.0, 1.0, 2.0], [1.0, 3.0, 2.0], reduction="sum")
    array([ 1., -1.,  0.])
    """
    input_array, target_array = _prepare(input, target, reduction)
    return _scale_grad(np.sign(input_array - target_array), reduction)


@_documented
def mse_loss(input, target, *, reduction="mean"):
    """Squared error (target - input)², reduced: MSE by default, SSE with ``reduction="sum"``.

    Examples
    --------
    >>> mse_loss([90, 95, 105], [100, 100, 100])
    50.0
    >>> mse_loss([90, 95, 105], [100, 100, 100], reduction="sum")  # the SSE
    150.0
    """
    input_array, target_array = _prepare(input, target, reduction)
    squared = (target_array - input_array) ** 2
    return _reduce(squared, reduction)


def mse_loss_grad(input, target, *, reduction="mean"):
    """Gradient of `mse_loss` w.r.t. `input`: 2 (input - target), divided by N for the mean.

    Examples
    --------
    >>> mse_loss_grad([3.0, 1.0], [1.0, 3.0])
    array([ 2., -2.])
    """
    input_array, target_array = _prepare(input, target, reduction)
    return _scale_grad(2.0 * (input_array - target_array), reduction)


# --------------------------------------------------------------------------------------------
# Huber and SmoothL1
# --------------------------------------------------------------------------------------------
@_documented
def huber_loss(input, target, *, reduction="mean", delta=1.0):
    """Huber loss: ½e² for |e| < delta, delta·(|e| - ½delta) beyond.

    Parameters
    ----------
    {input, target, reduction}
    delta : float, default 1.0
        Residual size at which the loss turns linear; must be positive.

    Examples
    --------
    >>> huber_loss([0.5, 2.0], [0.0, 0.0])
    0.8125
    """
    delta = _check_positive(delta, "delta")
    input_array, target_array = _prepare(input, target, reduction)
    size = np.abs(target_array - input_array)
    elementwise = np.where(size < delta, 0.5 * size**2, delta * (size - 0.5 * delta))
    return _reduce(elementwise, reduction)


def huber_loss_grad(input, target, *, reduction="mean", delta=1.0):
    """Gradient of `huber_loss` with respect to `input`: input - target clipped to [-delta, delta].

    The derivative is continuous, so the value exactly at |e| = delta is ±delta either way.

    Examples
    --------
    >>> huber_loss_grad([0.5, 2.0, -7.0], [0.0, 0.0, 0.0], reduction="sum")
    array([ 0.5,  1. , -1. ])
    """
    delta = _check_positive(delta, "delta")
    input_array, target_array = _prepare(input, target, reduction)
    return _scale_grad(np.clip(input_array - target_array, -delta, delta), reduction)


@_documented
def smooth_l1_loss(input, target, *, reduction="mean", beta=1.0):
    """SmoothL1 loss: ½e²/beta for |e| < beta, |e| - ½beta beyond; equal to Huber(delta=beta)/beta.

    With ``beta=0`` it is exactly the L1 loss, as in PyTorch.

    Parameters
    ----------
    {input, target, reduction}
    beta : float, default 1.0
        Residual size at which the loss turns linear; zero or positive (zero gives the L1
        loss itself).

    See Also
    --------
    huber_loss : the same shape, scaled: ``smooth_l1_loss(beta=b) == huber_loss(delta=b) / b``.

    Examples
    --------
    >>> smooth_l1_loss([0.5, 2.0], [0.0, 0.0], beta=0.5)
    1.0
    """
    beta = _check_beta(beta)
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    input_array, target_array = _prepare(input, target, reduction)
    size = np.abs(target_array - input_array)
    elementwise = np.where(size < beta, 0.5 * size**2 / beta, size - 0.5 * beta)
    return _reduce(elementwise, reduction)


def smooth_l1_loss_grad(input, target, *, reduction="mean", beta=1.0):
    """Gradient of `smooth_l1_loss` w.r.t. `input`: (input - target)/beta clipped to [-1, 1].

    With ``beta=0`` it is the L1 gradient, 0 at a residual of exactly 0.

    Examples
    --------
    >>> smooth_l1_loss_grad([0.5, 2.0], [0.0, 0.0], beta=2.0, reduction="sum")
    array([0.25, 1.  ])
    """
    beta = _check_beta(beta)
    if beta == 0.0:
        return l1_loss_grad(input, target, reduction=reduction)
    input_array, target_array = _prepare(input, target, reduction)
    return _scale_grad(np.clip((input_array - target_array) / beta, -1.0, 1.0), reduction)


# --------------------------------------------------------------------------------------------
# Log-cosh and pinball
# --------------------------------------------------------------------------------------------
@_documented
def log_cosh_loss(input, target, *, reduction="mean"):
    """Log-cosh loss log(cosh(e)): about ½e² near 0 and |e| - log 2 far away.

    Computed as |e| + log1p(exp(-2|e|)) - log 2, which never overflows (``np.cosh(1000)`` does).

    Examples
    --------
    >>> round(log_cosh_loss([1000.0], [0.0]), 6)
    999.306853
    """
    input_array, target_array = _prepare(input, target, reduction)
    size = np.abs(target_array - input_array)
    with np.errstate(under="ignore"):  # exp(-2|e|) underflowing to 0 is exactly right
        elementwise = size + np.log1p(np.exp(-2.0 * size)) - _LOG2
    # The formula can dip a few ulps below 0 at e = 0; the true value is never negative.
    return _reduce(np.maximum(elementwise, 0.0), reduction)


def log_cosh_loss_grad(input, target, *, reduction="mean"):
    """Gradient of `log_cosh_loss` with respect to `input`: tanh(input - target).

    Examples
    --------
    >>> log_cosh_loss_grad([0.0, 1000.0], [0.0, 0.0], reduction="sum")
    array([0., 1.])
    """
    input_array, target_array = _prepare(input, target, reduction)
    return _scale_grad(np.tanh(input_array - target_array), reduction)


@_documented
def pinball_loss(input, target, *, reduction="mean", tau=0.5):
    """Pinball (quantile) loss: max(tau·e, (tau - 1)·e) with e = target - input.

    Under-predictions (e > 0) cost tau per unit, over-predictions 1 - tau; ``tau=0.5`` gives half
    the absolute error. Minimising it estimates the tau-quantile.

    Parameters
    ----------
    {input, target, reduction}
    tau : float, default 0.5
        Quantile level, strictly between 0 and 1.

    Examples
    --------
    >>> pinball_loss([0.0, 0.0], [2.0, -2.0], tau=0.9, reduction="none")
    array([1.8, 0.2])
    """
    tau = _check_tau(tau)
    input_array, target_array = _prepare(input, target, reduction)
    residual = target_array - input_array
    return _reduce(np.maximum(tau * residual, (tau - 1.0) * residual), reduction)


def pinball_loss_grad(input, target, *, reduction="mean", tau=0.5):
    """Gradient of `pinball_loss` with respect to `input`: -tau where e > 0, 1 - tau where e < 0.

    At e = 0 it returns 0.5 - tau, the midpoint of the subdifferential [-tau, 1 - tau]; this is
    what autograd gives for ``torch.maximum`` at a tie, and 0 when ``tau=0.5`` (like L1).

    Examples
    --------
    >>> pinball_loss_grad([0.0, 0.0, 0.0], [2.0, -2.0, 0.0], tau=0.9, reduction="sum")
    array([-0.9,  0.1, -0.4])
    """
    tau = _check_tau(tau)
    input_array, target_array = _prepare(input, target, reduction)
    residual = target_array - input_array
    elementwise = np.where(residual > 0, -tau, np.where(residual < 0, 1.0 - tau, 0.5 - tau))
    # np.where loses NaN; keep it, as autograd would.
    elementwise = np.where(np.isnan(residual), np.nan, elementwise)
    return _scale_grad(elementwise, reduction)
