"""A workspace a teammate can clone (issue 14, item 1): nxaws is pinned in a form that syncs on another machine."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import tomlkit
from support.workspaces import NOT_CONTENT, nxaws, snapshot, tool_env

from nxaws.engine import Outcome, change_set_json
from nxaws.generators import Result
from nxaws.generators.new.nxaws_pin import WHEEL_DIR, apply_pin, cached_wheel, pin_for
from nxaws.workspace.tree import Change, Tree

REPO = Path(__file__).parents[2]
WHEEL = "tools/nxaws/nxaws-0.1.0-py3-none-any.whl"


def test_from_an_index_the_version_is_pinned() -> None:
    pin = pin_for({}, "1.2.3")
    assert (pin.requirement, pin.source, pin.wheel, pin.warning) == ("nxaws==1.2.3", None, None, None)
    assert "nxaws==1.2.3" in pin.summary


def test_from_git_the_commit_is_pinned() -> None:
    info = {"url": "https://github.com/acme/nxaws.git", "vcs_info": {"vcs": "git", "commit_id": "0123abc"},
            "subdirectory": "py"}  # fmt: skip
    pin = pin_for(info, "1.2.3")
    assert pin.source == {"git": "https://github.com/acme/nxaws.git", "rev": "0123abc", "subdirectory": "py"}
    assert pin.wheel is None and "0123abc" in pin.summary


def test_a_local_wheel_is_copied_into_the_workspace(tmp_path: Path) -> None:
    wheel = tmp_path / "nxaws-1.2.3-py3-none-any.whl"
    wheel.write_bytes(b"PK\x03\x04 not really a zip")
    pin = pin_for({"url": wheel.as_uri(), "archive_info": {}}, "1.2.3")
    assert pin.wheel == ("tools/nxaws/nxaws-1.2.3-py3-none-any.whl", wheel.read_bytes())
    assert pin.source == {"path": "tools/nxaws/nxaws-1.2.3-py3-none-any.whl"}


@pytest.mark.parametrize("kind", ["archive_info", "dir_info"])
def test_a_source_that_is_gone_falls_back_to_the_index_and_says_so(tmp_path: Path, kind: str) -> None:
    pin = pin_for({"url": (tmp_path / "gone").as_uri(), kind: {}}, "1.2.3")
    assert pin.requirement == "nxaws==1.2.3" and pin.source is None
    assert pin.warning is not None and "gone" in pin.warning


def test_a_checkout_becomes_its_wheel_built_once(tmp_path: Path) -> None:
    pin = pin_for({"url": REPO.as_uri(), "dir_info": {"editable": True}}, "0.1.0")
    assert pin.wheel is not None and pin.wheel[0] == WHEEL and pin.source == {"path": WHEEL}
    assert pin.wheel[1][:2] == b"PK"  # a zip
    assert cached_wheel(REPO).read_bytes() == pin.wheel[1]  # the same file from the cache, not a rebuild
    assert str(REPO) in pin.summary and "sync-plugin" in pin.summary


def test_apply_pin_switches_forms_and_drops_old_wheels(tmp_path: Path) -> None:
    old = tmp_path / WHEEL_DIR / "nxaws-0.0.9-py3-none-any.whl"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old")
    tree = Tree(tmp_path)
    doc = tomlkit.parse(
        '[dependency-groups]\ndev = ["ruff==1", "nxaws"]\n\n[tool.uv.sources]\nnxaws = { path = "x" }\n'
    )
    apply_pin(tree, doc, pin_for({}, "2.0.0"))
    data = tomllib.loads(tomlkit.dumps(doc))
    assert data["dependency-groups"]["dev"] == ["ruff==1", "nxaws==2.0.0"]
    assert "nxaws" not in data["tool"]["uv"]["sources"]
    assert [(c.path, c.kind) for c in tree.changes()] == [(f"{WHEEL_DIR}/nxaws-0.0.9-py3-none-any.whl", "delete")]


def test_new_lists_the_wheel_and_dry_run_writes_nothing(tmp_path: Path) -> None:
    dry = nxaws(tmp_path, "new", "acme", "--no-install", "--dry-run")
    assert dry.code == 0, dry
    assert f"CREATE {WHEEL} (" in dry.out and f"nxaws comes from {WHEEL}" in dry.out
    assert not (tmp_path / "acme").exists()
    done = nxaws(tmp_path, "new", "acme", "--no-install")
    assert done.code == 0, done
    ws = tmp_path / "acme"
    pyproject = tomllib.loads((ws / "pyproject.toml").read_text())
    assert pyproject["tool"]["uv"]["sources"]["nxaws"] == {"path": WHEEL}
    assert "nxaws" in pyproject["dependency-groups"]["dev"]
    assert (ws / WHEEL).read_bytes()[:2] == b"PK"
    assert WHEEL_DIR not in (ws / ".gitignore").read_text()


def test_binary_changes_travel_base64_in_the_change_set() -> None:
    wheel = b"PK\x03\x04\xff\xfe binary"
    outcome = Outcome([Change(WHEEL, "create", wheel), Change("a.txt", "update", b"text")], Result())
    changes = json.loads(change_set_json(outcome, install=False))["changes"]
    assert [c["path"] for c in changes] == ["a.txt", WHEEL]  # sorted by path, like the printed list
    assert changes[1] == {"path": WHEEL, "kind": "create", "content": base64.b64encode(wheel).decode(),
                          "encoding": "base64"}  # fmt: skip
    assert changes[0] == {"path": "a.txt", "kind": "update", "content": "text"}


def test_sync_plugin_refreshes_a_stale_wheel_and_leaves_a_users_own_source(tmp_path: Path) -> None:
    assert nxaws(tmp_path, "new", "acme", "--no-install").code == 0
    ws = tmp_path / "acme"
    good = (ws / WHEEL).read_bytes()
    (ws / WHEEL).write_bytes(b"an older nxaws")
    check = nxaws(ws, "sync-plugin", "--check")
    assert check.code == 1 and WHEEL in check.err, check
    synced = nxaws(ws, "sync-plugin")
    assert synced.code == 0 and f"UPDATE {WHEEL}" in synced.out and "`uv sync`" in synced.out, synced
    assert (ws / WHEEL).read_bytes() == good
    assert nxaws(ws, "sync-plugin", "--check").code == 0

    pyproject = ws / "pyproject.toml"
    own = pyproject.read_text().replace(f'{{path = "{WHEEL}"}}', '{path = "../nxaws", editable = true}')
    pyproject.write_text(own)
    before = snapshot(ws)
    assert nxaws(ws, "sync-plugin").code == 0
    assert snapshot(ws) == before


def _run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> str:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, start_new_session=True, check=False)  # fmt: skip
    assert proc.returncode == 0, f"{' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_a_clone_elsewhere_syncs_after_the_checkout_is_gone(tmp_path: Path) -> None:
    """Install nxaws from a copy of this repository, make a workspace with it, delete the copy, copy the workspace
    (no .venv, no node_modules) elsewhere: `uv sync` and `uv run nxaws --version` work there."""
    env = tool_env(NXAWS_CACHE_DIR=str(tmp_path / "cache"))  # a cold wheel cache: the build really happens
    files = _run(["git", "ls-files", "-co", "--exclude-standard", "-z"], REPO, env).split("\0")
    checkout = tmp_path / "nxaws-checkout"
    for rel in filter(None, files):
        if (REPO / rel).is_file():
            (checkout / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, checkout / rel)
    venv = tmp_path / "venv"
    _run(["uv", "venv", "--quiet", str(venv)], tmp_path, env)
    _run(["uv", "pip", "install", "--quiet", "--python", str(venv / "bin/python"), str(checkout)], tmp_path, env)
    made = _run([str(venv / "bin/nxaws"), "new", "acme", "--no-install"], tmp_path, env)
    assert f"nxaws comes from {WHEEL}" in made and str(checkout) in made

    shutil.rmtree(checkout)
    shutil.rmtree(venv)
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(tmp_path / "acme", elsewhere / "acme", ignore=shutil.ignore_patterns(*NOT_CONTENT))
    shutil.rmtree(tmp_path / "acme")
    ws = elsewhere / "acme"
    _run(["uv", "sync", "--quiet"], ws, env)
    assert _run(["uv", "run", "--no-sync", "nxaws", "--version"], ws, env).strip() == "nxaws 0.1.0"
    lock = (ws / "uv.lock").read_text()
    assert f'source = {{ path = "{WHEEL}" }}' in lock and str(tmp_path) not in lock
