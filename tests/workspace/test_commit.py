"""All or nothing on disk: a target that cannot be written is refused before the first write, and a write that
fails part-way puts back everything already written and leaves no temporaries (the CLI case is in
tests/generators/test_all_or_nothing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.workspaces import snapshot, write_file

from nxaws.workspace.errors import UserError
from nxaws.workspace.tree import Tree


def leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.name.endswith((".nxaws-tmp", ".nxaws-bak")))


def test_a_write_failing_part_way_puts_everything_back(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_file(root, "a.txt", "a\n")
    write_file(root, "z/last.txt", "last\n")
    before = snapshot(root)
    # Something in the way of the last file's backup: the commit fails after the first files were replaced.
    (root / "z" / ".last.txt.nxaws-bak").mkdir()
    tree = Tree(root)
    tree.write("a.txt", "changed\n")
    tree.write("new/dir/b.txt", "new\n")
    tree.delete("gone.txt")
    tree.write("z/last.txt", "changed\n")
    with pytest.raises(UserError, match=r"Could not write z/last\.txt .*Nothing was changed\."):
        tree.commit()
    (root / "z" / ".last.txt.nxaws-bak").rmdir()
    assert snapshot(root) == before
    assert not (root / "new").exists()
    assert leftovers(root) == []


def test_a_file_where_a_folder_must_go_is_refused_up_front(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_file(root, "packages", "not a folder\n")
    tree = Tree(root)
    tree.write("other.txt", "x\n")
    tree.write("packages/x/y.txt", "y\n")
    with pytest.raises(UserError, match=r"Cannot create packages/x/y\.txt: packages is a file"):
        tree.commit()
    assert not (root / "other.txt").exists()


def test_a_successful_commit_leaves_no_temporaries(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    write_file(root, "a.txt", "a\n")
    tree = Tree(root)
    tree.write("a.txt", "b\n")
    tree.write("c/d.txt", "d\n")
    assert [c.kind for c in tree.commit()] == ["update", "create"]
    assert (root / "a.txt").read_text() == "b\n" and (root / "c/d.txt").read_text() == "d\n"
    assert leftovers(root) == []
