"""Run a notebook top to bottom in a fresh kernel and return it with normalised metadata."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat

from lessons.build.nbfiles import BuildError, cell_source, describe_cell, normalise, read_notebook

CELL_TIMEOUT_SECONDS = 600


def _failed_cell(nb) -> tuple[int, str]:
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
    return -1, ""


def execute_notebook(path) -> nbformat.NotebookNode:
    """Run a notebook top to bottom in a fresh ``python3`` kernel; return it normalised.

    The kernel's working directory is the notebook's folder and ``MPLBACKEND`` is unset, so
    ``%matplotlib`` magics behave as in JupyterLab. Nothing is written.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    NotebookNode

    Raises
    ------
    BuildError
        Naming the cell that failed.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    nb = read_notebook(path)
    client = NotebookClient(
        nb,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent.resolve())}},
    )
    kernel_env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    try:
        client.execute(env=kernel_env)
    except CellExecutionError as err:
        index, error = _failed_cell(nb)
        where = describe_cell(str(path), index, nb.cells[index]) if index >= 0 else str(path)
        raise BuildError(f"{where} raised {error or err.ename}; nothing written.") from None
    except CellTimeoutError:
        raise BuildError(
            f"{path}: a cell ran longer than {CELL_TIMEOUT_SECONDS} s; nothing written."
        ) from None
    except DeadKernelError:
        raise BuildError(f"{path}: the kernel died while running it; nothing written.") from None
    for cell in nb.cells:
        # nbclient skips blank code cells, which would otherwise keep a stale count
        if cell.cell_type == "code" and not cell_source(cell).strip():
            cell.outputs = []
            cell.execution_count = None
    return normalise(nb)


def kernel_language_info(kernel_name: str = "python3") -> dict:
    """What a fresh `kernel_name` kernel reports as its ``language_info`` (kernel_info reply).

    This is what JupyterLab writes into a notebook's metadata when that kernel connects; a
    notebook storing exactly this opens unmodified (see :func:`lessons.build.language_info`).

    Returns
    -------
    dict
    """
    from jupyter_client.manager import start_new_kernel

    kernel_env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    manager, client = start_new_kernel(kernel_name=kernel_name, env=kernel_env)
    try:
        return client.kernel_info(reply=True, timeout=60)["content"]["language_info"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
