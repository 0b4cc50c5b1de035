"""``nxaws new DIR``: an Nx + uv workspace (SPEC §3)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import tomlkit

from ...nx_plugin.files import register_plugin, write_plugin
from ...versions import NPM_VERSIONS
from ...versions import pin as version_pin
from ...workspace.errors import UserError
from ...workspace.names import kebab_case
from ...workspace.tree import Tree
from .. import Result
from ..templates import render_dir
from .nxaws_pin import apply_pin, nxaws_pin

FILES = Path(__file__).parent / "files"


def generate(tree: Tree, options: dict[str, Any]) -> Result:
    root = tree.root
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UserError(f"{root} already exists and is not empty. Pick a new directory name.")
    scope = kebab_case(options.get("scope") or root.name)
    if not scope:
        raise UserError(f"Cannot derive an npm scope from '{root.name}'. Pass --scope.")
    python = options.get("python") or f"{sys.version_info.major}.{sys.version_info.minor}"
    if not re.fullmatch(r"3\.\d+", python):
        raise UserError(f"--python takes a Python version like 3.12, not '{python}'.")
    pin = nxaws_pin()
    variables = {"scope": scope, "python": python, "nx_version": NPM_VERSIONS["nx"]}
    for path, text in render_dir(FILES, variables).items():
        tree.write(path, text)
    doc = tomlkit.parse(tree.read_text("pyproject.toml") or "")
    apply_pin(tree, doc, pin)
    doc["dependency-groups"]["dev"].extend([version_pin("pytest"), version_pin("ruff")])
    tree.write("pyproject.toml", tomlkit.dumps(doc))
    write_plugin(tree)  # `nx g nxaws:<generator>` and Nx Console run the same generators
    register_plugin(tree)  # and Nx's project graph gets the uv workspace's edges
    return Result(
        install={"npm", "uv"} if options["preferInstallDependencies"] else set(),
        next_steps=[pin.summary, f"Next: cd {root.name} && nxaws g py#project agents"],
        warnings=[pin.warning] if pin.warning else [],
    )
