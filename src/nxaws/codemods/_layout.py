"""Lay out a tools list one element per line when the spread we added pushed it past the line length.

What ruff format does with a magic trailing comma, for that one list (and its call, when the call sat on
the same line) and nothing else in the user's file. Without position metadata (importing
``libcst.metadata`` would slow every ``nxaws g connection``): each candidate list is marked with a unique
placeholder, the module rendered once, and the placeholder's line measured.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

_MARK = "__nxaws_tools_{}__"


def _newline(indent: str) -> cst.ParenthesizedWhitespace:
    """A line break followed by exactly ``indent`` (absolute, not relative to the enclosing block)."""
    return cst.ParenthesizedWhitespace(indent=False, last_line=cst.SimpleWhitespace(indent))


def _compact(element: cst.BaseElement) -> str:
    return "".join(cst.Module([]).code_for_node(element.with_changes(comma=cst.MaybeSentinel.DEFAULT)).split())


class _Lists(cst.CSTTransformer):
    """Finds one-line tools lists of agent calls holding ``spread``; marks them, or explodes the chosen ones."""

    def __init__(self, spread: str, is_agent_call: Callable[[cst.Call], bool], explode: dict[int, str] | None) -> None:
        super().__init__()
        self.spread = "".join(spread.split())
        self.is_agent_call = is_agent_call
        self.explode = explode  # None: mark; else index → indentation of the line the list is on
        self.found: list[bool] = []  # per candidate: does the call sit on one line too
        self.unit = "    "

    def visit_Module(self, node: cst.Module) -> bool:
        self.unit = node.default_indent
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not self.is_agent_call(original_node):
            return updated_node
        for index, arg in enumerate(updated_node.args):
            tools = arg.value
            if not isinstance(tools, cst.List) or "\n" in cst.Module([]).code_for_node(tools):
                continue
            if not any(_compact(element) == self.spread for element in tools.elements):
                continue
            number = len(self.found)
            self.found.append("\n" not in cst.Module([]).code_for_node(updated_node))
            if self.explode is None:
                marked = [cst.Element(cst.Name(_MARK.format(number))), *tools.elements]
                return _with_arg(updated_node, index, arg.with_changes(value=tools.with_changes(elements=marked)))
            if number in self.explode:
                return self._exploded(updated_node, index, self.explode[number], self.found[number])
        return updated_node

    def _exploded(self, call: cst.Call, index: int, base: str, call_too: bool) -> cst.Call:
        inner = base + self.unit * (2 if call_too else 1)
        closing = base + self.unit if call_too else base
        tools = cst.ensure_type(call.args[index].value, cst.List)
        elements = [e.with_changes(comma=cst.Comma(whitespace_after=_newline(inner))) for e in tools.elements]
        elements[-1] = elements[-1].with_changes(comma=cst.Comma())
        tools = tools.with_changes(
            lbracket=tools.lbracket.with_changes(whitespace_after=_newline(inner)),
            elements=elements,
            rbracket=tools.rbracket.with_changes(whitespace_before=_newline(closing)),
        )
        call = _with_arg(call, index, call.args[index].with_changes(value=tools))
        if not call_too:
            return call
        args = [
            a.with_changes(
                comma=cst.Comma(whitespace_after=_newline(closing)), whitespace_after_arg=cst.SimpleWhitespace("")
            )
            for a in call.args
        ]
        args[-1] = args[-1].with_changes(comma=cst.Comma(whitespace_after=_newline(base)))
        return call.with_changes(whitespace_before_args=_newline(closing), args=args)


def _with_arg(call: cst.Call, index: int, arg: cst.Arg) -> cst.Call:
    args = list(call.args)
    args[index] = arg
    return call.with_changes(args=args)


def may_need_layout(code: str, spread: str, line_length: int) -> bool:
    """Whether some line holding ``spread`` is too long; when not (the common case) nothing needs measuring."""
    compact = "".join(spread.split())
    return any(len(line) > line_length and compact in "".join(line.split()) for line in code.splitlines())


def explode_long_tools(
    tree: cst.Module, spread: str, is_agent_call: Callable[[cst.Call], bool], line_length: int
) -> cst.Module:
    """``tree`` with every one-line tools list that holds ``spread`` and is longer than ``line_length`` laid out
    one element per line (magic trailing comma); unchanged when none is."""
    marker = _Lists(spread, is_agent_call, None)
    lines = tree.visit(marker).code.splitlines()
    explode: dict[int, str] = {}
    for number in range(len(marker.found)):
        mark = _MARK.format(number) + ", "
        line = next(text for text in lines if mark in text)
        if len(line) - len(mark) > line_length:
            explode[number] = line[: len(line) - len(line.lstrip())]
    if not explode:
        return tree
    return tree.visit(_Lists(spread, is_agent_call, explode))
