"""An independent AWS Signature Version 4 verifier (hashlib/hmac only, no botocore).

Written from the SigV4 specification so it can check botocore's signer rather than agree with it
by construction. It is what the local gateway's IAM mode and the deployed-path tests put in front
of an MCP app. Where the specification leaves room, it follows what AWS services accept from
botocore for non-S3 services: the path is normalised and URI-encoded once more (so an already
percent-encoded path ends up encoded twice) and the raw query pairs are sorted without re-encoding.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlsplit

ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH_RE = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<key>[^/\s]+)/(?P<date>\d{8})/(?P<region>[^/\s]+)/"
    r"(?P<service>[^/\s]+)/aws4_request,\s*SignedHeaders=(?P<signed>[^,\s]+),\s*"
    r"Signature=(?P<signature>[0-9a-f]{64})$"
)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"


class SigV4Error(Exception):
    """A request failed verification; ``str(e)`` is a short reason fit for a 403 body."""


@dataclass(frozen=True)
class VerifiedRequest:
    """Who signed an accepted request and what the signature covers."""

    access_key: str
    region: str
    service: str
    signed_headers: tuple[str, ...]


def verify_sigv4(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Callable[[str], str | None],
    region: str,
    service: str = "bedrock-agentcore",
    now: datetime | None = None,
    max_skew: timedelta = timedelta(minutes=5),
) -> VerifiedRequest:
    """Check a received request's SigV4 ``Authorization``; raise ``SigV4Error`` when it does not hold.

    ``url`` must be rebuilt from the received scheme, ``Host`` header, raw path and raw query: the
    signer signed what it sent, not what this server binds to.
    """
    received = _lowercase_headers(headers)
    match = _AUTH_RE.match(received.get("authorization", "").strip())
    if not match:
        raise SigV4Error("missing or malformed Authorization header")
    if match["region"] != region:
        raise SigV4Error("credential scope region mismatch")
    if match["service"] != service:
        raise SigV4Error("credential scope service mismatch")
    amz_date = _check_date(received, match["date"], now or datetime.now(UTC), max_skew)
    signed = _check_signed_headers(received, match["signed"])
    payload_hash = _payload_hash(received, signed, body)
    secret = secret_for(match["key"])
    if secret is None:
        raise SigV4Error("unknown access key")

    canonical = _canonical_request(method, url, received, signed, payload_hash)
    scope = f"{match['date']}/{region}/{service}/aws4_request"
    string_to_sign = "\n".join([ALGORITHM, amz_date, scope, _sha256_hex(canonical.encode())])
    expected = _hmac(_signing_key(secret, match["date"], region, service), string_to_sign).hex()
    if not hmac.compare_digest(expected, match["signature"]):
        raise SigV4Error("signature mismatch")
    return VerifiedRequest(match["key"], region, service, signed)


def _lowercase_headers(headers: Mapping[str, str]) -> dict[str, str]:
    # Repeated headers (e.g. from a multi-dict's items()) canonicalise as their values joined by commas.
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def _check_date(received: dict[str, str], scope_date: str, now: datetime, max_skew: timedelta) -> str:
    amz_date = received.get("x-amz-date")
    if not amz_date:
        raise SigV4Error("missing x-amz-date header")
    try:
        signed_at = datetime.strptime(amz_date, _AMZ_DATE).replace(tzinfo=UTC)
    except ValueError:
        raise SigV4Error("malformed x-amz-date header") from None
    if amz_date[:8] != scope_date:
        raise SigV4Error("credential scope date does not match x-amz-date")
    if abs(now - signed_at) > max_skew:
        raise SigV4Error("request expired or signed too far in the future")
    return amz_date


def _check_signed_headers(received: dict[str, str], signed_list: str) -> tuple[str, ...]:
    signed = tuple(signed_list.split(";"))
    if list(signed) != sorted(set(signed)) or any(name != name.lower() for name in signed):
        raise SigV4Error("malformed SignedHeaders")
    for required in ("host", "x-amz-date"):
        if required not in signed:
            raise SigV4Error(f"{required} is not a signed header")
    if "x-amz-security-token" in received and "x-amz-security-token" not in signed:
        raise SigV4Error("x-amz-security-token is not a signed header")
    missing = [name for name in signed if name not in received]
    if missing:
        raise SigV4Error(f"signed header missing: {missing[0]}")
    return signed


def _payload_hash(received: dict[str, str], signed: tuple[str, ...], body: bytes) -> str:
    # Always hash the body ourselves: a claimed x-amz-content-sha256 would let a tampered body through.
    computed = _sha256_hex(body)
    claimed = received.get("x-amz-content-sha256")
    if claimed is not None and "x-amz-content-sha256" in signed and claimed != computed:
        raise SigV4Error("body does not match x-amz-content-sha256")
    return computed


def _canonical_request(
    method: str, url: str, received: dict[str, str], signed: tuple[str, ...], payload_hash: str
) -> str:
    parts = urlsplit(url)
    header_lines = "".join(f"{name}:{' '.join(received[name].split())}\n" for name in signed)
    return "\n".join(
        [
            method.upper(),
            _canonical_path(parts.path),
            _canonical_query(parts.query),
            header_lines,
            ";".join(signed),
            payload_hash,
        ]
    )


def _canonical_path(raw_path: str) -> str:
    # Non-S3 services: drop dot segments and empty segments, then URI-encode the (already encoded) path.
    segments: list[str] = []
    for segment in raw_path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    path = "/" + "/".join(segments)
    if raw_path.endswith("/") and segments:
        path += "/"
    return quote(path, safe="/~")


def _canonical_query(raw_query: str) -> str:
    # Query pairs arrive already encoded; they are sorted by key, then value, and signed as sent.
    if not raw_query:
        return ""
    pairs = sorted(pair.partition("=")[::2] for pair in raw_query.split("&"))
    return "&".join(f"{key}={value}" for key, value in pairs)


def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = _hmac(key, part)
    return key


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def _sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
