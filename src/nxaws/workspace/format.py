"""Format generated Python with ruff, the way the owning project's settings would (reference §7.12)."""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
from collections import defaultdict
from pathlib import Path, PurePosixPath

from ruff.__main__ import find_ruff_bin

from .tree import IGNORED_DIRS, Tree

# The fixes the TypeScript plugin applies: sort imports, drop unused ones (not in __init__), duplicates; and
# sorted `__all__` (RUF022, on by default since ruff 0.17) where the reference keeps insertion order.
FIXES = "I001,F401,F811,E401,RUF022"
RUFF_SETTINGS = ["--line-length", "120", "--target-version", "py311"]


def line_length(tree: Tree, path: str) -> int | None:
    """The line length the workspace's ruff configuration sets for ``path`` (the nearest ``ruff.toml``,
    ``.ruff.toml`` or ``pyproject.toml`` ``[tool.ruff]`` setting one); None when none does (ruff's default
    rules do not check line length then)."""
    import tomllib

    for parent in PurePosixPath(path).parents:
        for name, section in (("ruff.toml", ()), (".ruff.toml", ()), ("pyproject.toml", ("tool", "ruff"))):
            text = tree.read_text(str(parent / name))
            if text is None:
                continue
            try:
                settings = tomllib.loads(text)
            except tomllib.TOMLDecodeError:
                continue
            for key in section:
                settings = settings.get(key) or {}
            if isinstance(settings.get("line-length"), int):
                return settings["line-length"]
    return None


def _owning_project(tree: Tree, path: str) -> str:
    for parent in PurePosixPath(path).parents:
        if tree.exists(str(parent / "pyproject.toml")) or tree.exists(str(parent / "project.json")):
            return str(parent)
    return ""


def _mirror_modules(source: Path, target: Path) -> None:
    """Empty stand-ins for the project's modules on disk: ruff decides first-party imports by what exists."""
    if not source.is_dir():
        return
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames[:] = [d for d in dirnames if d not in IGNORED_DIRS and not d.startswith(".")]
        for name in filenames:
            if name.endswith(".py"):
                stand_in = target / Path(dirpath).relative_to(source) / name
                stand_in.parent.mkdir(parents=True, exist_ok=True)
                stand_in.touch()


def _ruff_runs(ruff: str, formatting: dict[str, str]) -> list[list[str]]:
    """The ruff commands for one project's files (relative name → "full" | "imports"), in order."""
    # A fresh directory never has a cache hit: --no-cache spares ruff writing one that is deleted anyway.
    common = ["--isolated", "--no-cache", *RUFF_SETTINGS, "--quiet"]
    full = [name for name, mode in formatting.items() if mode == "full"]
    imports = [name for name, mode in formatting.items() if mode == "imports"]
    runs = []
    if full:
        runs.append([ruff, "check", "--fix", "--select", FIXES, "--per-file-ignores", "__init__.py:F401",
                     "--exit-zero", *common, *full])  # fmt: skip
        runs.append([ruff, "format", *common, *full])
    if imports:
        runs.append([ruff, "check", "--fix", "--select", "I001", "--exit-zero", *common, *imports])
    return runs


def format_python(tree: Tree) -> None:
    """Run ruff over staged Python, per owning project: generated files get the fixes and the formatter,
    edited user files only have their imports sorted. Projects are formatted concurrently."""
    formatting = tree.formatting
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(formatting):
        if path.endswith(".py"):
            groups[_owning_project(tree, path)].append(path)
    if not groups:
        return
    ruff = find_ruff_bin()
    with tempfile.TemporaryDirectory(prefix="nxaws-fmt-") as tmp:
        # The mirror keeps workspace paths: <tmp>/<path>; ruff runs in each project's folder of it.
        jobs: list[tuple[Path, list[list[str]]]] = []
        for project_root, paths in groups.items():
            base = Path(tmp, project_root)
            _mirror_modules(tree.root / project_root, base)
            for path in paths:
                Path(tmp, path).parent.mkdir(parents=True, exist_ok=True)
                Path(tmp, path).write_bytes(tree.read(path) or b"")
            relative = {str(PurePosixPath(p).relative_to(project_root or ".")): formatting[p] for p in paths}
            jobs.append((base, _ruff_runs(ruff, relative)))

        def run(job: tuple[Path, list[list[str]]]) -> None:
            for command in job[1]:
                subprocess.run(command, cwd=job[0], check=False, capture_output=True)

        threads = [threading.Thread(target=run, args=(job,)) for job in jobs[1:]]
        for thread in threads:
            thread.start()
        run(jobs[0])
        for thread in threads:
            thread.join()
        for path in (p for paths in groups.values() for p in paths):
            tree.write(path, Path(tmp, path).read_bytes(), format=formatting[path])
