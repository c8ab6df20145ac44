"""A Jupyter server setting under which a notebook opens unmodified whatever the Python version.

Why a notebook opens "modified": when its kernel connects, JupyterLab 4
(``NotebookPanel._updateLanguage``) writes the kernel's ``language_info`` into the notebook's
metadata, and ``YNotebook.setMetadata`` marks the notebook dirty unless the stored value is
deep-equal to it. ipykernel's ``language_info`` holds ``version = sys.version.split()[0]``, so
a notebook stored by Python 3.11.7 (``python -m lessons.build normalise``) opens clean under
3.11.7 only: 3.11.2, 3.12 or 3.13 mark it modified, and autosave rewrites it two minutes later.

No stored value can match every Python; the server can. :class:`CourseContentsManager` serves
each Python notebook with the ``language_info`` that the server's ``python3`` kernel will report
(asked once, from that kernel's interpreter), so JupyterLab finds nothing to change. The file
on disk is not touched. Use it with::

    jupyter lab --ServerApp.contents_manager_class=lessons.labserver.CourseContentsManager

or, for Binder and JupyterHub, in ``jupyter_server_config.py`` /
``jupyter_server_config.d/*.json``:
``{"ServerApp": {"contents_manager_class": "lessons.labserver.CourseContentsManager"}}``.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager

KERNEL_NAME = "python3"
_PROBE = (
    "import json; from ipykernel.ipkernel import IPythonKernel; "
    "print(json.dumps(IPythonKernel.language_info))"
)


@functools.cache
def kernel_language_info(kernel_name: str = KERNEL_NAME) -> dict | None:
    """What the `kernel_name` kernel reports as ``language_info``; None when it cannot be told.

    The kernel's interpreter is run once (cached) to read ipykernel's ``language_info``: the
    dict its ``kernel_info`` reply carries.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except Exception:  # no such kernel: leave notebooks as they are
        return None
    python = spec.argv[0] if spec.argv else sys.executable
    if python in {"python", f"python{sys.version_info[0]}",
                  "python{}.{}".format(*sys.version_info[:2])}:
        python = sys.executable  # what jupyter_client does when it starts the kernel
    try:
        result = subprocess.run([python, "-c", _PROBE], capture_output=True, text=True,
                                timeout=120, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0 or not result.stdout.strip():
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def align_language_info(nb: dict, info: dict | None) -> bool:
    """Give a Python notebook (dict) the kernel's `info` as ``language_info``, in place.

    Only notebooks of the ``python3`` kernel (or naming none) whose ``language_info`` says
    Python are changed. Returns whether anything changed.

    Examples
    --------
    >>> nb = {"metadata": {"language_info": {"name": "python", "version": "3.11.7"}}}
    >>> align_language_info(nb, {"name": "python", "version": "3.13.1"})
    True
    >>> nb["metadata"]["language_info"]["version"]
    '3.13.1'
    """
    if not info:
        return False
    metadata = nb.get("metadata")
    if not isinstance(metadata, dict):
        return False
    kernel = (metadata.get("kernelspec") or {}).get("name", KERNEL_NAME)
    stored = metadata.get("language_info") or {"name": "python"}
    if kernel != KERNEL_NAME or stored.get("name") != "python" or stored == info:
        return False
    metadata["language_info"] = dict(info)
    return True


class CourseContentsManager(AsyncLargeFileManager):
    """The default contents manager, serving notebooks with the local kernel's language_info.

    Nothing else changes: saving, checkpoints, files and folders behave as usual.
    """

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        model = await super().get(path, content=content, type=type, format=format, **kwargs)
        if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
            align_language_info(model["content"], kernel_language_info())
        return model
