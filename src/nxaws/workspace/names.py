"""Name helpers, reproducing the TypeScript plugin's rules exactly (reference §1.2) so ids match across tools."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]+")
_HUMP = re.compile(r"([a-z0-9])([A-Z])")


def _deburr(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _case(text: str, sep: str) -> str:
    text = _NON_ALNUM.sub(sep, _deburr(text))
    text = _HUMP.sub(rf"\1{sep}\2", text)
    return text.lower().strip(sep)


def snake_case(text: str) -> str:
    """``My-Agent`` → ``my_agent``; applied per ``/`` segment."""
    return "/".join(_case(part, "_") for part in text.split("/"))


def kebab_case(text: str) -> str:
    """``ShopFront Gateway`` → ``shop-front-gateway``; applied per ``/`` segment."""
    return "/".join(_case(part, "-") for part in text.split("/"))


def class_name(text: str) -> str:
    """``my-gateway`` → ``MyGateway``; the rest of each word keeps its case, a leading digit gets ``_``."""
    words = re.sub(r"[^a-zA-Z0-9]", " ", text).split()
    name = "".join(word[:1].upper() + word[1:] for word in words)
    return f"_{name}" if words and words[0][:1].isdigit() else name


def distribution_name(text: str) -> str:
    """PEP 503 normalisation: ``proj.agent_connection`` → ``proj-agent-connection``."""
    return re.sub(r"[-_.]+", "-", text.lower())
