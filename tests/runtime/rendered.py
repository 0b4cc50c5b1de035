"""Render the agent_connection library into a directory as an importable package."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from nxaws.generators.agent_connection.library import EXPORTS, LAYERS, app_client_exports, render_layer

# Core clients the tests use directly (the generated package re-exports only EXPORTS and app clients).
TEST_EXPORTS = [
    (".core.agentcore_gateway_mcp_client_strands", "AgentCoreGatewayMCPClientStrands"),
    (".core.agentcore_gateway_mcp_client_langchain", "AgentCoreGatewayMCPClientLangChain"),
]
GATEWAY = {"gateway_snake": "my_gateway", "gateway_class": "MyGateway"}


def render_package(root: Path, module: str, gateway_port: int) -> dict[str, str]:
    """Write every layer and both app clients under ``root/module``; return the files written."""
    variables = {"module": module, "gateway_port": gateway_port, **GATEWAY}
    files: dict[str, str] = {}
    for layer in LAYERS:
        files.update(render_layer(layer, variables))
    exports = [pair for layer in LAYERS for pair in EXPORTS[layer]] + TEST_EXPORTS
    exports += [
        app_client_exports(fw, GATEWAY["gateway_snake"], GATEWAY["gateway_class"]) for fw in ("strands", "langchain")
    ]
    imports = "".join(f"from {source} import {name}\n" for source, name in exports)
    names = ", ".join(f'"{name}"' for _, name in exports)
    files["__init__.py"] = f'"""Rendered for tests."""\n\n{imports}\n__all__ = [{names}]\n'
    for rel, text in files.items():
        path = root / module / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return files


def submodule(lib: ModuleType, name: str) -> ModuleType:
    """``lib.<name>`` imported, e.g. ``submodule(lib, "core.auth.sigv4")``."""
    return importlib.import_module(f"{lib.__name__}.{name}")
