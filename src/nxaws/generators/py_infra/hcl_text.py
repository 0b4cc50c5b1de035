"""Text edits of Terraform files laid out as ``terraform fmt`` lays them out: find a top-level block, add an item to
one of its list attributes. Everything else in the file stays byte for byte, so users' edits survive; a file in
another shape is reported (None), never guessed at."""

from __future__ import annotations

import re


def find_block(text: str, kind: str, name: str) -> tuple[int, int] | None:
    """Offsets of the top-level ``<kind> "<name>" {`` ... ``}`` block (opening and closing lines at column 0)."""
    opening = re.search(rf'^{kind}\s+"{re.escape(name)}"\s*\{{[ \t]*$', text, re.M)
    if opening is None:
        return None
    closing = re.compile(r"^\}[ \t]*$", re.M).search(text, opening.end())
    return None if closing is None else (opening.start(), closing.end())


def _flat(text: str) -> str:
    return " ".join(text.split())


def add_list_item(
    text: str, kind: str, name: str, attribute: str, item: str, *, marker: str | None = None
) -> str | None:
    """``text`` with ``item`` in the block's ``<attribute> = [ ... ]`` list (one item per line), or with that
    attribute added at the block's end. Unchanged when ``marker`` (default: ``item``) is in the block already;
    None when there is no such block, or the attribute is there in another form (an expression, a one-line list)."""
    span = find_block(text, kind, name)
    if span is None:
        return None
    start, end = span
    block = text[start:end]
    if _flat(marker or item) in _flat(block):
        return text
    opening = re.search(rf"^  {re.escape(attribute)}\s*=\s*\[[ \t]*$", block, re.M)
    if opening is not None:
        closing = re.compile(r"^  \][ \t]*$", re.M).search(block, opening.end())
        if closing is None:
            return None
        at = start + closing.start()
        return f"{text[:at]}    {item},\n{text[at:]}"
    if re.search(rf"^\s*{re.escape(attribute)}\s*=", block, re.M):
        return None
    at = start + block.rindex("\n}") + 1
    return f"{text[:at]}\n  {attribute} = [\n    {item},\n  ]\n{text[at:]}"


def append_block(text: str, block: str) -> str:
    """``block`` after the last line of ``text``, one blank line between."""
    head = text.rstrip("\n")
    return f"{head}\n\n{block}" if head else block
