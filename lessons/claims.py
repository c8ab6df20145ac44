"""Claim checks: a printed claim, the course's computation, and the verdict, shown the same way.

Every lecture that meets a claim printed elsewhere (an encyclopedia article, a blog post, a
lesson, library docs) shows it as one claim check, so a learner always sees the claim as printed,
what we computed and whether the claim survives.

Examples
--------
>>> from lessons import claims
>>> box = claims.ClaimCheck(
...     claim="The mean absolute error of these four predictions is 0.325.",
...     kind="an encyclopedia article",
...     computed="mean |e| = 1.4 / 4 = 0.35",
...     verdict="wrong",
... )
>>> print(box)
Claim check (an encyclopedia article): "The mean absolute error of these four predictions is 0.325."
  we computed: mean |e| = 1.4 / 4 = 0.35
  verdict: ✘ wrong
"""

from __future__ import annotations

import html
from dataclasses import dataclass

KINDS = ("an encyclopedia article", "a blog post", "a lesson", "library documentation")
VERDICTS = {
    "holds": ("✔", "holds"),
    "wrong": ("✘", "wrong"),
    "loose": ("≈", "holds only loosely"),
}


@dataclass(frozen=True)
class ClaimCheck:
    """A printed claim, checked: show it as the last expression of a cell (or with `display`).

    Parameters
    ----------
    claim : str
        The claim as printed, in our own paraphrase or a short quotation.
    kind : str
        Where it was printed: one of `KINDS`.
    computed : str
        What the cell above computed, in one line.
    verdict : {"holds", "wrong", "loose"}
        The verdict; ``note`` says why when it is not plain.
    note : str, optional
        One sentence on what is right instead, or why the claim is loose.
    """

    claim: str
    kind: str
    computed: str
    verdict: str
    note: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {tuple(VERDICTS)}, got {self.verdict!r}")

    def __str__(self) -> str:
        mark, word = VERDICTS[self.verdict]
        lines = [
            f'Claim check ({self.kind}): "{self.claim}"',
            f"  we computed: {self.computed}",
            f"  verdict: {mark} {word}",
        ]
        if self.note:
            lines.append(f"  {self.note}")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        mark, word = VERDICTS[self.verdict]
        note = f"<p>{html.escape(self.note)}</p>" if self.note else ""
        return (
            '<div class="lessons-claim" role="note" aria-label="Claim check" '
            'style="border-left: 4px solid; padding: 0.2em 0.8em; margin: 0.4em 0;">'
            f"<p><strong>Claim check</strong> ({html.escape(self.kind)}): "
            f"“{html.escape(self.claim)}”</p>"
            f"<p>We computed: {html.escape(self.computed)}</p>"
            f"<p>Verdict: <strong>{mark} {html.escape(word)}</strong></p>{note}</div>"
        )
