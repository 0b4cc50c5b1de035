"""Nx's project graph sees the uv workspace (issue 14, item 2): the plugin's ``createDependencies`` with real Nx,
in a workspace nxaws made and in a TypeScript-plugin-shaped one where the real ``@nxlv/python`` adds its own edges."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from generators.test_typescript_plugin_workspace import make_ts_workspace, mcp_project
from support.workspaces import make_workspace, write_file

from nxaws.demo import STEPS
from nxaws.nx_plugin.files import GRAPH_PLUGIN
from nxaws.versions import NPM_VERSIONS

from .nxws import link_node_modules, nx, nx_install, nxaws, run

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]
NXLV = {name: NPM_VERSIONS[name] for name in ("@nxlv/python", "@nx/devkit")}
AGENT_CONNECTION_FILE = "packages/common/agent_connection/pyproject.toml"


def edges(ws: Path) -> list[tuple[str, str, str]]:
    """``(source, target, type)`` of every project-graph edge, from ``nx graph --file`` (stdout is not parsed)."""
    (ws / "graph.json").unlink(missing_ok=True)
    made = nx(ws, "graph", "--file=graph.json")
    assert made.code == 0, made
    graph = json.loads((ws / "graph.json").read_text())["graph"]
    return [(d["source"], d["target"], d["type"]) for deps in graph["dependencies"].values() for d in deps]


def pairs(found: list[tuple[str, str, str]]) -> Counter[tuple[str, str]]:
    return Counter((source, target) for source, target, _ in found)


@pytest.fixture(scope="module")
def demo_ws(tmp_path_factory: pytest.TempPathFactory, nx_modules: Path) -> Path:
    """The demo workspace (agent, MCP server, gateway, both connections, CDK infra), never `uv sync`ed: the graph
    needs no Python environment."""
    steps = [["g", generator_id, *(f"--{key}={value}" for key, value in options.items())]
             for generator_id, options in STEPS]  # fmt: skip
    ws = make_workspace(tmp_path_factory.mktemp("graph") / "acme", steps)
    link_node_modules(ws, nx_modules)
    return ws


def test_graph_has_the_uv_and_connection_edges(demo_ws: Path) -> None:
    found = edges(demo_ws)
    assert {
        ("acme.agents", "acme.agent_connection", "static"),  # [tool.uv.sources] workspace member
        ("acme.infra", "acme.constructs", "static"),
        ("acme.agents", "@acme/my-gateway", "static"),  # recorded connections
        ("@acme/my-gateway", "acme.tools", "static"),
    } <= set(found), found
    assert max(pairs(found).values()) == 1, found


def test_affected_by_the_agent_connection_library_includes_the_agents(demo_ws: Path) -> None:
    affected = nx(demo_ws, "show", "projects", "--affected", f"--files={AGENT_CONNECTION_FILE}", "--json")
    assert affected.code == 0, affected
    assert set(json.loads(affected.out)) == {"acme.agent_connection", "acme.agents"}
    by_tools = nx(demo_ws, "show", "projects", "--affected", "--files=packages/tools/pyproject.toml", "--json")
    assert set(json.loads(by_tools.out)) == {"acme.tools", "@acme/my-gateway", "acme.agents"}, by_tools


def test_a_pyproject_that_is_not_toml_gives_no_edges_and_no_failure(tmp_path: Path, nx_modules: Path) -> None:
    made = nxaws(tmp_path, "new", "acme", "--no-install")
    assert made.code == 0, made
    ws = tmp_path / "acme"
    write_file(ws, "packages/web/project.json", {"name": "web", "root": "packages/web"})
    write_file(ws, "packages/web/pyproject.toml", "this is [not toml\n")
    link_node_modules(ws, nx_modules)
    assert edges(ws) == []


def ts_plugin_workspace(root: Path) -> Path:
    """The TypeScript plugin's shape (``@nxlv/python``, dotted ids, ``@proj/my-gateway``) plus an agent project and
    the shared agent-connection library, connected as the plugin records it."""
    make_ts_workspace(root, components=[{"generator": "agentcore-gateway#mcp-connection", "path": "packages/tools",
                                         "name": "tools-mcp-server"}])  # fmt: skip
    mcp_project(root, "agent", "AgentMcpServer", 8002)
    agent = json.loads((root / "packages/agent/project.json").read_text())
    agent["metadata"]["components"] = [
        {"generator": "py#agent", "path": "proj_agent/agent", "name": "agent", "rc": "Agent"},
        {"generator": "py#agent#gateway-connection", "path": "proj_agent/agent/agent.py", "name": "MyGateway"},
    ]
    write_file(root, "packages/agent/project.json", agent)
    write_file(root, "packages/common/agent_connection/project.json",
               {"name": "proj.agent_connection", "root": "packages/common/agent_connection"})  # fmt: skip
    write_file(root, AGENT_CONNECTION_FILE, '[project]\nname = "proj-agent-connection"\nversion = "1.0.0"\n'
               'requires-python = ">=3.11"\ndependencies = []\n')  # fmt: skip
    pyproject = root / "packages/agent/pyproject.toml"
    text = pyproject.read_text().replace('"uvicorn==0.52.3" ]', '"uvicorn==0.52.3", "proj-agent-connection" ]')
    pyproject.write_text(text + "\n[tool.uv.sources]\nproj-agent-connection = { workspace = true }\n")
    members = '[ "packages/maths", "packages/tools", "packages/agent", "packages/common/agent_connection" ]'
    root_toml = (root / "pyproject.toml").read_text().replace('[ "packages/maths", "packages/tools" ]', members)
    (root / "pyproject.toml").write_text(root_toml)
    for manifest in root.glob("packages/*/pyproject.toml"):  # lockable with the interpreters this machine has
        manifest.write_text(manifest.read_text().replace('">=3.14"', '">=3.11"'))
    return root


@pytest.fixture(scope="module")
def ts_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ws = ts_plugin_workspace(tmp_path_factory.mktemp("ts-graph") / "ws")
    added = nxaws(ws, "init", "--no-install")  # what a TypeScript-plugin workspace does to get the nxaws plugin
    assert added.code == 0, added
    locked = run(ws, "uv", "lock", "--python", "3.11", timeout=600)  # @nxlv/python reads uv.lock's editables
    assert locked.code == 0, locked
    link_node_modules(ws, nx_install(tmp_path_factory.mktemp("npm"), extra=NXLV))
    return ws


def test_typescript_plugin_workspace_gets_the_missing_edges_once(ts_ws: Path) -> None:
    nx_json = json.loads((ts_ws / "nx.json").read_text())
    assert [p if isinstance(p, str) else p["plugin"] for p in nx_json["plugins"]] == ["@nxlv/python", GRAPH_PLUGIN]
    found = edges(ts_ws)
    assert max(pairs(found).values()) == 1, found
    assert ("proj.agent", "proj.agent_connection", "implicit") in found  # @nxlv/python's, and ours merged into it
    assert ("proj.agent", "@proj/my-gateway", "static") in found
    assert ("@proj/my-gateway", "proj.tools", "static") in found

    nx_json["plugins"] = nx_json["plugins"][:1]  # @nxlv/python alone: its edges are a subset, without ours
    (ts_ws / "nx.json").write_text(json.dumps(nx_json))
    try:
        alone = edges(ts_ws)
    finally:
        nx_json["plugins"].append(GRAPH_PLUGIN)
        (ts_ws / "nx.json").write_text(json.dumps(nx_json))
    assert ("proj.agent", "proj.agent_connection", "implicit") in alone
    assert set(alone) < set(found)


def test_an_edge_nxlv_python_misses_is_added_once(ts_ws: Path) -> None:
    """A dependency added after the last `uv lock`: @nxlv/python (reading uv.lock) misses it, the plugin does not."""
    maths = ts_ws / "packages/maths/pyproject.toml"
    original = maths.read_text()
    maths.write_text(original.replace('"uvicorn==0.52.3" ]', '"uvicorn==0.52.3", "proj-tools" ]')
                     + '\n[tool.uv.sources]\nproj-tools = { workspace = true }\n')  # fmt: skip
    try:
        found = edges(ts_ws)
    finally:
        maths.write_text(original)
    assert ("proj.maths", "proj.tools", "implicit") in found
    assert max(pairs(found).values()) == 1, found
