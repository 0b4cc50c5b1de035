"""``python -m nxaws.local_gateway``: the same as ``nxaws local-gateway``."""

from . import main

raise SystemExit(main())
