"""Shared AgentCore and runtime-configuration constructs the generated app constructs build on."""

from .agentcore_gateway import AgentCoreGateway
from .agentcore_runtime import AgentCoreRuntime, AgentRuntime, McpServerRuntime
from .paths import workspace_root
from .runtime_config import RuntimeConfig

__all__ = ["AgentCoreGateway", "AgentCoreRuntime", "AgentRuntime", "McpServerRuntime", "RuntimeConfig", "workspace_root"]
