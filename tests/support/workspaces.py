"""Real workspaces for tests: made by nxaws itself, with the real Nx from npm and a real ``uv sync``.

The slow parts are done once and shared:

- :func:`nx_node_modules` installs the pinned ``nx`` (``nxaws.versions.NPM_VERSIONS``) once per machine into a
  cache directory (``$NXAWS_TEST_CACHE`` or ``~/.cache/nxaws-tests``), guarded by a file lock so parallel pytest
  sessions do not race; :func:`link_node_modules` symlinks it into a workspace.
- :func:`template` builds a workspace once per test session (per list of steps) and :func:`clone` copies it for a
  test to change freely.

Every subprocess here is bounded by a timeout; long-running ones belong in ``tests.support.procs.running``.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from nxaws.versions import NPM_VERSIONS

# Nx in tests: no daemon left behind, no cloud calls, no cached task results hiding a failure.
NX_ENV = {"NX_DAEMON": "false", "NX_NO_CLOUD": "true", "NX_SKIP_NX_CACHE": "true", "NX_TUI": "false"}
# Folders that are tool output, not workspace content (left out of snapshots and clones).
NOT_CONTENT = frozenset({"node_modules", ".venv", ".nx", ".git", "__pycache__", ".ruff_cache", ".pytest_cache"})
NXAWS = Path(sys.executable).with_name("nxaws")  # the repo's own console script, same interpreter as pytest


def cache_dir() -> Path:
    """Where slow, reusable downloads live across test sessions."""
    path = Path(os.environ.get("NXAWS_TEST_CACHE") or Path.home() / ".cache" / "nxaws-tests")
    path.mkdir(parents=True, exist_ok=True)
    return path


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for Nx, npm and uv in a generated workspace: Nx quiet and uncached, and the repo's
    virtualenv not leaking into the workspace's own ``uv run``."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "UV_PROJECT")}
    return env | NX_ENV | {"CI": "true"} | extra


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def nx_node_modules(*, timeout: float = 600) -> Path:
    """``node_modules`` holding the pinned ``nx``; installed with npm the first time, reused afterwards."""
    version = NPM_VERSIONS["nx"]
    home = cache_dir() / f"nx-{version}"
    home.mkdir(parents=True, exist_ok=True)
    modules = home / "node_modules"
    with _locked(home / ".lock"):
        if not (modules / "nx" / "package.json").is_file() or not (home / ".complete").is_file():
            (home / "package.json").write_text(
                json.dumps({"name": "nxaws-test-nx", "private": True, "devDependencies": {"nx": version}}) + "\n"
            )
            proc = subprocess.run(
                ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=home, env=tool_env(), capture_output=True, text=True, timeout=timeout, check=False,
            )  # fmt: skip
            if proc.returncode != 0:
                raise RuntimeError(f"npm install nx@{version} failed:\n{proc.stdout}\n{proc.stderr}")
            (home / ".complete").write_text(version)
    return modules


def link_node_modules(workspace: Path) -> None:
    """Give ``workspace`` the shared Nx install (``npx nx`` finds it through the symlink)."""
    link = workspace / "node_modules"
    if not link.exists():
        link.symlink_to(nx_node_modules(), target_is_directory=True)


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def __str__(self) -> str:
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


def nxaws(cwd: Path, *args: str) -> CliResult:
    """Run ``nxaws args`` in this process (``nxaws.cli.main``) from ``cwd``; stdin is never a terminal here."""
    from nxaws.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return CliResult(code, out.getvalue(), err.getvalue())


def nxaws_process(cwd: Path, *args: str, timeout: float = 120, env: dict[str, str] | None = None) -> CliResult:
    """Run the ``nxaws`` console script as a real process (exit codes, stderr, no shared state)."""
    proc = subprocess.run(
        [str(NXAWS), *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False,
        stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
    )  # fmt: skip
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def _no_install(step: Sequence[str]) -> list[str]:
    step = list(step)
    if step[0] == "new" and "--install" not in step and "--no-install" not in step:
        return [*step, "--no-install"]
    flags = ("--prefer-install-dependencies", "--no-prefer-install-dependencies", "--preferInstallDependencies")
    if step[0] in ("g", "generate") and not any(s.split("=")[0] in flags for s in step):
        return [*step, "--no-prefer-install-dependencies"]
    return step


def make_workspace(path: Path, steps: Sequence[Sequence[str]] = (), *, install: bool = False) -> Path:
    """``nxaws new path`` then each step (argv after ``nxaws``, run inside the workspace), in process.

    Installs are skipped unless ``install`` (add them yourself with :func:`uv_sync`). A failing step raises
    with its output. Returns ``path``.
    """
    path = Path(path).resolve()
    all_steps = [["new", str(path)], *steps]
    for step in all_steps:
        step = list(step) if install else _no_install(step)
        result = nxaws(path if step[0] != "new" else path.parent, *step)
        if result.code != 0:
            raise AssertionError(f"nxaws {' '.join(step)} failed: {result}")
    return path


# Workspaces built once per session, by their step list; tests get copies (:func:`clone`).
_TEMPLATES: dict[tuple[tuple[str, ...], ...], Path] = {}


def template(base: Path, steps: Sequence[Sequence[str]] = (), *, name: str = "acme") -> Path:
    """A workspace named ``name`` built from ``steps`` once per session under ``base``; do not modify it."""
    key = ((name,), *(tuple(s) for s in steps))
    if key not in _TEMPLATES:
        folder = base / f"template-{len(_TEMPLATES)}"
        folder.mkdir(parents=True)
        _TEMPLATES[key] = make_workspace(folder / name, steps)
    return _TEMPLATES[key]


def clone(source: Path, dest_parent: Path) -> Path:
    """A copy of workspace ``source`` in ``dest_parent`` under the same folder name (the scope comes from it)."""
    dest = Path(dest_parent) / source.name
    shutil.copytree(source, dest, symlinks=True, ignore=shutil.ignore_patterns(*NOT_CONTENT))
    return dest


def snapshot(root: Path) -> dict[str, bytes]:
    """Every content file's bytes, by posix path relative to ``root`` (tool folders left out)."""
    files: dict[str, bytes] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in NOT_CONTENT]
        for filename in filenames:
            full = Path(dirpath, filename)
            files[full.relative_to(root).as_posix()] = full.read_bytes()
    return files


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> list[str]:
    """Paths created, deleted or modified between two snapshots, sorted."""
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def uv_sync(workspace: Path, *, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """``uv sync`` in ``workspace`` (its own ``.venv``); raises with uv's output on failure."""
    proc = subprocess.run(
        ["uv", "sync"], cwd=workspace, env=tool_env(), capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise AssertionError(f"uv sync failed in {workspace} (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def run(workspace: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """A bounded command in ``workspace`` with :func:`tool_env` (``npx nx ...``, ``uv run ruff ...``)."""
    return subprocess.run(
        list(args), cwd=workspace, env=tool_env(), capture_output=True, text=True, timeout=timeout, check=False,
        stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


def write_file(root: Path, rel: str, content: str | dict | list) -> Path:
    """Write ``content`` at ``root/rel`` (dicts and lists as Nx-style JSON), creating folders."""
    path = Path(root) / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2) + "\n")
    return path


def write_project(root: Path, rel_root: str, name: str | None, **config: object) -> Path:
    """A hand-written ``<rel_root>/project.json`` (``name`` omitted when None)."""
    data = ({"name": name} if name else {}) | {"root": rel_root} | config
    return write_file(root, f"{rel_root}/project.json", data)
