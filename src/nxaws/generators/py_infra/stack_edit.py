"""Scoped libcst edits of the CDK app's ``ApplicationStack``: add a generated construct as an attribute."""

from __future__ import annotations

import libcst as cst
import libcst.matchers as m

STACK_CLASS = "ApplicationStack"


def construct_line(class_name: str, attribute: str) -> str:
    return f"self.{attribute} = {class_name}(self)"


def add_construct(source: str, from_module: str, class_name: str, attribute: str) -> str | None:
    """``source`` with ``self.<attribute> = <class_name>(self)`` ending ``ApplicationStack.__init__``.

    Unchanged when the stack already calls ``class_name``; None when there is no ``ApplicationStack.__init__``.
    """
    module = cst.parse_module(source)
    init = _stack_init(module)
    if init is None:
        return None
    if m.findall(init, m.Call(func=m.Name(class_name))):
        return source
    statement = cst.parse_statement(construct_line(class_name, attribute) + "\n")
    body = cst.ensure_type(init.body, cst.IndentedBlock)
    new_init = init.with_changes(body=body.with_changes(body=[*body.body, statement]))
    module = module.deep_replace(init, new_init)
    assert isinstance(module, cst.Module)
    return _add_import(module, from_module, class_name).code


def stack_attributes(source: str) -> dict[str, str]:
    """Class name → attribute for every ``self.<attr> = <Class>(...)`` in ``ApplicationStack.__init__``."""
    init = _stack_init(cst.parse_module(source))
    found: dict[str, str] = {}
    if init is None:
        return found
    pattern = m.Assign(targets=[m.AssignTarget(target=m.Attribute(value=m.Name("self")))], value=m.Call(func=m.Name()))
    for node in m.findall(init, pattern):
        assign = cst.ensure_type(node, cst.Assign)
        target = cst.ensure_type(assign.targets[0].target, cst.Attribute)
        call = cst.ensure_type(assign.value, cst.Call)
        found.setdefault(cst.ensure_type(call.func, cst.Name).value, target.attr.value)
    return found


def _stack_init(module: cst.Module) -> cst.FunctionDef | None:
    for node in module.body:
        if m.matches(node, m.ClassDef(name=m.Name(STACK_CLASS))):
            for item in cst.ensure_type(cst.ensure_type(node, cst.ClassDef).body, cst.IndentedBlock).body:
                if m.matches(item, m.FunctionDef(name=m.Name("__init__"))):
                    return cst.ensure_type(item, cst.FunctionDef)
    return None


def _add_import(module: cst.Module, from_module: str, name: str) -> cst.Module:
    line = cst.parse_statement(f"from {from_module} import {name}\n")
    body = list(module.body)
    last_import = max(
        (i for i, s in enumerate(body) if m.matches(s, m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()]))),
        default=-1,
    )
    body.insert(last_import + 1, line)
    return module.with_changes(body=body)
