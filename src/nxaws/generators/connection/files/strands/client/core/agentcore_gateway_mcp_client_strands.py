"""A Strands ``MCPClient`` for an AgentCore Gateway."""

from strands.tools.mcp import MCPClient
from strands.tools.mcp.mcp_agent_tool import MCPAgentTool
from strands.tools.mcp.mcp_client import ToolFilters
from strands.types import PaginatedList

from .agentcore_gateway_mcp_transport import AgentCoreGatewayMCPTransport


class AgentCoreGatewayMCPClientStrands(MCPClient):
    """An ``MCPClient`` whose ``list_tools_sync()`` returns every tool, following ``nextCursor`` pages.

    A gateway aggregates many targets and pages its tool list; the first page alone silently hides tools.
    """

    @classmethod
    def with_iam_auth(cls, gateway_url: str, region: str | None = None) -> "AgentCoreGatewayMCPClientStrands":
        """A client for a deployed gateway, SigV4-signing every call."""
        return cls(AgentCoreGatewayMCPTransport.with_iam_auth(gateway_url, region))

    @classmethod
    def without_auth(cls, gateway_url: str) -> "AgentCoreGatewayMCPClientStrands":
        """A client for the local gateway."""
        return cls(AgentCoreGatewayMCPTransport.without_auth(gateway_url))

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
