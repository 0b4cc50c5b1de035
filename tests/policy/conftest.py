"""A gateway project folder on disk: ``local-gateway.json`` with two targets and the generator's default policy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support.policies import GENERATOR_POLICIES

from nxaws.policy import PolicyEngine, load_policies, parse_settings


@pytest.fixture
def gateway(tmp_path: Path) -> Path:
    """``tmp/my-gateway`` with targets ``math`` and ``shop`` and a copy of the generator's IAM permit-all."""
    folder = tmp_path / "my-gateway"
    (folder / "policies").mkdir(parents=True)
    targets = [{"name": "math", "url": "http://127.0.0.1:1/mcp"}, {"name": "shop", "url": "http://127.0.0.1:2/mcp"}]
    (folder / "local-gateway.json").write_text(json.dumps({"name": "my-gateway", "port": 8100, "targets": targets}))
    permit_all = (GENERATOR_POLICIES / "iam/policies/permit-all.cedar").read_text()
    (folder / "policies/permit-all.cedar").write_text(permit_all)
    return folder


@pytest.fixture
def engine_for(gateway: Path) -> Callable[..., PolicyEngine]:
    """Write extra policy files into the gateway and load an engine over all of them."""

    def make(**files: str) -> PolicyEngine:
        for name, text in files.items():
            (gateway / "policies" / f"{name}.cedar").write_text(text)
        settings = parse_settings({}, path="local-gateway.json", gateway_name="my-gateway", has_policies=True)
        return PolicyEngine(load_policies(gateway / "policies", settings.values), settings.gateway_arn)

    return make
