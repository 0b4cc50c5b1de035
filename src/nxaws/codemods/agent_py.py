"""Wire a gateway client into a user's ``agent.py``, touching only ``get_agent`` and the agent it builds.

Strands: ``var = Client.create()`` first in ``get_agent``, the rest of the body inside one shared
``with (var, ...):`` (an MCP client only serves tools while it is open), and ``*var.list_tools_sync()`` in the
``Agent(tools=[...])`` list. LangChain: ``var = Client.create()`` and ``*var`` in ``create_agent(tools=[...])``.
Each piece is added only when missing, so running again returns the source unchanged.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import libcst as cst

from ._commas import append_arg, append_item
from ._imports import add_import
from ._nodes import find_all, is_docstring, is_name, single_target, sole_statement

Framework = Literal["strands", "langchain"]


class AgentEditError(Exception):
    """``agent.py`` has no shape we can edit safely; the message says what is missing and what to add by hand."""


class _Unsupported(Exception):
    """What was not found; turned into an :class:`AgentEditError` carrying the manual steps."""


@dataclass(frozen=True)
class _Edit:
    """Everything one gateway's edit needs, per framework."""

    framework: Framework
    client_class: str
    var: str

    @property
    def agent_call(self) -> str:
        return "create_agent" if self.framework == "langchain" else "Agent"

    @property
    def tools_position(self) -> int:
        """Where ``tools`` sits if positional: ``Agent(model, messages, tools)``, ``create_agent(model, tools)``."""
        return 1 if self.framework == "langchain" else 2

    @property
    def spread_source(self) -> str:
        return self.var if self.framework == "langchain" else f"{self.var}.list_tools_sync()"

    def spread(self) -> cst.StarredElement:
        return cst.StarredElement(cst.parse_expression(self.spread_source))

    def is_spread(self, element: cst.BaseElement) -> bool:
        """``*var`` (LangChain) or ``*var.list_tools_sync()`` (Strands) in a tools list."""
        if not isinstance(element, cst.StarredElement):
            return False
        if self.framework == "langchain":
            return is_name(element.value, self.var)
        return is_name(_method_call(element.value, "list_tools_sync"), self.var)

    def is_agent_call(self, call: cst.Call) -> bool:
        """``Agent(...)`` or ``anything.Agent(...)`` (``create_agent`` for LangChain)."""
        name = call.func.attr if isinstance(call.func, cst.Attribute) else call.func
        return is_name(name, self.agent_call)

    def create_line(self) -> cst.SimpleStatementLine:
        return cst.parse_statement(f"{self.var} = {self.client_class}.create()\n")  # type: ignore[return-value]


def manual_steps(*, framework: Framework, module: str, client_class: str, var: str) -> str:
    """The lines a user adds to ``agent.py`` by hand when we cannot edit it (or it does not exist)."""
    lines = [f"from {module} import {client_class}", "", "# first statement of get_agent():"]
    lines.append(f"{var} = {client_class}.create()")
    if framework == "langchain":
        lines += ["", "# and spread its tools into the agent:", f"create_agent(..., tools=[..., *{var}])"]
    else:
        lines += [
            "",
            "# keep the client open while the agent runs: put the rest of get_agent() inside",
            f"# `with ({var},):` (or add {var} to the existing `with (...)` of gateway clients)",
            "# and spread its tools into the Agent:",
            f"Agent(..., tools=[..., *{var}.list_tools_sync()])",
        ]
    return "\n".join(lines)


def add_gateway_client(source: str, *, framework: Framework, module: str, client_class: str, var: str) -> str:
    """Return ``source`` with the gateway client ``client_class`` (from ``module``) wired in as ``var``.

    Raises :class:`AgentEditError` when ``get_agent`` or its agent call cannot be found or edited.
    """
    edit = _Edit(framework, client_class, var)
    try:
        tree = _edit_get_agent(_parse(source), edit)
    except _Unsupported as problem:
        steps = manual_steps(framework=framework, module=module, client_class=client_class, var=var)
        raise AgentEditError(
            f"{problem}. Add the gateway client to agent.py by hand:\n\n{textwrap.indent(steps, '    ')}"
        ) from None
    return add_import(tree, module, client_class).code


def _parse(source: str) -> cst.Module:
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        raise _Unsupported(f"agent.py is not valid Python (line {error.raw_line}: {error.message})") from None


def _edit_get_agent(tree: cst.Module, edit: _Edit) -> cst.Module:
    functions = [s for s in tree.body if isinstance(s, cst.FunctionDef) and s.name.value == "get_agent"]
    if not functions:
        raise _Unsupported("agent.py has no top-level `get_agent` function")
    # The last definition is the one Python binds.
    func = functions[-1]
    assert isinstance(func, cst.FunctionDef)
    spreader = _ToolsSpreader(edit)
    new_func = func.visit(spreader)
    assert isinstance(new_func, cst.FunctionDef)
    if not spreader.calls:
        raise _Unsupported(f"`get_agent` in agent.py makes no `{edit.agent_call}(...)` call")
    new_func = _add_client_lines(new_func, edit)
    return tree.with_changes(body=[new_func if s is func else s for s in tree.body])


class _ToolsSpreader(cst.CSTTransformer):
    """Append the gateway's tools to the ``tools`` list of every outermost agent call it visits."""

    def __init__(self, edit: _Edit) -> None:
        super().__init__()
        self.edit = edit
        self.calls = 0
        self._depth = 0

    def visit_Call(self, node: cst.Call) -> bool:
        if self.edit.is_agent_call(node):
            self._depth += 1
        return True

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        if not self.edit.is_agent_call(original_node):
            return updated_node
        self._depth -= 1
        # Agents passed as tools of another agent are not the agent get_agent builds.
        if self._depth:
            return updated_node
        self.calls += 1
        return self._spread_into(updated_node)

    def _spread_into(self, call: cst.Call) -> cst.Call:
        index = _tools_arg(call, self.edit.tools_position)
        if index is None:
            if any(arg.star == "**" for arg in call.args):
                raise _Unsupported(f"`{self.edit.agent_call}(...)` in `get_agent` takes `**` arguments")
            tools = cst.List([self.edit.spread()])
            equal = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
            return append_arg(call, cst.Arg(tools, keyword=cst.Name("tools"), equal=equal))
        arg = call.args[index]
        if not isinstance(arg.value, cst.List):
            shown = cst.Module([]).code_for_node(arg.value)
            raise _Unsupported(
                f"the tools of `{self.edit.agent_call}(...)` in `get_agent` are not a list literal (`{shown}`)"
            )
        tools = arg.value
        if any(self.edit.is_spread(element) for element in tools.elements):
            return call
        elements, closing = append_item(
            tools.elements,
            self.edit.spread(),
            tools.lbracket.whitespace_after,
            tools.rbracket.whitespace_before,
        )
        tools = tools.with_changes(elements=elements, rbracket=tools.rbracket.with_changes(whitespace_before=closing))
        args = list(call.args)
        args[index] = arg.with_changes(value=tools)
        return call.with_changes(args=args)


def _tools_arg(call: cst.Call, position: int) -> int | None:
    for index, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == "tools":
            return index
    positional = [i for i, arg in enumerate(call.args) if arg.keyword is None and not arg.star]
    return positional[position] if len(positional) > position else None


def _add_client_lines(func: cst.FunctionDef, edit: _Edit) -> cst.FunctionDef:
    """Add the ``create()`` line (after any docstring) and, for Strands, the shared with-block."""
    body = func.body
    if not isinstance(body, cst.IndentedBlock):
        raise _Unsupported("`get_agent` in agent.py is written on one line")
    statements = list(body.body)
    head = 1 if statements and is_docstring(statements[0]) else 0
    if edit.framework == "strands":
        statements = _strands_with(func, statements, head, edit)
    created = {_created_name(node, lambda client: client == edit.client_class) for node in find_all(func, cst.Assign)}
    if edit.var not in created:
        statements.insert(head, edit.create_line())
    return func.with_changes(body=body.with_changes(body=statements))


def _strands_with(
    func: cst.FunctionDef, statements: list[cst.BaseStatement], head: int, edit: _Edit
) -> list[cst.BaseStatement]:
    """Join ``var`` to the gateway-client with-block, creating it around the body if there is none yet."""
    created = _created_clients(statements, edit.client_class)
    for index, statement in enumerate(statements):
        if _is_gateway_with(statement, created):
            assert isinstance(statement, cst.With)
            if edit.var in {item.item.value for item in statement.items}:  # type: ignore[attr-defined]
                return statements
            statements[index] = _add_with_item(statement, edit.var)
            return statements
    # Leaving a with-block stops its MCP clients, so wrapping a `return` would hand out dead tools.
    if not find_all(func.body, cst.Yield):
        raise _Unsupported(
            "`get_agent` in agent.py returns its Agent instead of yielding it from a @contextmanager, "
            "so the gateway client would close before the agent uses it"
        )
    start = head
    while start < len(statements) and _is_create_line(statements[start]):
        start += 1
    inner = func.body.with_changes(body=statements[start:], header=cst.TrailingWhitespace(), footer=())
    block = cst.parse_statement(f"with (\n    {edit.var},\n):\n    pass\n").with_changes(body=inner)
    return [*statements[:start], block]


def _add_with_item(statement: cst.With, var: str) -> cst.With:
    opening = statement.lpar.whitespace_after if isinstance(statement.lpar, cst.LeftParen) else None
    closing = statement.rpar.whitespace_before if isinstance(statement.rpar, cst.RightParen) else None
    items, closing = append_item(statement.items, cst.WithItem(cst.Name(var)), opening, closing)
    if isinstance(statement.rpar, cst.RightParen):
        return statement.with_changes(items=items, rpar=statement.rpar.with_changes(whitespace_before=closing))
    return statement.with_changes(items=items)


def _method_call(node: cst.BaseExpression | None, method: str) -> cst.BaseExpression | None:
    """The receiver ``x`` of ``x.method()`` called without arguments, else None."""
    if (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == method
        and not node.args
    ):
        return node.func.value
    return None


def _created_name(assign: cst.CSTNode | None, client_ok: Callable[[str], bool]) -> str | None:
    """``var`` in ``var = Client.create()`` when ``client_ok("Client")``, else None."""
    if not isinstance(assign, cst.Assign) or not isinstance(target := single_target(assign), cst.Name):
        return None
    client = _method_call(assign.value, "create")
    return target.value if isinstance(client, cst.Name) and client_ok(client.value) else None


def _is_gateway_client(name: str, client_class: str) -> bool:
    """Our client classes, by the name the generator gives them (``<Gateway>ClientStrands``)."""
    return name == client_class or name.endswith("ClientStrands")


def _is_create_line(statement: cst.BaseStatement) -> bool:
    return _created_name(sole_statement(statement), lambda _: True) is not None


def _created_clients(statements: list[cst.BaseStatement], client_class: str) -> set[str]:
    names = (
        _created_name(sole_statement(statement), lambda client: _is_gateway_client(client, client_class))
        for statement in statements
    )
    return {name for name in names if name is not None}


def _is_gateway_with(statement: cst.BaseStatement, created: set[str]) -> bool:
    """The with-block over gateway clients only: every item is a bare name bound by a client ``create()``."""
    if not isinstance(statement, cst.With) or not created:
        return False
    return all(
        isinstance(item.item, cst.Name) and item.asname is None and item.item.value in created
        for item in statement.items
    )
