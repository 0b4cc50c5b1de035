"""The stand-in (tests/support/bedrock.py: ``bedrock``, reset before each test) and real boto3 clients for it."""

from __future__ import annotations

import boto3
import pytest
from botocore.config import Config

from nxaws.local_bedrock import LocalBedrock

MODEL_ID = "global.anthropic.claude-haiku-4-5-20251001-v1:0"  # what generated agents default to
ADD_TOOL = {"toolSpec": {"name": "tools___add", "inputSchema": {"json": {"type": "object"}}}}


def make_client(max_attempts: int | None = 1):
    """A real bedrock-runtime client from a fresh session (no credentials cached from another test)."""
    config = Config(retries={"max_attempts": max_attempts, "mode": "standard"}) if max_attempts else None
    return boto3.session.Session().client("bedrock-runtime", config=config)


@pytest.fixture
def client(bedrock: LocalBedrock):
    return make_client()


def user(text: str) -> dict:
    return {"role": "user", "content": [{"text": text}]}
