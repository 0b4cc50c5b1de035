"""A Strands ``MCPClient`` for an AgentCore Gateway."""

import math

from strands.tools.mcp import MCPClient
from strands.tools.mcp.mcp_agent_tool import MCPAgentTool
from strands.tools.mcp.mcp_client import ToolFilters
from strands.types import PaginatedList
from strands.types.exceptions import MCPClientInitializationError

from .agentcore_gateway_mcp_transport import AgentCoreGatewayMCPTransport
from .agentcore_transport import GatewayError, GatewayOptions, TransportFactory


class AgentCoreGatewayMCPClientStrands(MCPClient):
    """An ``MCPClient`` whose ``list_tools_sync()`` returns every tool, following ``nextCursor`` pages.

    A gateway aggregates many targets and pages its tool list; the first page alone silently hides tools.
    A gateway that cannot be reached, does not answer in time or refuses the handshake fails ``start()`` (and
    ``with``) with one ``GatewayError`` naming it.
    """

    def __init__(self, transport: TransportFactory, gateway_url: str, options: GatewayOptions | None = None) -> None:
        timeout = (options or GatewayOptions()).http_timeout()
        # Strands gives up on the handshake after startup_timeout: later than our own timeouts, which say more.
        startup = math.ceil((timeout.connect or 0) + (timeout.read or 0)) + 5
        super().__init__(transport, startup_timeout=startup)
        self.gateway_url = gateway_url

    @classmethod
    def with_iam_auth(
        cls, gateway_url: str, region: str | None = None, options: GatewayOptions | None = None
    ) -> "AgentCoreGatewayMCPClientStrands":
        """A client for a deployed gateway, SigV4-signing every call."""
        return cls(AgentCoreGatewayMCPTransport.with_iam_auth(gateway_url, region, options), gateway_url, options)

    @classmethod
    def without_auth(
        cls, gateway_url: str, options: GatewayOptions | None = None
    ) -> "AgentCoreGatewayMCPClientStrands":
        """A client for the local gateway."""
        return cls(AgentCoreGatewayMCPTransport.without_auth(gateway_url, options), gateway_url, options)

    def start(self) -> "AgentCoreGatewayMCPClientStrands":
        try:
            super().start()
        except MCPClientInitializationError as error:
            if isinstance(error.__cause__, GatewayError):
                raise error.__cause__ from None
            raise GatewayError(self.gateway_url, "did not start an MCP session", str(error)) from error
        return self

    def list_tools_sync(
        self,
        pagination_token: str | None = None,
        prefix: str | None = None,
        tool_filters: ToolFilters | None = None,
    ) -> PaginatedList[MCPAgentTool]:
        """One page when ``pagination_token`` is given, otherwise all of them."""
        if pagination_token is not None:
            return super().list_tools_sync(pagination_token, prefix, tool_filters)
        tools: list[MCPAgentTool] = []
        seen: set[str] = set()
        token: str | None = None
        while True:
            page = super().list_tools_sync(token, prefix, tool_filters)
            tools.extend(page)
            token = page.pagination_token
            if not token or token in seen:  # a server repeating a cursor would otherwise loop forever
                return PaginatedList(tools)
            seen.add(token)
