"""A regional WAFv2 web ACL in front of a gateway: AWS's common and known-bad-inputs rule groups, logged."""

from __future__ import annotations

from aws_cdk import Names, RemovalPolicy, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


def _managed_rule(
    name: str, priority: int, group: str, metric: str, counted: tuple[str, ...] = ()
) -> wafv2.CfnWebACL.RuleProperty:
    """A rule running the AWS managed rule group ``group``, its ``counted`` rules only counting matches."""
    count = wafv2.CfnWebACL.RuleActionProperty(count={})
    overrides = [wafv2.CfnWebACL.RuleActionOverrideProperty(name=rule, action_to_use=count) for rule in counted]
    statement = wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
        name=group, vendor_name="AWS", rule_action_overrides=overrides or None
    )
    return wafv2.CfnWebACL.RuleProperty(
        name=name,
        priority=priority,
        statement=wafv2.CfnWebACL.StatementProperty(managed_rule_group_statement=statement),
        override_action=wafv2.CfnWebACL.OverrideActionProperty(none={}),
        visibility_config=_visibility(metric),
    )


class GatewayWebAcl(Construct):
    """AgentCore Gateway takes only REGIONAL web ACLs. The common rule set's 8 KB body limit is counted, not
    enforced: MCP tool payloads often exceed it."""

    def __init__(self, scope: Construct, construct_id: str, *, gateway_arn: str) -> None:
        super().__init__(scope, construct_id)
        prefix = Names.unique_resource_name(self, max_length=40)
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            scope="REGIONAL",
            visibility_config=_visibility(f"{prefix}WebAcl"),
            rules=[
                _managed_rule(
                    "CRSRule", 0, "AWSManagedRulesCommonRuleSet", f"{prefix}-CRS", counted=("SizeRestrictions_BODY",)
                ),
                _managed_rule(
                    "KnownBadInputsRule", 1, "AWSManagedRulesKnownBadInputsRuleSet", f"{prefix}-KnownBadInputs"
                ),
            ],
        )
        self.association = wafv2.CfnWebACLAssociation(
            self, "Association", resource_arn=gateway_arn, web_acl_arn=self.web_acl.attr_arn
        )
        key = kms.Key(self, "LogsKey", enable_key_rotation=True, removal_policy=RemovalPolicy.DESTROY)
        key.grant_encrypt_decrypt(iam.ServicePrincipal(f"logs.{Stack.of(self).region}.amazonaws.com"))
        # WAF logs only to log groups named aws-waf-logs-*; the name is fixed, so the group goes with the stack.
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=f"aws-waf-logs-{prefix}-{self.node.addr[-8:]}",
            retention=logs.RetentionDays.ONE_YEAR,
            encryption_key=key,
            removal_policy=RemovalPolicy.DESTROY,
        )
        wafv2.CfnLoggingConfiguration(
            self, "Logging", resource_arn=self.web_acl.attr_arn, log_destination_configs=[self.log_group.log_group_arn]
        )
