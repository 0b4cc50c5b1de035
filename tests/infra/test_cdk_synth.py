"""The generated CDK app synthesises, and aws_cdk.assertions (run in the workspace's own environment) agree."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from infra.conftest import JSII_ENV, run

CHECKS = Path(__file__).with_name("ws_template_checks.py")


def test_synthesised_stack_passes_the_assertions(synth_ws: dict) -> None:
    ws = synth_ws["ws"]
    assert synth_ws["stack"].endswith(  # each wiring line right after the constructs it uses
        "        self.my_gateway = MyGateway(self)\n"
        "        self.agents_agent = AgentsAgent(self)\n"
        "        self.my_gateway.grant_invoke_access(self.agents_agent)\n"
        "        self.agents_mcp_server = AgentsMcpServer(self)\n"
        "        self.my_gateway.add_mcp_server(self.agents_mcp_server)\n"
        "        self.second_gateway = SecondGateway(self)\n"
    )
    target = ws / ".checks" / "test_synthesised_stack.py"
    target.parent.mkdir(exist_ok=True)
    shutil.copy(CHECKS, target)
    env = JSII_ENV | {"CDK_OUT": str(ws / "packages/infra/cdk.out")}
    out = run(["uv", "run", "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target)],
              cwd=ws / "packages/infra", timeout=600, env=env)  # fmt: skip
    assert re.search(r"\b9 passed\b", out), out
    print(f"synth took {synth_ws['synth_seconds']:.1f}s")


def test_generated_infra_code_passes_ruff(synth_ws: dict) -> None:
    ws = synth_ws["ws"]
    for project in ("packages/infra", "packages/common/constructs"):
        run(["uv", "run", "ruff", "check", project], cwd=ws, timeout=120)
        run(["uv", "run", "ruff", "format", "--check", project], cwd=ws, timeout=120)
