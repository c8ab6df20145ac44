"""A small tanh network in NumPy: its parameters and its forward and backward passes.

The network maps one input to one output through two hidden layers of 64 tanh units
(1 → 64 → 64 → 1), the network of ``notebooks/06_training.ipynb``. Its parameters are a plain
dict of arrays (``W1, b1, W2, b2, W3, b3``; ``Wk`` has shape ``(fan_in, fan_out)``), and the
forward and backward passes are written out by hand. The ``*_stack`` functions run a stack of
networks at once (each parameter with a leading axis, one row per network), with exactly the
numbers each network gets alone; `lessons.mlp` trains with them.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> params = init_params(rng)
>>> predict(params, np.zeros(3)).shape
(3,)
>>> stack = {name: np.stack([value, value]) for name, value in params.items()}
>>> bool(np.all(predict_stack(stack, np.zeros((2, 3)))[1] == predict(params, np.zeros(3))))
True
"""

import numpy as np

__all__ = [
    "LAYER_SIZES",
    "backward",
    "backward_stack",
    "copy_params",
    "forward",
    "forward_stack",
    "init_params",
    "predict",
    "predict_stack",
    "workspace",
]

LAYER_SIZES = (1, 64, 64, 1)

# Products of up to 64 x 64 x 48 numbers stay on one thread in OpenBLAS (its threshold is
# 65536 x 4 multiply-adds), which is faster for these tiny matrices.
_PREDICT_BLOCK = 48


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------
def init_params(rng, sizes=LAYER_SIZES):
    """Draw the weights and biases of a tanh network, as ``torch.nn.Linear`` does by default.

    Every weight and bias of layer k is uniform on ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The only source of randomness.
    sizes : sequence of int, default (1, 64, 64, 1)
        Units per layer, input first.

    Returns
    -------
    dict of str to ndarray
        ``W1, b1, ..., WL, bL`` with ``Wk`` of shape ``(sizes[k-1], sizes[k])``.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator, e.g. np.random.default_rng(7).")
    sizes = tuple(int(size) for size in sizes)
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(f"sizes must list at least two positive layer widths, got {sizes}.")
    params = {}
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        bound = 1.0 / np.sqrt(fan_in)
        params[f"W{layer}"] = rng.uniform(-bound, bound, size=(fan_in, fan_out))
        params[f"b{layer}"] = rng.uniform(-bound, bound, size=fan_out)
    return params


def copy_params(params, dtype=None):
    """An independent copy of `params`, optionally in another float `dtype`."""
    return {name: np.array(value, dtype=dtype or value.dtype) for name, value in params.items()}


def _n_layers(params):
    return len(params) // 2


# --------------------------------------------------------------------------------------------
# Forward and backward
# --------------------------------------------------------------------------------------------
def forward(params, x):
    """Run the network on inputs `x` and keep what the backward pass needs.

    Parameters
    ----------
    params : dict of str to ndarray
        As returned by `init_params`.
    x : array_like, shape (n,)
        Inputs.

    Returns
    -------
    output : ndarray, shape (n,)
        The network's predictions.
    cache : list of ndarray
        The input column and each hidden layer's tanh activations, shapes ``(n, width)``.
    """
    return forward_stack(params, np.asarray(x).reshape(-1))


def forward_stack(params, x, work=None):
    """`forward` for inputs of shape ``(..., n)``: a stack of networks runs as one.

    With ``(runs, n)`` inputs, every parameter carries a leading ``runs`` axis (``W2`` of shape
    ``(runs, 64, 64)``, ``b2`` of ``(runs, 64)``). NumPy multiplies a stack of matrices one
    matrix at a time, with the same BLAS call as for a single network, so every run's numbers
    are exactly those it would get alone. `work` (from `workspace`) holds arrays to compute
    the hidden layers in, instead of new ones at every step.
    """
    n_layers = _n_layers(params)
    # Compute in the parameters' precision (float64 in `train` by default; float32 on request).
    x = np.asarray(x, dtype=params["W1"].dtype)
    activation = x.reshape(x.shape + (1,))
    cache = [activation]
    for layer in range(1, n_layers):
        hidden = _matmul(activation, params[f"W{layer}"], None if work is None else
                         work[f"hidden{layer}"])
        hidden += params[f"b{layer}"][..., None, :]
        activation = np.tanh(hidden, out=hidden)
        cache.append(activation)
    output = activation @ params[f"W{n_layers}"] + params[f"b{n_layers}"][..., None, :]
    return output[..., 0], cache


def _matmul(left, right, out=None):
    """``left @ right``; when the inner dimension is 1 (an outer product), as a plain product.

    Each entry is then one multiplication, which BLAS and NumPy round alike: the same numbers,
    without a BLAS call per network.
    """
    if left.shape[-1] == 1:
        return np.multiply(left, right, out=out)
    return np.matmul(left, right, out=out)


def workspace(params, points):
    """Arrays for `forward_stack` and `backward_stack` to reuse at every step of a stack's training.

    A stack's layers are large enough (25 runs: 800 kB each) that allocating them anew at each
    step costs the operating system more time than the arithmetic they hold.
    """
    runs, dtype = params["W1"].shape[0], params["W1"].dtype
    work = {}
    for layer in range(1, _n_layers(params)):
        width = params[f"W{layer}"].shape[-1]
        work[f"hidden{layer}"] = np.empty((runs, points, width), dtype)
        work[f"delta{layer}"] = np.empty((runs, points, width), dtype)
        work[f"slope{layer}"] = np.empty((runs, points, width), dtype)
    return work


def predict(params, x):
    """The network's predictions at `x`, shape ``(n,)``.

    Long inputs are run in blocks of `_PREDICT_BLOCK` points: OpenBLAS splits a larger matrix
    product over threads, which for a network this small costs more time than it saves.
    """
    return predict_stack(params, np.asarray(x).reshape(-1))


def predict_stack(params, x):
    """`predict` for inputs of shape ``(..., n)`` (a stack of networks, as in `forward_stack`)."""
    if x.shape[-1] <= _PREDICT_BLOCK:
        return forward_stack(params, x)[0]
    return np.concatenate([forward_stack(params, x[..., start:start + _PREDICT_BLOCK])[0]
                           for start in range(0, x.shape[-1], _PREDICT_BLOCK)], axis=-1)


def backward(params, cache, grad_output):
    """Back-propagate the gradient of a loss with respect to the output to every parameter.

    Parameters
    ----------
    params : dict of str to ndarray
        The parameters `forward` used.
    cache : list of ndarray
        The second value `forward` returned.
    grad_output : array_like, shape (n,)
        d(loss)/d(output) for each input, e.g. ``losses.mse_loss_grad(output, target)``.

    Returns
    -------
    dict of str to ndarray
        d(loss)/d(parameter), shaped like `params`.
    """
    return backward_stack(params, cache, np.asarray(grad_output).reshape(-1))


def backward_stack(params, cache, grad_output, work=None):
    """`backward` for a stack of networks: `grad_output` of shape ``(..., n)``."""
    n_layers = _n_layers(params)
    # delta = d(loss)/d(pre-activation) of the current layer, one row per input.
    delta = np.asarray(grad_output, dtype=params["W1"].dtype)
    delta = delta.reshape(delta.shape + (1,))
    grads = {}
    for layer in range(n_layers, 0, -1):
        inputs = cache[layer - 1]
        grads[f"W{layer}"] = np.swapaxes(inputs, -1, -2) @ delta
        grads[f"b{layer}"] = delta.sum(axis=-2)
        if layer > 1:
            # Through the weights, then through tanh: d tanh(z)/dz = 1 - tanh(z)².
            back = _matmul(delta, np.swapaxes(params[f"W{layer}"], -1, -2),
                           None if work is None else work[f"delta{layer - 1}"])
            slope = np.square(inputs, out=None if work is None else work[f"slope{layer - 1}"])
            delta = np.multiply(back, np.subtract(1.0, slope, out=slope), out=back)
    return {name: grads[name] for name in params}
