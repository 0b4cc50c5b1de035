"""An MCP AgentCore Gateway (IAM auth unless told otherwise) with Cedar policies from a folder of ``*.cedar`` files,
a WAF web ACL, and MCP server targets created once their servers answer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

from aws_cdk import Names, Stack
from aws_cdk import aws_bedrockagentcore as agentcore
from aws_cdk import aws_iam as iam
from constructs import Construct

from .agentcore_runtime import McpServerRuntime
from .gateway_waf import GatewayWebAcl
from .mcp_readiness import McpReadinessProbe
from .runtime_config import RuntimeConfig

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class AgentCoreGateway(Construct):
    """Registers its URL at ``agentcore.gateways.<class_name>`` in runtime config."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        class_name: str,
        policies_dir: Path | None,
        authorizer: agentcore.IGatewayAuthorizerConfig | None = None,
        enable_waf: bool = True,
    ) -> None:
        """``authorizer`` defaults to AWS IAM (SigV4); pass ``GatewayAuthorizer.using_cognito(...)`` for JWTs.
        ``enable_waf`` puts a regional WAFv2 web ACL (AWS managed rule groups, logged) in front of the gateway."""
        super().__init__(scope, construct_id)
        files = sorted(policies_dir.glob("*.cedar")) if policies_dir and policies_dir.is_dir() else []
        self.policy_engine = (
            agentcore.PolicyEngine(
                self, "PolicyEngine", policy_engine_name=Names.unique_resource_name(self, max_length=48, separator="_")
            )
            if files
            else None
        )
        self.gateway = agentcore.Gateway(
            self,
            "Gateway",
            gateway_name=Names.unique_resource_name(self, max_length=39, separator="-"),
            protocol_configuration=agentcore.GatewayProtocol.mcp(
                search_type=agentcore.McpGatewaySearchType.SEMANTIC,
                supported_versions=[agentcore.MCPProtocolVersion.MCP_2025_03_26],
            ),
            authorizer_configuration=authorizer or agentcore.GatewayAuthorizer.using_aws_iam(),
            policy_engine_configuration=agentcore.GatewayPolicyEngineConfig(
                policy_engine=self.policy_engine, mode=agentcore.PolicyEngineMode.ENFORCE
            )
            if self.policy_engine
            else None,
        )
        self.policies = [self._add_policy(path) for path in files]
        self.waf = GatewayWebAcl(self, "Waf", gateway_arn=self.gateway.gateway_arn) if enable_waf else None
        self._readiness: McpReadinessProbe | None = None
        RuntimeConfig.of(self).set("agentcore", "gateways", {class_name: self.gateway.gateway_url})

    @property
    def gateway_arn(self) -> str:
        return self.gateway.gateway_arn

    @property
    def gateway_url(self) -> str:
        return self.gateway.gateway_url or ""

    def grant_invoke_access(self, grantee: iam.IGrantable) -> iam.Grant:
        """Allow ``grantee`` (an agent runtime, a role, ...) ``bedrock-agentcore:InvokeGateway`` on this gateway."""
        return self.gateway.grant_invoke(grantee)

    def add_mcp_server(self, server: McpServerRuntime, *, target_name: str | None = None) -> agentcore.GatewayTarget:
        """Expose the server's tools as ``<target_name>___<tool>``; the gateway role may invoke the runtime."""
        name = target_name or server.mcp_server_name
        target = self.gateway.add_mcp_server_target(
            f"Target-{name}",
            gateway_target_name=name,
            endpoint=server.invocation_url,
            credential_provider_configurations=[
                agentcore.GatewayCredentialProvider.from_iam_role(
                    service="bedrock-agentcore", region=Stack.of(self).region
                )
            ],
        )
        server.runtime.grant_invoke(self.gateway.role).apply_before(target)
        # AgentCore lists the server's tools when it creates the target: wait until the server can answer.
        self._readiness = self._readiness or McpReadinessProbe(self, "McpReadiness")
        target.node.add_dependency(self._readiness.wait_for(server))
        for policy in self.policies:  # Cedar validates actions against the targets' tools.
            policy.node.add_dependency(target)
        return target

    def _add_policy(self, path: Path) -> agentcore.Policy:
        assert self.policy_engine is not None
        values = {"gateway_arn": self.gateway.gateway_arn, "account_id": Stack.of(self).account}

        def fill(match: re.Match[str]) -> str:
            if match.group(1) not in values:
                raise ValueError(f"{path}: unknown placeholder {match.group(0)} (known: {', '.join(values)})")
            return values[match.group(1)]

        policy = self.policy_engine.add_policy(
            f"Policy-{path.stem}",
            statement=agentcore.PolicyStatement.from_cedar(_PLACEHOLDER.sub(fill, path.read_text())),
            validation_mode=agentcore.PolicyValidationMode.IGNORE_ALL_FINDINGS,
        )
        # Policy names are unique per account and region, so two gateways' permit-all.cedar must not clash: the
        # name comes from the construct path (letters and digits, a hash, at most 48), as the TypeScript plugin does.
        name = Names.unique_resource_name(policy, max_length=48)
        cast(agentcore.CfnPolicy, policy.node.default_child).name = name if name[:1].isalpha() else f"P{name[:47]}"
        return policy
