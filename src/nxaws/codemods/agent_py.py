"""Wire a gateway client into a user's ``agent.py``, touching only ``get_agent`` and the agent it builds.

What to add comes from the framework's record (``nxaws.frameworks``): ``var = Client.create()`` first in
``get_agent``; the client spread into the ``tools=[...]`` of the framework's agent call (``*var.list_tools_sync()``
for Strands, ``*var`` for LangChain); and, for frameworks whose clients must stay open while the agent runs
(Strands), the rest of the body inside one shared ``with (var, ...):``. Each piece is added only when missing,
so running again returns the source unchanged.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass

import libcst as cst

from .. import frameworks
from ..frameworks import Framework
from ._commas import append_arg, append_item
from ._imports import add_import
from ._layout import explode_long_tools, may_need_layout
from ._nodes import find_all, is_docstring, single_target, sole_statement


class AgentEditError(Exception):
    """``agent.py`` has no shape we can edit safely; the message says what is missing and what to add by hand."""


class _Unsupported(Exception):
    """What was not found; turned into an :class:`AgentEditError` carrying the manual steps."""


def _compact(code: str) -> str:
    return "".join(code.split())


@dataclass(frozen=True)
class _Edit:
    """Everything one gateway's edit needs."""

    framework: Framework
    client_class: str
    var: str

    @property
    def agent_call(self) -> str:
        return self.framework.agent_call

    @property
    def spread_source(self) -> str:
        return self.framework.spread.format(var=self.var)

    def spread(self) -> cst.StarredElement:
        return cst.StarredElement(cst.parse_expression(self.spread_source))

    def is_spread(self, element: cst.BaseElement) -> bool:
        """This client's ``*<spread>`` in a tools list, whatever its spacing."""
        if not isinstance(element, cst.StarredElement):
            return False
        return _compact(cst.Module([]).code_for_node(element.value)) == _compact(self.spread_source)

    def is_agent_call(self, call: cst.Call) -> bool:
        """``Agent(...)`` or ``anything.Agent(...)`` (the framework's agent call)."""
        name = call.func.attr if isinstance(call.func, cst.Attribute) else call.func
        return isinstance(name, cst.Name) and name.value == self.agent_call

    def is_client_class(self, name: str) -> bool:
        """Our client classes of this framework, by the name the generator gives them (``<Gateway>ClientStrands``)."""
        return name == self.client_class or name.endswith(self.framework.client_class(""))

    def create_line(self) -> cst.SimpleStatementLine:
        return cst.parse_statement(f"{self.var} = {self.client_class}.create()\n")  # type: ignore[return-value]


def manual_steps(*, framework: str | Framework, module: str, client_class: str, var: str) -> str:
    """The lines a user adds to ``agent.py`` by hand when we cannot edit it (or it does not exist)."""
    framework = frameworks.get(framework)
    spread = f"{framework.agent_call}(..., tools=[..., *{framework.spread.format(var=var)}])"
    lines = [f"from {module} import {client_class}", "", "# first statement of get_agent():"]
    lines.append(f"{var} = {client_class}.create()")
    if framework.keeps_clients_open:
        lines += [
            "",
            "# keep the client open while the agent runs: put the rest of get_agent() inside",
            f"# `with ({var},):` (or add {var} to the existing `with (...)` of gateway clients)",
            f"# and spread its tools into the {framework.agent_call}:",
            spread,
        ]
    else:
        lines += ["", "# and spread its tools into the agent:", spread]
    return "\n".join(lines)


def add_gateway_client(
    source: str,
    *,
    framework: str | Framework,
    module: str,
    client_class: str,
    var: str,
    line_length: int | None = None,
) -> str:
    """Return ``source`` with the gateway client ``client_class`` (from ``module``) wired in as ``var``.

    With ``line_length`` (the workspace's), a one-line tools list the new spread pushes past it is laid out
    one element per line, as the formatter would. Raises :class:`AgentEditError` when ``get_agent`` or its
    agent call cannot be found or edited.
    """
    edit = _Edit(frameworks.get(framework), client_class, var)
    try:
        tree = _edit_get_agent(_parse(source), edit)
    except _Unsupported as problem:
        steps = manual_steps(framework=edit.framework, module=module, client_class=client_class, var=var)
        raise AgentEditError(
            f"{problem}. Add the gateway client to agent.py by hand:\n\n{textwrap.indent(steps, '    ')}"
        ) from None
    tree = add_import(tree, module, client_class, first=True)
    code, spread = tree.code, "*" + edit.spread_source
    if line_length is not None and may_need_layout(code, spread, line_length):
        code = explode_long_tools(tree, spread, edit.is_agent_call, line_length).code
    return code


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
        index = _tools_arg(call, self.edit.framework.tools_position)
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
    if edit.framework.keeps_clients_open:
        statements = _shared_with(func, statements, head, edit)
    created = {_created_name(node, lambda client: client == edit.client_class) for node in find_all(func, cst.Assign)}
    if edit.var not in created:
        statements.insert(head, edit.create_line())
    return func.with_changes(body=body.with_changes(body=statements))


def _shared_with(
    func: cst.FunctionDef, statements: list[cst.BaseStatement], head: int, edit: _Edit
) -> list[cst.BaseStatement]:
    """Join ``var`` to the gateway-client with-block, creating it around the body if there is none yet."""
    created = _created_clients(statements, edit)
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
            f"`get_agent` in agent.py returns its {edit.agent_call} instead of yielding it from a @contextmanager, "
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


def _is_create_line(statement: cst.BaseStatement) -> bool:
    return _created_name(sole_statement(statement), lambda _: True) is not None


def _created_clients(statements: list[cst.BaseStatement], edit: _Edit) -> set[str]:
    names = (_created_name(sole_statement(statement), edit.is_client_class) for statement in statements)
    return {name for name in names if name is not None}


def _is_gateway_with(statement: cst.BaseStatement, created: set[str]) -> bool:
    """The with-block over gateway clients only: every item is a bare name bound by a client ``create()``."""
    if not isinstance(statement, cst.With) or not created:
        return False
    return all(
        isinstance(item.item, cst.Name) and item.asname is None and item.item.value in created
        for item in statement.items
    )
