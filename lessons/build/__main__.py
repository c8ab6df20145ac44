"""``python -m lessons.build``: see :mod:`lessons.build`."""

import sys

from lessons.build.cli import main

sys.exit(main())
