"""Command line: argument parsing only. The work happens in ``engine`` and the generators."""

from __future__ import annotations

import gc
import json
import os
import sys
import traceback
from pathlib import Path

from . import engine
from .generators import GENERATORS, schema
from .options import GLOBAL_FLAGS, complete_options, parse_options
from .workspace.errors import UsageError, UserError
from .workspace.projects import find_root

USAGE = """\
usage: nxaws <command> [options]

Wire Python agents in an Nx + uv monorepo to Amazon Bedrock AgentCore Gateway.

commands:
  new DIR [--scope S] [--python X.Y] [--no-install]   create an Nx + uv workspace
  g, generate GENERATOR [ARGS] [--dry-run] [--json]     run a generator (see `nxaws list`)
  list [GENERATOR]                                      list generators and their options
  local-gateway [CONFIG] [--port N] [--auth none|iam]   run a gateway project's local gateway
                [--policies enforce|log-only|off]       (its Cedar policies enforced by default)
  local-runtime-config [--set NS.KEY=VALUE]             serve runtime config (AppConfig data plane) locally
  policy check|test GATEWAY_PROJECT [...]               evaluate a gateway's Cedar policies offline
  local-bedrock [--port N] [--script FILE]              serve a scripted Bedrock Runtime (Converse) locally
  demo [DIR]                                            build a demo workspace and run an agent through it
  init [--no-install]                                   add the Nx plugin `nxaws` to an existing Nx workspace
  sync-plugin [--check]                                 refresh the Nx plugin and the nxaws pin of this workspace

global options: --help, --version, --verbose (tracebacks), --no-interactive (never prompt)
"""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "--verbose" in args
    as_json = "--json" in args
    try:
        return _dispatch(args)
    except UserError as exc:
        if as_json:
            print(json.dumps({"error": {"message": str(exc), "exitCode": exc.exit_code}}))
        else:
            print(f"Error: {exc}", file=sys.stderr)
        if verbose:
            traceback.print_exc()
        return exc.exit_code
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`nxaws g ... --json | head`): nothing left to tell it
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as exc:  # a bug of ours: say so plainly, keep the traceback behind --verbose
        if verbose:
            traceback.print_exc()
        message = f"Unexpected failure: {type(exc).__name__}: {exc}. Run again with --verbose for details."
        if as_json:
            print(json.dumps({"error": {"message": message, "exitCode": 1}}))
        else:
            print(f"Error: {message}", file=sys.stderr)
        return 1


def _dispatch(args: list[str]) -> int:
    # Global flags may come before the command (`nxaws --verbose g ...`): they then belong to its arguments.
    lead = []
    while args and args[0] in GLOBAL_FLAGS - {"--help", "-h"}:
        lead.append(args.pop(0))
    if args and lead:
        args = [*args, *lead]
    if not args or args[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0 if args else 2
    if args[0] in ("-V", "--version"):
        from . import __version__

        print(f"nxaws {__version__}")
        return 0
    command, rest = args[0], args[1:]
    if command == "local-gateway":
        from .local_gateway import main as gateway_main

        return gateway_main(rest)
    if command == "local-runtime-config":
        from .local_runtime_config import main as runtime_config_main

        return runtime_config_main(rest)
    if command == "policy":
        from .policy.cli import main as policy_main

        return policy_main(rest)
    if command == "local-bedrock":
        from .local_bedrock import main as bedrock_main

        return bedrock_main(rest)
    if command in ("g", "generate"):
        return _generate(rest)
    if command == "new":
        return _generate(["new", *rest], new=True)
    if command == "list":
        return _list(rest)
    if command == "demo":
        from .demo import main as demo_main

        return demo_main(rest)
    if command == "sync-plugin":
        from .nx_plugin import main as plugin_main

        return plugin_main(rest)
    if command == "init":
        from .nx_plugin import init

        return init(rest)
    raise UsageError(f"Unknown command '{command}'. Run `nxaws --help` to see the commands.")


def _generate(args: list[str], *, new: bool = False) -> int:
    # A short run: cyclic GC passes only slow down importing libcst (hundreds of node classes); nothing we
    # allocate here forms cycles worth collecting before exit.
    gc.disable()
    try:
        return _run_generator(args, new=new)
    finally:
        gc.enable()


def _run_generator(args: list[str], *, new: bool = False) -> int:
    if not args or args[0].startswith("-"):
        if "--help" in args or "-h" in args:
            return _list([])
        raise UsageError("Name a generator: `nxaws g <generator> ...`. Run `nxaws list` to see them.")
    generator_id, tokens = args[0], args[1:]
    if not new and generator_id not in GENERATORS:
        raise UsageError(f"Unknown generator '{generator_id}'. Available generators: {', '.join(GENERATORS)}.")
    if "--help" in tokens or "-h" in tokens:
        return _list([generator_id])
    dry_run = "--dry-run" in tokens or "-d" in tokens
    as_json = "--json" in tokens
    interactive = (
        "--no-interactive" not in tokens and not as_json and engine.stdin_is_interactive()
        and os.environ.get("CI") != "true"
    )  # fmt: skip
    options = parse_options(generator_id, tokens)
    root = None if new else find_root(Path.cwd())
    options = complete_options(generator_id, options, interactive=interactive, root=root)
    if new:
        root = Path(options["directory"]).resolve()
    assert root is not None
    outcome = engine.generate(generator_id, root, options, dry_run=dry_run)
    wants_install = bool(options["preferInstallDependencies"])
    if as_json:
        print(engine.change_set_json(outcome, wants_install and bool(outcome.changes)))
        return 0
    engine.print_changes(outcome, sys.stdout, dry_run=dry_run)
    if not dry_run and wants_install and outcome.result.install and outcome.changes:
        engine.install(root, outcome.result.install, sys.stdout)
    return 0


def _snake_upper(key: str) -> str:
    """``sourceProject`` → ``SOURCE_PROJECT`` for usage lines."""
    return "".join(f"_{c}" if c.isupper() else c.upper() for c in key).lstrip("_")


def _list(args: list[str]) -> int:
    ids = args or list(GENERATORS)
    for generator_id in ids:
        spec = schema(generator_id) if generator_id in GENERATORS else None
        if spec is None:
            raise UsageError(f"Unknown generator '{generator_id}'. Available generators: {', '.join(GENERATORS)}.")
        print(f"{generator_id}: {spec.get('description', '')}")
        if len(ids) == 1 or args:
            positional = sorted(
                (prop["$default"]["index"], key)
                for key, prop in spec["properties"].items()
                if prop.get("$default", {}).get("$source") == "argv"
            )
            shown = " ".join(_snake_upper(key) for _, key in positional)
            same = ", ".join(f"{_snake_upper(key)} = --{key}" for _, key in positional)
            print(f"usage: nxaws g {generator_id} {shown} [options]  ({same})")
            required = set(spec.get("required", []))
            for key, prop in spec["properties"].items():
                flag = f"--{key}" + (" (required)" if key in required else "")
                extra = f" [{'|'.join(prop['enum'])}]" if "enum" in prop else ""
                default = f" (default: {json.dumps(prop['default'])})" if "default" in prop else ""
                print(f"  {flag:32} {prop.get('description', '')}{extra}{default}")
    return 0
