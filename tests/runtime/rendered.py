"""Render the agent_connection library into a directory as an importable package."""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType

from nxaws import frameworks
from nxaws.generators.connection.library import BASE_EXPORTS, FILES, GatewayClient
from nxaws.generators.templates import render_dir

# Core clients the tests use directly (the generated package re-exports only the layers' exports and app clients).
TEST_EXPORTS = [
    (".core.agentcore_gateway_mcp_client_strands", "AgentCoreGatewayMCPClientStrands"),
    (".core.agentcore_gateway_mcp_client_langchain", "AgentCoreGatewayMCPClientLangChain"),
]


def render_package(root: Path, module: str, gateway_port: int) -> dict[str, str]:
    """Write every layer of every framework, with a ``MyGateway`` client each, under ``root/module``."""
    gateway = GatewayClient(gateway_class="MyGateway", gateway_snake="my_gateway", gateway_port=gateway_port)
    layers: list[tuple[Path, dict[str, object]]] = [(FILES / "base", {}), (FILES / "gateway", {})]
    exports = [*BASE_EXPORTS, *TEST_EXPORTS]
    for framework in frameworks.all_frameworks():
        layers += [(framework.library_files / "runtime", {}), (framework.library_files / "client", vars(gateway))]
        exports += [
            *framework.runtime_exports,
            (framework.client_module("my_gateway"), framework.client_class("MyGateway")),
        ]
    files: dict[str, str] = {}
    for folder, variables in layers:
        if folder.is_dir():
            files.update(render_dir(folder, {"module": module, **variables}))
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
