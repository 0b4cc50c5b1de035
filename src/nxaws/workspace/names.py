"""Name helpers, reproducing the TypeScript plugin's rules exactly (reference §1.2) so ids match across tools."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-zA-Z0-9]+")
_HUMP = re.compile(r"([a-z0-9])([A-Z])")


# lodash ``deburr``: Latin-1 Supplement and Latin Extended-A letters become basic Latin (some of them two
# letters), combining marks are dropped, and everything else is left alone (the case helpers then turn it
# into a separator). Letters without a Unicode decomposition are listed; the rest decompose.
_LATIN = re.compile(r"[\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u017f]")
_COMBINING = re.compile(r"[\u0300-\u036f\ufe20-\ufe2f\u20d0-\u20ff]")
_UNDECOMPOSABLE = {
    "Æ": "Ae", "æ": "ae", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o", "Þ": "Th", "þ": "th", "ß": "ss",
    "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ĳ": "IJ", "ĳ": "ij", "ĸ": "k", "Ŀ": "L", "ŀ": "l",
    "Ł": "L", "ł": "l", "ŉ": "'n", "Ŋ": "N", "ŋ": "n", "Œ": "Oe", "œ": "oe", "Ŧ": "T", "ŧ": "t", "ſ": "s",
}  # fmt: skip


def _deburr_letter(match: re.Match[str]) -> str:
    letter = match.group()
    if letter in _UNDECOMPOSABLE:
        return _UNDECOMPOSABLE[letter]
    return unicodedata.normalize("NFD", letter)[0]


def _deburr(text: str) -> str:
    return _COMBINING.sub("", _LATIN.sub(_deburr_letter, text))


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
