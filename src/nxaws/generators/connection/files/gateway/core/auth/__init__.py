"""``httpx.Auth`` classes for gateway calls: SigV4 signing and session-id forwarding."""

from .session import SESSION_HEADER, SessionHeaderAuth
from .sigv4 import SigV4HTTPXAuth

__all__ = ["SESSION_HEADER", "SessionHeaderAuth", "SigV4HTTPXAuth"]
