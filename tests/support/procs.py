"""Start real processes for tests: each in its own process group, always killed in ``finally``."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from nxaws.processes import kill_group


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = 30.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before port {port} opened")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on 127.0.0.1:{port} within {timeout}s")


def wait_for_http(url: str, *, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before {url} answered")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1.0)
            return
        time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout}s")


@contextlib.contextmanager
def running(
    args: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: dict[str, str] | None = None,
    log: Path | None = None,
    stderr_log: Path | None = None,
) -> Iterator[subprocess.Popen]:
    """Run ``args`` in a new process group for the duration of the block.

    Output goes to ``log`` (stdout and stderr together), unless ``stderr_log`` takes stderr apart, for tools
    whose stdout is parsed (npm prints its warnings on stderr).
    """
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    err = open(stderr_log, "wb") if stderr_log else subprocess.STDOUT  # noqa: SIM115
    proc = subprocess.Popen(
        list(args),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=out,
        stderr=err,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        kill_group(proc)
        if log:
            out.close()
        if stderr_log:
            err.close()
