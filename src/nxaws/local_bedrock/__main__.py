"""``python -m nxaws.local_bedrock``: the same as ``nxaws local-bedrock``."""

from . import main

raise SystemExit(main())
