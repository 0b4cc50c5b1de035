"""nxaws: wire Python agents in an Nx + uv monorepo to Amazon Bedrock AgentCore Gateway."""


def __getattr__(name: str) -> str:
    # importlib.metadata (email, zipfile, a sys.path scan) costs ~30 ms: only `nxaws --version` and `new` need it.
    if name != "__version__":
        raise AttributeError(f"module 'nxaws' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nxaws")
    except PackageNotFoundError:  # running from a source tree without installation
        return "0.0.0"
