"""Generator options from a generator's schema: argv parsing, defaults and prompts.

The CLI, ``nxaws demo``, the engine, tests and benchmarks all go through here, so an option's spelling,
type, aliases and default are defined once — in the schema.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from .generators import schema
from .workspace.errors import UsageError

# Flags every generator accepts; the engine/CLI read them, generators never see them.
GLOBAL_FLAGS = {"--dry-run", "-d", "--json", "--no-interactive", "--interactive", "--verbose", "--help", "-h"}


def camel(name: str) -> str:
    """``source-project`` → ``sourceProject``."""
    head, *tail = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in tail)


def coerce(name: str, spec: dict[str, Any], raw: str) -> Any:
    """A command-line string as the option's type; a clear usage error otherwise."""
    kind = spec.get("type")
    if kind == "boolean":
        if raw.lower() in ("true", "1", "yes"):
            return True
        if raw.lower() in ("false", "0", "no"):
            return False
        raise UsageError(f"--{name} takes true or false, not '{raw}'.")
    if kind in ("number", "integer"):
        try:
            return int(raw)
        except ValueError:
            raise UsageError(f"--{name} takes a number, not '{raw}'.") from None
    if "enum" in spec and raw not in spec["enum"]:
        raise UsageError(f"--{name} must be one of {', '.join(spec['enum'])}; got '{raw}'.")
    return raw


def _option_key(properties: dict[str, dict[str, Any]], name: str) -> str | None:
    """The schema key ``--name`` stands for: its camelCase spelling, or an alias (Nx's ``aliases``)."""
    key = camel(name)
    if key in properties:
        return key
    return next(
        (k for k, spec in properties.items() if name in spec.get("aliases", ()) or key in spec.get("aliases", ())), None
    )


def parse_options(generator_id: str, tokens: list[str]) -> dict[str, Any]:
    """Map argv tokens onto the generator's schema: positionals by ``$default.index``, both spellings."""
    properties: dict[str, dict[str, Any]] = schema(generator_id)["properties"]
    positional = {
        spec["$default"]["index"]: key
        for key, spec in properties.items()
        if spec.get("$default", {}).get("$source") == "argv"
    }
    options: dict[str, Any] = {}
    index = 0
    i = 0
    while i < len(tokens):
        token = tokens[i]
        i += 1
        if token in GLOBAL_FLAGS:
            continue
        if not token.startswith("--"):
            if index not in positional:
                raise UsageError(f"Unexpected argument '{token}' for {generator_id}. See `nxaws list {generator_id}`.")
            key = positional[index]
            options[key] = coerce(key, properties[key], token)
            index += 1
            continue
        name, has_value, value = token[2:].partition("=")
        key = _option_key(properties, name)
        if key is None and name.startswith("no-") and (key := _option_key(properties, name[3:])) is not None:
            if properties[key].get("type") != "boolean":
                raise UsageError(f"--{name} is not an option: --{name[3:]} is not a boolean.")
            has_value, value = True, "false"
        if key is None:
            known = ", ".join(f"--{k}" for k in properties)
            raise UsageError(f"Unknown option --{name} for {generator_id}. Its options are: {known}.")
        spec = properties[key]
        if not has_value:
            if spec.get("type") == "boolean":
                value = "true"
            elif i < len(tokens):
                value, i = tokens[i], i + 1
            else:
                raise UsageError(f"--{name} needs a value.")
        options[key] = coerce(name, spec, value)
    return options


def complete_options(
    generator_id: str, options: dict[str, Any], *, interactive: bool = False, root: Path | None = None
) -> dict[str, Any]:
    """Fill defaults; prompt for missing required options on a terminal, else name them in an error.

    Options whose schema gives no default (``iac``: the workspace's flavour) stay absent; the generator
    resolves them from the workspace.
    """
    spec = schema(generator_id)
    properties = spec["properties"]
    options = dict(options)
    for key in spec.get("required", []):
        if key in options:
            continue
        if not interactive:
            prompt = properties[key].get("description", "")
            raise UsageError(
                f"Missing required option --{key} ({prompt.rstrip('.')}). Pass it on the command line "
                f"(`nxaws g {generator_id} --{key}=...`) or run in a terminal without --no-interactive."
            )
        options[key] = _prompt(key, properties[key], root)
    for key, prop in properties.items():
        if key not in options and "default" in prop:
            options[key] = prop["default"]
        elif isinstance(options.get(key), str) and "enum" in prop and options[key] not in prop["enum"]:
            raise UsageError(f"--{key} must be one of {', '.join(prop['enum'])}; got '{options[key]}'.")
    return options


def _prompt(key: str, prop: dict[str, Any], root: Path | None) -> Any:
    choices: list[str] = list(prop.get("enum", []))
    if prop.get("x-dropdown") == "projects" and root is not None:
        from .workspace.projects import Workspace
        from .workspace.tree import Tree

        choices = sorted(Workspace(Tree(root)).projects())
    question = prop.get("x-prompt", prop.get("description", key))
    if isinstance(question, dict):
        question = question.get("message", key)
    while True:
        if choices:
            print(question, file=sys.stderr)
            for n, choice in enumerate(choices, 1):
                print(f"  {n}) {choice}", file=sys.stderr)
            answer = input("> ").strip()
            if answer.isdigit() and 1 <= int(answer) <= len(choices):
                return choices[int(answer) - 1]
            if answer in choices:
                return answer
            print(f"Please pick a number from 1 to {len(choices)}.", file=sys.stderr)
        else:
            answer = input(f"{question} ").strip()
            if answer:
                return coerce(key, prop, answer)
