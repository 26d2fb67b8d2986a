"""``python -m validate`` is the same as the ``oblique`` command."""

import sys

from .cli import main

sys.exit(main())
