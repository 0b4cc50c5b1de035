"""IAM mode: botocore-signed requests get in, anything else gets a 403 with a short reason."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import anyio
import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from support.mcp_servers import ServerThread, math_server, serving

from nxaws.local_gateway import GatewayConfig, IamAuth, Target, create_app
from nxaws.workspace.errors import UserError

from .conftest import mcp_client

pytestmark = pytest.mark.timeout(60)

KEY, SECRET, REGION = "AKIDLOCALGATEWAY", "local-gateway-test-secret", "eu-west-1"
PING = b'{"jsonrpc":"2.0","id":1,"method":"ping"}'


class SigV4(httpx.Auth):
    """Sign like the generated agent client: botocore, service bedrock-agentcore, an allow-list of headers."""

    requires_request_body = True

    def __init__(self, key: str = KEY, secret: str = SECRET, region: str = REGION) -> None:
        self.credentials, self.region = Credentials(key, secret), region

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers.update(signed_headers(str(request.url), request.content, self.credentials, self.region))
        yield request


def signed_headers(url: str, body: bytes, credentials: Credentials, region: str = REGION) -> dict[str, str]:
    aws = AWSRequest(method="POST", url=url, data=body, headers={"content-type": "application/json"})
    SigV4Auth(credentials, "bedrock-agentcore", region).add_auth(aws)
    return dict(aws.headers.items())


@pytest.fixture(scope="module")
def iam_gateway() -> Iterator[dict[str, Any]]:
    principals: list[str] = []
    with serving(math_server()) as math:
        app = create_app(GatewayConfig("iam-gw", (Target("math", math.url),)), auth=IamAuth(KEY, SECRET, REGION))

        async def recording(scope: dict, receive: Any, send: Any) -> None:
            async def send_after_noting_principal(event: dict) -> None:
                if event["type"] == "http.response.start" and "nxaws.principal" in scope:
                    principals.append(scope["nxaws.principal"])
                await send(event)

            await app(scope, receive, send_after_noting_principal)

        thread = ServerThread(recording).start()
        try:
            yield {"url": thread.url, "port": thread.port, "principals": principals}
        finally:
            thread.stop()


def test_a_botocore_signed_request_is_accepted_and_its_principal_recorded(iam_gateway: dict) -> None:
    iam_gateway["principals"].clear()
    response = httpx.post(iam_gateway["url"], content=PING, auth=SigV4(), headers={"content-type": "application/json"})
    assert (response.status_code, response.json()["result"]) == (200, {})
    assert iam_gateway["principals"] == [f'AgentCore::IamEntity::"arn:aws:iam::123456789012:user/{KEY}"']


def test_an_mcp_client_signing_every_request_works_end_to_end(iam_gateway: dict) -> None:
    async def go():
        async with mcp_client(iam_gateway["url"], auth=SigV4()) as session:
            return [t.name for t in (await session.list_tools()).tools], await session.call_tool(
                "math___add", {"a": 20, "b": 22}
            )

    names, result = anyio.run(go)
    assert names == ["math___add", "math___whoami"] and result.structuredContent == {"result": 42}


def _post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, content=body, headers=headers, timeout=10)


def test_unsigned_wrong_secret_tampered_body_and_wrong_host_are_forbidden(iam_gateway: dict) -> None:
    url, port = iam_gateway["url"], iam_gateway["port"]
    good = Credentials(KEY, SECRET)
    cases = {
        "unsigned": (b"", {"content-type": "application/json"}, "missing or malformed Authorization"),
        "wrong secret": (PING, signed_headers(url, PING, Credentials(KEY, "not-the-secret")), "signature mismatch"),
        "unknown key": (PING, signed_headers(url, PING, Credentials("AKIDOTHER", SECRET)), "unknown access key"),
        "wrong region": (PING, signed_headers(url, PING, good, "us-west-2"), "region mismatch"),
        "tampered body": (PING.replace(b"ping", b"tools/list"), signed_headers(url, PING, good), "mismatch"),
        "wrong host": (PING, signed_headers(f"http://localhost:{port}/mcp", PING, good), "signature mismatch"),
    }
    for case, (body, headers, reason) in cases.items():
        response = _post(url, body or PING, headers)
        error = response.json()["error"]
        assert response.status_code == 403, case
        assert reason in error["message"] and SECRET not in response.text, (case, error)


def test_credentials_come_from_the_aws_environment(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    auth = IamAuth.from_environment(REGION)
    assert (auth.access_key, auth.region) == (KEY, REGION) and SECRET not in repr(auth)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    for name in ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(UserError, match="AWS_ACCESS_KEY_ID"):
        IamAuth.from_environment(REGION)
