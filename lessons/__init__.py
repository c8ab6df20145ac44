"""Helper package for the "L1 vs L2" course on regression losses.

Modules
-------
losses    l1_loss, mse_loss, huber_loss, smooth_l1_loss, log_cosh_loss, pinball_loss and their gradients
data      seeded data sets shared by the notebooks
plotting  the course's one figure style and its colour per loss
checks    exercise widgets with immediate feedback
build     turns solutions/ into exercises/ and re-executes notebooks

Importing the package changes nothing: no rcParams, no seeding.
"""

__version__ = "0.1.0"
