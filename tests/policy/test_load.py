"""Loading policy files: placeholders, ids, parse and validation errors with file:line, typed inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from nxaws.policy import PolicyError, load_policies
from nxaws.policy.load import statement_lines

VALUES = {"gateway_arn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:gateway/g", "account_id": "123456789012"}


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.cedar").write_text(text)
    return folder


def test_both_placeholder_forms_render_and_an_unknown_one_names_file_and_line(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "p",
        py='permit (principal, action, resource == AgentCore::Gateway::"{{ gateway_arn }}");',
        ts='permit (principal, action, resource == AgentCore::Gateway::"<%= gatewayArn %>")\n'
        'when { principal.id like "arn:aws:*::<%= accountId %>:*" };',
    )
    loaded = load_policies(folder, VALUES)
    assert [p.id for p in loaded.policies] == ["py.cedar", "ts.cedar"]
    write(folder, bad='// fine\npermit (principal, action, resource)\nwhen { principal.id == "{{ region }}" };')
    with pytest.raises(PolicyError, match=r"bad\.cedar:3: unknown placeholder \{\{ region \}\} \(known: "):
        load_policies(folder, VALUES)


def test_a_file_with_several_policies_numbers_them_or_uses_their_id_annotation(tmp_path: Path) -> None:
    text = (
        "// two rules\npermit (principal, action, resource);\n\n"
        '@id("no-deletes")\nforbid (principal, action == AgentCore::Action::"shop___delete", resource);\n'
        'forbid (principal, action == AgentCore::Action::"shop___drop", resource) when { context.input.x == ";" };\n'
    )
    loaded = load_policies(write(tmp_path / "p", rules=text), VALUES)
    assert [(p.id, p.line, p.effect) for p in loaded.policies] == [
        ("rules.cedar#1", 2, "permit"),
        ("rules.cedar#no-deletes", 4, "forbid"),
        ("rules.cedar#3", 6, "forbid"),
    ]
    assert loaded.named_tools == {"shop___delete", "shop___drop"}


def test_syntax_errors_give_file_line_and_cedars_message(tmp_path: Path) -> None:
    folder = write(tmp_path / "p", ok="permit (principal, action, resource);",
                   broken="// comment\npermit (\n  principal,\n  action\n  resource\n);\n")  # fmt: skip
    with pytest.raises(PolicyError) as caught:
        load_policies(folder, VALUES)
    assert str(caught.value) == f"{folder}/broken.cedar:5: unexpected token `resource`"


def test_validation_against_the_agentcore_schema(tmp_path: Path) -> None:
    folder = write(
        tmp_path / "p",
        typo="permit (principal, action, resource);\nforbid (principal is AgentCore::IAMEntity, action, resource);",
        other='permit (principal, action == Action::"x", resource) when { context.input.amount > 1 };',
        tags='permit (principal is AgentCore::IamEntity, action, resource) when { principal.arn == "x" };',
    )
    with pytest.raises(PolicyError) as caught:
        load_policies(folder, VALUES)
    message = str(caught.value)
    assert f"{folder}/typo.cedar:2: unrecognized entity type `AgentCore::IAMEntity` (typo.cedar#2)" in message
    assert f'{folder}/other.cedar:1: unrecognized action `Action::"x"`' in message
    assert "tags.cedar:1: attribute `arn` on entity type `AgentCore::IamEntity` not found" in message


def test_input_attributes_are_checked_once_the_tools_input_schema_is_known(tmp_path: Path) -> None:
    rule = 'forbid (principal, action == AgentCore::Action::"shop___refund", resource)\n'
    rule += "when { context.input.amount > 100 };"
    folder = write(tmp_path / "p", rule=rule, other="forbid (principal, action, resource) when { context.foo };")
    with pytest.raises(PolicyError, match="attribute `foo` in context") as caught:
        load_policies(folder, VALUES)  # context.input.amount: unknown tool schema, not judged; context.foo is wrong
    assert "amount" not in str(caught.value)
    (folder / "other.cedar").unlink()
    integer = {
        "shop___refund": {"type": "object", "properties": {"amount": {"type": "integer"}}, "required": ["amount"]}
    }
    assert load_policies(folder, VALUES, integer).policies
    number = {"shop___refund": {"type": "object", "properties": {"amount": {"type": "number"}}, "required": ["amount"]}}
    with pytest.raises(PolicyError, match="rule.cedar:1: .*decimal"):
        load_policies(folder, VALUES, number)  # number → decimal, which `>` does not compare


def test_statement_lines_skip_comments_and_strings() -> None:
    text = (
        '// a; b\n\npermit (principal, action, resource)\nwhen { context.input.s == "x;\\"y" }; // c\n'
        " forbid (principal, action, resource);"
    )
    assert statement_lines(text) == [3, 5]
