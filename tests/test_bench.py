"""The benchmark's in-kernel cases still drive the course's current API (`make bench` is not run
by `make test`; a case it can no longer run would only show as "error" in its table)."""

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import run  # noqa: E402

from lessons import checks  # noqa: E402


def test_the_exercise_case_times_a_right_and_a_wrong_answer_of_every_key():
    keys = [key for key, _ in run.answer_keys()]
    assert {key[:2] for key in keys} == {f"{n:02d}" for n in range(1, 9)}  # all eight keys
    samples = run._exercise_case(events=2)
    assert len(samples) == 2 * len(keys)
    assert np.all(np.isfinite(samples)) and min(samples) > 0


def test_the_benchmark_answers_are_judged_right_and_wrong():
    for key, spec in run.answer_keys():
        right, wrong = run._answers(spec)
        assert checks.feedback(key, right).correct, key
        assert not checks.feedback(key, wrong).correct, key
