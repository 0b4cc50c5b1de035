"""The virtual tree every generator reads and writes: changes are staged, listed, then committed at once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

ChangeKind = Literal["create", "update", "delete"]
Formatting = Literal["full", "imports"]
IGNORED_DIRS = frozenset({"node_modules", ".venv", "dist", ".git", ".nx", "__pycache__", ".ruff_cache"})


@dataclass(frozen=True)
class Change:
    path: str  # posix, relative to the tree root
    kind: ChangeKind
    content: bytes | None  # None for deletions


def _norm(path: str | PurePosixPath) -> str:
    norm = os.path.normpath(str(path)).replace(os.sep, "/")
    if norm.startswith("../") or norm == ".." or os.path.isabs(norm):
        raise ValueError(f"path escapes the workspace: {path}")
    return "" if norm == "." else norm


class Tree:
    """Staged file changes over a directory; nothing touches disk before :meth:`commit`."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Parsed documents by path, with the text they came from (see tomlfile.read_toml).
        self.parsed: dict[str, tuple[str, object]] = {}
        self._staged: dict[str, bytes | None] = {}  # path -> new content, None = deleted
        self._formatting: dict[str, Formatting] = {}

    # reading -----------------------------------------------------------------------------------------
    def read(self, path: str) -> bytes | None:
        path = _norm(path)
        if path in self._staged:
            return self._staged[path]
        disk = self.root / path
        return disk.read_bytes() if disk.is_file() else None

    def read_text(self, path: str) -> str | None:
        data = self.read(path)
        return None if data is None else data.decode("utf-8")

    def exists(self, path: str) -> bool:
        return self.read(path) is not None

    def is_dir(self, path: str) -> bool:
        path = _norm(path)
        prefix = f"{path}/" if path else ""
        staged = any(p.startswith(prefix) and c is not None for p, c in self._staged.items())
        return staged or (self.root / path).is_dir()

    def walk_files(self, name: str) -> Iterator[str]:
        """Every file called ``name`` under the root (disk and staged), skipping tool and build folders."""
        seen: set[str] = set()
        if self.root.is_dir():
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS)
                if name in filenames:
                    rel = _norm(os.path.relpath(os.path.join(dirpath, name), self.root))
                    seen.add(rel)
        for path, content in self._staged.items():
            if PurePosixPath(path).name == name and content is not None:
                seen.add(path)
            elif path in seen and content is None:
                seen.discard(path)
        yield from sorted(seen)

    # writing -----------------------------------------------------------------------------------------
    def write(self, path: str, content: str | bytes, *, format: bool | Formatting = False) -> None:
        """Stage ``content`` at ``path``; ``format`` marks Python for the ruff pass.

        ``True`` (or ``"full"``): our generated code, fixed and formatted. ``"imports"``: a user's file we
        edited, whose import block is sorted and nothing else touched.
        """
        path = _norm(path)
        data = content.encode("utf-8") if isinstance(content, str) else content
        self._staged[path] = data
        if format:
            self._formatting[path] = "full" if format is True else format

    def write_if_absent(self, path: str, content: str | bytes, *, format: bool | Formatting = False) -> bool:
        """Keep-existing emit: user edits to a file we generated once always survive."""
        if self.exists(path):
            return False
        self.write(path, content, format=format)
        return True

    def delete(self, path: str) -> None:
        self._staged[_norm(path)] = None

    @property
    def formatting(self) -> dict[str, Formatting]:
        """Staged Python files to run ruff on, and how."""
        return {p: mode for p, mode in self._formatting.items() if self._staged.get(p) is not None}

    # results -----------------------------------------------------------------------------------------
    def changes(self) -> list[Change]:
        """Staged changes that differ from disk, in the order they were first staged."""
        out: list[Change] = []
        for path, content in self._staged.items():
            disk = self.root / path
            on_disk = disk.read_bytes() if disk.is_file() else None
            if content == on_disk:
                continue
            if content is None:
                out.append(Change(path, "delete", None))
            else:
                out.append(Change(path, "create" if on_disk is None else "update", content))
        return out

    def commit(self) -> list[Change]:
        """Write every change. Files are first written beside their target, then renamed into place."""
        changes = self.changes()
        pending: list[tuple[Path, Path]] = []
        try:
            for change in changes:
                if change.content is None:
                    continue
                target = self.root / change.path
                target.parent.mkdir(parents=True, exist_ok=True)
                tmp = target.with_name(f".{target.name}.nxaws-tmp")
                tmp.write_bytes(change.content)
                if target.exists():
                    tmp.chmod(target.stat().st_mode & 0o7777)
                pending.append((tmp, target))
        except BaseException:
            for tmp, _ in pending:
                tmp.unlink(missing_ok=True)
            raise
        for tmp, target in pending:
            os.replace(tmp, target)
        for change in changes:
            if change.content is None:
                (self.root / change.path).unlink(missing_ok=True)
        return changes
