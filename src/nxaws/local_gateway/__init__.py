"""``nxaws local-gateway``: a local stand-in for an AgentCore Gateway, aggregating MCP servers on ``/mcp``."""

from .asgi import GatewayApp, create_app
from .cli import main
from .config import ConfigError, GatewayConfig, Target, load_config
from .security import IamAuth

__all__ = [
    "ConfigError",
    "GatewayApp",
    "GatewayConfig",
    "IamAuth",
    "Target",
    "create_app",
    "load_config",
    "main",
]
