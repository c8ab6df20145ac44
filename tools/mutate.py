"""`make mutate`: break the code on purpose, one mutation at a time, and check a test notices.

Each mutation is (name, file, exact old text, new text, the test command that must fail).
The script copies the working tree (tracked and untracked, not ignored, files, as they are now)
into temporary folders (one per job, ``-j``, default 2), applies one mutation in a copy, runs
its tests against that copy, and restores the file before the copy takes the next one; the
working tree itself is never touched. Each test command first runs once unmutated (a command
that fails anyway would "catch" everything). It prints one line per mutation (caught: the
tests failed, and the first failing test is named; MISSED: they passed; STALE: the file is gone
or the old text is not in it exactly once, so the mutation must be updated; BROKEN: its tests
fail even without the mutation) and
``caught/total`` at the end. It runs at a low priority (``nice``) and takes a few minutes.

Run: ``.venv/bin/python tools/mutate.py [-k SUBSTRING] [--list] [-j JOBS] [-v]``. Exit status
0 only when every mutation is caught. ``--list`` also flags STALE mutations without running
anything (after a refactoring, run it first).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTEST = ("-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-p", "no:xdist")


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    old: str
    new: str
    tests: tuple[str, ...]
    note: str = ""  # e.g. who owns the file, or what to update after a restructuring


EDGES = ("tests/test_checks_edges.py",)
ANSWERS_01_04 = ("tests/answers/test_keys_nb01_04.py",)
HIDDEN = ("tests/test_hidden_tests.py",)

MUTATIONS = (
    # --- the mutations: the checkers (lessons/checks/) at their tolerance edges
    Mutation("checks: Expression accepts anything within 10 %", "lessons/checks/equivalence.py",
             "NUMERIC_RTOL = 1e-7", "NUMERIC_RTOL = 0.1", EDGES),
    Mutation("checks: Slider accepts anything within 10 %", "lessons/checks/specs.py",
             "return abs(value - target) <= self.tol + 1e-9 * (1.0 + abs(target))",
             "return abs(value - target) <= self.tol + 0.1 * abs(target)", EDGES),
    Mutation("checks: Function accepts anything within 10 %", "lessons/checks/functions.py",
             "same = bool(np.allclose(got, wanted.astype(float), rtol=self.rtol,",
             "same = bool(np.allclose(got, wanted.astype(float), rtol=0.1,", EDGES),
    Mutation("checks: Number tolerance widened to 5 %", "lessons/checks/specs.py",
             "return abs(value - target) <= self.atol + self.rtol * abs(target)",
             "return abs(value - target) <= self.atol + 0.05 * abs(target)", EDGES),
    Mutation("checks: Number with significant figures accepts anything within 5 %",
             "lessons/checks/specs.py",
             "slack = half_unit(target, self.sig_figs) + 1e-12 * abs(target)",
             "slack = 0.05 * abs(target)", EDGES),
    # --- the mutations: answer keys against the independent tables (tests/answers/)
    Mutation("key nb01: wrong expected MAE", "lessons/keys/nb01.py",
             '"01.mae_delivery": checks.Number(\n        losses.l1_loss(',
             '"01.mae_delivery": checks.Number(\n        1.01 * losses.l1_loss(', ANSWERS_01_04),
    Mutation("key nb01: a second letter accepted in a 'check your understanding' question",
             "lessons/keys/nb01.py",
             '           -> Compare 10/1 with 10²/1².\n        """,\n        correct="b",',
             '           -> Compare 10/1 with 10²/1².\n        """,\n        correct=("b", "c"),',
             ANSWERS_01_04),
    Mutation("key nb03: the wrong letter for a 'check your understanding' question",
             "lessons/keys/nb03.py",
             '           -> The simulation and the theory both give a ratio of about 1/2, not 1.\n'
             '        """,\n        correct="b",',
             '           -> The simulation and the theory both give a ratio of about 1/2, not 1.\n'
             '        """,\n        correct="a",',
             ANSWERS_01_04),
    # --- the mutations: hidden tests and blank submissions
    Mutation("solution 01: a hidden test deleted", "solutions/01_definitions.ipynb",
             '    "### BEGIN HIDDEN TESTS\\n",\n'
             '    "checks.grade(\\"01.residual_sign\\", residual_choice)\\n",\n',
             '    "### BEGIN HIDDEN TESTS\\n",\n', HIDDEN),
    Mutation("solution 01: a hidden test grades the wrong variable",
             "solutions/01_definitions.ipynb",
             '"checks.grade(\\"01.mae_delivery\\", mae)\\n",',
             '"checks.grade(\\"01.mae_delivery\\", mse)\\n",', HIDDEN),
    Mutation("solution 02: a hidden test deleted (a blank submission then earns it)",
             "solutions/02_gradients.ipynb",
             '    "### BEGIN HIDDEN TESTS\\n",\n'
             '    "checks.grade(\\"02.mse_derivative\\", mse_derivative)\\n",\n',
             '    "### BEGIN HIDDEN TESTS\\n",\n', (*HIDDEN, "-k", "for_real")),
    Mutation("checks.grade: a wrong answer no longer raises (every blank earns its point)",
             "lessons/checks/__init__.py",
             "    if not verdict.correct:\n        raise AssertionError",
             "    if verdict.correct is None:\n        raise AssertionError",
             (*HIDDEN, "-k", "blank_answer")),
    Mutation("selfcheck: a failing graded cell still scores its points", "lessons/selfcheck.py",
             'return Exercise(meta["grade_id"], 0.0, max_points,\n'
             '                    "unanswered" if unanswered',
             'return Exercise(meta["grade_id"], max_points, max_points,\n'
             '                    "unanswered" if unanswered',
             (*HIDDEN, "-k", "for_real")),
    # --- the mutations: figures
    Mutation("plotting: plot_loss_curves draws the curves upside down", "lessons/plotting.py",
             "ax.plot(residuals, np.asarray(values),", "ax.plot(residuals, -np.asarray(values),",
             ("tests/test_figures.py", "-k", "01_definitions")),
    # --- ours: what a learner sees
    Mutation("answers: a stub line anywhere in the cell makes a learner's answer 'blank'",
             "lessons/build/answers.py",
             "    if stub is not None and source.strip() == stub.strip():",
             "    if FUNCTION_STUB in source:\n        return True\n"
             "    if stub is not None and source.strip() == stub.strip():",
             ("tests/test_build.py", "-k", "commented_out_stub")),
    Mutation("answers: a copied answer cell replaces the first one",
             "lessons/build/answers.py", "        first = key not in seen", "        first = True",
             ("tests/test_build.py", "-k", "copy_of_an_answer")),
    Mutation("key nb03: any location near the median accepted next to a huge outlier",
             "lessons/keys/nb03.py",
             "slack = 1e-9 * (1.0 + max(abs(low), abs(high)))",
             "slack = 1e-9 * (1.0 + float(np.sum(np.abs(sample))))",
             ("tests/test_demos_gradients_likelihood.py", "-k", "middle_values")),
    Mutation("checks: bounds written as expressions are no thresholds",
             "lessons/checks/equivalence.py",
             "            numbers += [side for side in relation.args if not side.free_symbols]",
             "            pass",
             ("tests/test_checks_robust.py", "-k", "threshold")),
    Mutation("guard: a course function swapped for another of its module is not restored",
             "lessons/checks/guard.py",
             "        if not _same_function(live, original):",
             "        if not isinstance(live, types.FunctionType):",
             ("tests/test_checks_robust.py", "-k", "swapped")),
    Mutation("checks: 'too high' and 'too low' swapped", "lessons/checks/specs.py",
             'direction = "high" if value > self.expected else "low"',
             'direction = "high" if value < self.expected else "low"', EDGES),
    Mutation("update: an answer saved in exercises/ is not carried into the new version",
             "lessons/build/answers.py",
             "            cell.source = old_answers[key]\n            placed.add(key)",
             "            placed.add(key)",
             ("tests/test_update.py", "-k", "keeps_answers_and_brings")),
    # --- the maths and figures layers
    # --- the mutations: what `make test` and `make lint` say
    Mutation("tests: the torch parity skips no longer named in the summary", "tests/conftest.py",
             '_NOTICES = ("torch parity not checked",)', "_NOTICES = ()",
             ("tests/test_torch_notice.py",)),
    Mutation("Makefile: make lint no longer checks tools/", "Makefile",
             "--no-cache lessons tests benchmarks tools notebooks solutions",
             "--no-cache lessons tests benchmarks notebooks solutions",
             ("tests/test_lint.py", "-k", "make_lint")),
    Mutation("registry: 'mae' no longer an alias of L1", "lessons/registry.py",
             'aliases=("mae", "absolute", "sae")', 'aliases=("absolute", "sae")',
             ("tests/test_registry.py",)),
    Mutation("losses: Huber switches at 1 instead of at δ", "lessons/losses.py",
             "elementwise = np.where(size < delta, 0.5 * size**2, delta * (size - 0.5 * delta))",
             "elementwise = np.where(size < 1.0, 0.5 * size**2, delta * (size - 0.5 * delta))",
             ("tests/test_losses.py",)),
    Mutation("losses: Huber gradient capped at 0.9 δ at the boundary", "lessons/losses.py",
             "np.clip(input_array - target_array, -delta, delta)",
             "np.clip(input_array - target_array, -0.9 * delta, 0.9 * delta)",
             ("tests/test_losses.py",)),
    Mutation("losses: reduction 'mean' sums", "lessons/losses.py",
             'if reduction == "mean":\n        return float(np.mean(elementwise))',
             'if reduction == "mean":\n        return float(np.sum(elementwise))',
             ("tests/test_losses.py",)),
    Mutation("losses: the mean's gradient not divided by N", "lessons/losses.py",
             "return np.asarray(elementwise_grad / elementwise_grad.size)",
             "return np.asarray(elementwise_grad)", ("tests/test_losses.py",)),
    Mutation("fitting: quantile index off by one", "lessons/quantile_line.py",
             "k = math.ceil(n * tau - 2 * n * _EPS)", "k = math.ceil(n * tau - 2 * n * _EPS) + 1",
             ("tests/test_fitting.py",)),
    Mutation("fitting: the edge walk's certificate accepts any slope", "lessons/quantile_line.py",
             "if low > rounding or high < -rounding:", "if False:",
             ("tests/test_fitting.py",)),
    Mutation("fitting: the certificate misses a flat optimum", "lessons/quantile_line.py",
             "if (slope > 0 and low > -rounding) or (slope < 0 and high < rounding):",
             "if False:", ("tests/test_fitting.py",)),
    Mutation("fitting: L2 slope without centring y", "lessons/fitting.py",
             "slope = np.dot(dx, y - y_mean) / np.dot(dx, dx)",
             "slope = np.dot(dx, y) / np.dot(dx, dx) * 1.001", ("tests/test_fitting.py",)),
    Mutation("estimators: Huber location searched with a band twice as wide",
             "lessons/estimators.py",
             "pushes_up = np.clip(values - middle[..., None], -delta, delta)",
             "pushes_up = np.clip(values - middle[..., None], -2 * delta, 2 * delta)",
             ("tests/test_estimators.py",)),
    Mutation("estimators: Gaussian efficiency's tail term doubled", "lessons/estimators.py",
             "k**2 * erfc(k / math.sqrt(2.0))",
             "2.0 * k**2 * erfc(k / math.sqrt(2.0))", ("tests/test_estimators.py",)),
    Mutation("layers: estimators imports scipy.stats at import time", "lessons/estimators.py",
             "import numpy as np\n\nfrom lessons import data\n",
             "import numpy as np\nfrom scipy import stats  # noqa: F401\n\n"
             "from lessons import data\n",
             ("tests/test_layers.py", "-k", "estimators")),
    Mutation("optimise: 1/sqrt(t + 2) schedule", "lessons/optimise.py",
             "return step / np.sqrt(t + 1.0)", "return step / np.sqrt(t + 2.0)",
             ("tests/test_optimise.py",)),
    Mutation("mlp: gradient of the loss with the wrong sign", "lessons/mlp.py",
             "return registry.get(name, among=LOSSES).gradient(prediction, target, delta=delta)",
             "return -registry.get(name, among=LOSSES).gradient(prediction, target, delta=delta)",
             ("tests/test_mlp.py",)),
    Mutation("demos: slider-demo points clipped at the axes", "lessons/demos/outliers.py",
             'unclipped = {"clip_on": False, "in_layout": False}',
             'unclipped = {"clip_on": True, "in_layout": False}',
             ("tests/test_demos_outliers_huber.py", "-k", "edges")),
    Mutation("demos: the legend back inside the axes", "lessons/demos/outliers.py",
             'loc="upper left", bbox_to_anchor=(1.01, 1.0)', 'loc="lower right"',
             ("tests/test_demos_outliers_huber.py", "-k", "edges")),
    Mutation("batched: a joining run starts without the leader's Adam second moment",
             "lessons/batched.py", "for array in (flat, first_moment, second_moment):",
             "for array in (flat, first_moment):", ("tests/test_mlp.py", "-k", "repeats")),
    Mutation("controls: a demo slider no longer clips its value", "lessons/demos/controls.py",
             "value = min(max(value, low), high)", "value = value",
             ("tests/test_demos_controls.py",)),
)


def _copy_tree(destination: Path) -> None:
    """The working tree as it is now: tracked files and untracked ones git does not ignore."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _pytest(tests, copy: Path) -> subprocess.CompletedProcess:
    # The copy's `lessons` comes first on the path, for pytest and the kernels it starts.
    env = {**os.environ, "PYTHONPATH": str(copy)}
    return subprocess.run([sys.executable, *PYTEST, *tests], cwd=copy, env=env,
                          capture_output=True, text=True, timeout=1800)


def _tail(result: subprocess.CompletedProcess, lines: int = 4) -> str:
    return "\n".join("        " + line for line in result.stdout.strip().splitlines()[-lines:])


def _stale(mutation: Mutation, root: Path = ROOT) -> bool:
    """Whether the mutation no longer applies: its file is gone or its text is not there once."""
    path = root / mutation.file
    return not path.is_file() or path.read_text(encoding="utf-8").count(mutation.old) != 1


def _run(mutation: Mutation, copy: Path) -> tuple[str, float, str, str]:
    """Apply `mutation` in `copy`, run its tests, restore.

    Returns (verdict, seconds, the end of pytest's output, the first failing test).
    """
    path = copy / mutation.file
    if _stale(mutation, copy):
        return "STALE", 0.0, "", ""
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(mutation.old, mutation.new), encoding="utf-8")
    start = time.perf_counter()
    try:
        result = _pytest(mutation.tests, copy)
    finally:
        path.write_text(original, encoding="utf-8")
    # pytest: 0 all passed, 1 some failed, 2+ errors (also a failure to notice nothing).
    verdict = "caught" if result.returncode != 0 else "MISSED"
    return verdict, time.perf_counter() - start, _tail(result), _first_failure(result)


def _first_failure(result: subprocess.CompletedProcess) -> str:
    """The test that failed first (from pytest's short summary), or "" if none is named."""
    for line in result.stdout.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line.split()[1].split(" - ")[0]
    return ""


class _Copies:
    """One copy of the working tree per worker; a job borrows a free one (one job per copy)."""

    def __init__(self, folder: Path, count: int):
        self.free: queue.Queue[Path] = queue.Queue()
        for number in range(count):
            copy = folder / f"copy{number}"
            _copy_tree(copy)
            self.free.put(copy)

    def run(self, function, *args):
        copy = self.free.get()
        try:
            return function(*args, copy)
        finally:
            self.free.put(copy)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutations whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutations and stop")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip running each test command once unmutated first")
    parser.add_argument("-j", "--jobs", type=int, default=2,
                        help="test runs at once, each in its own copy (default 2)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the end of each test run's output")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if args.k.lower() in m.name.lower()]
    if args.list:
        for mutation in chosen:
            stale = "STALE  " if _stale(mutation) else ""
            print(f"{stale}{mutation.name}  [{mutation.file}; {' '.join(mutation.tests)}]")
        return 0
    with contextlib.suppress(OSError):
        os.nice(10)  # a background job: the tests it starts inherit the low priority
    started, caught = time.perf_counter(), 0
    jobs = max(1, args.jobs)
    with tempfile.TemporaryDirectory(prefix="mutate-") as folder, \
            ThreadPoolExecutor(max_workers=jobs) as pool:
        copies = _Copies(Path(folder), jobs)
        broken = set()
        if not args.no_baseline:  # a command failing unmutated would "catch" everything
            commands = list(dict.fromkeys(mutation.tests for mutation in chosen))
            results = pool.map(lambda tests: copies.run(_pytest, tests), commands)
            for tests, result in zip(commands, results, strict=True):
                if result.returncode != 0:
                    broken.add(tests)
                    print(f"BASELINE FAILS: {' '.join(tests)}\n{_tail(result)}", flush=True)
        runnable = [mutation for mutation in chosen if mutation.tests not in broken]
        for mutation in chosen:
            if mutation.tests in broken:
                print(f"{'BROKEN':<7} {0.0:6.1f} s  {mutation.name}  (its tests fail unmutated)")
        outcomes = pool.map(lambda mutation: copies.run(_run, mutation), runnable)
        for mutation, (verdict, seconds, tail, failed) in zip(runnable, outcomes, strict=True):
            caught += verdict == "caught"
            note = f"  ({mutation.note})" if mutation.note and verdict != "caught" else ""
            by = f"\n{'':17}by {failed}" if failed else ""
            print(f"{verdict:<7} {seconds:6.1f} s  {mutation.name}{note}{by}", flush=True)
            if args.verbose and tail:
                print(tail)
    print(f"caught {caught}/{len(chosen)} in {time.perf_counter() - started:.0f} s")
    return 0 if caught == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
