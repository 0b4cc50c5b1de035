"""One stand-in for the whole directory, reset before each test; boto3 clients reach it through the environment."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config

from nxaws.local_bedrock import LocalBedrock, serving_bedrock

MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"  # what generated agents default to
ADD_TOOL = {"toolSpec": {"name": "tools___add", "inputSchema": {"json": {"type": "object"}}}}


@pytest.fixture(scope="session")
def bedrock_server() -> Iterator[LocalBedrock]:
    with serving_bedrock() as server:
        yield server


@pytest.fixture
def bedrock(bedrock_server: LocalBedrock, monkeypatch: pytest.MonkeyPatch) -> LocalBedrock:
    """The stand-in with the built-in script and no requests recorded; this process's boto3 points at it."""
    bedrock_server.use_script(None)
    bedrock_server.clear()
    for name, value in bedrock_server.client_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    return bedrock_server


def make_client(max_attempts: int | None = 1):
    """A real bedrock-runtime client from a fresh session (no credentials cached from another test)."""
    config = Config(retries={"max_attempts": max_attempts, "mode": "standard"}) if max_attempts else None
    return boto3.session.Session().client("bedrock-runtime", config=config)


@pytest.fixture
def client(bedrock: LocalBedrock):
    return make_client()


def user(text: str) -> dict:
    return {"role": "user", "content": [{"text": text}]}
