"""The one table of third-party versions that generated workspaces pin.

strands-agents caps ``mcp<2.2`` and langchain-mcp-adapters 0.3.2 needs ``mcp<2``; langchain 1.5 needs a
certifi newer than the index serves. This set resolves together (``tests/test_versions.py`` proves it
with ``uv lock``).
"""

PY_VERSIONS: dict[str, str] = {
    "aws-cdk-lib": "2.275.0",
    "aws-lambda-powertools": "3.37.0",
    "bedrock-agentcore": "1.25.0",
    "boto3": "1.44.5",
    "cedarpy": "4.12.2",  # nxaws's own runtime dependency too (pyproject.toml): `nxaws policy`, the local gateway
    "constructs": "10.8.1",
    "fastapi": "0.163.2",
    "httpx": "0.28.1",
    "langchain": "1.4.7",
    "langchain-aws": "1.9.1",
    "langchain-mcp-adapters": "0.3.2",
    "langgraph": "1.2.22",
    "mcp": "1.30.0",
    "pytest": "9.2.0",
    "ruff": "0.17.6",
    "strands-agents": "1.62.0",
    "strands-agents-tools": "0.8.10",
    "uvicorn": "0.54.0",
}

NPM_VERSIONS: dict[str, str] = {
    "nx": "24.0.6",
    "@modelcontextprotocol/inspector": "2.12.0",
    "aws-cdk": "2.1148.1",
    "smol-toml": "1.9.0",  # the Nx plugin's graph.js reads pyproject.toml with it; nx 24.0.6's own, so one copy
    "@nxlv/python": "23.0.0",  # only in tests: TypeScript-plugin workspaces use it (upstream pins 23.0.0)
    "@nx/devkit": "24.0.0",  # @nxlv/python's peer dependency (the newest the registry has; peer nx >=23 <=25)
    "pyright": "1.1.414",  # the type checker generated code is held to (tests/e2e/test_typing.py)
}


def pin(name: str) -> str:
    """``name==version`` for a package in the table; ``name`` may carry extras (``fastapi[standard]``)."""
    base = name.split("[", 1)[0]
    try:
        return f"{name}=={PY_VERSIONS[base]}"
    except KeyError:
        raise KeyError(f"Undeclared py dependency: {base} (add it to nxaws.versions.PY_VERSIONS)") from None
