"""On a terminal, a missing required option is asked for, with the choices listed (projects for project options)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import time
from pathlib import Path

from support.workspaces import NXAWS, make_workspace


def _read_until(fd: int, text: str, timeout: float = 30) -> str:
    seen = b""
    deadline = time.monotonic() + timeout
    while text.encode() not in seen:
        if time.monotonic() > deadline:
            raise AssertionError(f"no {text!r} within {timeout}s; got:\n{seen.decode(errors='replace')}")
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
    return seen.decode(errors="replace")


def test_missing_project_is_prompted_with_the_projects_listed(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "acme", [["g", "py#project", "agents"], ["g", "py#project", "tools"]])
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"TERM": "dumb"}
    command = [str(NXAWS), "g", "py#agent", "--framework", "langchain", "--no-prefer-install-dependencies"]
    proc = subprocess.Popen(command, cwd=ws, stdin=follower, stdout=follower, stderr=follower, env=env,
                            start_new_session=True)  # fmt: skip
    os.close(follower)
    try:
        screen = _read_until(leader, "> ")
        assert "Which project should the agent go in?" in screen
        assert "1) acme.agents" in screen and "2) acme.tools" in screen
        os.write(leader, b"2\n")
        _read_until(leader, "CREATE")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(leader)
    assert (ws / "packages/tools/acme_tools/agent/agent.py").is_file()
    assert not (ws / "packages/agents/acme_agents/agent").exists()
