"""Re-export a name from a package ``__init__.py``: import it and list it in ``__all__`` (reference §7.8)."""

from __future__ import annotations

import libcst as cst

from ._commas import append_item
from ._imports import add_import
from ._nodes import find_all, is_docstring, is_import_line, is_name, single_target, sole_statement


def add_reexport(source: str, from_module: str, name: str) -> str:
    """Return ``source`` importing ``name`` from ``from_module`` (``.app.x`` style) and exporting it.

    A name that is already imported or listed in ``__all__`` leaves the source unchanged.
    """
    tree = cst.parse_module(source)
    if _already_there(tree, name):
        return source
    body = list(add_import(tree, from_module, name).body)
    if not _add_to_all(body, name):
        line = cst.parse_statement(f'__all__ = ["{name}"]\n')
        body.insert(_after_imports(body), line.with_changes(leading_lines=[cst.EmptyLine()]))
    # An empty file has no trailing newline to keep; the new lines need one.
    return tree.with_changes(body=body, has_trailing_newline=tree.has_trailing_newline or not tree.body).code


def _already_there(tree: cst.Module, name: str) -> bool:
    for alias in find_all(tree, cst.ImportAlias):
        if (alias.evaluated_alias or alias.evaluated_name) == name:
            return True
    exported = _all_list(list(tree.body))
    return exported is not None and any(
        isinstance(element.value, cst.SimpleString) and element.value.value[1:-1] == name
        for element in exported[1].elements
    )


def _after_imports(body: list[cst.BaseStatement]) -> int:
    """The index after the last top-level import, else after the module docstring, else the top."""
    imports = [i for i, statement in enumerate(body) if is_import_line(statement)]
    if imports:
        return imports[-1] + 1
    return 1 if body and is_docstring(body[0]) else 0


def _all_list(body: list[cst.BaseStatement]) -> tuple[int, cst.List | cst.Tuple] | None:
    """The index of the ``__all__ = [...]`` (or tuple) statement and its sequence."""
    for index, statement in enumerate(body):
        node = sole_statement(statement)
        # `__all__ = [...]` or `__all__: list[str] = [...]` (a bare annotation has no value, so `None` here).
        if isinstance(node, (cst.Assign, cst.AnnAssign)) and isinstance(node.value, (cst.List, cst.Tuple)):
            target = node.target if isinstance(node, cst.AnnAssign) else single_target(node)
            if is_name(target, "__all__"):
                return index, node.value
    return None


def _add_to_all(body: list[cst.BaseStatement], name: str) -> bool:
    found = _all_list(body)
    if found is None:
        return False
    index, sequence = found
    opening, closing = _brackets(sequence)
    elements, closing = append_item(sequence.elements, cst.Element(cst.SimpleString(f'"{name}"')), opening, closing)
    if isinstance(sequence, cst.List):
        sequence = sequence.with_changes(
            elements=elements, rbracket=sequence.rbracket.with_changes(whitespace_before=closing)
        )
    elif sequence.rpar:
        sequence = sequence.with_changes(
            elements=elements, rpar=[sequence.rpar[0].with_changes(whitespace_before=closing)]
        )
    else:
        sequence = sequence.with_changes(elements=elements)
    statement = cst.ensure_type(body[index], cst.SimpleStatementLine)
    body[index] = statement.with_changes(body=[statement.body[0].with_changes(value=sequence)])
    return True


def _brackets(
    sequence: cst.List | cst.Tuple,
) -> tuple[cst.BaseParenthesizableWhitespace | None, cst.BaseParenthesizableWhitespace | None]:
    if isinstance(sequence, cst.List):
        return sequence.lbracket.whitespace_after, sequence.rbracket.whitespace_before
    if sequence.lpar and sequence.rpar:
        return sequence.lpar[0].whitespace_after, sequence.rpar[0].whitespace_before
    return None, None
