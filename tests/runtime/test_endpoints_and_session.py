"""Region resolution and the session context of the rendered library."""

from __future__ import annotations

from types import ModuleType

import pytest

from runtime.rendered import submodule


def test_region_from_gateway_url(lib: ModuleType) -> None:
    endpoints = submodule(lib, "core.agentcore_endpoints")
    url = "https://gw-1abc.gateway.bedrock-agentcore.ap-southeast-2.amazonaws.com/mcp"
    assert endpoints.region_from_gateway_url(url) == "ap-southeast-2"
    with pytest.raises(ValueError, match="Cannot determine region from gateway URL.*Pass region explicitly"):
        endpoints.region_from_gateway_url("https://gateway.example.com/mcp")


def test_resolve_region_falls_back_to_the_environment(lib: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    endpoints = submodule(lib, "core.agentcore_endpoints")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(ValueError, match="Set AWS_REGION or pass region explicitly"):
        endpoints.resolve_region("https://gateway.example.com/mcp")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-central-1")
    assert endpoints.resolve_region("https://gateway.example.com/mcp") == "eu-central-1"
    monkeypatch.setenv("AWS_REGION", "eu-west-3")
    assert endpoints.resolve_region("https://gateway.example.com/mcp") == "eu-west-3"
    url = "https://x.gateway.bedrock-agentcore.us-west-2.amazonaws.com/mcp"
    assert endpoints.resolve_region(url) == "us-west-2"  # the URL wins over the environment


def test_session_id_context_nests_and_resets(lib: ModuleType) -> None:
    assert lib.get_current_session_id() is None
    with lib.session_id_context("outer"):
        with lib.session_id_context("inner"):
            assert lib.get_current_session_id() == "inner"
        assert lib.get_current_session_id() == "outer"
    assert lib.get_current_session_id() is None
