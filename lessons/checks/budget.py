"""Time budgets: every check answers within a stated limit, whatever the learner typed or wrote.

In the main thread (a Jupyter kernel runs cells there, and so does nbgrader's autograde) the
limit is a ``SIGALRM`` timer (``signal.setitimer``), which interrupts pure-Python work such as
SymPy's. Elsewhere (a widget callback in a thread, a test runner's worker thread) a watchdog
thread raises the same exception in the checking thread with
``PyThreadState_SetAsyncExc``; that interrupts Python code but not one long C call (such as a
single ``time.sleep``), which then ends late but is still reported as over budget.

The timer raises `CheckTimeout`, a ``BaseException`` so that a learner's ``except Exception``
cannot swallow it; once fired it repeats every 0.1 s until the limit is left, and from the
second time on it is raised on every line (a trace function), so even a bare ``except:`` inside
a learner's loop only delays it.

Examples
--------
>>> import time
>>> try:
...     with time_limit(0.2):
...         while True:
...             pass
... except CheckTimeout:
...     print("stopped")
stopped
"""

from __future__ import annotations

import contextlib
import ctypes
import signal
import sys
import threading
import time

FORMULA_SECONDS = 2.0
"""Budget of one check of a number or formula: reading, evaluating, comparing (seconds)."""

FUNCTION_CASE_SECONDS = 3.0
"""Budget of one case of a learner's function (seconds)."""

_REPEAT = 0.1  # once fired, the alarm repeats this often until the limit is left


class CheckTimeout(BaseException):  # noqa: N818 - it is the checker's own signal, not an error
    """The checker's own timer fired; never raised for anything but an exceeded budget."""


_state = threading.local()


def _tracer(frame, event, arg):
    """Raise `CheckTimeout` on every line while armed (for code that swallows the first one)."""
    if not getattr(_state, "armed", False):
        return None
    if event == "line":
        raise CheckTimeout
    return _tracer


def _alarm_handler(signum, frame):
    if not getattr(_state, "armed", False):
        return
    _state.fired = getattr(_state, "fired", 0) + 1
    if _state.fired > 1:
        # The first CheckTimeout was swallowed (a bare except in a loop): raise on every line
        # from now on, which a handler's own lines cannot catch for ever.
        sys.settrace(_tracer)
        while frame is not None:
            frame.f_trace_lines = True
            frame.f_trace = _tracer
            frame = frame.f_back
    raise CheckTimeout


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise `CheckTimeout` inside the block once `seconds` have passed (None: no limit).

    Nested limits keep the outer one: the inner block runs under whichever ends first.
    """
    if seconds is None or getattr(_state, "armed", False):
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        with _alarm(seconds):
            yield
    else:
        with _watchdog(seconds):
            yield


@contextlib.contextmanager
def _alarm(seconds: float):
    previous = signal.signal(signal.SIGALRM, _alarm_handler)
    previous_trace = sys.gettrace()
    _state.armed, _state.fired = True, 0
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 1e-3), _REPEAT)
    try:
        yield
    finally:
        _state.armed = False  # first: an alarm arriving now is ignored by the handler
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if _state.fired > 1:
            sys.settrace(previous_trace)


@contextlib.contextmanager
def _watchdog(seconds: float):
    target = threading.get_ident()
    done = threading.Event()
    _state.armed = True

    def watch():
        deadline = time.monotonic() + seconds
        while not done.wait(max(0.0, deadline - time.monotonic())):
            ctypes.pythonapi.PyThreadState_SetAsyncExc(
                ctypes.c_ulong(target), ctypes.py_object(CheckTimeout)
            )
            deadline = time.monotonic() + _REPEAT

    watcher = threading.Thread(target=watch, name="lessons-check-timer", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        _state.armed = False
        done.set()
        watcher.join()
        # A pending asynchronous exception that has not fired yet must not escape later.
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)


def seconds(value: float) -> str:
    """A budget in words: ``2.0`` -> ``"2 s"``."""
    return f"{value:g} s"
