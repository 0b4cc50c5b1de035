"""What a local gateway serves: its name, port and targets, read from ``local-gateway.json``.

Workspaces made by the TypeScript plugin keep the same facts in ``local-dev.ts``; we read that file too
(its ``ATTACHED_MCP_SERVERS`` entries, the port baked into ``PORT`` and the name in its start-up log line)
so those gateways run unchanged under nxaws.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..workspace.errors import UserError

SEPARATOR = "___"
DEFAULT_TIMEOUT = 10.0
DEFAULT_PAGE_SIZE = 500
MIB = 1024 * 1024


class ConfigError(UserError):
    """The gateway configuration cannot be read; the message names the file and the problem."""


@dataclass(frozen=True)
class Target:
    """One upstream MCP endpoint; its tools appear as ``<name>___<tool>``. ``None`` limits take the gateway's."""

    name: str
    url: str
    timeout: float | None = None
    max_concurrent: int | None = None
    max_queued: int | None = None
    max_reply_bytes: int | None = None


@dataclass(frozen=True)
class TargetLimits:
    """What one target may cost: seconds per request, requests at once (``max_queued`` more wait), reply bytes."""

    timeout: float
    max_concurrent: int
    max_queued: int
    max_reply_bytes: int


@dataclass(frozen=True)
class GatewayConfig:
    """Everything the gateway needs to serve; the per-target limits apply to targets that set none.

    The defaults are documented in README.md ("Local development"); each is a command-line option.
    """

    name: str
    targets: tuple[Target, ...] = ()
    port: int = 8100
    timeout: float = DEFAULT_TIMEOUT
    max_concurrent: int = 32  # upstream requests in flight per target
    max_queued: int = 256  # requests waiting for one of those slots, per target
    max_reply_bytes: int = 16 * MIB  # one call's reply; also a whole batch's replies together
    max_batch: int = 1000  # messages in one JSON-RPC batch
    batch_concurrency: int = 16  # messages of one batch handled at once
    max_body_bytes: int = 4 * MIB  # one request body
    shutdown_grace: float = 5.0  # seconds in-flight requests get after SIGTERM
    page_size: int = DEFAULT_PAGE_SIZE

    def limits_for(self, target: Target) -> TargetLimits:
        return TargetLimits(
            timeout=target.timeout if target.timeout is not None else self.timeout,
            max_concurrent=target.max_concurrent or self.max_concurrent,
            max_queued=target.max_queued or self.max_queued,
            max_reply_bytes=target.max_reply_bytes or self.max_reply_bytes,
        )

    def with_options(self, **changes: Any) -> GatewayConfig:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def load_config(path: str | Path) -> GatewayConfig:
    """Read ``local-gateway.json`` (or a TypeScript-plugin ``local-dev.ts``) into a ``GatewayConfig``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read gateway configuration {path}: {exc.strerror or exc}.") from None
    if path.suffix in (".ts", ".js", ".mts"):
        return _from_local_dev_ts(path, text)
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}.") from None
    return _from_json(path, raw)


def _from_json(path: Path, raw: Any) -> GatewayConfig:
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must hold a JSON object with 'name', 'port' and 'targets'.")
    targets = raw.get("targets", [])
    if not isinstance(targets, list):
        raise ConfigError(f"{path}: 'targets' must be a list of {{name, url}} objects.")
    parsed = tuple(_target(path, entry) for entry in targets)
    _check_unique(path, parsed)
    port = raw.get("port", 8100)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"{path}: 'port' must be a port number, not {port!r}.")
    name = raw.get("name") or path.resolve().parent.name
    return GatewayConfig(name=str(name), targets=parsed, port=port)


def _target(path: Path, entry: Any) -> Target:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not isinstance(entry.get("url"), str):
        raise ConfigError(f"{path}: every target needs a string 'name' and 'url'; got {entry!r}.")
    if SEPARATOR in entry["name"] or not entry["name"]:
        raise ConfigError(f"{path}: target name {entry['name']!r} must be non-empty and not contain '{SEPARATOR}'.")
    timeout = _positive(path, entry, "timeout", int | float)
    return Target(
        entry["name"],
        entry["url"],
        float(timeout) if timeout is not None else None,
        max_concurrent=_positive(path, entry, "maxConcurrent", int),
        max_queued=_positive(path, entry, "maxQueued", int),
        max_reply_bytes=_positive(path, entry, "maxReplyBytes", int),
    )


def _positive(path: Path, entry: dict[str, Any], key: str, kind: Any) -> Any:
    value = entry.get(key)
    if value is not None and (not isinstance(value, kind) or isinstance(value, bool) or value <= 0):
        raise ConfigError(f"{path}: target {entry['name']!r} has {key} {value!r}; use a positive number.")
    return value


def _check_unique(path: Path, targets: tuple[Target, ...]) -> None:
    names = [t.name for t in targets]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{path}: target names must be unique; repeated: {', '.join(duplicates)}.")


_ATTACHED = re.compile(r"ATTACHED_MCP_SERVERS\b[^=]*=\s*\[(?P<body>.*?)\]", re.S)
_ENTRY = re.compile(
    r"\{[^{}]*?\bname\s*:\s*(['\"`])(?P<name>.*?)\1[^{}]*?\burl\s*:\s*(['\"`])(?P<url>.*?)\3[^{}]*\}", re.S
)
_PORT = re.compile(r"process\.env\.PORT\s*(?:\|\||\?\?)\s*['\"]?(?P<port>\d+)")
_LOG_NAME = re.compile(r"[`'\"](?P<name>[^`'\"\s]+): local gateway listening")


def _from_local_dev_ts(path: Path, text: str) -> GatewayConfig:
    attached = _ATTACHED.search(text)
    if attached is None:
        raise ConfigError(f"{path} has no ATTACHED_MCP_SERVERS array; is it a TypeScript-plugin local-dev.ts?")
    targets = tuple(Target(m["name"], m["url"]) for m in _ENTRY.finditer(attached["body"]))
    _check_unique(path, targets)
    port = _PORT.search(text)
    name = _LOG_NAME.search(text)
    return GatewayConfig(
        name=name["name"] if name else path.resolve().parent.name,
        targets=targets,
        port=int(port["port"]) if port else 8100,
    )
