"""Who may talk to the local gateway: local Hosts and Origins only, and in IAM mode a valid SigV4 signature.

The MCP transport spec requires local servers to check ``Host``/``Origin`` against DNS rebinding (a web
page on evil.example resolving its name to 127.0.0.1). The IAM check stands in for the deployed
gateway's authorizer so the signed path can be exercised end to end on one machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..sigv4 import SigV4Error, verify_sigv4
from ..workspace.errors import UserError

LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class Rejected(Exception):
    """A request refused before any JSON-RPC handling; ``status`` and a short, secret-free ``reason``."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class LocalOnly:
    """Accept requests whose ``Host`` (and ``Origin``, when present) names this machine.

    ``Host`` is parsed as ``host[:port]`` and nothing else, so URL syntax cannot smuggle another name past
    the check (``evil.example@127.0.0.1``, ``127.0.0.1/evil``); ``Origin`` as ``scheme://host[:port]``.
    """

    def __init__(self, extra_hosts: Iterable[str] = ()) -> None:
        self.hosts = LOCAL_HOSTS | {h.lower().strip("[]") for h in extra_hosts if h not in ("0.0.0.0", "::", "")}

    def check(self, headers: Mapping[str, str]) -> None:
        host = _HOST.fullmatch(headers.get("host", ""))
        if host is None or _name(host) not in self.hosts:
            raise Rejected(421, "Invalid Host header: this local gateway only answers local requests")
        origin = headers.get("origin")
        if origin is not None:
            parsed = _ORIGIN.fullmatch(origin)
            if parsed is None or _name(parsed) not in self.hosts:
                raise Rejected(403, "Invalid Origin header: this local gateway only answers local pages")


_HOST_PORT = r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<name>[A-Za-z0-9.-]+))(?::[0-9]{1,5})?"
_HOST = re.compile(_HOST_PORT)
_ORIGIN = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://" + _HOST_PORT)


def _name(match: re.Match[str]) -> str:
    return (match["v6"] or match["name"]).lower()


@dataclass(frozen=True, repr=False)
class IamAuth:
    """Verify SigV4 (service ``bedrock-agentcore``) against the one set of credentials allowed to call."""

    access_key: str
    secret_key: str
    region: str
    token: str | None = None

    @classmethod
    def from_environment(cls, region: str, profile: str | None = None) -> IamAuth:
        """The caller allowed in: the credentials botocore resolves (env vars, then profile), read once."""
        import botocore.exceptions
        import botocore.session

        try:
            credentials = botocore.session.Session(profile=profile).get_credentials()
        except botocore.exceptions.BotoCoreError as exc:
            raise UserError(f"--auth iam could not resolve AWS credentials: {exc}") from None
        if credentials is None:
            raise UserError(
                "--auth iam needs AWS credentials to verify callers against: set AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE."
            )
        frozen = credentials.get_frozen_credentials()
        return cls(frozen.access_key, frozen.secret_key, region, frozen.token)

    def verify(self, *, method: str, url: str, headers: Mapping[str, str], body: bytes) -> str:
        """The verified caller's access key; ``Rejected(403)`` with a short reason otherwise."""
        try:
            verified = verify_sigv4(
                method=method,
                url=url,
                headers=headers,
                body=body,
                secret_for=self._secret_for,
                region=self.region,
            )
        except SigV4Error as exc:
            raise Rejected(403, f"Forbidden: {exc}") from None
        if self.token and headers.get("x-amz-security-token") != self.token:
            raise Rejected(403, "Forbidden: security token does not match the allowed credentials")
        return verified.access_key

    def _secret_for(self, access_key: str) -> str | None:
        return self.secret_key if access_key == self.access_key else None

    def __repr__(self) -> str:  # never show the secret, even in a traceback
        return f"IamAuth(access_key={self.access_key!r}, region={self.region!r})"
