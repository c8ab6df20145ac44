"""plotting.plot_descent (appended by notebook 06's work): lines drawn and distances returned."""

import doctest

import matplotlib
import numpy as np

from lessons import optimise, plotting

matplotlib.use("Agg")


def test_doctest_of_plot_descent():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner()
    for test in finder.find(plotting.plot_descent, "plot_descent", globs=dict(vars(plotting))):
        runner.run(test)
    assert runner.failures == 0


def test_plot_descent_draws_each_run_and_tells_hopping_from_settling():
    import matplotlib.pyplot as plt

    y = np.array([2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 15.0])
    paths = {"l2": optimise.descend_constant(y, "l2", step=0.3, n_steps=200),
             "l1": optimise.descend_constant(y, "l1", step=0.3, n_steps=200)}
    fig, (left, right) = plt.subplots(1, 2)
    remaining = plotting.plot_descent(left, right, paths, {"l2": y.mean(), "l1": np.median(y)},
                                      {"l2": {"label": "L2"}, "l1": {"label": "L1"}})
    assert len(left.lines) == len(right.lines) == 2
    assert right.get_yscale() == "log" and left.get_xscale() == "log"
    assert remaining["l2"][-1] < 1e-12  # settles on the mean
    assert remaining["l1"][-1] > 0.01  # a constant L1 step still hops across the median
    assert np.all(np.diff(remaining["l1"]) <= 0)  # never increases
    plt.close(fig)
