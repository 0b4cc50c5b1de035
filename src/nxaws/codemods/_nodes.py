"""Small isinstance-based predicates over libcst nodes, and a finder that walks a subtree.

``libcst.matchers`` would express these too, but importing it costs a quarter of a second (hundreds of generated
dataclasses) on every ``nxaws g connection``; these few checks are all the codemods need.
"""

from __future__ import annotations

from typing import TypeVar

import libcst as cst

N = TypeVar("N", bound=cst.CSTNode)


class _Collector(cst.CSTVisitor):
    def __init__(self, kind: type[cst.CSTNode]) -> None:
        super().__init__()
        self.kind = kind
        self.found: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, self.kind):
            self.found.append(node)
        return True


def find_all(root: cst.CSTNode, kind: type[N]) -> list[N]:
    """Every node of type ``kind`` in ``root``'s subtree (``root`` included), in source order."""
    collector = _Collector(kind)
    root.visit(collector)
    return collector.found  # type: ignore[return-value]


def is_name(node: cst.CSTNode | None, value: str | None = None) -> bool:
    """A bare name, optionally a given one."""
    return isinstance(node, cst.Name) and (value is None or node.value == value)


def sole_statement(statement: cst.CSTNode) -> cst.BaseSmallStatement | None:
    """The only small statement of a line (``x = 1``), or None for compound statements and ``a; b`` lines."""
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        return statement.body[0]
    return None


def is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(sole_statement(statement), (cst.Import, cst.ImportFrom))


def is_docstring(statement: cst.CSTNode) -> bool:
    """A line holding only a string literal (implicitly concatenated strings count)."""
    expr = sole_statement(statement)
    return isinstance(expr, cst.Expr) and isinstance(expr.value, (cst.SimpleString, cst.ConcatenatedString))


def single_target(assign: cst.CSTNode | None) -> cst.BaseAssignTargetExpression | None:
    """The target of ``target = value`` (one ``=``), else None."""
    if isinstance(assign, cst.Assign) and len(assign.targets) == 1:
        return assign.targets[0].target
    return None
