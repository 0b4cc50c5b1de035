"""Transport factories for an AgentCore Gateway's MCP endpoint."""

from .agentcore_endpoints import resolve_region
from .agentcore_transport import GatewayOptions, TransportFactory, no_auth_transport, sigv4_transport


class AgentCoreGatewayMCPTransport:
    """Pick the transport for a deployed (IAM) or local (unauthenticated) gateway."""

    @staticmethod
    def with_iam_auth(
        gateway_url: str, region: str | None = None, options: GatewayOptions | None = None
    ) -> TransportFactory:
        """SigV4-signed calls; the region comes from the URL (or the environment) unless given."""
        return sigv4_transport(gateway_url, region or resolve_region(gateway_url), options=options)

    @staticmethod
    def without_auth(gateway_url: str, options: GatewayOptions | None = None) -> TransportFactory:
        """Unsigned calls, as the local gateway expects."""
        return no_auth_transport(gateway_url, options)
