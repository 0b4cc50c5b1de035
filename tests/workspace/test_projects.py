"""Workspace discovery, scope derivation and project lookup (reference §1.1, §1.8; SPEC §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.workspaces import write_file as write
from support.workspaces import write_project as project

from nxaws.workspace.errors import UserError
from nxaws.workspace.projects import Workspace, find_root
from nxaws.workspace.tree import Tree


@pytest.mark.parametrize(
    ("package_json", "scope", "py_scope"),
    [
        ({"name": "@my-scope/source"}, "my-scope", "my_scope"),
        ({"name": "@acme/source"}, "acme", "acme"),
        ({"name": "@My.Org/x"}, "My.Org", "my_org"),
        ({"name": "plain-name"}, "monorepo", "monorepo"),
        ({"version": "1.0.0"}, "monorepo", "monorepo"),
        (None, "monorepo", "monorepo"),
        ("not json at all", "monorepo", "monorepo"),
        ([1, 2], "monorepo", "monorepo"),
    ],
)
def test_scope(tmp_path: Path, package_json: object, scope: str, py_scope: str) -> None:
    if package_json is not None:
        write(tmp_path, "package.json", package_json if isinstance(package_json, (dict, list)) else str(package_json))
    workspace = Workspace(Tree(tmp_path))
    assert workspace.scope == scope
    assert workspace.py_scope == py_scope


def test_find_root_walks_up_to_nx_json(ws_root: Path) -> None:
    deep = ws_root / "packages" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(deep) == ws_root.resolve()


def test_find_root_outside_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"not inside an Nx workspace \(no nx.json here or above\)"):
        find_root(tmp_path)


def test_projects_skip_tool_folders(ws_root: Path, workspace: Workspace) -> None:
    project(ws_root, "packages/a", "my_scope.a")
    for skipped in ("node_modules/x", ".venv/x", "dist/packages/a", ".git/x", ".nx/cache/x"):
        project(ws_root, skipped, f"skip-{skipped}")
    assert sorted(workspace.projects()) == ["my_scope.a"]


def test_project_without_name_is_named_after_its_folder(ws_root: Path, workspace: Workspace) -> None:
    project(ws_root, "packages/lonely", None)
    assert workspace.get("lonely").root == "packages/lonely"


@pytest.fixture
def mixed(ws_root: Path) -> Workspace:
    project(ws_root, "packages/my_agent", "my_scope.my_agent")
    project(ws_root, "packages/my-gateway", "@my-scope/my-gateway")
    project(ws_root, "packages/exact", "exact")
    return Workspace(Tree(ws_root))


@pytest.mark.parametrize(
    ("given", "found"),
    [
        ("my_scope.my_agent", "my_scope.my_agent"),
        ("my_agent", "my_scope.my_agent"),
        ("@my-scope/my-gateway", "@my-scope/my-gateway"),
        ("my-gateway", "@my-scope/my-gateway"),
        ("exact", "exact"),
    ],
)
def test_lookup(mixed: Workspace, given: str, found: str) -> None:
    assert mixed.get(given).name == found


@pytest.mark.parametrize("given", ["my-agent", "my_gateway", "other_scope.my_agent", "@other/my-gateway", "MY_AGENT"])
def test_lookup_miss_is_the_nx_error(mixed: Workspace, given: str) -> None:
    assert mixed.find(given) is None
    with pytest.raises(UserError, match=rf"^Cannot find configuration for '{given}'\.") as raised:
        mixed.get(given)
    assert "@my-scope/my-gateway, exact, my_scope.my_agent" in str(raised.value)


def test_exact_name_wins_over_qualified(ws_root: Path) -> None:
    project(ws_root, "packages/a", "tools")
    project(ws_root, "packages/b", "my_scope.tools")
    assert Workspace(Tree(ws_root)).get("tools").root == "packages/a"


def test_malformed_project_json_is_a_user_error(ws_root: Path, workspace: Workspace) -> None:
    write(ws_root, "packages/bad/project.json", '{"name": "bad",\n  "root": }\n')
    with pytest.raises(UserError, match=r"packages/bad/project.json is not valid JSON \(.* line 2"):
        workspace.projects()


def test_project_json_must_be_an_object(ws_root: Path, workspace: Workspace) -> None:
    write(ws_root, "packages/bad/project.json", "[]\n")
    with pytest.raises(UserError, match="must hold a JSON object"):
        workspace.projects()


def test_save_leaves_unchanged_files_byte_identical(ws_root: Path) -> None:
    path = ws_root / "packages/a/project.json"
    path.parent.mkdir(parents=True)
    odd = '{"name":"a",   "root":"packages/a",\n"targets":{ }}'
    path.write_text(odd)
    tree = Tree(ws_root)
    workspace = Workspace(tree)
    workspace.save(workspace.get("a"))
    assert tree.changes() == []
    workspace.get("a").config["tags"] = []
    workspace.save(workspace.get("a"))
    [change] = tree.changes()
    assert change.kind == "update"
    assert json.loads(change.content) == {"name": "a", "root": "packages/a", "targets": {}, "tags": []}
