"""Render a generator's ``files/`` folder: ``__var__`` in paths, ``.j2`` files through Jinja2."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import jinja2


def render_dir(source: Path, variables: Mapping[str, object]) -> dict[str, str]:
    """Relative output path → content for every file under ``source``."""
    env = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False)
    out: dict[str, str] = {}
    for file in sorted(p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rel = file.relative_to(source).as_posix()
        for key, value in variables.items():
            rel = rel.replace(f"__{key}__", str(value))
        text = file.read_text()
        if rel.endswith(".j2"):
            rel = rel[: -len(".j2")]
            text = env.from_string(text).render(**variables)
        out[rel] = text
    return out
