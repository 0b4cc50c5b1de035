"""Run a generator against a virtual tree, show the change list, commit all at once, then install."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from .generators import Result, load
from .options import complete_options
from .workspace.errors import UserError
from .workspace.format import format_python
from .workspace.tree import Change, Tree


@dataclass
class Outcome:
    changes: list[Change]
    result: Result


def generate(generator_id: str, root: Path, options: dict[str, Any], *, dry_run: bool) -> Outcome:
    """Stage the generator's changes; write them only when not ``dry_run`` (all or nothing).

    ``options`` get their schema defaults here, so every caller (CLI, demo, tests) runs with the same ones.
    """
    tree = Tree(root)
    result = load(generator_id)(tree, complete_options(generator_id, options))
    format_python(tree)
    changes = tree.changes() if dry_run else tree.commit()
    return Outcome(changes, result)


def print_changes(outcome: Outcome, out: TextIO, *, dry_run: bool) -> None:
    """``CREATE``/``UPDATE``/``DELETE`` lines sorted by path, warnings, then the next steps — which describe
    what was just done, so a run that changed nothing says so instead."""
    for change in sorted(outcome.changes, key=lambda c: c.path):
        size = "" if change.content is None else f" ({len(change.content)} bytes)"
        out.write(f"{change.kind.upper()} {change.path}{size}\n")
    for warning in outcome.result.warnings:
        out.write(f"WARNING {warning}\n")
    if dry_run:
        out.write('\nNOTE: The "--dry-run" flag means no changes were made.\n')
    if not outcome.changes:
        out.write("No changes: the workspace already has everything this generator writes.\n")
        return
    for step in outcome.result.next_steps:
        out.write(f"\n{step}\n")


def _change_json(change: Change) -> dict[str, Any]:
    """Text as a string; bytes that are not UTF-8 (a wheel) as base64, marked ``"encoding": "base64"``."""
    entry: dict[str, Any] = {"path": change.path, "kind": change.kind, "content": None}
    if change.content is not None:
        try:
            entry["content"] = change.content.decode("utf-8")
        except UnicodeDecodeError:
            entry |= {"content": base64.b64encode(change.content).decode("ascii"), "encoding": "base64"}
    return entry


def change_set_json(outcome: Outcome, install: bool) -> str:
    """The machine-readable change set the Nx plugin applies to Nx's own tree."""
    return json.dumps(
        {
            "changes": [_change_json(c) for c in sorted(outcome.changes, key=lambda c: c.path)],
            "install": sorted(outcome.result.install) if install else [],
            "nextSteps": outcome.result.next_steps,
            "warnings": outcome.result.warnings,
        },
        indent=2,
    )


def uv_command() -> str:
    found = shutil.which("uv")
    if found:
        return found
    try:
        from uv import find_uv_bin  # type: ignore[import-not-found]

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        raise UserError(
            "uv is not installed, so dependencies could not be installed. "
            "Install it (`pip install uv`), then run `uv sync` in the workspace."
        ) from None


def install(root: Path, kinds: set[str], out: TextIO) -> None:
    """Run ``npm install`` and/or ``uv sync`` with a progress indicator; failures leave files in place."""
    steps: list[tuple[str, str, Sequence[str]]] = []
    if "npm" in kinds:
        steps.append(("Node dependencies", "npm install", ["npm", "install", "--no-audit", "--no-fund"]))
    if "uv" in kinds:
        steps.append(("Python dependencies", "uv sync", [uv_command(), "sync"]))
    for label, shown, command in steps:
        label = f"{label} ({shown})"
        with _progress(f"Installing {label}", out):
            proc = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise UserError(
                f"Installing {label} failed (exit {proc.returncode}). The generated files are in place; "
                f"fix the problem below and run `{shown}` in {root}.\n{tail}"
            )


class _progress:
    """A spinner on a terminal, a start and an end line otherwise."""

    def __init__(self, label: str, out: TextIO) -> None:
        self.label, self.out = label, out
        self.tty = out.isatty()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._spin, daemon=True)

    def _spin(self) -> None:
        for frame in itertools.cycle("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"):
            if self._stop.wait(0.1):
                return
            self.out.write(f"\r{frame} {self.label}…")
            self.out.flush()

    def __enter__(self) -> _progress:
        self.start = time.monotonic()
        if self.tty:
            self._thread.start()
        else:
            self.out.write(f"{self.label}…\n")
            self.out.flush()
        return self

    def __exit__(self, exc_type, *_: object) -> None:
        self._stop.set()
        if self.tty:
            self._thread.join()
            self.out.write("\r\033[K")
        elapsed = time.monotonic() - self.start
        self.out.write(f"{'✔' if exc_type is None else '✖'} {self.label} ({elapsed:.1f}s)\n")
        self.out.flush()


def stdin_is_interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()
