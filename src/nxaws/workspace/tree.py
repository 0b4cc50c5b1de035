"""The virtual tree every generator reads and writes: changes are staged, listed, then committed at once."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from .errors import WriteError

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
        """Write every change, or none: every target is checked before the first write, files are written
        beside their target and renamed into place, and a failure part-way puts back what was replaced."""
        changes = self.changes()
        for change in changes:
            _check_writable(self.root, change.path)
        done: list[tuple[Path, Path | None]] = []  # (target, backup of what it replaced)
        temporaries: list[Path] = []
        made_dirs: list[Path] = []
        try:
            staged = [(self.root / c.path, self._stage(self.root / c.path, c.content, temporaries, made_dirs))
                      for c in changes]  # fmt: skip
            for target, tmp in staged:
                backup = _backup(target, temporaries)
                if tmp is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(tmp, target)
                done.append((target, backup))
        except BaseException as exc:  # an error or an interrupt part-way: put everything back
            unrestored = _undo(done)
            _remove(temporaries, made_dirs)
            if not isinstance(exc, OSError):
                raise
            failed = _shown(self.root, exc.filename) if exc.filename else "a file"
            outcome = (
                "Nothing was changed."
                if not unrestored
                else f"These could not be put back and may hold the new content: {', '.join(unrestored)}."
            )
            raise WriteError(f"Could not write {failed} ({exc.strerror or exc}). {outcome}") from None
        _remove(temporaries, [])
        return changes

    @staticmethod
    def _stage(target: Path, content: bytes | None, temporaries: list[Path], made_dirs: list[Path]) -> Path | None:
        """Write ``content`` to a temporary beside ``target`` (None for a deletion), creating folders as needed."""
        if content is None:
            return None
        missing = [d for d in (target.parent, *target.parent.parents) if not d.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        made_dirs.extend(reversed(missing))
        tmp = target.with_name(f".{target.name}.nxaws-tmp")
        temporaries.append(tmp)
        tmp.write_bytes(content)
        if target.exists():
            tmp.chmod(target.stat().st_mode & 0o7777)
        return tmp


def _check_writable(root: Path, path: str) -> None:
    """Refuse before anything is written when ``path`` cannot be replaced or created."""
    target = root / path
    if target.exists():
        if target.is_dir() or not os.access(target, os.W_OK):
            raise WriteError(f"{path} is not writable, so nothing was changed. Make it writable and run again.")
        folder = target.parent
    else:
        folder = next(d for d in target.parents if d.exists())
        if not folder.is_dir():
            raise WriteError(f"Cannot create {path}: {_shown(root, folder)} is a file, so nothing was changed.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise WriteError(
            f"Cannot write {path}: its folder {_shown(root, folder)} is not writable, so nothing was changed."
        )


def _backup(target: Path, temporaries: list[Path]) -> Path | None:
    """A hard link to what ``target`` holds now, to put back if a later write fails."""
    if not target.exists():
        return None
    backup = target.with_name(f".{target.name}.nxaws-bak")
    backup.unlink(missing_ok=True)
    try:
        os.link(target, backup)
    except OSError:  # no hard links here (some network and FUSE file systems): a copy does the same
        shutil.copy2(target, backup)
    temporaries.append(backup)
    return backup


def _undo(done: list[tuple[Path, Path | None]]) -> list[str]:
    """Put back what ``done`` replaced or created, newest first; the paths that could not be."""
    failed = []
    for target, backup in reversed(done):
        try:
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        except OSError:
            failed.append(str(target))
    return failed


def _remove(files: list[Path], folders: list[Path]) -> None:
    for file in files:
        file.unlink(missing_ok=True)
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


def _shown(root: Path, path: object) -> str:
    """A path as the user knows it: relative to the workspace, our temporary's target rather than itself."""
    shown = Path(str(path))
    for suffix in (".nxaws-tmp", ".nxaws-bak"):
        if shown.name.startswith(".") and shown.name.endswith(suffix):
            shown = shown.with_name(shown.name[1 : -len(suffix)])
    try:
        return shown.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(shown)
