"""AgentCore Runtimes built from a component's Dockerfile (the workspace root is the build context)."""

from __future__ import annotations

from collections.abc import Mapping

import jsii
from aws_cdk import Fn, Names, Stack
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_iam as iam
from aws_cdk.aws_ecr_assets import Platform
from constructs import Construct

from .paths import workspace_root
from .runtime_config import RuntimeConfig

# Kept out of the Docker build context (and of the asset copy synth makes).
CONTEXT_EXCLUDES = ["**/.venv", "**/node_modules", "**/cdk.out", "**/dist", "**/.git", "**/.nx", "**/__pycache__",
                    "tmp"]  # fmt: skip
MODEL_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


@jsii.implements(iam.IGrantable)
class AgentCoreRuntime(Construct):
    """A runtime that reads runtime config (``RUNTIME_CONFIG_APP_ID``) and registers its ARN there."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        class_name: str,
        dockerfile: str,
        protocol: agentcore.ProtocolType,
        environment: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        config = RuntimeConfig.of(self)
        artifact = agentcore.AgentRuntimeArtifact.from_asset(
            str(workspace_root()), file=dockerfile, platform=Platform.LINUX_ARM64, exclude=CONTEXT_EXCLUDES
        )
        self.runtime = agentcore.Runtime(
            self,
            "Runtime",
            runtime_name=Names.unique_resource_name(self, max_length=48, separator="_"),
            agent_runtime_artifact=artifact,
            protocol_configuration=protocol,
            environment_variables={"RUNTIME_CONFIG_APP_ID": config.application_id, **(environment or {})},
        )
        config.grant_read(self.runtime)
        config.set("agentcore", "agentRuntimes", {class_name: {"arn": self.runtime.agent_runtime_arn}})

    @property
    def grant_principal(self) -> iam.IPrincipal:
        return self.runtime.grant_principal

    @property
    def agent_runtime_arn(self) -> str:
        return self.runtime.agent_runtime_arn


class AgentRuntime(AgentCoreRuntime):
    """An HTTP agent that may call Bedrock models; ``gateway.grant_invoke_access(agent)`` grants its role."""

    def __init__(self, scope: Construct, construct_id: str, *, class_name: str, dockerfile: str) -> None:
        super().__init__(
            scope, construct_id, class_name=class_name, dockerfile=dockerfile, protocol=agentcore.ProtocolType.HTTP
        )
        account = Stack.of(self).account
        self.runtime.add_to_role_policy(
            iam.PolicyStatement(
                actions=MODEL_ACTIONS,
                resources=["arn:aws:bedrock:*::foundation-model/*", f"arn:aws:bedrock:*:{account}:inference-profile/*"],
            )
        )

    def grant_invoke_access(self, grantee: iam.IGrantable) -> iam.Grant:
        return self.runtime.grant_invoke(grantee)


class McpServerRuntime(AgentCoreRuntime):
    """An MCP server runtime a gateway can target (``gateway.add_mcp_server(server)``)."""

    def __init__(
        self, scope: Construct, construct_id: str, *, class_name: str, dockerfile: str, mcp_server_name: str
    ) -> None:
        super().__init__(
            scope, construct_id, class_name=class_name, dockerfile=dockerfile, protocol=agentcore.ProtocolType.MCP
        )
        self.mcp_server_name = mcp_server_name

    @property
    def invocation_url(self) -> str:
        """The runtime's HTTPS invocation URL; the ARN is URL-encoded (``:`` → %3A, ``/`` → %2F)."""
        colons = Fn.join("%3A", Fn.split(":", self.agent_runtime_arn))
        encoded = Fn.join("%2F", Fn.split("/", colons))
        region = Stack.of(self).region
        return f"https://bedrock-agentcore.{region}.amazonaws.com/runtimes/{encoded}/invocations?qualifier=DEFAULT"
