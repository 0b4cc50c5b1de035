"""TOML edits with tomlkit: the user's comments and layout survive, only what we change moves."""

from __future__ import annotations

import re

import tomlkit
from tomlkit.exceptions import ParseError
from tomlkit.items import Array, Table
from tomlkit.toml_document import TOMLDocument

from .errors import UserError
from .tree import Tree


def read_toml(tree: Tree, path: str) -> TOMLDocument:
    """The parsed file; parsed once per generator run while its text is unchanged (tomlkit is slow).

    Callers that change the document write it back with :func:`write_toml`, so the cached document and the
    staged text stay the same thing.
    """
    text = tree.read_text(path)
    if text is None:
        raise UserError(f"{path} does not exist.")
    cached = tree.parsed.get(path)
    if cached is not None and cached[0] == text and isinstance(cached[1], TOMLDocument):
        return cached[1]
    try:
        doc = tomlkit.parse(text)
    except ParseError as exc:
        raise UserError(f"{path} is not valid TOML ({exc}). Fix the file and run the command again.") from None
    tree.parsed[path] = (text, doc)
    return doc


def write_toml(tree: Tree, path: str, doc: TOMLDocument) -> None:
    text = tomlkit.dumps(doc)
    if tree.read_text(path) != text:
        tree.write(path, text)
    tree.parsed[path] = (text, doc)


def table(parent: TOMLDocument | Table, *keys: str) -> Table:
    """The table at ``keys`` under ``parent``, created (as a real ``[a.b]`` table) when missing."""
    node = parent
    for depth, key in enumerate(keys, 1):
        if key not in node:
            # Intermediate tables are "super tables": no empty ``[tool]`` header above ``[tool.uv.sources]``.
            node[key] = tomlkit.table(is_super_table=depth < len(keys))
        node = node[key]
    return node


def requirement_key(requirement: str) -> str:
    """The name plus sorted extras of a PEP 508 string (``foo[b,a]>=1`` → ``foo[a,b]``)."""
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?", requirement)
    if not match:
        return requirement
    name = re.sub(r"[-_.]+", "-", match.group(1).lower())
    extras = sorted(e.strip() for e in (match.group(2) or "[]")[1:-1].split(",") if e.strip())
    return f"{name}[{','.join(extras)}]" if extras else name


def multiline_array(items: list[str]) -> Array:
    array = tomlkit.array()
    array.extend(items)
    return array.multiline(True) if items else array


def merge_requirements(array: Array, requirements: list[str]) -> None:
    """Replace entries with the same key in place, append the new ones (reference §1.10 ``mergeDeps``)."""
    index = {requirement_key(str(item)): i for i, item in enumerate(array)}
    appended = False
    for requirement in requirements:
        key = requirement_key(requirement)
        if key in index:
            if str(array[index[key]]) != requirement:
                array[index[key]] = requirement
        else:
            index[key] = len(array)
            array.append(requirement)
            appended = True
    # Reflow only an array we grew: a re-run that changes nothing must leave the user's layout alone.
    if appended and len(array) > 1:
        array.multiline(True)
