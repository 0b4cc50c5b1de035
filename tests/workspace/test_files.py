"""The virtual tree, JSON in Nx's layout and TOML edits that keep the user's text (SPEC §2, §3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomlkit

from nxaws.workspace.errors import UserError
from nxaws.workspace.jsonfile import dumps, ordered, read_json, set_key, write_json
from nxaws.workspace.projects import Project
from nxaws.workspace.python import add_dependencies, add_workspace_dependency, add_workspace_member
from nxaws.workspace.tomlfile import merge_requirements, read_toml, requirement_key
from nxaws.workspace.tree import Tree


# Tree ------------------------------------------------------------------------------------------------------
def test_tree_stages_until_commit(tmp_path: Path) -> None:
    (tmp_path / "old.txt").write_text("old")
    (tmp_path / "gone.txt").write_text("bye")
    tree = Tree(tmp_path)
    tree.write("a/new.txt", "new")
    tree.write("old.txt", "changed")
    tree.delete("gone.txt")
    tree.delete("never-existed.txt")
    tree.write("same.txt", "x")
    tree.delete("same.txt")  # staged then deleted: no change at all
    assert tree.read_text("a/new.txt") == "new" and not (tmp_path / "a").exists()
    assert not tree.exists("gone.txt") and (tmp_path / "gone.txt").exists()
    assert [(c.path, c.kind) for c in tree.changes()] == [
        ("a/new.txt", "create"), ("old.txt", "update"), ("gone.txt", "delete"),
    ]  # fmt: skip
    assert [c.path for c in tree.commit()] == ["a/new.txt", "old.txt", "gone.txt"]
    assert (tmp_path / "a/new.txt").read_text() == "new"
    assert (tmp_path / "old.txt").read_text() == "changed"
    assert not (tmp_path / "gone.txt").exists()
    assert not list(tmp_path.rglob("*.nxaws-tmp"))


def test_tree_writing_the_same_bytes_is_no_change(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"same")
    tree = Tree(tmp_path)
    tree.write("f", b"same")
    assert tree.changes() == [] and tree.commit() == []


def test_tree_keep_existing_and_paths_cannot_escape(tmp_path: Path) -> None:
    (tmp_path / "user.py").write_text("# mine\n")
    tree = Tree(tmp_path)
    assert not tree.write_if_absent("user.py", "generated\n")
    assert tree.write_if_absent("other.py", "generated\n")
    assert tree.read_text("user.py") == "# mine\n"
    for bad in ("../x", "/etc/passwd", "a/../../x"):
        with pytest.raises(ValueError, match="escapes the workspace"):
            tree.write(bad, "x")


def test_tree_commit_is_all_or_nothing(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where a folder must go")
    (tmp_path / "kept.txt").write_text("original")
    tree = Tree(tmp_path)
    tree.write("kept.txt", "changed")
    tree.write("blocker/inside.txt", "cannot be written")
    with pytest.raises(OSError):
        tree.commit()
    assert (tmp_path / "kept.txt").read_text() == "original"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "kept.txt"]


def test_tree_keeps_file_mode_on_update(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    tree = Tree(tmp_path)
    tree.write("run.sh", "#!/bin/sh\necho hi\n")
    tree.commit()
    assert script.stat().st_mode & 0o777 == 0o755


def test_walk_files_sees_staged_and_hides_deleted(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a/project.json").write_text("{}")
    (tmp_path / "node_modules/x").mkdir(parents=True)
    (tmp_path / "node_modules/x/project.json").write_text("{}")
    tree = Tree(tmp_path)
    tree.write("b/project.json", "{}")
    assert list(tree.walk_files("project.json")) == ["a/project.json", "b/project.json"]
    tree.delete("a/project.json")
    assert list(tree.walk_files("project.json")) == ["b/project.json"]


# JSON ------------------------------------------------------------------------------------------------------
def test_json_layout_is_nx_layout() -> None:
    assert dumps({"a": [1], "é": {}}) == '{\n  "a": [\n    1\n  ],\n  "é": {}\n}\n'


def test_write_json_leaves_semantically_equal_files_byte_identical(tmp_path: Path) -> None:
    text = '{"b":1,   "a": [1,2],\n\n "c": {"x": true}}'
    (tmp_path / "f.json").write_text(text)
    tree = Tree(tmp_path)
    write_json(tree, "f.json", {"b": 1, "a": [1, 2], "c": {"x": True}})
    assert tree.changes() == []
    write_json(tree, "f.json", {"a": [1, 2], "b": 1, "c": {"x": True}})  # same data, other key order
    assert tree.read_text("f.json") == dumps({"a": [1, 2], "b": 1, "c": {"x": True}})


def test_read_json_errors_name_the_file_and_position(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text('{\n  "a": 1,\n}\n')
    with pytest.raises(UserError, match=r"^f.json is not valid JSON \(.*line 3, column 1\)"):
        read_json(Tree(tmp_path), "f.json")
    with pytest.raises(UserError, match="does not exist"):
        read_json(Tree(tmp_path), "missing.json")


def test_set_key_places_new_keys_by_order() -> None:
    order = ("name", "root", "metadata", "targets")
    data = {"name": "p", "extra": 1, "targets": {}}
    set_key(data, "metadata", {}, order)
    assert list(data) == ["name", "extra", "metadata", "targets"]
    set_key(data, "root", "r", order)
    assert list(data) == ["name", "extra", "root", "metadata", "targets"]
    set_key(data, "name", "q", order)  # existing keys stay put
    assert list(data)[0] == "name" and data["name"] == "q"
    assert list(ordered({"z": 1, "targets": 2, "name": 3}, order)) == ["name", "targets", "z"]


# TOML ------------------------------------------------------------------------------------------------------
USER_PYPROJECT = """\
# The user's own header comment.
[project]
name = "acme-agents"   # aligned   comment
version = "1.0.0"
dependencies = ["mcp==1.0.0", "requests>=2",]  # inline, user-formatted

[tool.ruff]
line-length = 100 # mine
"""


def test_toml_edit_keeps_comments_and_layout(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(USER_PYPROJECT)
    tree = Tree(tmp_path)
    add_dependencies(tree, "pyproject.toml", ["mcp", "uvicorn"])
    text = tree.read_text("pyproject.toml")
    assert text.startswith(USER_PYPROJECT.split("version")[0])
    assert "line-length = 100 # mine\n" in text
    doc = tomlkit.parse(text)
    assert doc["project"]["dependencies"] == ["mcp==1.30.0", "requests>=2", "uvicorn==0.54.0"]


def test_toml_rewrite_with_nothing_new_is_byte_identical(tmp_path: Path) -> None:
    """A re-run re-pins to the same versions: the user's inline array must not be reflowed."""
    (tmp_path / "pyproject.toml").write_text(USER_PYPROJECT.replace("mcp==1.0.0", "mcp==1.30.0"))
    tree = Tree(tmp_path)
    add_dependencies(tree, "pyproject.toml", ["mcp"])
    assert tree.changes() == []


def test_requirement_keys() -> None:
    assert requirement_key("Foo_Bar[b, a]>=1") == "foo-bar[a,b]"
    assert requirement_key("fastapi[standard]==1") != requirement_key("fastapi==1")
    assert requirement_key("  ???") == "  ???"


def test_merge_requirements_replaces_in_place_and_appends_in_order() -> None:
    doc = tomlkit.parse('deps = ["a==1", "fastapi==0.1", "b"]\n')
    merge_requirements(doc["deps"], ["fastapi[standard]==2", "b==3", "c==1", "FastAPI==2"])
    assert doc["deps"] == ["a==1", "FastAPI==2", "b==3", "fastapi[standard]==2", "c==1"]


def test_workspace_member_and_dependency(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "root"\ndependencies = []\n\n# members below\n[tool.uv.workspace]\nmembers = []\n'
    )
    (tmp_path / "packages/agents").mkdir(parents=True)
    (tmp_path / "packages/agents/pyproject.toml").write_text(
        '[project]\nname = "acme-agents"\ndependencies = [ "acme-agent-connection>=0.1" ]\n'
    )
    (tmp_path / "packages/common/agent_connection").mkdir(parents=True)
    (tmp_path / "packages/common/agent_connection/pyproject.toml").write_text(
        '[project]\nname = "acme.agent_connection"\n'
    )
    tree = Tree(tmp_path)
    add_workspace_member(tree, "packages/agents", "acme-agents")
    add_workspace_member(tree, "packages/agents", "acme-agents")
    root = read_toml(tree, "pyproject.toml")
    assert root["tool"]["uv"]["workspace"]["members"] == ["packages/agents"]
    assert root["project"]["dependencies"] == ["acme-agents"]
    assert root["tool"]["uv"]["sources"]["acme-agents"] == {"workspace": True}
    assert "# members below" in tree.read_text("pyproject.toml")

    agents = Project("packages/agents/project.json", {"name": "acme.agents"})
    connection = Project("packages/common/agent_connection/project.json", {"name": "acme.agent_connection"})
    add_workspace_dependency(tree, agents, connection)
    doc = read_toml(tree, "packages/agents/pyproject.toml")
    assert doc["project"]["dependencies"] == ["acme-agent-connection>=0.1"]  # a >= entry already counts
    assert doc["tool"]["uv"]["sources"]["acme-agent-connection"] == {"workspace": True}
    before = tree.read_text("packages/agents/pyproject.toml")
    add_workspace_dependency(tree, agents, connection)
    assert tree.read_text("packages/agents/pyproject.toml") == before
    add_workspace_dependency(tree, Project("nowhere/project.json", {"name": "x"}), connection)  # no pyproject: no-op
    assert not tree.exists("nowhere/pyproject.toml")


def test_dotted_sub_table_sources_from_the_typescript_plugin_are_understood(tmp_path: Path) -> None:
    """@iarna/toml writes ``[tool.uv.sources.<dist>]`` sub-tables; they already satisfy the rule."""
    (tmp_path / "a").mkdir()
    text = '[project]\nname = "proj-a"\ndependencies = [ "proj-b" ]\n\n[tool.uv.sources.proj-b]\nworkspace = true\n'
    (tmp_path / "a/pyproject.toml").write_text(text)
    tree = Tree(tmp_path)
    add_workspace_dependency(tree, Project("a/project.json", {}), Project("b/project.json", {"name": "proj.b"}))
    assert tree.changes() == []


def test_invalid_toml_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(UserError, match="pyproject.toml is not valid TOML"):
        read_toml(Tree(tmp_path), "pyproject.toml")


def test_no_root_pyproject_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no root pyproject.toml"):
        add_workspace_member(Tree(tmp_path), "packages/a", "a")


def test_json_fixture_sanity() -> None:
    assert json.loads(dumps({"x": 1})) == {"x": 1}
