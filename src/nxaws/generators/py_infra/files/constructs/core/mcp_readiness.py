"""A deploy-time probe: gateway targets are created only once their MCP servers answer ``tools/list``."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Fn
from aws_cdk import aws_lambda as lambda_
from aws_cdk import triggers
from constructs import Construct

from .agentcore_runtime import McpServerRuntime

CODE = Path(__file__).with_name("readiness_probe")  # readiness_probe.py: botocore only, which Lambda provides


class McpReadinessProbe(Construct):
    """A trigger Lambda run during deployment that retries SigV4 ``initialize`` + ``tools/list`` against each
    server it waits for (up to three minutes); ``wait_for`` returns the trigger a target must depend on."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._endpoints: list[str] = []
        self.function = triggers.TriggerFunction(
            self,
            "Function",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler="readiness_probe.handler",
            code=lambda_.Code.from_asset(str(CODE)),
            timeout=Duration.minutes(4),  # also the trigger's invocation timeout; the probe gives up after 3
            environment={"PROBE_DEADLINE_SECONDS": "180"},
        )

    @property
    def trigger(self) -> triggers.Trigger:
        return self.function.trigger

    def wait_for(self, server: McpServerRuntime) -> triggers.Trigger:
        """Probe ``server`` before the trigger succeeds; the probe's role may invoke it before the trigger runs."""
        self._endpoints.append(server.invocation_url)
        self.function.add_environment("MCP_ENDPOINTS", Fn.join(",", self._endpoints))
        server.runtime.grant_invoke(self.function).apply_before(self.trigger)
        return self.trigger
