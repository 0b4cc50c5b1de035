"""What the gateway knows about the caller of one request, handed unchanged to every handler it reaches."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .limits import ReplyMeter


@dataclass(frozen=True)
class RequestContext:
    """One HTTP request's caller: its AgentCore session id, who signed it, and the claims of its token.

    ``principal`` is the verified SigV4 access key in IAM mode (``None`` otherwise); ``claims`` stays empty
    until an authorizer supplies them. ``replies`` meters a whole batch's replies together (``None``: one
    message, limited by its target's reply cap alone).
    """

    session_id: str | None = None
    principal: str | None = None
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    replies: ReplyMeter | None = None
