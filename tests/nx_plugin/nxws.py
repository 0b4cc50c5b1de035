"""Workspaces for the Nx plugin tests: made by nxaws, with the pinned Nx installed by npm once per machine.

The one ``npm install`` runs in a cache folder shaped like a workspace from ``nxaws new`` (its devDependencies,
keyed by their hash), so it also proves npm links the plugin from its ``file:`` devDependency. Each test workspace
then gets a ``node_modules`` folder of symlinks to that install, with ``nxaws`` pointing at its own plugin folder,
exactly as npm links it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from support.procs import kill_group

from nxaws.cli import main as nxaws_main
from nxaws.nx_plugin import PLUGIN_DIR

NX_ENV = {
    "NX_DAEMON": "false",
    "NX_NO_CLOUD": "true",
    "NX_SKIP_NX_CACHE": "true",
    "NX_TUI": "false",
    "CI": "true",
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
}
PLUGIN_LINK = f"../{PLUGIN_DIR}"


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def tool_env() -> dict[str, str]:
    """Nx quiet and uncached; the repo's virtualenv kept out of the workspace's own ``uv``."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT")}
    # Without the repo's .venv/bin on PATH, only the workspace's own nxaws can answer `uv run nxaws`.
    path = [p for p in env.get("PATH", "").split(os.pathsep) if Path(p) != Path(sys.executable).parent]
    return env | NX_ENV | {"PATH": os.pathsep.join(path)}


def run(cwd: Path, *args: str, timeout: float = 180) -> Ran:
    """``args`` in ``cwd`` in its own process group, bounded by ``timeout``, the group killed afterwards."""
    proc = subprocess.Popen(
        list(args), cwd=cwd, env=tool_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
    finally:
        kill_group(proc)
    return Ran(proc.returncode, out, err)


def nx(cwd: Path, *args: str, timeout: float = 180) -> Ran:
    return run(cwd, "npx", "--no-install", "nx", *args, timeout=timeout)


def nxaws(cwd: Path, *args: str) -> Ran:
    """``nxaws args`` in this process from ``cwd`` (stdin is never a terminal under pytest)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = nxaws_main(list(args))
    return Ran(code, out.getvalue(), err.getvalue())


def new_workspace(parent: Path, name: str = "acme") -> Path:
    parent.mkdir(parents=True, exist_ok=True)
    result = nxaws(parent, "new", name, "--no-install")
    assert result.code == 0, result
    return parent / name


def _cache_home() -> Path:
    path = Path(os.environ.get("NXAWS_TEST_CACHE") or Path.home() / ".cache" / "nxaws-tests")
    path.mkdir(parents=True, exist_ok=True)
    return path


def nx_install(scratch: Path, *, extra: dict[str, str] | None = None, timeout: float = 900) -> Path:
    """``node_modules`` of a workspace from ``nxaws new`` after ``npm install`` (plus ``extra`` pinned packages);
    installed once per machine and package set."""
    sample = new_workspace(scratch / "npm-sample")
    dev = json.loads((sample / "package.json").read_text())["devDependencies"] | (extra or {})
    package = json.dumps({"name": "nxaws-test-nx-plugin", "private": True, "devDependencies": dev}, indent=2)
    home = _cache_home() / f"nx-plugin-{hashlib.sha256(package.encode()).hexdigest()[:12]}"
    home.mkdir(exist_ok=True)
    with open(home / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (home / ".complete").is_file():
            shutil.rmtree(home / "node_modules", ignore_errors=True)
            shutil.rmtree(home / "tools", ignore_errors=True)
            shutil.copytree(sample / PLUGIN_DIR, home / PLUGIN_DIR)
            (home / "package.json").write_text(package + "\n")
            result = run(home, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error", timeout=timeout)
            if result.code != 0:
                raise RuntimeError(f"npm install failed in {home}: {result}")
            (home / ".complete").write_text(package)
    return home / "node_modules"


def link_node_modules(workspace: Path, modules: Path) -> None:
    """``workspace/node_modules``: the shared install's packages, and ``nxaws`` → this workspace's plugin."""
    target = workspace / "node_modules"
    target.mkdir()
    for entry in modules.iterdir():
        if entry.name != "nxaws":
            (target / entry.name).symlink_to(entry)
    (target / "nxaws").symlink_to(PLUGIN_LINK, target_is_directory=True)


def uv_sync(workspace: Path) -> None:
    result = run(workspace, "uv", "sync", timeout=600)
    assert result.code == 0, f"uv sync failed in {workspace}: {result}"
