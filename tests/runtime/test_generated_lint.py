"""Every rendered layer and both app clients pass ruff (lint and format) as generated projects run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nxaws import frameworks
from nxaws.generators.connection.library import FILES
from nxaws.generators.templates import render_dir
from runtime.rendered import render_package

RUFF = [sys.executable, "-m", "ruff"]
SETTINGS = ["--isolated", "--line-length", "120", "--target-version", "py311"]
# The package __init__ is written by the connection generator (re-export codemod), not by the library.
LIBRARY = ["acme_agent_connection/core", "acme_agent_connection/app"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("lint")
    files = render_package(root, "acme_agent_connection", 8100)
    assert {"app/my_gateway_client_strands.py", "app/my_gateway_client_langchain.py"} <= set(files)
    return root


def test_ruff_check(rendered: Path) -> None:
    result = subprocess.run(
        [*RUFF, "check", *SETTINGS, "--select", "E,F,UP,B,SIM,I", "--output-format", "concise", *LIBRARY],
        cwd=rendered,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format(rendered: Path) -> None:
    result = subprocess.run(
        [*RUFF, "format", *SETTINGS, "--check", "--diff", *LIBRARY],
        cwd=rendered,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_app_clients_render_the_gateway_names() -> None:
    variables = {"module": "acme_agent_connection", "gateway_snake": "my_gateway", "gateway_class": "MyGateway"}
    client_layer = frameworks.get("langchain").library_files / "client"
    text = render_dir(client_layer, {**variables, "gateway_port": 8123})["app/my_gateway_client_langchain.py"]
    assert "class MyGatewayClientLangChain:" in text
    assert '"http://localhost:8123/mcp"' in text
    assert "from acme_agent_connection.core.agentcore_gateway_mcp_client_langchain import" in text
    assert "No connected gateway named 'MyGateway' found in runtime configuration." in text
    strands = frameworks.get("strands")
    assert (strands.client_module("my_gateway"), strands.client_class("MyGateway")) == (
        ".app.my_gateway_client_strands",
        "MyGatewayClientStrands",
    )


def test_core_files_need_no_variables_and_unknown_frameworks_fail() -> None:
    layers = [FILES / "base", FILES / "gateway", *(f.library_files / "runtime" for f in frameworks.all_frameworks())]
    for layer in (folder for folder in layers if folder.is_dir()):
        files = render_dir(layer, {"module": "acme_agent_connection"})
        assert files and not any(path.startswith("app/") and path != "app/__init__.py" for path in files)
    with pytest.raises(frameworks.UnknownFramework, match="Known frameworks: strands, langchain"):
        frameworks.get("java")
