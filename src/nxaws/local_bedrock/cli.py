"""``nxaws local-bedrock``: serve a script (or the built-in one) until SIGTERM or Ctrl-C."""

from __future__ import annotations

import argparse
import sys

from ..stand_ins import in_foreground
from .script import ScriptError, default_script, load_script
from .server import LocalBedrock

DEFAULT_PORT = 8300


def main(argv: list[str] | None = None) -> int:
    """Run the stand-in in the foreground; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        script = load_script(args.script) if args.script else default_script()
    except ScriptError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    try:
        server = LocalBedrock(script, args.port, log=None if args.quiet else _log)
    except OSError as exc:
        print(f"Error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}.", file=sys.stderr)
        return 1
    print(
        f"local-bedrock (scripted Bedrock Runtime, {len(script.turns)} turns from {script.source}) on {server.url}"
        f" -- export AWS_ENDPOINT_URL_BEDROCK_RUNTIME={server.url}",
        flush=True,
    )
    return in_foreground(server)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nxaws local-bedrock",
        description="Serve a scripted Amazon Bedrock Runtime (Converse, ConverseStream) on 127.0.0.1.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any)")
    parser.add_argument("--script", metavar="FILE", help="JSON or YAML list of turns (default: the built-in script)")
    parser.add_argument("--quiet", action="store_true", help="no line per request on stderr")
    return parser


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
