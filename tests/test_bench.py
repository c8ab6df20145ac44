"""The benchmark's in-kernel cases still drive the course's current API (`make bench` is not run
by `make test`; a case it can no longer run would only show as "error" in its table)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import run  # noqa: E402

from lessons import checks  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def all_keys():
    import importlib

    return [key for module in sorted((ROOT / "lessons" / "keys").glob("nb*.py"))
            for key in importlib.import_module(f"lessons.keys.{module.stem}").EXERCISES]


def test_the_exercise_case_times_a_right_and_a_wrong_answer_of_every_key():
    samples = run._exercise_case(events=2)
    assert len(samples) == 2 * len(all_keys())
    assert np.all(np.isfinite(samples)) and min(samples) > 0


def test_the_benchmark_answers_are_judged_right_and_wrong():
    for key in all_keys():
        right, wrong = run._answers(checks.lookup(key))
        assert checks.feedback(key, right).correct, key
        assert not checks.feedback(key, wrong).correct, key
