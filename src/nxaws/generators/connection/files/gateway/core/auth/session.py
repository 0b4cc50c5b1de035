"""Forward the AgentCore runtime session id on every gateway request."""

from collections.abc import Generator

import httpx
from botocore.credentials import Credentials

from ..session_context import get_current_session_id
from .local import LocalPrincipalAuth
from .sigv4 import SERVICE, SigV4HTTPXAuth

SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


class SessionHeaderAuth(httpx.Auth):
    """Stamp the current session id, then hand the request to ``inner`` (which may sign it).

    The header is set first so that a signing ``inner`` covers it: a gateway can then trust it.
    """

    requires_request_body = True

    def __init__(self, inner: httpx.Auth | None = None) -> None:
        self._inner = inner
        self.requires_response_body = bool(inner and inner.requires_response_body)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        session_id = get_current_session_id()
        if session_id:
            request.headers[SESSION_HEADER] = session_id
        if self._inner is None:
            yield request
        else:
            yield from self._inner.auth_flow(request)


def sigv4_auth(credentials: Credentials | None, region: str, service: str = SERVICE) -> httpx.Auth:
    """Session-forwarding SigV4 auth; ``None`` credentials come from the boto3 default chain."""
    return SessionHeaderAuth(SigV4HTTPXAuth(credentials, service, region))


def plain_auth() -> httpx.Auth:
    """Session-forwarding auth without signing, for the local gateway (with ``NXAWS_LOCAL_PRINCIPAL`` when set)."""
    return LocalPrincipalAuth(SessionHeaderAuth())
