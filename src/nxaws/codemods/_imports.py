"""Ensure ``from <module> import <name>`` in a module: the one import helper every codemod uses.

It follows libcst's ``AddImportsVisitor`` (users have agent.py files edited by it) without importing
``libcst.codemod``, which drags in ``libcst.matchers`` and the codemod CLI. Only the module's leading import
block counts, as there:

- the name already imported there without ``as``, or a ``*`` import of the module: nothing to do;
- else the first ``from <module> import ...`` there gets the name — first (``first=True``, as
  ``AddImportsVisitor`` does) or last, in that import's own layout (never a second import line);
- else a new line goes right after that block (after a docstring or ``__strict__`` flag, with a blank line,
  when there are no imports), and the next statement gets a blank line before it when it has none.

``module`` may be relative (``.app.x``): a package ``__init__.py`` re-exports its own modules that way.
"""

from __future__ import annotations

import libcst as cst

from ._commas import append_item
from ._nodes import is_import_line, is_name, single_target, sole_statement


def add_import(tree: cst.Module, module: str, name: str, *, first: bool = False) -> cst.Module:
    """Return ``tree`` importing ``name`` from ``module``."""
    body = list(tree.body)
    start = 1 if body and _skip_first(body[0]) else 0
    end = start
    while end < len(body) and is_import_line(body[end]):
        end += 1
    same_module = [
        (index, node)
        for index in range(start, end)
        if isinstance(node := sole_statement(body[index]), cst.ImportFrom) and _same_module(node, module)
    ]
    if any(_imports_name(node, name) for _, node in same_module):
        return tree
    for index, node in same_module:
        # Not a `*` import here: one of those would have counted as importing the name already.
        body[index] = body[index].with_changes(body=[_with_name(node, name, first)])
        return tree.with_changes(body=body)
    line = cst.parse_statement(f"from {module} import {name}\n", config=tree.config_for_parsing)
    if end == start == 1:  # right after a docstring: apart from it, as a formatter would put it
        line = line.with_changes(leading_lines=[cst.EmptyLine()])
    return tree.with_changes(body=[*body[:end], line, *_blank_line_before(body[end:])])


def _with_name(node: cst.ImportFrom, name: str, first: bool) -> cst.ImportFrom:
    assert not isinstance(node.names, cst.ImportStar)
    alias = cst.ImportAlias(name=cst.Name(name))
    if first:
        return node.with_changes(names=[alias, *node.names])
    opening = node.lpar.whitespace_after if node.lpar else None
    closing = node.rpar.whitespace_before if node.rpar else None
    names, closing = append_item(node.names, alias, opening, closing)
    rpar = node.rpar.with_changes(whitespace_before=closing) if node.rpar else None
    return node.with_changes(names=names, rpar=rpar)


def _skip_first(statement: cst.BaseStatement) -> bool:
    """A module docstring or a ``__strict__ = ...`` flag stays above every import."""
    small = sole_statement(statement)
    if is_name(single_target(small), "__strict__"):
        return True
    # Unlike `is_docstring`, AddImportsVisitor only looks for a plain string here.
    return isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString)


def _same_module(node: cst.ImportFrom, module: str) -> bool:
    """``node`` imports from ``module``, at the same relative level."""
    dotted = module.lstrip(".")
    if len(node.relative) != len(module) - len(dotted):
        return False
    return (_dotted(node.module) if node.module is not None else "") == dotted


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    assert isinstance(node, cst.Name)
    return node.value


def _imports_name(node: cst.ImportFrom, name: str) -> bool:
    if isinstance(node.names, cst.ImportStar):
        return True
    return any(alias.asname is None and alias.evaluated_name == name for alias in node.names)


def _blank_line_before(statements: list[cst.BaseStatement]) -> list[cst.BaseStatement]:
    """Keep the new import apart from the code after it: a blank line unless one is already there."""
    if not statements:
        return statements
    first, *rest = statements
    if first.leading_lines and first.leading_lines[0].comment is None:
        return statements
    return [first.with_changes(leading_lines=(cst.EmptyLine(), *first.leading_lines)), *rest]
