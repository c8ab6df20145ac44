"""The course's one list of losses: each name, its spellings, its function and its gradient.

Every module that takes a loss by name (``fitting.fit_line(x, y, "mae")``, ``mlp.train(...,
loss="mse")``, ``optimise.descend_constant(y, "l1")``, ``plotting.color("quantile")``, the demos)
looks it up here, so they all accept the same spellings and give the same error for a typo.
Adding a loss means writing it (and its gradient) in `lessons.losses` and adding one `Loss`
record to `_RECORDS` below (see CONTRIBUTING.md, "How to add a loss").

Examples
--------
>>> loss = get("MAE")
>>> loss.name, loss.key, loss.title
('l1_loss', 'l1', 'L1')
>>> loss.value([90, 95, 105], [100, 100, 100])
6.666666666666667
>>> get("huber").value([0.5, 2.0], [0.0, 0.0], delta=0.5)
0.5
>>> names()[:3]
('l1_loss', 'mse_loss', 'huber_loss')
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from lessons import losses

__all__ = ["Loss", "get", "names", "keys"]


@dataclass(frozen=True)
class Loss:
    """One loss: how it is called, spelled, computed and drawn.

    Attributes
    ----------
    name : str
        Its name in ``torch.nn.functional`` style, e.g. ``"huber_loss"``.
    key : str
        The short name the course writes (``"huber"``): returned by the modules (``LineFit.loss``)
        and the style key of `lessons.plotting` (colour, line style, label).
    title : str
        How prose and read-outs name it, e.g. ``"Huber"``.
    loss, grad : callable
        ``loss(input, target, *, reduction="mean", **params)`` and its gradient with respect to
        `input`, from `lessons.losses`.
    params : tuple of str
        Its keyword parameters (``("delta",)`` for Huber), each with the default in `defaults`.
    aliases : tuple of str
        Other accepted spellings besides `name` and `key` (case, spaces and hyphens do not
        matter).
    """

    name: str
    key: str
    title: str
    loss: Callable
    grad: Callable
    params: tuple = ()
    defaults: dict = field(default_factory=dict)
    aliases: tuple = ()

    def kwargs(self, **available):
        """The subset of `available` this loss takes (None values left out).

        Examples
        --------
        >>> get("l1").kwargs(delta=2.0, tau=0.9), get("huber").kwargs(delta=2.0, tau=0.9)
        ({}, {'delta': 2.0})
        """
        return {name: available[name] for name in self.params
                if available.get(name) is not None}

    def value(self, input, target, *, reduction="mean", **params):
        """The loss, passing on only the parameters it takes (see `kwargs`)."""
        return self.loss(input, target, reduction=reduction, **self.kwargs(**params))

    def gradient(self, input, target, *, reduction="mean", **params):
        """The gradient with respect to `input`, passing on only the parameters it takes."""
        return self.grad(input, target, reduction=reduction, **self.kwargs(**params))


_RECORDS = (
    Loss("l1_loss", "l1", "L1", losses.l1_loss, losses.l1_loss_grad,
         aliases=("mae", "absolute", "sae")),
    Loss("mse_loss", "l2", "L2", losses.mse_loss, losses.mse_loss_grad,
         aliases=("mse", "squared", "sse")),
    Loss("huber_loss", "huber", "Huber", losses.huber_loss, losses.huber_loss_grad,
         params=("delta",), defaults={"delta": 1.0}),
    Loss("smooth_l1_loss", "smooth_l1", "SmoothL1", losses.smooth_l1_loss,
         losses.smooth_l1_loss_grad, params=("beta",), defaults={"beta": 1.0},
         aliases=("smoothl1",)),
    Loss("log_cosh_loss", "log_cosh", "log-cosh", losses.log_cosh_loss, losses.log_cosh_loss_grad,
         aliases=("logcosh",)),
    Loss("pinball_loss", "pinball", "pinball", losses.pinball_loss, losses.pinball_loss_grad,
         params=("tau",), defaults={"tau": 0.5}, aliases=("quantile",)),
)


def _normalise(spelling):
    return str(spelling).strip().lower().replace("-", "_").replace(" ", "_")


_LOOKUP = {}
for _record in _RECORDS:
    for _spelling in (_record.name, _record.key, *_record.aliases):
        _LOOKUP[_normalise(_spelling)] = _record
del _record, _spelling


def names():
    """Every loss's torch-style name, in the course's order.

    Examples
    --------
    >>> "pinball_loss" in names()
    True
    """
    return tuple(record.name for record in _RECORDS)


def keys():
    """Every loss's short key (``"l1"``, ``"l2"``, ``"huber"``, ...), in the course's order."""
    return tuple(record.key for record in _RECORDS)


def find(name_or_alias):
    """The `Loss` spelled `name_or_alias`, or None (for callers that also know other names).

    Examples
    --------
    >>> find("Smooth-L1").name, find("data")
    ('smooth_l1_loss', None)
    """
    if not isinstance(name_or_alias, str):
        return None
    return _LOOKUP.get(_normalise(name_or_alias))


def get(name_or_alias, among=None):
    """The `Loss` spelled `name_or_alias`: a torch name, a short key or an alias.

    Parameters
    ----------
    name_or_alias : str
        E.g. ``"l1_loss"``, ``"l1"``, ``"mae"``, ``"Huber"``, ``"quantile"``.
    among : sequence of str, optional
        Keys of the losses the caller supports (e.g. ``("l2", "l1", "huber")``); another loss
        gets a message naming only these.

    Returns
    -------
    Loss

    Raises
    ------
    ValueError
        For an unknown spelling, or a loss outside `among`, with the accepted names.

    Examples
    --------
    >>> get("quantile").key
    'pinball'
    >>> get("l3")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown loss 'l3'; choose one of l1 (l1_loss, mae), l2 (mse_loss, mse), ...
    """
    record = find(name_or_alias)
    if record is not None and (among is None or record.key in among):
        return record  # the common case, cheap enough for every training step
    allowed = _RECORDS if among is None else tuple(get(key) for key in among)
    if record is None or record not in allowed:
        choices = ", ".join(_describe(candidate) for candidate in allowed)
        if record is None:
            raise ValueError(f"unknown loss {name_or_alias!r}; choose one of {choices}.")
        raise ValueError(f"the {record.title} loss is not available here; choose one of {choices}.")
    return record


def _describe(record):
    """``"l1 (l1_loss, mae)"``: the key with the torch name and the best-known other alias."""
    others = [alias for alias in record.aliases if alias != record.key.replace("_", "")]
    return f"{record.key} ({', '.join([record.name, *others[:1]])})"
