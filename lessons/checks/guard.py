"""Answer keys computed from the course's own, unpatched functions, whatever the notebook did.

A learner may reassign ``lessons.losses.l1_loss`` (to try a sum, say) or call
``np.seterr(all="raise")`` before the first check; the key module, imported at that moment,
must still compute its expected values from the original functions with NumPy's default error
handling. `pristine_lessons` restores both for the duration of the import.

Examples
--------
>>> import numpy as np
>>> with pristine_lessons():
...     np.geterr()["divide"]
'warn'
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import types
import warnings

import numpy as np

# The maths layer the keys compute with (modules not yet imported are pristine anyway).
MATHS_MODULES = ("losses", "registry", "fitting", "estimators", "optimise", "penalties", "network",
                 "mlp", "data", "history")


# One private copy per module source (its path and modification time): executing a module is
# milliseconds, and every check looks its key up inside `pristine_lessons`. Nothing outside
# this module holds the copies, so their functions stay as the source defines them.
_FRESH: dict[tuple[str, str, int], types.ModuleType | None] = {}


def _fresh_copy(module: types.ModuleType) -> types.ModuleType | None:
    """A private, freshly executed copy of `module` (None if it cannot be made)."""
    path = getattr(module, "__file__", None)
    if not path:
        return None
    try:
        key = (module.__name__, path, os.stat(path).st_mtime_ns)
    except OSError:
        return None
    if key not in _FRESH:
        _FRESH[key] = _execute(module.__name__, path)
    return _FRESH[key]


def _execute(module_name: str, path: str) -> types.ModuleType | None:
    name = f"_lessons_pristine_{module_name.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return None
    copy = importlib.util.module_from_spec(spec)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec.loader.exec_module(copy)
    except Exception:
        return None
    return copy


def _patched_functions(module: types.ModuleType) -> dict[str, object]:
    """The original of every function of `module` that the notebook has replaced: by an object
    from elsewhere, or by another of the module's own functions (``l1_loss = mse_loss``)."""
    fresh = _fresh_copy(module)
    if fresh is None:
        return {}
    originals = {}
    for name, live in list(vars(module).items()):
        original = getattr(fresh, name, None)
        if name.startswith("__") or not isinstance(original, types.FunctionType):
            continue
        if getattr(original, "__module__", None) != fresh.__name__:
            continue  # imported from elsewhere: that module's own check restores it
        if not _same_function(live, original):
            originals[name] = original
    return originals


def _same_function(live, original: types.FunctionType) -> bool:
    """Whether `live` is still the function the source defines as `original`."""
    return (isinstance(live, types.FunctionType)
            and live.__qualname__ == original.__qualname__
            and live.__code__ == original.__code__)


@contextlib.contextmanager
def pristine_lessons():
    """Run the block with the maths modules' original functions and NumPy's default errstate."""
    restored = []
    for short in MATHS_MODULES:
        module = sys.modules.get(f"lessons.{short}")
        if module is None:
            continue
        for name, original in _patched_functions(module).items():
            restored.append((module, name, getattr(module, name)))
            setattr(module, name, original)
    try:
        with np.errstate(divide="warn", over="warn", under="ignore", invalid="warn"):
            yield
    finally:
        for module, name, live in reversed(restored):
            setattr(module, name, live)
