"""``nxaws sync-plugin`` and ``nxaws init``: keep the workspace-local Nx plugin ``nxaws`` in step with nxaws."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import engine
from ..generators import Result
from ..generators.new.nxaws_pin import WHEEL_DIR, NxawsPin, apply_pin, chosen_by_user, nxaws_pin
from ..workspace.errors import UsageError, UserError
from ..workspace.projects import find_root
from ..workspace.tomlfile import read_toml, requirement_key, table, write_toml
from ..workspace.tree import Tree
from .files import PLUGIN_DIR, PLUGIN_NAME, plugin_files, register_plugin, stale_paths, write_plugin

__all__ = ["PLUGIN_DIR", "init", "main", "pin_nxaws", "plugin_files", "register_plugin", "stale_paths", "write_plugin"]

SYNC_USAGE = """\
usage: nxaws sync-plugin [--check] [--dry-run]

Rewrite the workspace's Nx plugin (tools/nxaws-plugin) from this nxaws's generator schemas, and re-pin the
workspace's nxaws to this one (the wheel in tools/nxaws when nxaws came from a checkout; run `uv sync` after).
  --check     change nothing; exit 1 and name the files when the plugin or the pin is out of date
  --dry-run   list what would change and write nothing
"""
INSTALL_COMMANDS = {"npm": "npm install", "uv": "uv sync"}
INIT_USAGE = """\
usage: nxaws init [--no-install] [--dry-run]

Add the Nx plugin `nxaws` to an existing Nx workspace (tools/nxaws-plugin and a file: devDependency) and
nxaws to the root pyproject.toml's dev group, then run `npm install` and `uv sync` so `nx g nxaws:<generator>`
and Nx Console find it.
"""


def _options(argv: list[str], usage: str, allowed: set[str]) -> set[str] | None:
    flags = {a for a in argv if a not in ("--verbose", "--no-interactive")}
    if flags & {"-h", "--help"}:
        print(usage, end="")
        return None
    unknown = sorted(flags - allowed)
    if unknown:
        raise UsageError(f"Unknown option {unknown[0]}.\n{usage}")
    return flags


def main(argv: list[str]) -> int:
    """``nxaws sync-plugin``: rewrite the plugin files and refresh the workspace's nxaws pin (the wheel in
    ``tools/nxaws`` included); ``--check`` only reports drift (exit 1)."""
    flags = _options(argv, SYNC_USAGE, {"--check", "--dry-run", "-d"})
    if flags is None:
        return 0
    root = find_root(Path.cwd())
    if "--check" in flags:
        probe = Tree(root)
        _stage(probe, refresh=True)
        stale = [change.path for change in probe.changes()]
        if stale:
            raise UserError(
                f"The Nx plugin in {PLUGIN_DIR} or the nxaws pin is out of date with this nxaws "
                f"({', '.join(stale)}). Run `nxaws sync-plugin` to rewrite them."
            )
        print(f"The Nx plugin in {PLUGIN_DIR} and the nxaws pin are up to date.")
        return 0
    _write(root, dry_run=bool(flags & {"--dry-run", "-d"}), install=False, refresh=True)
    return 0


def init(argv: list[str]) -> int:
    """``nxaws init``: add the plugin to an existing workspace and link it with ``npm install``."""
    flags = _options(argv, INIT_USAGE, {"--no-install", "--install", "--dry-run", "-d"})
    if flags is None:
        return 0
    root = find_root(Path.cwd())
    _write(root, dry_run=bool(flags & {"--dry-run", "-d"}), install="--no-install" not in flags, refresh=False)
    return 0


def pin_nxaws(tree: Tree, *, refresh: bool) -> NxawsPin | None:
    """List nxaws in the root pyproject.toml's dev group (the plugin runs the workspace's own nxaws) in a form a
    clone can sync (see ``nxaws_pin``). ``refresh`` instead re-pins an nxaws already listed to this nxaws, unless
    the workspace points it at a path of its own. Returns the pin recorded, None when there was nothing to do."""
    if not tree.exists("pyproject.toml"):
        if refresh:
            return None
        raise UserError("This workspace has no root pyproject.toml: nxaws works in Nx + uv workspaces.")
    doc = read_toml(tree, "pyproject.toml")
    dev = table(doc, "dependency-groups").get("dev") or []
    listed = any(requirement_key(str(item)) == "nxaws" for item in dev)
    if listed != refresh or (refresh and chosen_by_user(doc)):
        return None
    pin = nxaws_pin()
    apply_pin(tree, doc, pin)
    write_toml(tree, "pyproject.toml", doc)
    return pin


def _stage(tree: Tree, *, refresh: bool) -> Result:
    """Stage the plugin, its registration in nx.json and the nxaws pin; say which installs they need."""
    result = Result()
    if write_plugin(tree) or not (tree.root / "node_modules" / PLUGIN_NAME / "package.json").is_file():
        result.install.add("npm")
    register_plugin(tree)
    pin = pin_nxaws(tree, refresh=refresh)
    if pin is not None and any(c.path == "pyproject.toml" or c.path.startswith(WHEEL_DIR) for c in tree.changes()):
        result.install.add("uv")
        result.next_steps.append(pin.summary)
        result.warnings += [pin.warning] if pin.warning else []
    return result


def _write(root: Path, *, dry_run: bool, install: bool, refresh: bool) -> None:
    tree = Tree(root)
    result = _stage(tree, refresh=refresh)
    if result.install and not install:
        steps = " and ".join(f"`{INSTALL_COMMANDS[kind]}`" for kind in sorted(result.install))
        result.next_steps.append(f"Next: run {steps} so Nx finds the plugin and the plugin finds nxaws.")
    outcome = engine.Outcome(tree.changes() if dry_run else tree.commit(), result)
    engine.print_changes(outcome, sys.stdout, dry_run=dry_run)
    if install and not dry_run and result.install:
        engine.install(root, result.install, sys.stdout)
