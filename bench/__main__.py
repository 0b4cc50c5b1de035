"""Run every benchmark in turn (``uv run python -m bench [name ...]``); results go to BENCHMARKS.md by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
BENCHMARKS = ["local_gateway", "sigv4_signing", "connection_dry_run", "policy_decisions"]


def main(names: list[str]) -> int:
    failed = 0
    for name in names or BENCHMARKS:
        print(f"\n== bench/{name}.py ==", flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / f"{name}.py")], check=False).returncode != 0
    return int(failed)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
