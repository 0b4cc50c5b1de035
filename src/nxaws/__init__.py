"""nxaws: wire Python agents in an Nx + uv monorepo to Amazon Bedrock AgentCore Gateway."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nxaws")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0"
