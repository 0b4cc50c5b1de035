"""The workspace model: root discovery, projects, lookups and scope (reference §1.1, §1.8)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import UserError
from .jsonfile import PROJECT_KEY_ORDER, read_json, set_key, write_json
from .names import snake_case
from .tree import Tree


def find_root(start: Path) -> Path:
    """The nearest ancestor of ``start`` (itself included) holding ``nx.json``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "nx.json").is_file():
            return folder
    raise UserError(
        f"{start} is not inside an Nx workspace (no nx.json here or above). "
        "Run the command from your workspace, or create one with `nxaws new <dir>`."
    )


@dataclass
class Project:
    """A project.json and what it says. ``config`` is edited in place and written back by ``save``."""

    config_path: str
    config: dict[str, Any]
    root: str = field(init=False)

    def __post_init__(self) -> None:
        self.root = str(PurePosixPath(self.config_path).parent)
        if self.root == ".":
            self.root = ""

    @property
    def name(self) -> str:
        return self.config.get("name") or PurePosixPath(self.root).name

    @property
    def metadata(self) -> dict[str, Any]:
        metadata = self.config.get("metadata")
        return metadata if isinstance(metadata, dict) else {}

    @property
    def targets(self) -> dict[str, Any]:
        if not isinstance(self.config.get("targets"), dict):
            set_key(self.config, "targets", {}, PROJECT_KEY_ORDER)
        return self.config["targets"]

    @property
    def source_root(self) -> str | None:
        return self.config.get("sourceRoot")

    @property
    def components(self) -> list[dict[str, Any]]:
        components = self.metadata.get("components")
        return components if isinstance(components, list) else []

    def path(self, *parts: str) -> str:
        return str(PurePosixPath(self.root, *parts))


class Workspace:
    """Projects of one workspace, read through (and saved to) a :class:`Tree`."""

    def __init__(self, tree: Tree) -> None:
        self.tree = tree
        self._projects: dict[str, Project] | None = None

    @property
    def scope(self) -> str:
        """npm scope of the root package.json name (``@acme/source`` → ``acme``), else ``monorepo``."""
        text = self.tree.read_text("package.json")
        try:
            name = json.loads(text).get("name", "") if text else ""
        except (json.JSONDecodeError, AttributeError):
            name = ""
        if isinstance(name, str) and name.startswith("@") and "/" in name:
            return name[1 : name.index("/")]
        return "monorepo"

    @property
    def py_scope(self) -> str:
        return snake_case(self.scope)

    def projects(self) -> dict[str, Project]:
        if self._projects is None:
            self._projects = {}
            for path in self.tree.walk_files("project.json"):
                config = read_json(self.tree, path)
                if not isinstance(config, dict):
                    raise UserError(f"{path} must hold a JSON object. Fix the file and run the command again.")
                project = Project(path, config)
                self._projects[project.name] = project
        return self._projects

    def find(self, name: str) -> Project | None:
        """Exact Nx name first, then ``@<scope>/<name>`` and ``<py_scope>.<name>`` (reference §1.8)."""
        projects = self.projects()
        if name in projects:
            return projects[name]
        for candidate in (f"@{self.scope}/{name}", f"{self.py_scope}.{name}"):
            if candidate in projects:
                return projects[candidate]
        return None

    def get(self, name: str) -> Project:
        project = self.find(name)
        if project is None:
            known = ", ".join(sorted(self.projects())) or "none"
            raise UserError(
                f"Cannot find configuration for '{name}'. Projects in this workspace: {known}. "
                "Use one of these names (run `npx nx show projects` to list them)."
            )
        return project

    def add(self, project: Project) -> None:
        self.projects()[project.name] = project
        self.save(project)

    def save(self, project: Project) -> None:
        write_json(self.tree, project.config_path, project.config)
