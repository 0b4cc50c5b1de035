"""``nxaws local-gateway``: argument parsing; ``server.serve`` runs the gateway until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from ..policy.settings import MODES
from ..workspace.errors import UserError
from .asgi import create_app
from .config import GatewayConfig, load_config
from .policies import load_policies
from .security import IamAuth
from .server import serve


def main(argv: list[str] | None = None) -> int:
    """Run a gateway project's local gateway; returns the process exit code."""
    args = _parser().parse_args(argv)
    # Our logger at the chosen level; libraries stay at WARNING (httpx logs every request at INFO).
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for logger in ("nxaws.local_gateway", "nxaws.policy"):  # nxaws.policy: decisions, reloads
        logging.getLogger(logger).setLevel(args.log_level.upper())
    try:
        config = load_config(args.config).with_options(**{name: getattr(args, name) for name in _LIMITS})
        port = _port(args.port, config)
        auth = IamAuth.from_environment(_region(args.region)) if args.auth == "iam" else None
        policies = load_policies(Path(args.config), config.name, args.policies)
    except UserError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    app = create_app(config, auth=auth, allowed_hosts=[args.host], policies=policies)
    try:
        return asyncio.run(serve(app, config, args.host, port, args.log_level))
    except KeyboardInterrupt:  # uvicorn re-raises SIGINT after its graceful shutdown
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nxaws local-gateway",
        description="Serve a local AgentCore Gateway: every target's tools as <target>___<tool> on /mcp.",
    )
    parser.add_argument("config", nargs="?", default="local-gateway.json", help="local-gateway.json or local-dev.ts")
    parser.add_argument("--port", type=int, help="port to listen on (default: $PORT, else the config's port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--auth", choices=("none", "iam"), default="none", help="iam: require SigV4-signed calls")
    parser.add_argument("--region", help="SigV4 region for --auth iam (default: $AWS_REGION, else us-east-1)")
    parser.add_argument("--policies", choices=MODES,
                        help="Cedar policies in policies/*.cedar: enforce, log-only (log, allow) or off "
                             "(default: the config's policies.mode, else enforce when there are any)")  # fmt: skip
    limits = parser.add_argument_group("limits (defaults in README.md; a target's own setting in the config wins)")
    limits.add_argument("--timeout", type=_positive(float), help="seconds a target may take before it counts as down")
    limits.add_argument("--max-concurrent", type=_positive(int), help="requests in flight per target")
    limits.add_argument("--max-queued", type=_positive(int), help="requests waiting per target for a free slot")
    limits.add_argument("--max-reply-bytes", type=_positive(int), help="bytes of one reply (or of a whole batch's)")
    limits.add_argument("--max-batch", type=_positive(int), help="messages in one JSON-RPC batch")
    limits.add_argument("--batch-concurrency", type=_positive(int), help="messages of one batch handled at once")
    limits.add_argument("--max-body-bytes", type=_positive(int), help="bytes of one request body")
    limits.add_argument("--shutdown-grace", type=_positive(float), help="seconds in-flight calls get after SIGTERM")
    parser.add_argument("--page-size", type=int, help=argparse.SUPPRESS)  # small pages for tests
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    return parser


_LIMITS = (
    "timeout",
    "max_concurrent",
    "max_queued",
    "max_reply_bytes",
    "max_batch",
    "batch_concurrency",
    "max_body_bytes",
    "shutdown_grace",
    "page_size",
)


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(f"expected a positive {kind.__name__}, got {text!r}")
        return value

    return parse


def _port(option: int | None, config: GatewayConfig) -> int:
    if option is not None:
        return option
    raw = os.environ.get("PORT")
    if not raw:
        return config.port
    if not raw.isdigit() or int(raw) > 65535:
        raise UserError(f"PORT must be a port number, not '{raw}'.")
    return int(raw)


def _region(option: str | None) -> str:
    return option or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
