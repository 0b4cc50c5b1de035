"""JSON → Cedar values and principals."""

from __future__ import annotations

import pytest

from nxaws.policy import PolicyInputError, iam_principal, oauth_principal, principal_of, role_arn
from nxaws.policy.values import IAM, OAUTH, to_cedar


def dec(text: str) -> dict[str, object]:
    return {"__extn": {"fn": "decimal", "arg": text}}


def test_json_values_map_to_cedar() -> None:
    value = {"s": "x", "b": True, "n": 5, "f": 2.5, "nested": {"tags": ["a", "b"], "gone": None}, "big": -(2**63)}
    assert to_cedar(value) == {"s": "x", "b": True, "n": 5, "f": dec("2.5"), "nested": {"tags": ["a", "b"]},
                               "big": -(2**63)}  # fmt: skip
    assert to_cedar(1e3) == dec("1000.0") and to_cedar(-0.0001) == dec("-0.0001")
    schema = {"type": "object", "properties": {"amount": {"type": "number"}, "ids": {"items": {"type": "number"}}}}
    assert to_cedar({"amount": 5, "ids": [1, 2]}, schema) == {"amount": dec("5.0"), "ids": [dec("1.0"), dec("2.0")]}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"n": 2**63}, r"input\.n = 9223372036854775808 is outside Cedar's Long range"),
        ({"f": 0.12345}, r"input\.f = 0\.12345 does not fit Cedar's decimal"),
        ({"f": 1e20}, "does not fit Cedar's decimal"),
        ({"f": float("nan")}, "has no Cedar value"),
        ({"xs": [1, None]}, r"input\.xs holds null"),
        ({"x": {"__extn": {"fn": "ip", "arg": "1.2.3.4"}}}, r"input\.x uses the reserved key '__extn'"),
    ],
)
def test_values_cedar_cannot_hold_are_errors(value: object, message: str) -> None:
    with pytest.raises(PolicyInputError, match=message):
        to_cedar(value)


def test_assumed_role_sessions_become_their_role() -> None:
    assert role_arn("arn:aws:sts::123456789012:assumed-role/Agent/botocore-1") == "arn:aws:iam::123456789012:role/Agent"
    assert role_arn("arn:aws-cn:sts::123456789012:assumed-role/R/s/x") == "arn:aws-cn:iam::123456789012:role/R"
    for unchanged in ("arn:aws:iam::123456789012:user/dev", "arn:aws:sts::123456789012:federated-user/bob"):
        assert role_arn(unchanged) == unchanged
    assert iam_principal("arn:aws:sts::123456789012:assumed-role/A/s").uid == (
        'AgentCore::IamEntity::"arn:aws:iam::123456789012:role/A"'
    )
    with pytest.raises(PolicyInputError, match="is not an ARN"):
        iam_principal("alice")


def test_principals_from_arns_or_jwt_subs() -> None:
    assert principal_of("arn:aws:iam::123456789012:user/dev").type == IAM
    user = principal_of("u-1", {"sub": "u-1", "exp": 17, "groups": ["a", "b"]})
    assert user == oauth_principal("u-1", {"groups": ["a", "b"], "sub": "u-1", "exp": 17})
    assert user.type == OAUTH and dict(user.tags) == {"sub": "u-1", "exp": "17", "groups": '["a","b"]'}
    assert user.entity() == {"uid": {"type": OAUTH, "id": "u-1"}, "attrs": {"id": "u-1"}, "parents": [],
                             "tags": {"exp": "17", "groups": '["a","b"]', "sub": "u-1"}}  # fmt: skip
    assert principal_of("u-2").type == OAUTH


def test_cedarpy_is_pinned_alike_in_the_versions_table_and_pyproject() -> None:
    import tomllib
    from pathlib import Path

    from nxaws.versions import pin

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert pin("cedarpy") in pyproject["project"]["dependencies"]
