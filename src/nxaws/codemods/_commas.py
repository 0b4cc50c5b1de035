"""Append an item to a comma-separated sequence (list, with-items, import names, call args) in its own layout.

A one-line sequence stays on one line; a one-per-line sequence gets the new item on its own line, and the
comments and blank lines that followed the old last item stay right after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import libcst as cst

T = TypeVar("T", bound=cst.CSTNode)

_EXTRA_INDENT = "    "


def _item_indent(
    items: Sequence[Any],
    opening: cst.BaseParenthesizableWhitespace | None,
    closing: cst.ParenthesizedWhitespace,
) -> tuple[bool, cst.SimpleWhitespace]:
    """The indentation the existing items use, so a new line lines up with them."""
    if len(items) >= 2 and isinstance(items[-2].comma, cst.Comma):
        between = items[-2].comma.whitespace_after
        if isinstance(between, cst.ParenthesizedWhitespace):
            return between.indent, between.last_line
    if isinstance(opening, cst.ParenthesizedWhitespace):
        return opening.indent, opening.last_line
    return closing.indent, cst.SimpleWhitespace(closing.last_line.value + _EXTRA_INDENT)


def append_item(
    items: Sequence[T],
    new: T,
    opening: cst.BaseParenthesizableWhitespace | None,
    closing: cst.BaseParenthesizableWhitespace | None,
) -> tuple[list[T], cst.BaseParenthesizableWhitespace | None]:
    """Return ``items`` with ``new`` appended, and the whitespace that now goes before the closing bracket.

    ``opening``/``closing`` are the whitespace after the opening and before the closing bracket (``None``
    when the sequence has no brackets). Every item type here carries its separator as a ``comma`` field.
    """
    if not items:
        return [new], closing
    *rest, last = items
    # Import names and call args keep the line break before the closing bracket in the trailing comma.
    in_comma = isinstance(last.comma, cst.Comma) and isinstance(
        last.comma.whitespace_after, cst.ParenthesizedWhitespace
    )
    if in_comma:
        outer, closing = closing, last.comma.whitespace_after
        last = last.with_changes(comma=last.comma.with_changes(whitespace_after=cst.SimpleWhitespace("")))
    trailing = isinstance(last.comma, cst.Comma)
    if isinstance(closing, cst.ParenthesizedWhitespace):
        indent, last_line = _item_indent(items, opening, closing)
        separator = (last.comma if trailing else cst.Comma()).with_changes(
            whitespace_after=closing.with_changes(indent=indent, last_line=last_line)
        )
        new = new.with_changes(comma=cst.Comma() if trailing else cst.MaybeSentinel.DEFAULT)
        closing = cst.ParenthesizedWhitespace(indent=closing.indent, last_line=closing.last_line)
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        new = new.with_changes(comma=last.comma if trailing else cst.MaybeSentinel.DEFAULT)
    if in_comma:
        new = new.with_changes(comma=cst.Comma(whitespace_after=closing))
        closing = outer
    return [*rest, last.with_changes(comma=separator), new], closing


def append_arg(call: cst.Call, new: cst.Arg) -> cst.Call:
    """Append a keyword argument to ``call``; without a trailing comma its closing space sits on the last arg."""
    args = list(call.args)
    if not args or isinstance(args[-1].comma, cst.Comma):
        items, _ = append_item(args, new, call.whitespace_before_args, None)
        return call.with_changes(args=items)
    closing = args[-1].whitespace_after_arg
    args[-1] = args[-1].with_changes(whitespace_after_arg=cst.SimpleWhitespace(""))
    args, closing = append_item(args, new, call.whitespace_before_args, closing)
    args[-1] = args[-1].with_changes(whitespace_after_arg=closing)
    return call.with_changes(args=args)
