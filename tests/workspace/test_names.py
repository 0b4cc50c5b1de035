"""The TypeScript plugin's name rules (reference §1.2, §1.3), pinned case by case."""

from __future__ import annotations

import pytest

from nxaws.workspace.names import class_name, distribution_name, kebab_case, snake_case


@pytest.mark.parametrize(
    ("given", "snake", "kebab"),
    [
        ("my-agent", "my_agent", "my-agent"),
        ("MyAgent", "my_agent", "my-agent"),
        ("myAgent2Go", "my_agent2_go", "my-agent2-go"),
        ("agent2Agent", "agent2_agent", "agent2-agent"),
        ("ShopFront Gateway", "shop_front_gateway", "shop-front-gateway"),
        ("HTTPServer", "httpserver", "httpserver"),  # only a lower/digit before an upper makes a hump
        ("__weird--Name__", "weird_name", "weird-name"),
        ("a.b_c-d e", "a_b_c_d_e", "a-b-c-d-e"),
        ("9lives", "9lives", "9lives"),
        ("Café Agent", "cafe_agent", "cafe-agent"),
        ("Crème Brûlée", "creme_brulee", "creme-brulee"),
        ("cafe\u0301", "cafe", "cafe"),  # a combining accent is dropped, not turned into a separator
        ("Straße", "strasse", "strasse"),  # lodash deburr: ß → ss
        ("Æther Øre Łódź Þing", "aether_ore_lodz_thing", "aether-ore-lodz-thing"),
        ("Đorđe", "dorde", "dorde"),
        ("my日本agent", "my_agent", "my-agent"),  # non-Latin letters are separators, not deleted
        ("size²", "size", "size"),  # no compatibility decomposition: ² is not a 2
        ("", "", ""),
    ],
)
def test_snake_and_kebab(given: str, snake: str, kebab: str) -> None:
    assert snake_case(given) == snake
    assert kebab_case(given) == kebab


def test_slash_segments_are_cased_separately() -> None:
    assert snake_case("My-Scope/MyAgent") == "my_scope/my_agent"
    assert kebab_case("My_Scope/shopFront") == "my-scope/shop-front"
    assert snake_case("a//b") == "a//b"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("my-gateway", "MyGateway"),
        ("shop-front-gateway", "ShopFrontGateway"),
        ("my-agent-agent", "MyAgentAgent"),
        ("tools-mcp-server", "ToolsMcpServer"),
        ("myAPI gateway", "MyAPIGateway"),  # the rest of a word keeps its case
        ("my_gateway", "MyGateway"),
        ("2fast gateway", "_2fastGateway"),
        ("gateway 2", "Gateway2"),
        ("café", "Caf"),  # non-ASCII is a separator here (no deburr in toClassName)
    ],
)
def test_class_name(given: str, expected: str) -> None:
    assert class_name(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("proj.agent_connection", "proj-agent-connection"),
        ("my_scope.my_agent", "my-scope-my-agent"),
        ("My__Scope..Agent--x", "my-scope-agent-x"),
        ("FooBar", "foobar"),  # PEP 503 is not kebab-case: no hump splitting
        ("a+b", "a+b"),  # other punctuation untouched
    ],
)
def test_distribution_name(given: str, expected: str) -> None:
    assert distribution_name(given) == expected


def test_python_project_naming_splits_id_dist_and_module() -> None:
    """``my-scope`` + ``my-agent`` → id ``my_scope.my_agent``, dist ``my-scope-my-agent``, module
    ``my_scope_my_agent`` (reference §1.3)."""
    scope = snake_case("my-scope")
    normalized = snake_case("my-agent")
    project_id = f"{scope}.{normalized}"
    assert project_id == "my_scope.my_agent"
    assert distribution_name(project_id) == "my-scope-my-agent"
    assert snake_case(f"{scope}_{normalized}") == "my_scope_my_agent"
