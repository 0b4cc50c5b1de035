"""A generator whose target file cannot be written exits 1 naming it, and the workspace is left as it was."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.workspaces import nxaws, snapshot

AGENT_PY = "packages/agents/acme_agents/agent/agent.py"


@contextlib.contextmanager
def unwritable(path: Path) -> Iterator[None]:
    """``path`` made unwritable for real: immutable for root (who ignores modes), read-only otherwise."""
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)], check=False).returncode:
            pytest.skip("running as root on a file system without chattr +i: cannot make a file unwritable")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(mode)


def test_an_unwritable_agent_py_stops_the_connection_before_any_write(stage) -> None:
    ws = stage("gateway")
    before = snapshot(ws)
    with unwritable(ws / AGENT_PY):
        result = nxaws(ws, "g", "connection", "agents", "my-gateway", "--no-prefer-install-dependencies")
    assert result.code == 1, result
    assert f"{AGENT_PY} is not writable, so nothing was changed" in result.err
    assert "Unexpected failure" not in result.err
    assert snapshot(ws) == before
    assert not [p for p in ws.rglob("*") if p.name.endswith((".nxaws-tmp", ".nxaws-bak"))]
