"""``python -m nxaws``: the same as the ``nxaws`` command."""

import sys

from .cli import main

sys.exit(main())
