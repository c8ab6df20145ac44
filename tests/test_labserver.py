"""The course's contents manager serves notebooks with the local kernel's language_info, so
JupyterLab (which compares the two when the kernel connects) opens them unmodified."""

import asyncio
import concurrent.futures
import json

import nbformat

from lessons import build, labserver


def test_the_probe_gives_exactly_what_the_kernel_reports():
    assert labserver.kernel_language_info() == build.kernel_language_info()


def _run(coroutine):
    """Run `coroutine` to its end in a thread of its own: a browser test sharing this worker may
    have an event loop running in the main thread (Playwright's sync API); asyncio.run fails
    there."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_notebook_stored_by_another_python_is_served_as_the_kernel_reports(tmp_path):
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": dict(build.KERNELSPEC),
        "language_info": {"name": "python", "version": "3.13.1", "mimetype": "text/x-python"},
    })
    path = tmp_path / "01_a.ipynb"
    path.write_text(build.notebook_text(nb))
    before = path.read_bytes()
    manager = labserver.CourseContentsManager(root_dir=str(tmp_path))
    model = _run(manager.get("01_a.ipynb"))
    assert model["content"]["metadata"]["language_info"] == build.kernel_language_info()
    assert path.read_bytes() == before  # only what is served changes, not the file
    plain = _run(manager.get("01_a.ipynb", content=False))
    assert plain["content"] is None


def test_other_kernels_and_languages_are_left_alone():
    info = {"name": "python", "version": "3.12.0"}
    r_notebook = {"metadata": {"kernelspec": {"name": "ir"}, "language_info": {"name": "R"}}}
    assert not labserver.align_language_info(r_notebook, info)
    other = {"metadata": {"kernelspec": {"name": "conda-env"},
                          "language_info": {"name": "python"}}}
    assert not labserver.align_language_info(other, info)
    assert json.dumps(other) == json.dumps(
        {"metadata": {"kernelspec": {"name": "conda-env"}, "language_info": {"name": "python"}}})
    assert not labserver.align_language_info({"metadata": {}}, None)
