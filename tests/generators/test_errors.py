"""Bad input gives one clear message on stderr (no traceback), exit 1 (user error) or 2 (usage error), and leaves
every file byte-identical (SPEC §2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.workspaces import nxaws, nxaws_process, snapshot, write_file

# (stage, argv, exit code, a phrase the message must contain)
CASES = {
    "unknown project": ("full", ["g", "py#agent", "nope"], 1, "Cannot find configuration for 'nope'"),
    "agent on a gateway": ("full", ["g", "py#agent", "my-gateway"], 1, "is not a Python project"),
    "mcp server on a gateway": ("full", ["g", "py#mcp-server", "my-gateway"], 1, "is not a Python project"),
    "mcp to mcp": ("full", ["g", "connection", "tools", "tools"], 1,
                   "does not support a connection from tools (py#mcp-server) to tools (py#mcp-server)"),
    "gateway to a plain project": ("projects", ["g", "connection", "agents", "tools"], 1,
                                   "does not support a connection from agents to tools"),
    "gateway to agent project": ("full", ["g", "connection", "my-gateway", "agents"], 1, "does not support"),
    "missing required": ("full", ["g", "py#agent", "--no-interactive"], 2, "Missing required option --project"),
    "missing target": ("full", ["g", "connection", "my-gateway"], 2, "Missing required option --targetProject"),
    "bad enum": ("full", ["g", "py#agent", "agents", "--framework", "crewai"], 2,
                 "--framework must be one of strands, langchain; got 'crewai'"),
    "bad boolean": ("full", ["g", "agentcore-gateway", "gw", "--cedarPolicy=maybe"], 2, "takes true or false"),
    "no- on a string": ("full", ["g", "py#agent", "agents", "--no-framework"], 2, "--framework is not a boolean"),
    "unknown option": ("full", ["g", "py#agent", "agents", "--bogus"], 2, "Unknown option --bogus for py#agent"),
    "extra positional": ("full", ["g", "py#mcp-server", "tools", "extra"], 2, "Unexpected argument 'extra'"),
    "value missing": ("full", ["g", "py#agent", "agents", "--name"], 2, "--name needs a value"),
    "unknown generator": ("full", ["g", "py#nothing", "x"], 2, "Unknown generator 'py#nothing'"),
    "no generator": ("full", ["g"], 2, "Name a generator"),
    "unknown command": ("full", ["frobnicate"], 2, "Unknown command 'frobnicate'"),
    "unknown component": ("full", ["g", "connection", "my-gateway", "tools", "--targetComponent", "zz"], 1,
                          "Component 'zz' not found in target project acme.tools. Available components: mcp-server"),
    "empty gateway name": ("full", ["g", "agentcore-gateway", "--name=--"], 1, "has no letters or digits"),
}  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_bad_input(stage, case: str) -> None:
    start, argv, code, phrase = CASES[case]
    ws = stage(start)
    before = snapshot(ws)
    result = nxaws(ws, *argv)
    assert result.code == code, result
    assert phrase in result.err, result
    assert result.err.startswith("Error: ") and result.err.count("Error:") == 1
    assert "Traceback" not in result.err and "Unexpected failure" not in result.err
    assert snapshot(ws) == before


def test_not_a_workspace(tmp_path: Path) -> None:
    result = nxaws(tmp_path, "g", "py#project", "agents")
    assert result.code == 1
    assert "is not inside an Nx workspace" in result.err
    assert list(tmp_path.iterdir()) == []


def test_malformed_project_json(stage) -> None:
    ws = stage("full")
    write_file(ws, "packages/broken/project.json", '{"name": "broken", }\n')
    before = snapshot(ws)
    for argv in (["g", "py#mcp-server", "tools"], ["g", "connection", "my-gateway", "tools"]):
        result = nxaws(ws, *argv)
        assert result.code == 1
        assert "packages/broken/project.json is not valid JSON" in result.err and "Traceback" not in result.err
    assert snapshot(ws) == before


def test_malformed_pyproject(stage) -> None:
    ws = stage("projects")
    (ws / "packages/tools/pyproject.toml").write_text("[project\nname = 'x'\n")
    before = snapshot(ws)
    result = nxaws(ws, "g", "py#mcp-server", "tools")
    assert result.code == 1 and "pyproject.toml is not valid TOML" in result.err
    assert snapshot(ws) == before


def test_new_into_a_non_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "acme").mkdir()
    (tmp_path / "acme" / "keep.txt").write_text("mine")
    result = nxaws(tmp_path, "new", "acme", "--no-install")
    assert result.code == 1 and "already exists and is not empty" in result.err
    assert [p.name for p in (tmp_path / "acme").iterdir()] == ["keep.txt"]


# real processes: exit codes and streams as a shell sees them ---------------------------------------------
def test_process_exit_codes_and_streams(stage) -> None:
    ws = stage("full")
    before = snapshot(ws)
    user = nxaws_process(ws, "g", "connection", "tools", "tools")
    assert user.code == 1 and user.out == ""
    assert user.err.startswith("Error: This generator does not support") and "Traceback" not in user.err
    usage = nxaws_process(ws, "g", "py#agent", "agents", "--framework", "x")
    assert usage.code == 2 and "Traceback" not in usage.err
    missing = nxaws_process(ws, "g", "py#agent")  # stdin is not a terminal: no prompt, an error
    assert missing.code == 2 and "Missing required option --project" in missing.err
    assert snapshot(ws) == before


def test_verbose_shows_the_traceback_wherever_it_is_placed(stage) -> None:
    ws = stage("full")
    for argv in (["g", "py#agent", "nope", "--verbose"], ["--verbose", "g", "py#agent", "nope"]):
        result = nxaws_process(ws, *argv)
        assert result.code == 1, result
        assert "Cannot find configuration for 'nope'" in result.err and "Traceback" in result.err


@pytest.mark.parametrize("flag", ["--no-interactive", "--dry-run"])
def test_global_flags_before_the_command(stage, flag: str) -> None:
    ws = stage("projects")
    before = snapshot(ws)
    result = nxaws(ws, flag, "g", "py#mcp-server", "tools", "--dry-run")
    assert result.code == 0, result
    assert "CREATE packages/tools/acme_tools/mcp_server/server.py" in result.out
    assert snapshot(ws) == before


def test_help_and_version() -> None:
    assert nxaws(Path.cwd(), "--version").out.startswith("nxaws ")
    assert nxaws(Path.cwd(), "--help").code == 0
    assert nxaws(Path.cwd(), "g", "py#agent", "--help").out.startswith("py#agent:")
