"""``nxaws new DIR``: an Nx + uv workspace (SPEC §3)."""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import tomlkit

from ... import __version__
from ...nx_plugin.files import write_plugin
from ...versions import NPM_VERSIONS, pin
from ...workspace.errors import UserError
from ...workspace.names import kebab_case
from ...workspace.tree import Tree
from .. import Result
from ..templates import render_dir

FILES = Path(__file__).parent / "files"


def nxaws_requirement() -> tuple[str, dict[str, Any] | None]:
    """How the workspace gets nxaws: from the local source or wheel it was installed from (PEP 610), else PyPI."""
    try:
        raw = metadata.distribution("nxaws").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        raw = None
    info = json.loads(raw) if raw else {}
    url = info.get("url", "")
    if url.startswith("file://"):
        path = unquote(urlparse(url).path)
        if info.get("dir_info", {}).get("editable"):
            return "nxaws", {"path": path, "editable": True}
        return "nxaws", {"path": path}
    return f"nxaws=={__version__}", None


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
    requirement, source = nxaws_requirement()
    variables = {"scope": scope, "python": python, "nx_version": NPM_VERSIONS["nx"]}
    for path, text in render_dir(FILES, variables).items():
        tree.write(path, text)
    doc = tomlkit.parse(tree.read_text("pyproject.toml") or "")
    doc["dependency-groups"]["dev"].extend([requirement, pin("pytest"), pin("ruff")])
    if source is not None:
        nxaws_source = tomlkit.inline_table()
        nxaws_source.update(source)
        doc["tool"]["uv"]["sources"]["nxaws"] = nxaws_source
    tree.write("pyproject.toml", tomlkit.dumps(doc))
    write_plugin(tree)  # `nx g nxaws:<generator>` and Nx Console run the same generators
    return Result(
        install={"npm", "uv"} if options["preferInstallDependencies"] else set(),
        next_steps=[
            f"Next: cd {root.name} && nxaws g py#project agents",
        ],
    )
