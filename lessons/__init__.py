"""Helper package for the "L1 vs L2" course on regression losses.

Modules
-------
losses      l1_loss, mse_loss, huber_loss, smooth_l1_loss, log_cosh_loss, pinball_loss and gradients
registry    every loss by name and alias: one list the other modules look losses up in
validate    the input checks the maths modules share (one wording per mistake)
quantile_line  the exact L1 and pinball line behind fitting.fit_line
canvas      the live canvas of the interactive figures (ipympl or Agg, blitting)
data        seeded data sets shared by the notebooks
plotting    the course's one figure style and its colour per loss
checks      exercise widgets with immediate feedback (answer keys in ``lessons.keys``)
fitting     exact line fits under L2, L1, Huber and pinball losses
estimators  location and scale estimates and their sampling distributions (notebook 03)
optimise    gradient descent on a constant (notebook 06)
network     a NumPy tanh network: parameters, forward and backward passes (notebook 06)
mlp         training that network with any loss, one run or a batch (notebook 06)
penalties   ridge, LASSO and elastic net (notebook 07)
history     the sourced timeline and Boscovich's data (notebook 08)
claims      claim checks: a printed claim, our computation and the verdict
demos       the interactive figures of the notebooks
build       turns solutions/ into exercises/, re-executes notebooks, refreshes "Next" links
readme      regenerates the README's notebook table and launch badges
instructor  lays out an nbgrader course directory from solutions/

Importing the package changes nothing: no rcParams, no seeding, no submodule imports.
"""

__version__ = "0.1.0"
