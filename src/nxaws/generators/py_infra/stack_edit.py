"""Scoped libcst edits of the CDK app's ``ApplicationStack``: add a generated construct as an attribute."""

from __future__ import annotations

import libcst as cst

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
    module = cst.parse_module(source)
    init = _stack_init(module)
    if init is None:
        return None
    import libcst.matchers as m  # a quarter second of imports: only py#infra edits the stack

    if m.findall(init, m.Call(func=m.Name(class_name))):
        return source
    lines = construct_lines(class_name, attribute, identity=identity_module is not None)
    statements = [cst.parse_statement(line + "\n") for line in lines]
    body = cst.ensure_type(init.body, cst.IndentedBlock)
    new_init = init.with_changes(body=body.with_changes(body=[*body.body, *statements]))
    module = module.deep_replace(init, new_init)
    assert isinstance(module, cst.Module)
    if identity_module is not None and not _imports(module, IDENTITY_CLASS):
        module = _add_import(module, identity_module, IDENTITY_CLASS)
    return _add_import(module, from_module, class_name).code


def stack_attributes(source: str) -> dict[str, str]:
    """Class name → attribute for every ``self.<attr> = <Class>(...)`` in ``ApplicationStack.__init__``."""
    init = _stack_init(cst.parse_module(source))
    if init is None:
        return {}
    collector = _SelfAttributes()
    init.visit(collector)
    return collector.found


class _SelfAttributes(cst.CSTVisitor):
    """Plain isinstance checks, not ``libcst.matchers``: this runs on every ``g connection`` and importing the
    matchers costs a quarter of a second."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}

    def visit_Assign(self, node: cst.Assign) -> None:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if not (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)):
            return
        if target.value.value == "self" and isinstance(node.value, cst.Call) and isinstance(node.value.func, cst.Name):
            self.found.setdefault(node.value.func.value, target.attr.value)


def _stack_init(module: cst.Module) -> cst.FunctionDef | None:
    for node in module.body:
        if isinstance(node, cst.ClassDef) and node.name.value == STACK_CLASS:
            for item in cst.ensure_type(node.body, cst.IndentedBlock).body:
                if isinstance(item, cst.FunctionDef) and item.name.value == "__init__":
                    return item
    return None


def _imports(module: cst.Module, name: str) -> bool:
    import libcst.matchers as m

    return bool(m.findall(module, m.ImportAlias(name=m.Name(name), asname=None)))


def _add_import(module: cst.Module, from_module: str, name: str) -> cst.Module:
    import libcst.matchers as m

    line = cst.parse_statement(f"from {from_module} import {name}\n")
    body = list(module.body)
    last_import = max(
        (i for i, s in enumerate(body) if m.matches(s, m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()]))),
        default=-1,
    )
    body.insert(last_import + 1, line)
    return module.with_changes(body=body)
