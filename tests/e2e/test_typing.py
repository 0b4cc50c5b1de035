"""Generated code type-checks clean with pyright (basic), as the user code built on it will be checked.

Run on the shared end-to-end workspace after ``uv sync``, so every import resolves as in a user's editor: the
agent_connection library (every layer, both frameworks' clients) and both agents. pyright comes from npm at the
pinned version (``npx -y`` fetches it on a cold cache); only its JSON report on stdout is read.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.workspaces import tool_env

from nxaws.versions import NPM_VERSIONS

pytestmark = pytest.mark.slow
CHECKED = [
    "packages/common/agent_connection/acme_agent_connection",
    "packages/agents/acme_agents",
    "packages/lcagents/acme_lcagents",
]


@pytest.mark.timeout(600)
def test_generated_library_and_agents_have_no_pyright_errors(acme: Path, tmp_path: Path) -> None:
    python = (acme / ".python-version").read_text().strip()
    config = tmp_path / "pyrightconfig.json"
    config.write_text(json.dumps({"typeCheckingMode": "basic", "pythonVersion": python}))
    command = ["npx", "-y", f"pyright@{NPM_VERSIONS['pyright']}", "--outputjson", "-p", str(config),
               "--pythonpath", str(acme / ".venv/bin/python"), *CHECKED]  # fmt: skip
    result = subprocess.run(command, cwd=acme, env=tool_env(), capture_output=True, text=True, timeout=540,
                            check=False, stdin=subprocess.DEVNULL)  # fmt: skip
    try:
        report = json.loads(result.stdout)
    except ValueError:
        pytest.fail(f"pyright printed no JSON report (exit {result.returncode}):\n{result.stdout}\n{result.stderr}")
    problems = [f"{d['file']}:{d['range']['start']['line'] + 1}: {d['message']}" for d in report["generalDiagnostics"]
                if d["severity"] == "error"]  # fmt: skip
    assert problems == [], "\n".join(problems)
    assert report["summary"]["filesAnalyzed"] >= 20  # the library's ~17 modules and both agents' 4 each
