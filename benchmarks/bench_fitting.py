"""Time lessons.fitting.fit_line: median and 95th percentile per loss and data size.

Run: ``.venv/bin/python benchmarks/bench_fitting.py``. The interactive outlier demo refits
8 to 20 points on every mouse move, so those rows should stay well under a few milliseconds
(targets: L1 under 5 ms for 8 points, under 30 ms for 200 points).
"""

import time

import numpy as np

from lessons.fitting import fit_line

SIZES = (8, 20, 200, 2000)
# The exact L1 line on data sets a learner may bring (targets: 10**5 under 1 s, 10**6 under 15 s).
LARGE_SIZES = (10**4, 10**5, 10**6)
LARGE_TARGETS = {10**4: 0.1, 10**5: 1.0, 10**6: 15.0}
LOSSES = (("l2", {}), ("l1", {}), ("huber", {"delta": 1.0}), ("pinball", {"tau": 0.9}))
BUDGET_SECONDS = 1.0  # per row: repeat until this is spent ...
MIN_RUNS, MAX_RUNS = 10, 300  # ... within these bounds


def line_with_outliers(n, rng):
    """y = 1 + 2x plus Student-t noise (heavy tails) and 10% gross outliers."""
    x = rng.uniform(0.0, 10.0, n)
    y = 1.0 + 2.0 * x + rng.standard_t(3, n)
    outliers = rng.random(n) < 0.1
    y[outliers] += rng.normal(25.0, 5.0, outliers.sum())
    return x, y


def time_fits(x, y, loss, kwargs):
    """Wall times in milliseconds of repeated fits (one untimed warm-up first)."""
    fit_line(x, y, loss, **kwargs)
    times = []
    start = time.perf_counter()
    while len(times) < MAX_RUNS and (
        len(times) < MIN_RUNS or time.perf_counter() - start < BUDGET_SECONDS
    ):
        tic = time.perf_counter()
        fit_line(x, y, loss, **kwargs)
        times.append((time.perf_counter() - tic) * 1e3)
    return np.array(times)


def main():
    rng = np.random.default_rng(2024)  # fixed data, so runs compare like with like
    print(f"{'n':>6}  {'loss':<8}  {'median ms':>10}  {'p95 ms':>9}  {'runs':>5}")
    for n in SIZES:
        x, y = line_with_outliers(n, rng)
        for loss, kwargs in LOSSES:
            times = time_fits(x, y, loss, kwargs)
            median, p95 = np.median(times), np.percentile(times, 95)
            print(f"{n:>6}  {loss:<8}  {median:>10.3f}  {p95:>9.3f}  {times.size:>5}")


def time_large(sizes=LARGE_SIZES, losses=(("l1", {}), ("pinball", {"tau": 0.9}))):
    """Seconds of one exact fit per size and loss: [(n, loss, seconds, target seconds)]."""
    rng = np.random.default_rng(2024)
    rows = []
    for n in sizes:
        x, y = line_with_outliers(n, rng)
        for loss, kwargs in losses:
            tic = time.perf_counter()
            fit_line(x, y, loss, **kwargs)
            rows.append((n, loss, time.perf_counter() - tic, LARGE_TARGETS[n]))
    return rows


def main_large():
    print(f"{'n':>8}  {'loss':<8}  {'seconds':>8}  {'target':>7}")
    for n, loss, seconds, target in time_large():
        print(f"{n:>8}  {loss:<8}  {seconds:>8.3f}  {target:>7.1f}")


if __name__ == "__main__":
    main_large()
    main()
