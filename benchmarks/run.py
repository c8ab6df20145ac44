"""`make bench`: how long the course takes to run and to answer, against its targets.

Run from the repository root: ``.venv/bin/python benchmarks/run.py [--events N] [--no-browser]``.

Measures, on this machine:

- the time to execute every notebook of notebooks/, solutions/ and exercises/ in a fresh kernel
  (two at a time, one per core), each one and the whole course;
- the time of ``import lessons`` and of the setup cell's imports, in a fresh Python;
- the in-kernel latency of each interactive callback, median and 95th percentile: a drag step
  and the slider steps of the demos (through ``bench_demos.py``) and every exercise checker;
- the same drag and slider steps end to end in a real browser, as measured by the browser test
  (``tests/browser``, run here unless ``--no-browser``), from ``artifacts/browser/latency.json``.

Prints the table, writes ``benchmarks/results.md`` (with a profile of whatever misses its
target) and the summary between ``<!-- bench:start -->`` and ``<!-- bench:end -->`` in README.md.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench_demos.py, bench_fitting.py

RESULTS = ROOT / "benchmarks" / "results.md"
BROWSER_LATENCY = ROOT / "artifacts" / "browser" / "latency.json"
COURSE_FOLDERS = ("notebooks", "solutions", "exercises")
BENCH_START, BENCH_END = "<!-- bench:start -->", "<!-- bench:end -->"

COURSE_TARGET_S = 60.0
COURSE_FLOOR_RATIO = 2.0  # the course may take at most this many times its kernel-start floor
KERNEL_TARGET_MS = 30.0
BROWSER_TARGET_MS = 150.0
IMPORT_REPEATS = 7
PROFILE_EVENTS = 60
PROFILE_LINES = 12


# -------------------------------------------------------------------------- measurements


def _percentiles(samples_ms) -> dict:
    samples = np.asarray(samples_ms, dtype=float)
    return {"median_ms": float(np.median(samples)), "p95_ms": float(np.percentile(samples, 95)),
            "n": int(samples.size)}


def _execute_notebook(path: str) -> dict:
    """Run one notebook in a fresh kernel (in its own folder); its time and slowest cells."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    def client():
        notebook = nbformat.read(path, as_version=4)
        return NotebookClient(notebook, timeout=600, kernel_name="python3",
                              extra_arguments=["--IPKernelApp.log_level=ERROR"],
                              resources={"metadata": {"path": str(Path(path).parent)}})

    error = None
    try:
        notebook, seconds = _timed_execution(client)
    except CellExecutionError as err:
        notebook, seconds = err.notebook, err.seconds
        error = str(err).strip().splitlines()[-1][:120]
    cells = []  # (seconds, cell number, first line) of every code cell that ran
    for index, cell in enumerate(notebook.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        began, ended = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if began and ended:
            duration = (datetime.fromisoformat(ended.replace("Z", "+00:00"))
                        - datetime.fromisoformat(began.replace("Z", "+00:00"))).total_seconds()
            first_line = cell.source.strip().splitlines()[0][:60] if cell.source.strip() else ""
            cells.append((duration, index + 1, first_line))
    return {
        "path": str(Path(path).relative_to(ROOT)),
        "seconds": seconds,
        "error": error,
        "setup_s": cells[0][0] if cells else 0.0,  # the first code cell: the imports
        "kernel_s": seconds - sum(duration for duration, _, _ in cells),  # start, stop, I/O
        "slowest_cells": sorted(cells, reverse=True)[:3],
    }


def measure_course(workers: int) -> dict:
    """Execute every course notebook, `workers` at a time; per-notebook and total times."""
    paths = [str(path) for folder in COURSE_FOLDERS
             for path in sorted((ROOT / folder).glob("*.ipynb"))]
    env_backend = os.environ.pop("MPLBACKEND", None)  # kernels choose their backend, as in Lab
    start = time.perf_counter()
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
            runs = list(pool.map(_execute_notebook, paths))
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    return {"wall_s": time.perf_counter() - start, "workers": workers, "notebooks": runs}


def _bare_kernel(_index: int) -> float:
    """Seconds to execute a notebook whose one cell is ``pass``: a fresh kernel started, used
    and shut down exactly as for every notebook of the course, and nothing else."""
    import nbformat
    from nbclient import NotebookClient

    def client():
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("pass")])
        return NotebookClient(notebook, timeout=600, kernel_name="python3",
                              extra_arguments=["--IPKernelApp.log_level=ERROR"])

    return _timed_execution(client)[1]


KERNEL_START_ATTEMPTS = 3


def _timed_execution(make_client):
    """(notebook, seconds) of ``make_client().execute()``, timed from the kernel's start.

    On a machine shared with other Jupyter users, a new kernel can lose its TCP ports to
    another kernel started at the same moment and die before it answers; that start is not
    the course's cost, so it is tried again (with a fresh client) up to
    `KERNEL_START_ATTEMPTS` times. A `CellExecutionError` is re-raised with ``.notebook`` and
    ``.seconds`` attached.
    """
    from nbclient.exceptions import CellExecutionError

    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        client = make_client()
        start = time.perf_counter()
        try:
            client.execute()
        except CellExecutionError as err:
            err.notebook, err.seconds = client.nb, time.perf_counter() - start
            raise
        except RuntimeError as err:
            if "before replying to kernel_info" not in str(err) or attempt == KERNEL_START_ATTEMPTS:
                raise
            print(f"note: a kernel died while starting ({err}); starting another",
                  file=sys.stderr, flush=True)
            continue
        return client.nb, time.perf_counter() - start
    raise AssertionError("unreachable")


def measure_floor(workers: int, count: int) -> dict:
    """The floor of executing `count` notebooks: as many bare kernel starts, `workers` at a
    time. The course's time over this is what the lessons themselves cost."""
    start = time.perf_counter()
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        each = list(pool.map(_bare_kernel, range(count)))
    return {"wall_s": time.perf_counter() - start, "count": count, "each_s": each}


def measure_course_and_floor(workers: int) -> tuple[dict, dict]:
    """The course, with its floor measured just before and just after it.

    On a shared machine the floor alone has varied from 15 to 21 s between runs, and a load
    that comes or goes during the course would skew a floor taken on one side of it. The floor
    used for the ratio is the mean of the two; both are reported.
    """
    count = sum(len(list((ROOT / folder).glob("*.ipynb"))) for folder in COURSE_FOLDERS)
    before = measure_floor(workers, count)
    course = measure_course(workers)
    after = measure_floor(workers, count)
    floor = {"wall_s": (before["wall_s"] + after["wall_s"]) / 2, "count": count,
             "before_s": before["wall_s"], "after_s": after["wall_s"],
             "each_s": before["each_s"] + after["each_s"]}
    return course, floor


def measure_large_fits() -> list[tuple]:
    """(n, loss, seconds, target) of exact L1/pinball fits of 10**4 to 10**6 points."""
    import bench_fitting

    return bench_fitting.time_large()


def _fresh_python_seconds(code: str) -> float:
    """Median seconds that `code` reports for itself in fresh interpreters."""
    results = []
    for _ in range(IMPORT_REPEATS):
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True, cwd=ROOT).stdout
        results.append(float(output.strip().splitlines()[-1]))
    return statistics.median(results)


def measure_imports() -> dict:
    timer = "import time; start = time.perf_counter(); {}; print(time.perf_counter() - start)"
    return {
        "import lessons": _fresh_python_seconds(timer.format("import lessons")),
        "setup cell imports": _fresh_python_seconds(timer.format(
            "import numpy, matplotlib.pyplot; from lessons import checks, data, losses, plotting"
        )),
    }


def _demo_cases(events: int) -> list[tuple[str, object]]:
    """The interactions timed by bench_demos.py (the demos' author keeps that file)."""
    import bench_demos

    return [
        ("drag step → refit → redraw (04, ipympl)",
         lambda count=events: bench_demos._drag_case(True, False, count)),
        ("height slider step → refit → redraw (04)",
         lambda count=events: bench_demos._slider_case(count)),
        ("δ slider step → redraw (05, Huber curves)",
         lambda count=events: bench_demos._huber_curves_case(count)),
        ("δ slider step → refit → redraw (05, Huber fit)",
         lambda count=events: bench_demos._huber_fit_case(count)),
    ]


def _answers(spec):
    """A right and a wrong answer for an exercise, in the form its widget receives them."""
    from lessons import checks

    if isinstance(spec, checks.Choice):
        right = min(spec.correct)
        return right, min(set(spec.options) - spec.correct or spec.options)
    if isinstance(spec, checks.Slider):
        return spec.expected, spec.min if spec.expected != spec.min else spec.max
    if isinstance(spec, checks.Function):
        return spec.reference, lambda *args, **kwargs: 0.0
    right = spec.expected
    wrong = spec.mistakes[0][0] if getattr(spec, "mistakes", ()) else "1"
    return str(right), str(wrong)


def _exercise_case(events: int) -> list[float]:
    """ms per checker cell of every exercise of every answer key: `checks.view(key, answer)`,
    the verdict and its view, for a right and a wrong answer in turn (the answer cell is the
    only input, so running the checker cell is the whole interaction)."""

    from lessons import checks

    samples = []
    for key, spec in answer_keys():
        right, wrong = _answers(spec)
        checks.view(key, right)  # the first judgement loads what the key defers (SymPy)
        for step in range(max(2, events // 20)):
            answer = right if step % 2 == 0 else wrong
            start = time.perf_counter()
            checks.view(key, answer)
            samples.append(1e3 * (time.perf_counter() - start))
    return samples


def answer_keys():
    """(key, spec) of every exercise of every answer key, notebook by notebook."""
    import importlib

    for module in sorted((ROOT / "lessons" / "keys").glob("nb*.py")):
        yield from importlib.import_module(f"lessons.keys.{module.stem}").EXERCISES.items()


def measure_kernel(events: int) -> list[dict]:
    """Median and p95 of each in-kernel interaction; a cProfile summary of those too slow."""
    from lessons import plotting

    plotting.use_style()
    cases = [*_demo_cases(events), ("exercise check: checker cell → verdict (every exercise)",
                                    lambda count=events: _exercise_case(count))]
    rows = []
    for name, run in cases:
        try:
            row = {"name": name, **_percentiles(run())}
        except Exception as err:  # one broken case must not hide the others
            rows.append({"name": name, "error": f"{type(err).__name__}: {err}"})
            continue
        if row["p95_ms"] > KERNEL_TARGET_MS:
            row["profile"] = _profile(lambda run=run: run(PROFILE_EVENTS))
        rows.append(row)
    return rows


def _profile(action) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(action)
    stream = io.StringIO()
    # Own time ("tottime"): where the CPU goes, not which wrappers (traitlets, widgets) it
    # passes through on the way.
    pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(PROFILE_LINES)
    lines = [line for line in stream.getvalue().splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls"))
    return "\n".join(line.replace(str(ROOT) + "/", "") for line in lines[start:])


def measure_browser(run_test: bool) -> dict | None:
    """Run the browser test (unless told not to) and read what it measured."""
    if run_test:
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/browser"],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            tail = "\n".join(result.stdout.strip().splitlines()[-5:])
            print(f"note: the browser test did not pass:\n{tail}", file=sys.stderr)
    if not BROWSER_LATENCY.is_file():
        return None
    return json.loads(BROWSER_LATENCY.read_text())


# ------------------------------------------------------------------------------ reporting


def _verdict(value: float, target: float) -> str:
    return "✅ meets" if value <= target else "❌ misses"


def course_rows(course, floor) -> list[tuple[str, str, str, str]]:
    """The whole course against its floor: bare kernel starts, as many, in the same run.

    A last row shows how much of the budget the fixed costs take before any lesson runs: the
    course's own kernel starts (with nbclient's per-cell round trips) and its setup cells.
    """
    failed = [run["path"] for run in course["notebooks"] if run["error"]]
    total = course["wall_s"]
    ratio = total / floor["wall_s"]
    runs = course["notebooks"]
    fixed = sum(run["kernel_s"] + run["setup_s"] for run in runs) / course["workers"]
    spread = ""
    if "before_s" in floor:
        spread = f" (before {floor['before_s']:.1f} s, after {floor['after_s']:.1f} s)"
    return [
        (f"execute the whole course ({len(runs)} notebooks, "
         f"{course['workers']} at a time, fresh kernels)", f"{total:.1f} s",
         f"< {COURSE_TARGET_S:g} s",
         _verdict(total, COURSE_TARGET_S) + (f"; {len(failed)} failed" if failed else "")),
        (f"floor: {floor['count']} bare kernel starts, {course['workers']} at a time, "
         f"mean of a run before and after the course{spread}",
         f"{floor['wall_s']:.1f} s", "", ""),
        ("course / floor", f"{ratio:.2f}×", f"≤ {COURSE_FLOOR_RATIO:g}×",
         _verdict(ratio, COURSE_FLOOR_RATIO)),
        ("of which kernels and setup cells alone (summed / workers) / floor",
         f"{fixed / floor['wall_s']:.2f}×", "", ""),
    ]


def fit_rows(fits) -> list[tuple[str, str, str, str]]:
    return [(f"exact `fit_line` ({loss}), {n:,} points", f"{seconds:.2f} s", f"< {target:g} s",
             _verdict(seconds, target)) for n, loss, seconds, target in fits]


def summary_rows(course, imports, kernel, browser, floor=None,
                 fits=()) -> list[tuple[str, str, str, str]]:
    """(what, measured, target, verdict) rows for the README and the console."""
    rows = course_rows(course, floor) if floor else []
    slowest = max(course["notebooks"], key=lambda run: run["seconds"])
    rows.append((f"slowest notebook ({slowest['path']})", f"{slowest['seconds']:.1f} s", "", ""))
    rows += fit_rows(fits)
    for name, seconds in imports.items():
        rows.append((f"`{name}`", f"{1e3 * seconds:.0f} ms", "", ""))
    for row in kernel:
        if "error" in row:
            rows.append((f"in kernel: {row['name']}", "error", f"< {KERNEL_TARGET_MS:g} ms", "❌"))
            continue
        rows.append((f"in kernel: {row['name']}",
                     f"{row['median_ms']:.1f} / {row['p95_ms']:.1f} ms",
                     f"< {KERNEL_TARGET_MS:g} ms", _verdict(row["p95_ms"], KERNEL_TARGET_MS)))
    steps = (browser or {}).get("steps", {})
    for name, step in steps.items():
        redraw = "redraw" in name
        label = f" ({step['label']})" if step.get("label") else ""
        rows.append((f"in the browser: {name.replace('_', ' ')}{label}",
                     f"{step['median_ms']:.0f} / {step['p95_ms']:.0f} ms",
                     f"< {BROWSER_TARGET_MS:g} ms" if redraw else "",
                     _verdict(step["p95_ms"], BROWSER_TARGET_MS) if redraw else ""))
    if not steps:
        rows.append(("in the browser", "not measured (no Chromium?)", "", ""))
    return rows


def _table(rows, header=("what", "measured", "target", "")) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", r"\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.machine()}, "
            f"load average {load} at the start")


def results_markdown(context, rows, course, kernel, browser) -> str:
    parts = [
        "# Benchmarks", "",
        f"Measured by `make bench` on {context['date']}: {context['machine']}. Times are wall "
        "clock; a loaded machine (load average above the core count) inflates them all.", "",
        "Latencies are median / 95th percentile; a target is met when the 95th percentile "
        "is under it. In-kernel figures time the Python callback "
        "only (refit, redraw, PNG encoding); browser figures run from the input event to the "
        "first redraw of the figure (or feedback) on the page, through the kernel and back.", "",
        _table(rows), "",
        "## Each notebook", "",
        f"Executed in fresh kernels, {course['workers']} at a time (so each time includes "
        "sharing the machine with the other); the three slowest cells of each.", "",
        _table([(run["path"], f"{run['seconds']:.1f} s", f"{run['kernel_s']:.1f} s",
                 f"{run['setup_s']:.1f} s", run["error"] or "ok",
                 "; ".join(f"cell {n} ({s:.1f} s): `{line}`" for s, n, line in
                           run["slowest_cells"]))
                for run in course["notebooks"]],
               header=("notebook", "time", "kernel start/stop", "setup cell", "result",
                       "slowest cells")), "",
        _course_breakdown(course), "",
    ]
    profiled = [row for row in kernel if "profile" in row]
    if profiled:
        parts += ["## Profiles of what misses its target", ""]
        for row in profiled:
            parts += [f"### {row['name']}", "",
                      f"cProfile of {PROFILE_EVENTS} events (with the demo's set-up), "
                      "sorted by each function's own time:", "",
                      "```", row["profile"], "```", ""]
    if browser:
        parts += ["## Browser session", "",
                  f"Measured {browser.get('measured_at', '?')}: server start "
                  f"{browser.get('server_start_s', '?')} s, JupyterLab load "
                  f"{browser.get('app_load_s', '?')} s, whole session "
                  f"{browser.get('session_s', '?')} s; run-all per notebook: "
                  + ", ".join(f"{path} {seconds} s"
                              for path, seconds in browser.get("run_all_s", {}).items()), ""]
    return "\n".join(parts)


def _course_breakdown(course) -> str:
    """Where the course's execution time goes, summed over its notebooks."""
    runs = course["notebooks"]
    total = sum(run["seconds"] for run in runs)
    kernel = sum(run["kernel_s"] for run in runs)
    setup = sum(run["setup_s"] for run in runs)
    cells = sorted(((cell[0], run["path"], cell[1], cell[2]) for run in runs
                    for cell in run["slowest_cells"]), reverse=True)[:5]
    slowest = "; ".join(f"{path} cell {number} ({seconds:.1f} s, `{line}`)"
                        for seconds, path, number, line in cells)
    return (f"Summed over the notebooks: {total:.1f} s, of which {kernel:.1f} s starting and "
            f"stopping kernels, {setup:.1f} s in the setup cells (imports) and "
            f"{total - kernel - setup:.1f} s in the lessons themselves. Slowest cells: "
            f"{slowest}.")


def readme_section(context, rows, course) -> str:
    lines = [
        "### Benchmarks",
        "",
        f"`make bench` on {context['machine']} ({context['date']}); latencies are median / "
        "95th percentile, and a target is met when the 95th percentile is under it. Details "
        "and profiles of every miss: [benchmarks/results.md](benchmarks/results.md).",
        "",
        _table(rows),
    ]
    if course["wall_s"] > COURSE_TARGET_S:
        lines += ["", _course_breakdown(course)]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/run.py", description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200,
                        help="events per in-kernel case (default 200)")
    parser.add_argument("--workers", type=int, default=2,
                        help="notebooks executed at a time (default 2, one per core)")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not run the browser test; reuse its last measurement")
    parser.add_argument("--no-write", action="store_true",
                        help="print only; leave results.md and README.md alone")
    parser.add_argument("--course-only", action="store_true",
                        help="only the course against its floor and the fit_line times "
                             "(implies --no-write); prints each notebook's time")
    args = parser.parse_args(argv)
    if args.course_only:
        return course_only(args.workers)

    context = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "machine": machine()}
    print(f"benchmarks on {context['machine']}")
    print("executing the course, between two runs of as many bare kernels ...", flush=True)
    course, floor = measure_course_and_floor(args.workers)
    print("timing large exact fits ...", flush=True)
    fits = measure_large_fits()
    print("timing imports ...", flush=True)
    imports = measure_imports()
    print("timing in-kernel callbacks ...", flush=True)
    kernel = measure_kernel(args.events)
    print("browser latencies ...", flush=True)
    browser = measure_browser(run_test=not args.no_browser)

    rows = summary_rows(course, imports, kernel, browser, floor, fits)
    print()
    print(_table(rows))
    if not args.no_write:
        from lessons import readme

        RESULTS.write_text(results_markdown(context, rows, course, kernel, browser) + "\n",
                           encoding="utf-8")
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        text = readme.replace_between_markers(text, BENCH_START, BENCH_END,
                                              readme_section(context, rows, course))
        (ROOT / "README.md").write_text(text, encoding="utf-8")
        print(f"\nwrote {RESULTS.relative_to(ROOT)} and the README's benchmark section")
    return 0


def course_only(workers: int) -> int:
    """`--course-only`: the course, its floor, each notebook and the large fits, printed."""
    print(f"benchmarks on {machine()}", flush=True)
    course, floor = measure_course_and_floor(workers)
    rows = course_rows(course, floor) + fit_rows(measure_large_fits())
    print(_table(rows))
    print()
    print(_table([(run["path"], f"{run['seconds']:.1f} s", f"{run['setup_s']:.1f} s",
                   run["error"] or "ok",
                   "; ".join(f"cell {n} ({s:.1f} s): `{line}`"
                             for s, n, line in run["slowest_cells"]))
                  for run in sorted(course["notebooks"], key=lambda run: -run["seconds"])],
                 header=("notebook", "time", "setup cell", "result", "slowest cells")))
    print()
    print(_course_breakdown(course))
    return 0


if __name__ == "__main__":
    sys.exit(main())
