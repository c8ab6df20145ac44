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


def test_the_course_is_compared_with_the_mean_of_the_floors_around_it():
    notebooks = [{"path": "a", "error": None, "seconds": 6.0, "kernel_s": 1.5, "setup_s": 0.5},
                 {"path": "b", "error": None, "seconds": 4.0, "kernel_s": 1.5, "setup_s": 0.5}]
    course = {"wall_s": 6.0, "workers": 2, "notebooks": notebooks}
    floor = {"wall_s": 3.0, "count": 2, "before_s": 2.0, "after_s": 4.0}
    rows = {row[0].split(",")[0].split(" (")[0]: row for row in run.course_rows(course, floor)}
    assert rows["course / floor"][1:] == ("2.00×", "≤ 2×", "✅ meets")
    assert "before 2.0 s, after 4.0 s" in rows["floor: 2 bare kernel starts"][0]
    # kernels and setup: (1.5 + 0.5) * 2 notebooks / 2 workers = 2.0 s, two thirds of the floor
    assert rows["of which kernels and setup cells alone"][1] == "0.67×"
    floor["wall_s"] = 2.9
    assert run.course_rows(course, floor)[2][3] == "❌ misses"
