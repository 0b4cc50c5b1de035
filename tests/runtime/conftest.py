"""Render the agent_connection library into a temporary, importable package for the runtime tests, and run the
scripted Bedrock Runtime (``nxaws local-bedrock``) that real Strands and LangChain models talk to."""

from __future__ import annotations

import importlib
import sys
import uuid
from collections.abc import Iterator
from types import ModuleType

import pytest
from support.procs import free_port

from runtime.rendered import render_package


@pytest.fixture(scope="session")
def gateway_port() -> int:
    """The local-gateway port rendered into the app clients (tests serve an MCP server on it)."""
    return free_port()


@pytest.fixture(scope="session")
def lib(tmp_path_factory: pytest.TempPathFactory, gateway_port: int) -> Iterator[ModuleType]:
    """The rendered package, imported under a name unique to this test session."""
    root = tmp_path_factory.mktemp("agent_connection")
    module = f"t{uuid.uuid4().hex[:8]}_agent_connection"
    render_package(root, module, gateway_port)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(module)
    finally:
        sys.path.remove(str(root))


@pytest.fixture
def local_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_DEV", "true")
