"""Which AWS region a gateway lives in, and whether its URL may be called at all."""

import os
import re
from urllib.parse import urlsplit

_GATEWAY_HOST = re.compile(r"\.bedrock-agentcore\.([a-z0-9-]+)\.amazonaws\.com(?::\d+)?(?:/|$)")
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def region_from_gateway_url(url: str) -> str:
    """The region in ``https://<id>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp``."""
    match = _GATEWAY_HOST.search(url)
    if not match:
        raise ValueError(f"Cannot determine region from gateway URL {url}. Pass region explicitly.")
    return match.group(1)


def resolve_region(url: str) -> str:
    """The region from the gateway URL, else AWS_REGION / AWS_DEFAULT_REGION (e.g. a custom domain)."""
    try:
        return region_from_gateway_url(url)
    except ValueError:
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            return region
    raise ValueError(
        f"Cannot determine the AWS region for gateway {url}: the URL names none and neither AWS_REGION nor "
        "AWS_DEFAULT_REGION is set. Set AWS_REGION or pass region explicitly."
    )


def check_gateway_url(url: str) -> None:
    """Refuse a URL that is not HTTPS, unless it is on this machine or ``LOCAL_DEV=true``.

    Over plain HTTP the session id, the signed requests and the tools' answers would cross the network in clear.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Gateway URL {url!r} is not an http(s) URL.")
    if parts.scheme == "http" and parts.hostname not in LOCAL_HOSTS and os.environ.get("LOCAL_DEV") != "true":
        raise ValueError(
            f"Refusing to call gateway {url} over plain HTTP: use its https:// URL "
            "(plain HTTP is only for a gateway on this machine, or with LOCAL_DEV=true)."
        )
