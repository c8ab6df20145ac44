"""Every stored figure of the lectures and solutions matches the figure a fresh run draws.

nbval compares text only, so a figure drawn wrongly (curves upside down, a line missing) would
pass it. Here each notebook is executed in a fresh kernel and every stored PNG is compared with
the new one, block by block: the pictures must have the same size and no more than
`CHANGED_BLOCKS` of their 8 × 8-pixel blocks may differ in mean grey level by more than
`LEVEL` (out of 255). That tolerates anti-aliasing noise and nothing a reader would see.
Widget pictures (demo outputs that also carry a widget view) are left to the demos' own tests.

After a change that alters figures on purpose, re-execute the notebooks (``make execute``).
"""

import base64
import io
import os
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


def _pictures(notebook):
    """{cell index: [PNG bytes, ...]} of the figures (not widget pictures) in the outputs."""
    found = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data and "application/vnd.jupyter.widget-view+json" not in data:
                found.setdefault(index, []).append(base64.b64decode(data["image/png"]))
    return found


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
