"""JSON the way Nx writes it: two-space indent, trailing newline, Nx's key order for new keys."""

from __future__ import annotations

import json
from typing import Any

from .errors import UserError
from .tree import Tree

# Nx's own order for a target's keys (reference §1.9); anything else (``command`` too) follows in its
# existing order, after ``configurations``.
TARGET_KEY_ORDER = (
    "executor",
    "dependsOn",
    "continuous",
    "cache",
    "inputs",
    "outputs",
    "metadata",
    "defaultConfiguration",
    "options",
    "configurations",
)
PROJECT_KEY_ORDER = ("name", "$schema", "root", "sourceRoot", "projectType", "tags", "metadata", "targets")


def read_json(tree: Tree, path: str) -> Any:
    text = tree.read_text(path)
    if text is None:
        raise UserError(f"{path} does not exist.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}). "
            "Fix the file and run the command again."
        ) from None


def dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_json(tree: Tree, path: str, data: Any) -> None:
    """Write ``data`` unless it is semantically what is there already (keeps the user's bytes)."""
    current = tree.read_text(path)
    if current is not None:
        try:
            if json.loads(current) == data and list(_keys(json.loads(current))) == list(_keys(data)):
                return
        except json.JSONDecodeError:
            pass
    tree.write(path, dumps(data))


def _keys(data: Any):
    if isinstance(data, dict):
        for key, value in data.items():
            yield key
            yield from _keys(value)
    elif isinstance(data, list):
        for item in data:
            yield from _keys(item)


def ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """``data`` with the keys named in ``order`` first, in that order, then the rest as they were."""
    head = {key: data[key] for key in order if key in data}
    return head | {key: value for key, value in data.items() if key not in head}


def set_key(data: dict[str, Any], key: str, value: Any, order: tuple[str, ...]) -> None:
    """Set ``key``; a new key is placed where ``order`` puts it relative to the keys already present."""
    if key in data or key not in order:
        data[key] = value
        return
    later = set(order[order.index(key) + 1 :])
    items = list(data.items())
    index = next((i for i, (k, _) in enumerate(items) if k in later), len(items))
    items.insert(index, (key, value))
    data.clear()
    data.update(items)
