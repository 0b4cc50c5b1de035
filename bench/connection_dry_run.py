"""Time ``nxaws g connection <agent> <gateway> --dry-run`` on a 20-project workspace against Nx's start-up floor.

Run: ``uv run python bench/connection_dry_run.py [--against OTHER_NXAWS]``. The commands run as fresh processes, as a
user runs them; the baseline is ``npx nx show projects`` (Nx reading the same workspace) measured in the same run.
``--against`` times another nxaws (an older checkout's ``.venv/bin/nxaws``) alternately with this one.

The commands run without ``PYTHONDONTWRITEBYTECODE`` even when the calling shell sets it (this machine does):
a user's Python caches compiled modules in ``__pycache__``, and start-up time is dominated by imports, so
timing without that cache would measure recompiling every module, not what a user waits for. One untimed
run per command warms that cache first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nxaws import demo, engine

RUNS = 15
NX_ENV = {**os.environ, "NX_DAEMON": "false", "NX_NO_CLOUD": "true", "NX_TUI": "false"}
NX_ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # let nxaws use .pyc files, as on a user's machine


STEPS: list[tuple[str, dict[str, object]]] = [
    ("py#project", {"name": "agents"}),
    ("py#agent", {"project": "agents"}),
    ("agentcore-gateway", {"name": "my-gateway"}),
    *[("py#project", {"name": f"lib{i:02d}", "type": "library"}) for i in range(16)],
    ("py#project", {"name": "tools"}),
    ("py#mcp-server", {"project": "tools"}),
]


def build(root: Path) -> None:
    demo.build(root, STEPS, install=False, out=sys.stderr)
    engine.install(root, {"npm"}, sys.stderr)


def timed(*commands: list[str], cwd: Path) -> list[list[float]]:
    """``RUNS`` wall times per command; several commands alternate, so the machine's drift hits them alike."""
    for command in commands:  # warm-up: writes .pyc files
        subprocess.run(command, cwd=cwd, env=NX_ENV, check=True, capture_output=True)
    samples: list[list[float]] = [[] for _ in commands]
    for _ in range(RUNS):
        for command, times in zip(commands, samples, strict=True):
            start = time.perf_counter()
            subprocess.run(command, cwd=cwd, env=NX_ENV, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", help="another nxaws executable (e.g. an older checkout's .venv/bin/nxaws), "
                        "timed alternately with this one on the same workspace")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nxaws-bench-") as tmp:
        root = Path(tmp) / "bench"
        build(root)
        nxaws = str(Path(sys.executable).parent / "nxaws")
        projects = subprocess.run(["npx", "nx", "show", "projects"], cwd=root, env=NX_ENV, check=True,
                                  capture_output=True, text=True).stdout.split()  # fmt: skip
        dry_run = ["g", "connection", "agents", "my-gateway", "--dry-run", "--no-interactive"]
        rows = {"npx nx show projects (baseline)": timed(["npx", "nx", "show", "projects"], cwd=root)[0]}
        if args.against:
            ours, theirs = timed([nxaws, *dry_run], [args.against, *dry_run], cwd=root)
            rows |= {"nxaws g connection --dry-run": ours, "  the same, --against": theirs}
        else:
            rows["nxaws g connection --dry-run"] = timed([nxaws, *dry_run], cwd=root)[0]
        rows["nxaws --version (interpreter floor)"] = timed([nxaws, "--version"], cwd=root)[0]
    base = statistics.median(rows["npx nx show projects (baseline)"])
    print(f"workspace: {len(projects)} projects, {RUNS} runs each, {os.cpu_count()} CPUs\n")
    print(f"{'command':40} {'median s':>9} {'p95 s':>7} {'vs nx':>7}")
    for name, samples in rows.items():
        median = statistics.median(samples)
        p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
        print(f"{name:40} {median:9.3f} {p95:7.3f} {median / base:6.2f}x")


if __name__ == "__main__":
    main()
