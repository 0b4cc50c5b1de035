"""Errors as the service sends them (scripted), and our own answers to bad input: always 4xx, never 5xx."""

from __future__ import annotations

import json
import socket
import time

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, EventStreamError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nxaws.local_bedrock import LocalBedrock, serving_bedrock

from .conftest import MODEL_ID, make_client, user


@pytest.mark.parametrize(("code", "status"), [("ThrottlingException", 429), ("ValidationException", 400),
                                              ("ServiceUnavailableException", 503)])  # fmt: skip
@pytest.mark.parametrize("operation", ["converse", "converse_stream"])
def test_scripted_http_errors_raise_client_error(bedrock: LocalBedrock, client, code, status, operation) -> None:
    bedrock.use_script([{"error": {"type": code, "message": f"scripted {code}"}}])
    with pytest.raises(ClientError) as raised:
        getattr(client, operation)(modelId=MODEL_ID, messages=[user("hi")])
    assert raised.value.response["Error"] == {"Code": code, "Message": f"scripted {code}"}
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == status


@pytest.mark.parametrize(("code", "member"), [("ThrottlingException", "throttlingException"),
                                              ("ValidationException", "validationException")])  # fmt: skip
def test_in_stream_errors_arrive_as_exception_events(bedrock: LocalBedrock, client, code, member) -> None:
    bedrock.use_script([{"text": "partial", "error": {"type": code, "in_stream": True, "message": "mid-stream"}}])
    stream = client.converse_stream(modelId=MODEL_ID, messages=[user("hi")])["stream"]
    seen = []
    with pytest.raises(EventStreamError) as raised:
        for event in stream:
            seen.append(event)
    assert raised.value.response["Error"] == {"Code": member, "Message": "mid-stream"}
    assert seen == [{"messageStart": {"role": "assistant"}},
                    {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "partial"}}},
                    {"contentBlockStop": {"contentBlockIndex": 0}}]  # fmt: skip


def test_an_in_stream_error_is_an_http_error_for_converse(bedrock: LocalBedrock, client) -> None:
    bedrock.use_script([{"error": {"type": "ThrottlingException", "in_stream": True}}])
    with pytest.raises(ClientError) as raised:
        client.converse(modelId=MODEL_ID, messages=[user("hi")])
    assert raised.value.response["Error"]["Code"] == "ThrottlingException"


def test_botocore_retries_throttling_and_a_limited_script_lets_it_recover(bedrock: LocalBedrock) -> None:
    """The default retry mode (standard) resends a 429; ``times`` lets the third attempt through."""
    bedrock.use_script([{"error": "ThrottlingException", "times": 2}, {"text": "finally"}])
    response = make_client(max_attempts=None).converse(modelId=MODEL_ID, messages=[user("hi")])
    assert response["output"]["message"]["content"] == [{"text": "finally"}]
    assert response["ResponseMetadata"]["RetryAttempts"] == 2
    assert len(bedrock.received) == 3


def test_no_matching_turn_is_a_validation_exception(bedrock: LocalBedrock, client) -> None:
    bedrock.use_script([{"contains": "never", "text": "x"}])
    with pytest.raises(ClientError) as raised:
        client.converse(modelId=MODEL_ID, messages=[user("hi")])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert "no turn of <turns given in code> matches" in raised.value.response["Error"]["Message"]


HTTP = httpx.Client(timeout=10)  # one client: building an SSL context per request would dominate the fuzz test


def post(bedrock: LocalBedrock, path: str, content: bytes, method: str = "POST") -> httpx.Response:
    return HTTP.request(method, bedrock.url + path, content=content)


def assert_aws_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["x-amzn-errortype"] == code
    assert isinstance(response.json()["message"], str)


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'{"messages": {}}',
                                  b'{"messages": [{"role": "robot", "content": []}]}',
                                  b'{"messages": [{"role": "user", "content": "text"}]}',
                                  b'{"toolConfig": {"tools": [{"toolSpec": {"name": 3}}]}}'])  # fmt: skip
def test_malformed_requests_are_validation_exceptions(bedrock: LocalBedrock, body: bytes) -> None:
    assert_aws_error(post(bedrock, f"/model/{MODEL_ID}/converse-stream", body), 400, "ValidationException")
    assert bedrock.received == []


def test_malformed_requests_raise_client_error_in_boto3(bedrock: LocalBedrock) -> None:
    """botocore checks parameters before sending; with that off, our own check answers as the service would."""
    client = boto3.session.Session().client("bedrock-runtime", config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as raised:
        client.converse(modelId=MODEL_ID, messages=[{"role": "robot", "content": [{"text": "?"}]}])
    assert raised.value.response["Error"]["Code"] == "ValidationException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("POST", "/model/m/invoke", 404, "UnknownOperationException"),
    ("POST", "/model//converse", 400, "ValidationException"),
    ("GET", "/", 404, "UnknownOperationException"),
    ("PUT", "/_nxaws/requests", 404, "UnknownOperationException"),
    ("PATCH", "/model/m/converse", 405, "UnknownOperationException"),
])  # fmt: skip
def test_unknown_paths_and_methods_answer_in_aws_error_form(bedrock, method, path, status, code) -> None:
    assert_aws_error(post(bedrock, path, b"{}", method), status, code)


def test_an_oversized_body_is_refused_with_413(bedrock: LocalBedrock) -> None:
    body = json.dumps({"messages": [user("x" * (bedrock.max_body + 1))]}).encode()
    assert_aws_error(post(bedrock, f"/model/{MODEL_ID}/converse", body), 413, "ValidationException")


def test_a_garbled_request_line_is_a_4xx(bedrock: LocalBedrock) -> None:
    port = int(bedrock.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        raw.sendall(b"BLAH /x HTTP/7.0\r\n\r\n")
        status_line = raw.makefile("rb").readline().decode()
    assert status_line.split()[1].startswith("4"), status_line


def test_a_script_can_be_replaced_over_http(bedrock: LocalBedrock, client) -> None:
    bad = post(bedrock, "/_nxaws/script", b'[{"txt": "typo"}]', "PUT")
    assert_aws_error(bad, 400, "ValidationException")
    assert "unknown key 'txt'" in bad.json()["message"]
    assert post(bedrock, "/_nxaws/script", b'[{"text": "swapped"}]', "PUT").json() == {"turns": 1}
    answer = client.converse(modelId=MODEL_ID, messages=[user("hi")])
    assert answer["output"]["message"]["content"] == [{"text": "swapped"}]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
request_like = st.fixed_dictionaries({}, optional={
    "messages": st.lists(st.fixed_dictionaries({}, optional={"role": st.sampled_from(["user", "assistant", "x"]),
                                                             "content": json_values}) | json_values, max_size=3),
    "toolConfig": json_values | st.fixed_dictionaries({"tools": json_values}),
})  # fmt: skip


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=json_values | request_like)
def test_no_request_body_gets_a_5xx(bedrock: LocalBedrock, body) -> None:
    for operation in ("converse", "converse-stream"):
        response = post(bedrock, f"/model/{MODEL_ID}/{operation}", json.dumps(body).encode())
        assert response.status_code < 500, response.text


def test_connections_beyond_the_limit_are_throttled_not_queued() -> None:
    with serving_bedrock([{"text": "ok"}], max_connections=1) as small:
        port = int(small.url.rsplit(":", 1)[1])
        holder = socket.create_connection(("127.0.0.1", port), timeout=5)  # takes the only slot
        try:
            response = httpx.post(f"{small.url}/model/m/converse", json={}, timeout=10)
            assert_aws_error(response, 429, "ThrottlingException")
        finally:
            holder.close()
        for _ in range(50):  # the holder's thread notices the close and frees its slot
            response = httpx.post(f"{small.url}/model/m/converse", json={}, timeout=10)
            if response.status_code == 200:
                break
            time.sleep(0.1)
        assert response.json()["output"]["message"]["content"] == [{"text": "ok"}]
