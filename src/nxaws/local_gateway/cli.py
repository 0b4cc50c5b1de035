"""``nxaws local-gateway``: argument parsing, then uvicorn in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys

import uvicorn

from ..workspace.errors import UserError
from .asgi import GatewayApp, create_app
from .config import DEFAULT_TIMEOUT, GatewayConfig, load_config
from .security import IamAuth

log = logging.getLogger("nxaws.local_gateway")


def main(argv: list[str] | None = None) -> int:
    """Run a gateway project's local gateway; returns the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        config = load_config(args.config).with_options(timeout=args.timeout, page_size=args.page_size)
        port = _port(args.port, config)
        auth = IamAuth.from_environment(_region(args.region)) if args.auth == "iam" else None
    except UserError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.exit_code
    app = create_app(config, auth=auth, allowed_hosts=[args.host])
    try:
        return asyncio.run(_serve(app, config, args.host, port, args.log_level))
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
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="seconds a target may take before it counts as down",
    )
    parser.add_argument("--page-size", type=int, help=argparse.SUPPRESS)  # small pages for tests
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"), default="info")
    return parser


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


async def _serve(app: GatewayApp, config: GatewayConfig, host: str, port: int, log_level: str) -> int:
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=host,
            port=port,
            lifespan="on",
            access_log=False,  # we log one line per request ourselves, at debug level
            log_level="debug" if log_level == "debug" else "warning",
            timeout_graceful_shutdown=5,
        )
    )
    serving = asyncio.create_task(server.serve())
    while not server.started and not serving.done():
        await asyncio.sleep(0.02)
    if server.started:
        shown = f"[{host}]" if ":" in host else host
        targets = ", ".join(t.name for t in config.targets) or "none"
        print(
            f"{config.name}: local gateway listening on http://{shown}:{port}/mcp (targets: {targets})",
            flush=True,
        )
    try:
        await serving
    except SystemExit as exc:  # uvicorn exits this way when it cannot bind
        return int(exc.code or 1)
    return 0 if server.started else 1
