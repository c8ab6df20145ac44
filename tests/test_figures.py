"""Every stored figure of the lectures and solutions matches the figure a fresh run draws.

nbval compares text only, so a figure drawn wrongly (curves upside down, a line missing) would
pass it. Here each notebook is executed in a fresh kernel and every stored PNG is compared with
the new one, block by block: the pictures must have the same size and no more than
`CHANGED_BLOCKS` of their 8 × 8-pixel blocks may differ in mean grey level by more than
`LEVEL` (out of 255). That tolerates anti-aliasing noise and nothing a reader would see.
Widget pictures (demo outputs that also carry a widget view) are left to the demos' own tests.

After a change that alters figures on purpose, re-execute the notebooks (``make execute``).

Figures are shown with `lessons.plotting.show(fig, alt=...)`, which stores the PNG inside a
``text/html`` ``<img alt=...>`` (JupyterLab writes no alt for ``image/png``). The sentence lives in
the call and, for the site, in the cell's ``lessons.alt`` metadata: the tests below keep the two
equal and make sure no lecture figure goes out without it.
"""

import ast
import base64
import html
import io
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbclient import NotebookClient
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("solutions/*.ipynb")])
BLOCK = 8
LEVEL = 12.0
CHANGED_BLOCKS = 0.002  # fraction of blocks


WIDGET = "application/vnd.jupyter.widget-view+json"
_IMG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]*)">')


def _figure_outputs(cell):
    """(PNG bytes, alt or None) of each figure (not widget picture) in a cell's outputs."""
    found = []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if WIDGET in data:
            continue
        match = _IMG.fullmatch(str(data.get("text/html", "")).strip())
        if match:
            found.append((base64.b64decode(match.group(1)), html.unescape(match.group(2))))
        elif "image/png" in data:
            found.append((base64.b64decode(data["image/png"]), None))
    return found


def _pictures(notebook):
    """{cell index: [PNG bytes, ...]} of the figures (not widget pictures) in the outputs."""
    found = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            for png, _alt in _figure_outputs(cell):
                found.setdefault(index, []).append(png)
    return found


def _show_alts(source):
    """The `alt=` sentences of the `plotting.show(...)` calls in a cell's source."""
    code = "\n".join(line for line in source.splitlines()
                     if not line.lstrip().startswith(("%", "!")))
    return [" ".join(ast.literal_eval(keyword.value).split())
            for node in ast.walk(ast.parse(code))
            if isinstance(node, ast.Call) and ast.unparse(node.func) == "plotting.show"
            for keyword in node.keywords if keyword.arg == "alt"]


def _metadata_alt(cell):
    return " ".join(str(cell.metadata.get("lessons", {}).get("alt", "")).split())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_every_figure_carries_its_alt_sentence_in_the_call_the_metadata_and_the_output(path):
    """A figure cell shows its figure with plotting.show(alt=...) = its lessons.alt = stored alt."""
    notebook = nbformat.read(path, as_version=4)
    problems = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        meta, calls, outputs = _metadata_alt(cell), _show_alts(cell.source), _figure_outputs(cell)
        widget = any(WIDGET in out.get("data", {}) for out in cell.get("outputs", []))
        if "plt.show()" in cell.source:
            problems.append(f"cell {index}: plt.show() shows a figure without alt text; use "
                            "plotting.show(fig, alt=...)")
        if calls and calls != [meta]:
            problems.append(f"cell {index}: plotting.show alt {calls} != lessons.alt {meta!r}")
        if (outputs or calls) and not widget and not meta:
            problems.append(f"cell {index}: a figure without lessons.alt")
        for _png, alt in outputs:
            if alt is None:
                problems.append(f"cell {index}: a stored image/png without alt text")
            elif alt != meta:
                problems.append(f"cell {index}: stored alt {alt!r} != lessons.alt {meta!r}")
    assert not problems, "\n".join(problems)


def _grey_blocks(png):
    image = np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float)
    height, width = (size - size % BLOCK for size in image.shape)
    blocks = image[:height, :width].reshape(height // BLOCK, BLOCK, width // BLOCK, BLOCK)
    return image.shape, blocks.mean(axis=(1, 3))


def difference(stored, fresh):
    """Fraction of blocks that changed visibly (1.0 when the sizes differ)."""
    (stored_shape, stored_blocks), (fresh_shape, fresh_blocks) = map(_grey_blocks, (stored, fresh))
    if stored_shape != fresh_shape:
        return 1.0
    return float(np.mean(np.abs(stored_blocks - fresh_blocks) > LEVEL))


def _execute(path):
    notebook = nbformat.read(path, as_version=4)
    backend = os.environ.pop("MPLBACKEND", None)  # the kernel must draw inline, as stored
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if backend is not None:
            os.environ["MPLBACKEND"] = backend
    return notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_stored_figures_match_a_fresh_run(path):
    stored = _pictures(nbformat.read(path, as_version=4))
    if not stored:
        pytest.skip("no stored figures")
    fresh = _pictures(_execute(path))
    problems = []
    for index, pictures in stored.items():
        again = fresh.get(index, [])
        if len(again) != len(pictures):
            problems.append(f"cell {index}: {len(pictures)} stored figures, {len(again)} now")
            continue
        for number, (old, new) in enumerate(zip(pictures, again, strict=True)):
            changed = difference(old, new)
            if changed > CHANGED_BLOCKS:
                problems.append(f"cell {index}, figure {number + 1}: {changed:.1%} of it changed")
    assert not problems, "figures differ from a fresh run:\n" + "\n".join(problems)


def test_the_alt_check_sees_a_missing_or_different_sentence():
    def cell(source, alt, outputs=()):
        return nbformat.v4.new_code_cell(source, metadata={"lessons": {"alt": alt}},
                                         outputs=list(outputs))

    ok = cell('plotting.show(fig, alt=(\n    "Two "\n    "lines."\n))', "Two lines.")
    assert _show_alts(ok.source) == ["Two lines."]
    assert _show_alts("plotting.show(fig)\nplt.show()") == []
    stored = nbformat.v4.new_output("display_data", data={
        "text/html": '<img src="data:image/png;base64,iVBORw0K" alt="Two &quot;lines&quot;.">',
        "text/plain": 'Two "lines".'})
    assert [alt for _png, alt in _figure_outputs(cell("", "", [stored]))] == ['Two "lines".']
    bare = nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0K"})
    assert [alt for _png, alt in _figure_outputs(cell("", "", [bare]))] == [None]


def test_the_comparison_sees_a_flip_but_not_a_repeat():
    from matplotlib.figure import Figure

    def png(values):
        figure = Figure(figsize=(4, 3), dpi=80)
        figure.add_subplot().plot(values)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()

    curve = np.linspace(-2, 2, 50) ** 2
    assert difference(png(curve), png(curve)) == 0.0
    assert difference(png(curve), png(-curve)) > 0.02
