"""Shared AgentCore and runtime-configuration constructs the generated app constructs build on."""

from .agentcore_gateway import AgentCoreGateway
from .agentcore_runtime import AgentCoreRuntime, AgentRuntime, McpServerRuntime
from .gateway_waf import GatewayWebAcl
from .mcp_readiness import McpReadinessProbe
from .paths import workspace_root
from .runtime_config import RuntimeConfig
from .user_identity import GatewayIdentity, UserIdentity

__all__ = [
    "AgentCoreGateway",
    "AgentCoreRuntime",
    "AgentRuntime",
    "GatewayIdentity",
    "GatewayWebAcl",
    "McpReadinessProbe",
    "McpServerRuntime",
    "RuntimeConfig",
    "UserIdentity",
    "workspace_root",
]
