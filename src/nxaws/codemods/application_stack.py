"""Scoped libcst edits of the CDK app's ``ApplicationStack``: add a generated construct as an attribute, and wire
deployed constructs together. Only ``ApplicationStack.__init__`` is touched; the rest of the user's stack stays."""

from __future__ import annotations

import functools

import libcst as cst

from ._imports import add_import
from ._nodes import find_all

STACK_CLASS = "ApplicationStack"
IDENTITY_CLASS = "UserIdentity"


def construct_lines(class_name: str, attribute: str, *, identity: bool = False) -> list[str]:
    """The stack line(s) creating the construct; with ``identity``, a Cognito ``UserIdentity`` first, passed to it."""
    if not identity:
        return [f"self.{attribute} = {class_name}(self)"]
    return [
        f'self.{attribute}_identity = {IDENTITY_CLASS}(self, "{class_name}Identity")',
        f"self.{attribute} = {class_name}(self, identity=self.{attribute}_identity)",
    ]


def add_construct(
    source: str, from_module: str, class_name: str, attribute: str, *, identity_module: str | None = None
) -> str | None:
    """``source`` with ``self.<attribute> = <class_name>(self)`` ending ``ApplicationStack.__init__``; with
    ``identity_module`` (where ``UserIdentity`` lives), a ``UserIdentity`` is created first and passed as ``identity``.

    Unchanged when the stack already calls ``class_name``; None when there is no ``ApplicationStack.__init__``.
    """
    module = _parse(source)
    init = _stack_init(module)
    if init is None:
        return None
    if any(isinstance(call.func, cst.Name) and call.func.value == class_name for call in find_all(init, cst.Call)):
        return source
    lines = construct_lines(class_name, attribute, identity=identity_module is not None)
    statements = [cst.parse_statement(line + "\n") for line in lines]
    body = cst.ensure_type(init.body, cst.IndentedBlock)
    new_init = init.with_changes(body=body.with_changes(body=[*body.body, *statements]))
    module = module.deep_replace(init, new_init)
    assert isinstance(module, cst.Module)
    if identity_module is not None and not _imports(module, IDENTITY_CLASS):
        module = add_import(module, identity_module, IDENTITY_CLASS)
    return add_import(module, from_module, class_name).code


def stack_attributes(source: str) -> dict[str, str]:
    """Class name → attribute for every ``self.<attr> = <Class>(...)`` in ``ApplicationStack.__init__`` (none when the
    stack does not parse: the caller then prints the line to add)."""
    try:
        init = _stack_init(_parse(source))
    except cst.ParserSyntaxError:
        return {}
    if init is None:
        return {}
    collector = _SelfAttributes()
    init.visit(collector)
    return collector.found


class _SelfAttributes(cst.CSTVisitor):
    """``self.<attr> = <Class>(...)`` assignments (isinstance checks: see ``_nodes`` on ``libcst.matchers``)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)):
            return
        if target.value.value == "self" and isinstance(node.value, cst.Call) and isinstance(node.value.func, cst.Name):
            self.found.setdefault(node.value.func.value, target.attr.value)


@functools.lru_cache(maxsize=4)
def _parse(source: str) -> cst.Module:
    """Parsed once per text: a connection asks for the stack's attributes, then edits the same source."""
    return cst.parse_module(source)


def _stack_init(module: cst.Module) -> cst.FunctionDef | None:
    for node in module.body:
        if isinstance(node, cst.ClassDef) and node.name.value == STACK_CLASS:
            for item in cst.ensure_type(node.body, cst.IndentedBlock).body:
                if isinstance(item, cst.FunctionDef) and item.name.value == "__init__":
                    return item
    return None


def _imports(module: cst.Module, name: str) -> bool:
    """``name`` is imported (without ``as``) anywhere in the module."""
    return any(alias.asname is None and alias.evaluated_name == name for alias in find_all(module, cst.ImportAlias))


# Wiring deployed constructs together (issue 14): the lines the TypeScript plugin leaves to its users. -------------
def wiring_line(gateway_attr: str, method: str, argument_attr: str) -> str:
    return f"self.{gateway_attr}.{method}(self.{argument_attr})"


def add_wiring(source: str, gateway_attr: str, method: str, argument_attr: str) -> str | None:
    """``self.<gateway_attr>.<method>(self.<argument_attr>)`` as a statement of ``ApplicationStack.__init__``, after
    the statements assigning both attributes (and after earlier ``<method>`` calls on the gateway).

    Unchanged when the call is there already (whatever its other arguments); None when the stack is not recognisable:
    no ``ApplicationStack.__init__``, or one of the attributes is not assigned in its body.
    """
    try:
        module = _parse(source)
    except cst.ParserSyntaxError:
        return None
    init = _stack_init(module)
    if init is None or not isinstance(init.body, cst.IndentedBlock):
        return None
    body = list(init.body.body)
    assigned: dict[str, int] = {}
    for index, statement in enumerate(body):
        for attr in _assigned_self_attributes(statement):
            assigned[attr] = index
    if gateway_attr not in assigned or argument_attr not in assigned:
        return None
    calls = {index: call for index, statement in enumerate(body) if (call := _self_call(statement)) is not None}
    same = [index for index, (gateway, name, _) in calls.items() if (gateway, name) == (gateway_attr, method)]
    if any(calls[index][2] == argument_attr for index in same):
        return source
    at = max(assigned[gateway_attr], assigned[argument_attr], *same) + 1
    body.insert(at, cst.parse_statement(wiring_line(gateway_attr, method, argument_attr) + "\n"))
    edited = module.deep_replace(init, init.with_changes(body=init.body.with_changes(body=body)))
    assert isinstance(edited, cst.Module)
    return edited.code


def _self_attribute(node: cst.BaseExpression) -> str | None:
    """``x`` for ``self.x``."""
    if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
        return node.attr.value
    return None


def _assigned_self_attributes(statement: cst.BaseStatement) -> list[str]:
    if not isinstance(statement, cst.SimpleStatementLine):
        return []
    found = []
    for small in statement.body:
        targets = [t.target for t in small.targets] if isinstance(small, cst.Assign) else []
        if isinstance(small, cst.AnnAssign):
            targets = [small.target]
        found += [attr for target in targets if (attr := _self_attribute(target)) is not None]
    return found


def _self_call(statement: cst.BaseStatement) -> tuple[str, str, str | None] | None:
    """``(gateway, method, first argument)`` for a statement ``self.<gateway>.<method>(self.<argument>, ...)``."""
    if not (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1):
        return None
    expr = statement.body[0]
    if not (isinstance(expr, cst.Expr) and isinstance(expr.value, cst.Call)):
        return None
    func = expr.value.func
    if not isinstance(func, cst.Attribute) or (gateway := _self_attribute(func.value)) is None:
        return None
    args = expr.value.args
    first = _self_attribute(args[0].value) if args and args[0].keyword is None else None
    return gateway, func.attr.value, first
