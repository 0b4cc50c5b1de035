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

from nxaws.local_bedrock import LocalBedrock, serving_bedrock
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


@pytest.fixture(scope="session")
def bedrock_server() -> Iterator[LocalBedrock]:
    with serving_bedrock() as server:
        yield server


@pytest.fixture
def bedrock(bedrock_server: LocalBedrock, monkeypatch: pytest.MonkeyPatch) -> LocalBedrock:
    """The stand-in with its built-in script and nothing recorded; this process's boto3 points at it."""
    bedrock_server.use_script(None)
    bedrock_server.clear()
    for name, value in bedrock_server.client_env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    return bedrock_server


@pytest.fixture
def local_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOCAL_DEV", "true")
