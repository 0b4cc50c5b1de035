"""``nxaws sync-plugin`` and ``nxaws init``: keep the workspace-local Nx plugin ``nxaws`` in step with nxaws."""

from __future__ import annotations

import sys
from pathlib import Path

import tomlkit

from .. import engine
from ..generators import Result
from ..workspace.errors import UsageError, UserError
from ..workspace.projects import find_root
from ..workspace.tomlfile import merge_requirements, multiline_array, read_toml, requirement_key, table, write_toml
from ..workspace.tree import Tree
from .files import PLUGIN_DIR, PLUGIN_NAME, plugin_files, stale_paths, write_plugin

__all__ = ["PLUGIN_DIR", "init", "main", "plugin_files", "stale_paths", "write_plugin"]

SYNC_USAGE = """\
usage: nxaws sync-plugin [--check] [--dry-run]

Rewrite the workspace's Nx plugin (tools/nxaws-plugin) from this nxaws's generator schemas.
  --check     change nothing; exit 1 and name the files when the plugin is out of date
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
    """``nxaws sync-plugin``: rewrite the plugin files; ``--check`` only reports drift (exit 1)."""
    flags = _options(argv, SYNC_USAGE, {"--check", "--dry-run", "-d"})
    if flags is None:
        return 0
    root = find_root(Path.cwd())
    if "--check" in flags:
        stale = stale_paths(Tree(root))
        if stale:
            raise UserError(
                f"The Nx plugin in {PLUGIN_DIR} is out of date with nxaws ({', '.join(stale)}). "
                "Run `nxaws sync-plugin` to rewrite it."
            )
        print(f"The Nx plugin in {PLUGIN_DIR} is up to date.")
        return 0
    _write(root, dry_run=bool(flags & {"--dry-run", "-d"}), install=False)
    return 0


def init(argv: list[str]) -> int:
    """``nxaws init``: add the plugin to an existing workspace and link it with ``npm install``."""
    flags = _options(argv, INIT_USAGE, {"--no-install", "--install", "--dry-run", "-d"})
    if flags is None:
        return 0
    root = find_root(Path.cwd())
    _write(root, dry_run=bool(flags & {"--dry-run", "-d"}), install="--no-install" not in flags, dev_group=True)
    return 0


def add_to_dev_group(tree: Tree) -> bool:
    """List nxaws in the root pyproject.toml's dev group (the plugin runs the workspace's own nxaws)."""
    from ..generators.new.generator import nxaws_requirement

    if not tree.exists("pyproject.toml"):
        raise UserError("This workspace has no root pyproject.toml: nxaws works in Nx + uv workspaces.")
    doc = read_toml(tree, "pyproject.toml")
    groups = table(doc, "dependency-groups")
    dev = groups.setdefault("dev", multiline_array([]))
    if any(requirement_key(str(item)) == "nxaws" for item in dev):
        return False
    requirement, source = nxaws_requirement()
    merge_requirements(dev, [requirement])
    if source is not None:
        inline = tomlkit.inline_table()
        inline.update(source)
        table(doc, "tool", "uv", "sources")["nxaws"] = inline
    write_toml(tree, "pyproject.toml", doc)
    return True


def _write(root: Path, *, dry_run: bool, install: bool, dev_group: bool = False) -> None:
    tree = Tree(root)
    package_changed = write_plugin(tree)
    linked = (root / "node_modules" / PLUGIN_NAME / "package.json").is_file()
    result = Result()
    if package_changed or not linked:
        result.install.add("npm")
    if dev_group and add_to_dev_group(tree):
        result.install.add("uv")
    if result.install and not install:
        steps = " and ".join(f"`{INSTALL_COMMANDS[kind]}`" for kind in sorted(result.install))
        result.next_steps.append(f"Next: run {steps} so Nx finds the plugin and the plugin finds nxaws.")
    outcome = engine.Outcome(tree.changes() if dry_run else tree.commit(), result)
    engine.print_changes(outcome, sys.stdout, dry_run=dry_run)
    if install and not dry_run and result.install:
        engine.install(root, result.install, sys.stdout)
