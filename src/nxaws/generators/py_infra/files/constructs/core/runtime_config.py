"""Runtime configuration in AWS AppConfig: servers read it with ``RUNTIME_CONFIG_APP_ID`` at run time."""

from __future__ import annotations

from typing import Any

import jsii
from aws_cdk import CfnOutput, Duration, IResolvable, IResolveContext, Names, Stack, Stage, Token
from aws_cdk import aws_appconfig as appconfig
from aws_cdk import aws_iam as iam
from constructs import Construct

READ_ACTIONS = ["appconfig:StartConfigurationSession", "appconfig:GetLatestConfiguration"]
ENVIRONMENT = "default"


@jsii.implements(IResolvable)
class _JsonDocument:
    """A namespace's JSON, rendered at synth time so values set after the profile was made are included."""

    def __init__(self, stack: Stack, values: dict[str, Any]) -> None:
        self.stack, self.values = stack, values

    @property
    def creation_stack(self) -> list[str]:
        return []

    def resolve(self, context: IResolveContext) -> Any:
        return context.resolve(self.stack.to_json_string(self.values))

    def to_string(self) -> str:
        return Token.as_string(self)


class RuntimeConfig(Construct):
    """One per stage (or app): an AppConfig application, environment ``default``, one profile per namespace."""

    @classmethod
    def of(cls, scope: Construct) -> RuntimeConfig:
        """The stage's runtime configuration, created in the stack of the first construct that asks."""
        stage = Stage.of(scope) or scope.node.root
        existing = getattr(stage, "_runtime_config", None)
        if existing is None:
            existing = cls(Stack.of(scope), "RuntimeConfig")
            stage._runtime_config = existing  # type: ignore[attr-defined]
        return existing

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self._namespaces: dict[str, dict[str, Any]] = {}
        self._deployments: list[Construct] = []
        self.application = appconfig.Application(
            self, "Application", application_name=Names.unique_resource_name(self, max_length=64, separator="-")
        )
        self.environment = self.application.add_environment("Environment", environment_name=ENVIRONMENT)
        self._strategy = appconfig.DeploymentStrategy(
            self,
            "Instant",
            rollout_strategy=appconfig.RolloutStrategy.linear(
                growth_factor=100, deployment_duration=Duration.minutes(0), final_bake_time=Duration.minutes(0)
            ),
        )
        CfnOutput(Stack.of(self), "RuntimeConfigApplicationId", value=self.application_id)

    @property
    def application_id(self) -> str:
        return self.application.application_id

    def set(self, namespace: str, key: str, value: Any) -> None:
        """Set ``namespace.key``; a dict merges into a dict already there (each gateway adds its own entry)."""
        values = self._namespaces.get(namespace)
        if values is None:
            values = self._namespaces[namespace] = {}
            self._add_profile(namespace, values)
        current = values.get(key)
        values[key] = {**current, **value} if isinstance(current, dict) and isinstance(value, dict) else value

    def get(self, namespace: str) -> dict[str, Any]:
        return dict(self._namespaces.get(namespace, {}))

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """Let ``grantee`` read every profile of this application (what the Python runtime-config reader does)."""
        arn = Stack.of(self).format_arn(
            service="appconfig", resource="application", resource_name=f"{self.application_id}/*"
        )
        return iam.Grant.add_to_principal(grantee=grantee, actions=READ_ACTIONS, resource_arns=[arn])

    def _add_profile(self, namespace: str, values: dict[str, Any]) -> None:
        content = _JsonDocument(Stack.of(self), values).to_string()
        profile = appconfig.HostedConfiguration(
            self,
            f"Profile-{namespace}",
            application=self.application,
            name=namespace,
            content=appconfig.ConfigurationContent.from_inline_json(content),
            deploy_to=[self.environment],
            deployment_strategy=self._strategy,
        )
        # AppConfig runs one deployment per environment at a time: chain them.
        deployments = [c for c in profile.node.find_all() if isinstance(c, appconfig.CfnDeployment)]
        for deployment in deployments:
            if self._deployments:
                deployment.node.add_dependency(self._deployments[-1])
        self._deployments += deployments
