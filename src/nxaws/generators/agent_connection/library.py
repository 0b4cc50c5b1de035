"""The ``agent_connection`` runtime library, in layers the generators add as a workspace needs them.

Each layer is a folder under ``templates/`` mirroring paths inside ``<scope>_agent_connection/``. In paths,
``__name__`` stands for the variable ``name``; ``.j2`` files go through Jinja2 and lose the suffix; the rest
is copied verbatim (core files take no variables, so every workspace gets the same, testable code).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"
LAYERS = ("base", "strands", "gateway", "gateway_strands", "gateway_langchain")
FRAMEWORK_SUFFIX = {"strands": "Strands", "langchain": "LangChain"}

# Names each layer adds to the package ``__init__``, as the TypeScript plugin does (reference §7.8); app
# clients are added per gateway (``app_client_exports``). Core clients stay importable from ``.core``.
EXPORTS: dict[str, list[tuple[str, str]]] = {
    "base": [
        (".core.session_context", "get_current_session_id"),
        (".core.session_context", "session_id_context"),
    ],
    "strands": [(".core.with_session_id_strands", "with_session_id")],
    "gateway": [],
    "gateway_strands": [],
    "gateway_langchain": [],
}

# ``__init__.py`` and ``__main__.py`` are Python's own dunders, not placeholders.
_PLACEHOLDER = re.compile(r"__(?!init__|main__)([a-z][a-z0-9_]*?)__(?=_|\.|/|$)")
_JINJA = jinja2.Environment(keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False)


def render_layer(layer: str, variables: Mapping[str, object]) -> dict[str, str]:
    """Relative posix path → content for one layer.

    A file whose path names a variable that is not given (``app/__gateway_snake___client_strands.py``
    without ``gateway_snake``) is left out, so core files can be rendered before any gateway is known.
    """
    if layer not in LAYERS:
        raise ValueError(f"Unknown agent_connection layer {layer!r}; expected one of {', '.join(LAYERS)}")
    out: dict[str, str] = {}
    root = TEMPLATES / layer
    for file in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        rel = file.relative_to(root).as_posix()
        names = _PLACEHOLDER.findall(rel)
        if any(name not in variables for name in names):
            continue
        rel = _PLACEHOLDER.sub(lambda m: str(variables[m.group(1)]), rel)
        text = file.read_text()
        if rel.endswith(".j2"):
            rel, text = rel[: -len(".j2")], _JINJA.from_string(text).render(**variables)
        out[rel] = text
    return out


def app_client_exports(framework: str, gateway_snake: str, gateway_class: str) -> tuple[str, str]:
    """``(".app.my_gateway_client_strands", "MyGatewayClientStrands")`` for the package ``__init__``."""
    suffix = FRAMEWORK_SUFFIX[framework]
    return f".app.{gateway_snake}_client_{framework}", f"{gateway_class}Client{suffix}"
