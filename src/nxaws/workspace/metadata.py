"""Project and component metadata, dependsOn wiring and port allocation (reference §1.9, §2.6)."""

from __future__ import annotations

from typing import Any

from .jsonfile import PROJECT_KEY_ORDER, TARGET_KEY_ORDER, ordered, set_key
from .projects import Project, Workspace


def _put_metadata(project: Project, metadata: dict[str, Any]) -> None:
    """Write ``metadata`` immediately before ``targets``, as upstream does (``{...rest, metadata, targets}``)."""
    config = project.config
    if config.get("metadata") == metadata and list(config.get("metadata") or {}) == list(metadata):
        return
    if "metadata" in config and "targets" in config and list(config).index("metadata") > list(config).index("targets"):
        targets = config.pop("targets")
        del config["metadata"]
        config["metadata"], config["targets"] = metadata, targets
        return
    set_key(config, "metadata", metadata, PROJECT_KEY_ORDER)


def set_generator_metadata(project: Project, generator: str, **extra: Any) -> None:
    """``metadata.generator`` plus ``extra``, merged over what is there."""
    _put_metadata(project, dict(project.metadata) | {"generator": generator} | extra)


def add_component(project: Project, generator: str, path: str, name: str | None = None, **extra: Any) -> bool:
    """Record a component unless one with the same generator and name exists (then nothing changes)."""
    components = project.components
    if any(c.get("generator") == generator and c.get("name") == name for c in components):
        return False
    record: dict[str, Any] = {"generator": generator, "path": path}
    if name:
        record["name"] = name
    record.update(extra)
    metadata = dict(project.metadata)
    metadata["components"] = [*components, record]
    _put_metadata(project, metadata)
    return True


def _same_dependency(a: Any, b: Any) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    if not (isinstance(a, dict) and isinstance(b, dict)):
        return a == b

    def projects(d: dict) -> list:
        value = d.get("projects")
        return [value] if isinstance(value, str) else list(value or [])

    return a.get("target") == b.get("target") and a.get("params") == b.get("params") and projects(a) == projects(b)


def add_dependency(project: Project, target: str, dependency: str | dict[str, Any]) -> None:
    """Append ``dependency`` to ``targets[target].dependsOn`` unless an equal one is there; never reorders."""
    targets = project.targets
    config = dict(targets.get(target) or {})
    depends_on = list(config.get("dependsOn") or [])
    if not any(_same_dependency(existing, dependency) for existing in depends_on):
        depends_on.append(dependency)
    config["dependsOn"] = depends_on
    targets[target] = ordered(config, TARGET_KEY_ORDER)


def add_component_dev_target(project: Project, component_dev_target: str) -> None:
    """The project-level ``dev`` aggregator (no executor) depends on every component's ``<x>-dev``."""
    targets = project.targets
    dev = dict(targets.get("dev") or {"continuous": True, "dependsOn": []})
    dev["continuous"] = True
    targets["dev"] = dev
    add_dependency(project, "dev", component_dev_target)


def assign_port(workspace: Workspace, project: Project, start: int, component: tuple[str, str] | None = None) -> int:
    """A workspace-unique port ≥ ``start``, stable across re-runs (reference §2.6)."""
    metadata = project.metadata
    if component is not None:
        for record in project.components:
            if (record.get("generator"), record.get("name")) == component and isinstance(record.get("port"), int):
                return record["port"]
    else:
        ports = metadata.get("ports")
        if isinstance(ports, list) and ports and isinstance(ports[0], int):
            return ports[0]
        if isinstance(metadata.get("port"), int):
            return metadata["port"]
    used: set[int] = set()
    for other in workspace.projects().values():
        other_meta = other.metadata
        if isinstance(other_meta.get("port"), int):
            used.add(other_meta["port"])
        used.update(p for p in other_meta.get("ports") or [] if isinstance(p, int))
    port = start
    while port in used:
        port += 1
    metadata = dict(metadata)
    metadata["ports"] = [*(metadata.get("ports") or []), port]
    _put_metadata(project, metadata)
    return port
