"""Component metadata, dependsOn wiring, the dev aggregator and port allocation (reference §1.9, §2.6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.workspaces import write_project as project

from nxaws.workspace.metadata import (
    add_component,
    add_component_dev_target,
    add_dependency,
    assign_port,
    set_generator_metadata,
)
from nxaws.workspace.projects import Project, Workspace
from nxaws.workspace.tree import Tree


def make(config: dict) -> Project:
    return Project("packages/p/project.json", json.loads(json.dumps(config)))


# components ------------------------------------------------------------------------------------------------
def test_component_record_key_order_and_optional_name() -> None:
    p = make({"name": "p", "targets": {}})
    assert add_component(p, "py#agent", "mod/agent", "agent", port=8081, rc="PAgent", auth="iam")
    assert add_component(p, "py#thing", "mod/thing", None, extra=1)
    assert [list(c) for c in p.components] == [
        ["generator", "path", "name", "port", "rc", "auth"],
        ["generator", "path", "extra"],
    ]
    assert list(p.config) == ["name", "metadata", "targets"]


def test_component_dedupe_is_by_generator_and_name_only() -> None:
    p = make({"name": "p", "metadata": {"components": [{"generator": "g", "path": "a", "name": "n", "port": 1}]}})
    before = json.dumps(p.config)
    assert not add_component(p, "g", "other/path", "n", port=2)  # same generator+name: nothing changes
    assert json.dumps(p.config) == before
    assert add_component(p, "g", "a", "m")  # other name
    assert add_component(p, "h", "a", "n")  # other generator
    assert add_component(p, "g", "a")  # no name is its own key...
    assert not add_component(p, "g", "b")  # ...and dedupes too
    assert [(c["generator"], c.get("name")) for c in p.components] == [
        ("g", "n"), ("g", "m"), ("h", "n"), ("g", None),
    ]  # fmt: skip


def test_generator_metadata_merges_and_overwrites() -> None:
    p = make({"name": "p", "metadata": {"ports": [8100], "generator": "old", "keep": True}, "targets": {}})
    set_generator_metadata(p, "agentcore-gateway", name="gw", port=8100)
    assert p.metadata == {"ports": [8100], "generator": "agentcore-gateway", "keep": True, "name": "gw", "port": 8100}


def test_metadata_is_placed_before_targets() -> None:
    p = make({"name": "p", "root": "packages/p", "targets": {"a": {}}, "tags": []})
    set_generator_metadata(p, "py#project")
    keys = list(p.config)
    assert keys.index("metadata") == keys.index("targets") - 1


def test_existing_metadata_after_targets_moves_before_targets_when_changed() -> None:
    """Upstream rewrites the config as ``{...rest, metadata, targets}`` whenever metadata changes."""
    p = make({"name": "p", "targets": {"a": {}}, "metadata": {"generator": "py#project"}})
    add_component(p, "py#mcp-server", "m/s", "mcp-server")
    keys = list(p.config)
    assert keys.index("metadata") < keys.index("targets")


# dependsOn -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("existing", "added", "appended"),
    [
        (["lint"], "lint", False),
        (["lint"], "test", True),
        ([{"projects": ["a"], "target": "dev"}], {"projects": ["a"], "target": "dev"}, False),
        ([{"projects": "a", "target": "dev"}], {"projects": ["a"], "target": "dev"}, False),
        ([{"projects": ["a"], "target": "dev"}], {"projects": "a", "target": "dev"}, False),
        ([{"projects": ["a", "b"], "target": "dev"}], {"projects": ["b", "a"], "target": "dev"}, True),
        ([{"projects": ["a"], "target": "dev"}], {"projects": ["a"], "target": "serve"}, True),
        ([{"projects": ["a"], "target": "dev"}], {"projects": ["a"], "target": "dev", "params": "forward"}, True),
        (
            [{"projects": ["a"], "target": "dev", "params": "ignore"}],
            {"target": "dev", "projects": ["a"], "params": "ignore"},
            False,
        ),
        ([{"target": "dev"}], {"target": "dev", "projects": []}, False),
        (["dev"], {"target": "dev"}, True),  # a string never equals an object
    ],
)
def test_depends_on_dedupe(existing: list, added: object, appended: bool) -> None:
    p = make({"name": "p", "targets": {"t": {"executor": "x", "dependsOn": existing}}})
    add_dependency(p, "t", added)
    expected = [*existing, added] if appended else existing
    assert p.targets["t"]["dependsOn"] == expected


def test_depends_on_never_reorders_and_creates_missing_target() -> None:
    p = make({"name": "p", "targets": {"t": {"dependsOn": ["c", "a", "b"]}}})
    add_dependency(p, "t", "a")
    add_dependency(p, "t", "d")
    assert p.targets["t"]["dependsOn"] == ["c", "a", "b", "d"]
    add_dependency(p, "new", "x")
    assert p.targets["new"] == {"dependsOn": ["x"]}


def test_target_keys_follow_nx_order_unknown_keys_last_in_their_order() -> None:
    target = {
        "options": {}, "zeta": 1, "configurations": {}, "command": "echo", "cache": True, "outputs": [],
        "continuous": True, "executor": "nx:run-commands", "alpha": 2, "inputs": [], "metadata": {},
        "defaultConfiguration": "x",
    }  # fmt: skip
    p = make({"name": "p", "targets": {"t": target}})
    add_dependency(p, "t", "lint")
    assert list(p.targets["t"]) == [
        "executor", "dependsOn", "continuous", "cache", "inputs", "outputs", "metadata", "defaultConfiguration",
        "options", "configurations", "zeta", "command", "alpha",
    ]  # fmt: skip


# dev aggregator --------------------------------------------------------------------------------------------
def test_dev_aggregator_has_no_executor_and_collects_component_dev_targets() -> None:
    p = make({"name": "p", "targets": {}})
    add_component_dev_target(p, "agent-dev")
    add_component_dev_target(p, "mcp-server-dev")
    add_component_dev_target(p, "agent-dev")
    assert p.targets["dev"] == {"dependsOn": ["agent-dev", "mcp-server-dev"], "continuous": True}
    assert list(p.targets["dev"]) == ["dependsOn", "continuous"]


def test_dev_aggregator_forces_continuous_and_keeps_existing_dependencies() -> None:
    p = make({"name": "p", "targets": {"dev": {"continuous": False, "dependsOn": ["x"], "executor": "e"}}})
    add_component_dev_target(p, "agent-dev")
    assert p.targets["dev"] == {"executor": "e", "dependsOn": ["x", "agent-dev"], "continuous": True}


# ports -----------------------------------------------------------------------------------------------------
@pytest.fixture
def ports_ws(ws_root: Path) -> Path:
    project(ws_root, "packages/a", "a", metadata={"ports": [8000, 8100]})
    project(ws_root, "packages/b", "b", metadata={"port": 8001})
    # Component ports are not scanned (reference §2.6): 8002 and 8101 stay free.
    project(ws_root, "packages/c", "c", metadata={"components": [{"generator": "g", "name": "n", "port": 8002}]})
    project(ws_root, "packages/d", "d", metadata={"components": [{"generator": "x", "port": 8101}], "ports": ["8003"]})
    project(ws_root, "packages/new", "new")
    return ws_root


def _assign(root: Path, name: str, start: int, component: tuple[str, str] | None = None) -> tuple[int, Project]:
    workspace = Workspace(Tree(root))
    p = workspace.get(name)
    return assign_port(workspace, p, start, component=component), p


@pytest.mark.parametrize(("start", "expected"), [(8000, 8002), (8100, 8101), (8081, 8081), (8003, 8003)])
def test_lowest_free_port_scanning_project_level_ports(ports_ws: Path, start: int, expected: int) -> None:
    port, p = _assign(ports_ws, "new", start)
    assert port == expected
    assert p.metadata["ports"] == [expected]
    assert list(p.config) == ["name", "root", "metadata"]


def test_project_level_port_is_reused_from_ports0_then_legacy_port(ports_ws: Path) -> None:
    assert _assign(ports_ws, "a", 8100)[0] == 8000
    assert _assign(ports_ws, "b", 8100)[0] == 8001
    port, p = _assign(ports_ws, "d", 8100)  # "8003" is not a number: allocate
    assert port == 8101
    assert p.metadata["ports"] == ["8003", 8101]


def test_component_port_is_reused_per_generator_and_name(ports_ws: Path) -> None:
    port, p = _assign(ports_ws, "c", 8000, component=("g", "n"))
    assert port == 8002
    assert "ports" not in p.metadata
    port, p = _assign(ports_ws, "c", 8000, component=("g", "other"))
    assert port == 8002  # allocated: component ports are invisible to the scan
    assert p.metadata["ports"] == [8002]
    assert _assign(ports_ws, "c", 8000, component=("other", "n"))[0] == 8002


def test_a_component_never_reuses_the_project_ports0(ports_ws: Path) -> None:
    port, p = _assign(ports_ws, "a", 8081, component=("py#agent", "agent"))
    assert port == 8081
    assert p.metadata["ports"] == [8000, 8100, 8081]


def test_successive_allocations_in_one_workspace_do_not_collide(ports_ws: Path) -> None:
    workspace = Workspace(Tree(ports_ws))
    p = workspace.get("new")
    first = assign_port(workspace, p, 8000, component=("py#mcp-server", "one"))
    p.config["metadata"]["components"] = [{"generator": "py#mcp-server", "name": "one", "port": first}]
    second = assign_port(workspace, p, 8000, component=("py#mcp-server", "two"))
    assert (first, second) == (8002, 8003)
    assert p.metadata["ports"] == [8002, 8003]
