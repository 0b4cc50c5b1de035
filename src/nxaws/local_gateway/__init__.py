"""``nxaws local-gateway``: a local stand-in for an AgentCore Gateway, aggregating MCP servers on ``/mcp``.

Names are imported on first use (PEP 562): generators and ``nxaws policy`` read ``local_gateway.config``
without importing the server (httpx, uvicorn).
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "GatewayApp": "asgi",
    "create_app": "asgi",
    "main": "cli",
    "ConfigError": "config",
    "GatewayConfig": "config",
    "Target": "config",
    "load_config": "config",
    "RequestContext": "context",
    "IamAuth": "security",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
