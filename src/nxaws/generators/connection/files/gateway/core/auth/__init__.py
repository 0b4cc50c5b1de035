"""``httpx.Auth`` classes for gateway calls: SigV4 signing, session-id forwarding, the local principal."""

from .local import PRINCIPAL_HEADER, LocalPrincipalAuth
from .session import SESSION_HEADER, SessionHeaderAuth, plain_auth, sigv4_auth
from .sigv4 import SigV4HTTPXAuth

__all__ = [
    "PRINCIPAL_HEADER",
    "SESSION_HEADER",
    "LocalPrincipalAuth",
    "SessionHeaderAuth",
    "SigV4HTTPXAuth",
    "plain_auth",
    "sigv4_auth",
]
