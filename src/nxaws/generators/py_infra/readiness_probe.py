"""The readiness probe script both infrastructure flavours deploy (the CDK trigger Lambda, the Terraform gateway
module's ``uv run --script``), rendered from one source."""

from __future__ import annotations

from pathlib import Path

from ...versions import pin
from ..templates import render_dir

FILES = Path(__file__).parent / "files" / "readiness_probe"


def render_readiness_probe() -> dict[str, str]:
    """``readiness_probe.py`` (botocore only, which Lambda's Python runtime has; uv installs it for Terraform)."""
    return render_dir(FILES, {"boto3": pin("boto3")})
