"""Which AWS region a gateway lives in: from its URL, else from the environment."""

import os
import re

_GATEWAY_HOST = re.compile(r"\.bedrock-agentcore\.([a-z0-9-]+)\.amazonaws\.com(?::\d+)?(?:/|$)")


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
