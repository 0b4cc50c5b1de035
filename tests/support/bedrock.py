"""``nxaws local-bedrock`` for in-process tests (loaded for every test directory by tests/conftest.py).

One stand-in per test session, reset before each test that asks for ``bedrock``; real boto3 clients (Strands'
``BedrockModel``, LangChain's ``ChatBedrockConverse``) reach it through ``AWS_ENDPOINT_URL_BEDROCK_RUNTIME``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nxaws.local_bedrock import LocalBedrock, serving_bedrock


@pytest.fixture(scope="session")
def bedrock_server() -> Iterator[LocalBedrock]:
    with serving_bedrock() as server:
        yield server


@pytest.fixture
def bedrock(bedrock_server: LocalBedrock, monkeypatch: pytest.MonkeyPatch) -> LocalBedrock:
    """The stand-in with its built-in script and nothing recorded; this process's boto3 points at it."""
    bedrock_server.use_script(None)
    bedrock_server.clear()
    for name, value in bedrock_server.client_env().items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_MAX_ATTEMPTS"):
        monkeypatch.delenv(name, raising=False)
    return bedrock_server
