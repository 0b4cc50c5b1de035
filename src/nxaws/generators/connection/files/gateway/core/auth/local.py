"""Who the agent is to the local gateway: its ``<agent>-dev`` target's ``NXAWS_LOCAL_PRINCIPAL``.

The local gateway evaluates the gateway's Cedar policies for this principal, so policies that tell agents apart
behave locally as deployed (where the agent's execution role signs its calls instead).
"""

import os
from collections.abc import Generator

import httpx

PRINCIPAL_ENV = "NXAWS_LOCAL_PRINCIPAL"
PRINCIPAL_HEADER = "X-Nxaws-Principal"


class LocalPrincipalAuth(httpx.Auth):
    """Stamp the local principal (when set), then hand the request to ``inner``."""

    def __init__(self, inner: httpx.Auth | None = None) -> None:
        self._inner = inner
        self.requires_request_body = bool(inner and inner.requires_request_body)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        principal = os.environ.get(PRINCIPAL_ENV)
        if principal:
            request.headers[PRINCIPAL_HEADER] = principal
        if self._inner is None:
            yield request
        else:
            yield from self._inner.auth_flow(request)
