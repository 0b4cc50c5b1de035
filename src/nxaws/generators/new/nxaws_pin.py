"""How a workspace gets nxaws, in a form that still works in a clone on another machine (issue 14).

PEP 610's ``direct_url.json`` says how the running nxaws was installed:

- from a package index: ``nxaws==<version>``;
- from git: ``{ git = <url>, rev = <commit> }``, portable as it is;
- from a local checkout (editable or not) or a local wheel: the wheel itself, kept in the workspace at
  ``tools/nxaws/`` and referenced by a relative path, so the workspace no longer depends on where that
  checkout lives. A checkout's wheel is built once per source state (``uv build``, hatchling) and cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import tomlkit
from tomlkit.toml_document import TOMLDocument

from ...workspace.tomlfile import merge_requirements, multiline_array, table
from ...workspace.tree import IGNORED_DIRS, Tree

WHEEL_DIR = "tools/nxaws"
# Folders of a checkout that never reach its wheel: left out of the source hash.
NOT_SOURCE = IGNORED_DIRS | {"build", ".mypy_cache", ".pytest_cache", ".hypothesis", "cdk.out"}


@dataclass(frozen=True)
class NxawsPin:
    """The dev-group requirement, its ``[tool.uv.sources]`` entry, the wheel to keep in the workspace, and a
    sentence saying which form was chosen."""

    requirement: str
    source: dict[str, Any] | None = None
    wheel: tuple[str, bytes] | None = None  # workspace path, content
    summary: str = ""
    warning: str | None = None


def nxaws_pin() -> NxawsPin:
    """The form for the running nxaws (see the module docstring)."""
    from ... import __version__

    return pin_for(_direct_url(), __version__)


def pin_for(direct_url: dict[str, Any], version: str) -> NxawsPin:
    """The form for an nxaws ``version`` installed as PEP 610 ``direct_url`` says (``{}``: from an index)."""
    url = str(direct_url.get("url", ""))
    if "vcs_info" in direct_url and not url.startswith("file://"):
        return _git_pin(url, direct_url)
    if url.startswith("file://"):
        path = Path(unquote(urlparse(url).path))
        if "archive_info" in direct_url:
            return _archive_pin(path, version)
        return _checkout_pin(path, version)
    return _index_pin(version, "installed from a package index")


def _direct_url() -> dict[str, Any]:
    try:
        raw = metadata.distribution("nxaws").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        raw = None
    return json.loads(raw) if raw else {}


def _index_pin(version: str, how: str, warning: str | None = None) -> NxawsPin:
    return NxawsPin(f"nxaws=={version}", summary=f"nxaws is pinned as nxaws=={version} ({how}).", warning=warning)


def _git_pin(url: str, info: dict[str, Any]) -> NxawsPin:
    commit = str(info["vcs_info"].get("commit_id", ""))
    source: dict[str, Any] = {"git": url, "rev": commit}
    if info.get("subdirectory"):
        source["subdirectory"] = info["subdirectory"]
    return NxawsPin("nxaws", source, summary=f"nxaws comes from git: {url} at commit {commit}.")


def _wheel_pin(name: str, content: bytes, origin: str) -> NxawsPin:
    path = f"{WHEEL_DIR}/{name}"
    return NxawsPin(
        "nxaws",
        {"path": path},
        (path, content),
        f"nxaws comes from {path} ({origin}), a path relative to the workspace, so a clone syncs anywhere. "
        "After upgrading nxaws, run the new nxaws's `nxaws sync-plugin` here to refresh it.",
    )


def _gone(path: Path, version: str) -> NxawsPin:
    warning = f"{path}, where nxaws was installed from, is gone, so the workspace expects nxaws from a package index."
    return _index_pin(version, f"{path} is gone", warning)


def _archive_pin(path: Path, version: str) -> NxawsPin:
    if not path.is_file():
        return _gone(path, version)
    return _wheel_pin(path.name, path.read_bytes(), f"a copy of {path}")


def _checkout_pin(path: Path, version: str) -> NxawsPin:
    if not (path / "pyproject.toml").is_file():
        return _gone(path, version)
    try:
        wheel = cached_wheel(path)
    except WheelBuildError as exc:
        # Still usable on this machine: point at the checkout, and say that clones will not sync.
        source = {"path": str(path), "editable": True}
        return NxawsPin("nxaws", source, summary=f"nxaws comes from the checkout {path} (absolute path).",
                        warning=f"{exc} The workspace refers to {path}, so it only syncs on this machine.")  # fmt: skip
    return _wheel_pin(wheel.name, wheel.read_bytes(), f"built from the checkout {path}")


class WheelBuildError(Exception):
    pass


def cache_dir() -> Path:
    """``$NXAWS_CACHE_DIR``, else ``$XDG_CACHE_HOME/nxaws``, else ``~/.cache/nxaws``."""
    if os.environ.get("NXAWS_CACHE_DIR"):
        return Path(os.environ["NXAWS_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nxaws"


def source_hash(checkout: Path) -> str:
    """SHA-256 over every source file's path and bytes: a checkout's wheel is rebuilt only when this changes."""
    digest = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(checkout):
        dirnames[:] = sorted(d for d in dirnames if d not in NOT_SOURCE and not d.endswith(".egg-info"))
        for filename in sorted(filenames):
            if filename.endswith((".pyc", ".whl")):
                continue
            file = Path(dirpath, filename)
            digest.update(file.relative_to(checkout).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def cached_wheel(checkout: Path, *, timeout: float = 300) -> Path:
    """The checkout's wheel, from the cache or built once with ``uv build --wheel`` (hatchling's wheels are
    reproducible, so the same source gives the same bytes and re-running a generator changes nothing)."""
    from ...engine import uv_command

    folder = cache_dir() / "wheels" / source_hash(checkout)[:24]
    found = sorted(folder.glob("nxaws-*.whl")) if folder.is_dir() else []
    if found:
        return found[0]
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".build-", dir=folder.parent))
    try:
        proc = subprocess.run(
            [uv_command(), "build", "--wheel", "--quiet", "--out-dir", str(scratch), str(checkout)],
            capture_output=True, text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        wheels = sorted(scratch.glob("nxaws-*.whl"))
        if proc.returncode != 0 or not wheels:
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-5:])
            raise WheelBuildError(f"Building nxaws's wheel from {checkout} failed (exit {proc.returncode}): {tail}")
        with contextlib.suppress(OSError):  # a concurrent build of the same source got there first
            os.replace(scratch, folder)
    except subprocess.TimeoutExpired:
        raise WheelBuildError(f"Building nxaws's wheel from {checkout} took over {timeout:.0f}s.") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted(folder.glob("nxaws-*.whl"))[0]


def apply_pin(tree: Tree, doc: TOMLDocument, pin: NxawsPin) -> None:
    """Record ``pin`` in the root pyproject ``doc`` (dev group and ``[tool.uv.sources]``) and ``tools/nxaws/``;
    wheels of other nxaws versions there are removed. The caller writes ``doc``."""
    groups = table(doc, "dependency-groups")
    if "dev" not in groups:
        groups["dev"] = multiline_array([])
    merge_requirements(groups["dev"], [pin.requirement])
    sources = table(doc, "tool", "uv", "sources")
    if pin.source is None:
        sources.pop("nxaws", None)
    elif dict(sources.get("nxaws") or {}) != pin.source:
        inline = tomlkit.inline_table()
        inline.update(pin.source)
        sources["nxaws"] = inline
    keep = pin.wheel[0] if pin.wheel else None
    for old in _wheels_in(tree):
        if old != keep:
            tree.delete(old)
    if pin.wheel:
        tree.write(*pin.wheel)


def _wheels_in(tree: Tree) -> list[str]:
    folder = tree.root / WHEEL_DIR
    return [f"{WHEEL_DIR}/{p.name}" for p in sorted(folder.glob("nxaws-*.whl"))] if folder.is_dir() else []


def current_source(doc: TOMLDocument) -> dict[str, Any] | None:
    """The workspace's ``[tool.uv.sources] nxaws`` entry, if any."""
    source = doc.get("tool", {}).get("uv", {}).get("sources", {}).get("nxaws")
    return dict(source) if source is not None else None


def chosen_by_user(doc: TOMLDocument) -> bool:
    """True when the workspace points nxaws at a path of its own (e.g. an editable checkout for developing
    nxaws): ``sync-plugin`` then leaves the pin alone."""
    source = current_source(doc) or {}
    path = source.get("path")
    return isinstance(path, str) and not path.startswith(f"{WHEEL_DIR}/")
