"""Everything the application deploys. nxaws adds a line per agent, MCP server and gateway; add your own."""

from typing import Any

from aws_cdk import Stack
from constructs import Construct


class ApplicationStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
