"""Principals and Cedar policies the policy tests share (engine, CLI, and the gateway that enforces them)."""

from __future__ import annotations

from pathlib import Path

GENERATOR_POLICIES = Path(__file__).parents[2] / "src/nxaws/generators/agentcore_gateway/files/cedar"
ACCOUNT = "123456789012"
AGENT_A = f"arn:aws:iam::{ACCOUNT}:role/AgentA"
AGENT_B = f"arn:aws:iam::{ACCOUNT}:role/AgentB"
OTHER_ACCOUNT = "arn:aws:iam::999999999999:role/AgentA"  # AgentA's name in another account
FORBID_B_DELETE = f"""// AgentB may not delete.
forbid (
  principal == AgentCore::IamEntity::"{AGENT_B}",
  action == AgentCore::Action::"shop___delete",
  resource
);
"""
FORBID_BIG_REFUNDS = """forbid (principal, action == AgentCore::Action::"shop___refund", resource)
when { context.input.amount > 100 };
"""
