"""The pinned set for generated workspaces resolves together, and the repo tests against exactly that set."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from nxaws.versions import PY_VERSIONS, pin
from nxaws.workspace.tomlfile import requirement_key

REPO = Path(__file__).parents[1]


@pytest.mark.skipif(shutil.which("uv") is None, reason="uv is not on PATH")
def test_pinned_set_resolves_with_uv(tmp_path: Path) -> None:
    requirements = ",\n".join(f'    "{pin(name)}"' for name in PY_VERSIONS)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    header = f'[project]\nname = "pins"\nversion = "0"\nrequires-python = ">={python}"\n'
    (tmp_path / "pyproject.toml").write_text(f"{header}dependencies = [\n{requirements}\n]\n")
    result = subprocess.run(["uv", "lock", "--python", python], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300, check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    lock = tomllib.loads((tmp_path / "uv.lock").read_text())
    locked = {p["name"]: p["version"] for p in lock["package"]}
    for name, version in PY_VERSIONS.items():
        assert locked[name] == version, name
    assert locked["mcp"].startswith("1."), "langchain-mcp-adapters 0.3.2 needs mcp<2"


def test_repo_dev_group_pins_match_the_table() -> None:
    """Runtime tests import the same versions a generated workspace gets."""
    dev = tomllib.loads((REPO / "pyproject.toml").read_text())["dependency-groups"]["dev"]
    pinned = {requirement_key(r): r.split("==", 1)[1] for r in dev if "==" in r}
    assert pinned, "the dev group pins the runtime packages"
    for name, version in pinned.items():
        assert PY_VERSIONS[name] == version, f"{name}: repo pins {version}, versions.py {PY_VERSIONS[name]}"


def test_pin_rejects_undeclared_packages() -> None:
    assert pin("fastapi[standard]") == f"fastapi[standard]=={PY_VERSIONS['fastapi']}"
    with pytest.raises(KeyError, match="Undeclared py dependency: left-pad"):
        pin("left-pad")
