"""Verdicts and the words they are written in: `Feedback`, the errors, short renderings of values.

Examples
--------
>>> Feedback("incorrect", "That is the sum.").text()
'❌ Not quite: That is the sum.'
"""

from __future__ import annotations

import contextlib
import html
import math
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

TOO_LARGE = "That number is too large for me to work with."
"""The one wording for a number or formula beyond what can be checked."""

STATUSES = ("correct", "incorrect", "unanswered", "unimplemented", "invalid")

PREFIXES = {
    "correct": "✅ Correct",
    "incorrect": "❌ Not quite",
    "unanswered": "⏳ Not answered yet",
    "unimplemented": "⏳ Not implemented yet",
    "invalid": "⚠️ Can't check this answer",
}

# One colour per verdict and per JupyterLab theme, each at least 4.5:1 (WCAG AA) against every
# layout background of that theme (tests/test_checks_edges.py computes the contrasts).
VERDICT_COLOURS = {
    "light": {
        "correct": "#197934",
        "incorrect": "#cc212d",
        "unanswered": "#57606a",
        "unimplemented": "#57606a",
        "invalid": "#8f6000",
    },
    "dark": {
        "correct": "#2acd59",
        "incorrect": "#ef9ca2",
        "unanswered": "#acb3bb",
        "unimplemented": "#acb3bb",
        "invalid": "#f2a200",
    },
}
# Backgrounds the verdict may sit on: JupyterLab 4's --jp-layout-color0/1/2 per theme.
THEME_BACKGROUNDS = {
    "light": ("#ffffff", "#eeeeee"),
    "dark": ("#111111", "#212121", "#424242"),  # also the dark high-contrast theme's
}


def verdict_style() -> str:
    """A ``<style>`` block colouring verdicts per theme (JupyterLab marks dark themes with
    ``data-jp-theme-light="false"`` on ``<body>``; anywhere else the light colours apply)."""
    rules = []
    for status in STATUSES:
        light = VERDICT_COLOURS["light"][status]
        dark = VERDICT_COLOURS["dark"][status]
        rules.append(f".lessons-verdict.lessons-{status}{{color:{light}}}")
        rules.append(
            f'body[data-jp-theme-light="false"] .lessons-verdict.lessons-{status}{{color:{dark}}}'
        )
    return "<style>" + "".join(rules) + "</style>"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer.

    Parameters
    ----------
    status : {"correct", "incorrect", "unanswered", "unimplemented", "invalid"}
        What the checker concluded.
    message : str
        Plain text for the learner; may quote code between backticks.

    Examples
    --------
    >>> Feedback("incorrect", "That is the sum.").text()
    '❌ Not quite: That is the sum.'
    """

    status: str
    message: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def correct(self) -> bool:
        """True only when the status is ``"correct"``."""
        return self.status == "correct"

    def text(self) -> str:
        """One line: the verdict's words, then ``": "`` and the message."""
        prefix = PREFIXES[self.status]
        return f"{prefix}: {self.message}" if self.message else prefix

    def html(self) -> str:
        """The verdict as a small HTML block (learner text escaped), coloured per theme."""
        body = rich_text(self.message)
        return verdict_style() + (
            f'<div class="lessons-verdict lessons-{self.status}" style="line-height: 1.5;">'
            f"<b>{html.escape(PREFIXES[self.status])}</b>{': ' + body if body else ''}</div>"
        )

    def __str__(self) -> str:
        return self.text()


def rich_text(text: str) -> str:
    """Escape `text` for HTML and show `backticked` parts as code."""
    escaped = html.escape(text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


class InvalidAnswer(Exception):
    """An answer that cannot be checked; the message is meant for the learner."""


class AnswerKeyError(RuntimeError):
    """The answer key itself is broken (never the learner's fault)."""


def is_unanswered(answer) -> bool:
    return answer is ... or answer is None


def type_name(value) -> str:
    return type(value).__name__


def shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_number(value: float) -> str:
    """Six significant digits, without a trailing ``.0`` noise: 2.5, 6.66667, 1e-05."""
    return f"{value:.6g}"




def join_words(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def describe_pair(first: float, second: float, digits: int = 4) -> tuple[str, str]:
    """Both numbers with as few digits (at least `digits`) as it takes to tell them apart."""
    for count in range(digits, 18):
        shown = describe_number(first, count), describe_number(second, count)
        if shown[0] != shown[1]:
            return shown
    return shown


def describe_number(value: float, digits: int = 6) -> str:
    if math.isnan(value):
        return "an undefined value (nan)"
    return f"{value + 0.0:.{digits}g}"  # + 0.0 turns -0.0 into 0.0


@contextlib.contextmanager
def quiet():
    """Silence warnings (NumPy's included) raised inside a learner's or reference function."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def describe_shape(shape: tuple) -> str:
    return "a single number" if shape == () else f"an array of shape {shape}"


def describe_value(value) -> str:
    """A short, readable rendering of an input or output for a feedback message."""
    try:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            text = describe_value(value.item())
        elif isinstance(value, np.ndarray):
            text = np.array2string(
                value,
                threshold=6,
                edgeitems=2,
                separator=", ",
                max_line_width=200,
                formatter={"float_kind": lambda number: f"{number:.4g}"},
            )
        elif isinstance(value, np.generic):
            text = repr(value.item())
        elif isinstance(value, float):
            text = repr(value) if len(repr(value)) <= 10 else f"{value:.6g}"
        elif isinstance(value, tuple):
            text = "(" + ", ".join(describe_value(part) for part in value) + ")"
        else:
            text = repr(value)
    except Exception:
        text = f"<{type_name(value)}>"
    # No memory addresses in a verdict (outputs must be the same on every run).
    return shorten(re.sub(r" at 0x[0-9a-fA-F]+", "", text), 60)
