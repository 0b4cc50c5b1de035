"""``nxaws.sigv4.verify_sigv4`` against signatures produced by botocore's ``SigV4Auth``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from nxaws.sigv4 import SigV4Error, VerifiedRequest, verify_sigv4

SECRETS = {"AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "AKIDOTHER": "other-secret"}
URL = "http://127.0.0.1:8765/mcp"
BODY = b'{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}}'


def sign(
    url: str = URL,
    body: bytes = BODY,
    *,
    method: str = "POST",
    headers: dict[str, str] | None = None,
    key: str = "AKIDEXAMPLE",
    token: str | None = None,
    region: str = "us-east-1",
    service: str = "bedrock-agentcore",
) -> dict[str, str]:
    """Headers botocore's signer adds, plus the Host it signed (as the server would receive it)."""
    request = AWSRequest(method=method, url=url, data=body, headers=dict(headers or {}))
    SigV4Auth(Credentials(key, SECRETS[key], token), service, region).add_auth(request)
    signed = dict(request.headers.items())
    signed.setdefault("Host", urlsplit(url).netloc)
    return signed


def verify(headers: dict[str, str], *, url: str = URL, body: bytes = BODY, method: str = "POST", **kw):
    return verify_sigv4(
        method=method, url=url, headers=headers, body=body, secret_for=SECRETS.get, region="us-east-1", **kw
    )


def reason(headers: dict[str, str], **kw) -> str:
    with pytest.raises(SigV4Error) as err:
        verify(headers, **kw)
    return str(err.value)


def test_accepts_botocore_signature() -> None:
    result = verify(sign(headers={"Content-Type": "application/json"}))
    assert result == VerifiedRequest(
        "AKIDEXAMPLE", "us-east-1", "bedrock-agentcore", ("content-type", "host", "x-amz-date")
    )


def test_accepts_session_token_and_content_sha_and_get_without_body() -> None:
    import hashlib

    sha = hashlib.sha256(BODY).hexdigest()
    headers = sign(token="tok", headers={"X-Amz-Content-SHA256": sha})
    assert "x-amz-security-token" in verify(headers).signed_headers
    assert verify(sign(method="GET", body=b""), method="GET", body=b"").access_key == "AKIDEXAMPLE"


def test_header_names_are_case_insensitive_and_unsigned_headers_may_change() -> None:
    headers = {k.upper(): v for k, v in sign().items()}
    headers["User-Agent"] = "changed"
    headers["Accept-Encoding"] = "br"
    assert verify(headers).service == "bedrock-agentcore"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765/a b/ü/~tilde/!$'()*,;=:@",
        "http://127.0.0.1:8765/mcp/../x/./y//z/",
        "http://127.0.0.1:8765/mcp?b=2&a=1&a=0&empty=&flag&t=~x&sp=a b&u=ü&r=/:@!$'()*,;",
        "http://127.0.0.1:8765/%41%2F?q=%2B+plus",
        "http://127.0.0.1:8765",
    ],
)
def test_canonical_uri_and_query_match_the_signer(url: str) -> None:
    sent = str(httpx.URL(url))  # what SigV4HTTPXAuth signs and what travels on the wire
    assert verify(sign(sent), url=sent).region == "us-east-1"
    assert verify(sign(url), url=url).region == "us-east-1"  # raw, unnormalised strings too


def test_tampered_body() -> None:
    assert reason(sign(), body=BODY.replace(b'"a":1', b'"a":9')) == "signature mismatch"


def test_tampered_signed_header() -> None:
    headers = sign(headers={"X-Amzn-Bedrock-AgentCore-Runtime-Session-Id": "s-1"})
    headers["X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"] = "s-2"
    assert reason(headers) == "signature mismatch"


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8765/mcp2", "http://127.0.0.1:8765/mcp?x=1", "http://127.0.0.1:8765/MCP"]
)
def test_tampered_path_or_query(url: str) -> None:
    assert reason(sign(), url=url) == "signature mismatch"


def test_tampered_query_value() -> None:
    assert reason(sign(URL + "?a=1&b=2"), url=URL + "?a=1&b=3") == "signature mismatch"


def test_tampered_date_within_skew() -> None:
    headers = sign()
    date = datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ") + timedelta(seconds=1)
    headers["X-Amz-Date"] = date.strftime("%Y%m%dT%H%M%SZ")
    assert reason(headers) == "signature mismatch"


def test_tampered_host() -> None:
    headers = sign()
    headers["Host"] = "localhost:8765"
    assert reason(headers, url="http://localhost:8765/mcp") == "signature mismatch"


def test_wrong_region_and_service_in_scope() -> None:
    assert reason(sign(region="us-west-2")) == "credential scope region mismatch"
    assert reason(sign(service="execute-api")) == "credential scope service mismatch"
    assert reason(sign(), service="lambda") == "credential scope service mismatch"


def test_wrong_secret_and_unknown_key() -> None:
    headers = sign()
    with pytest.raises(SigV4Error, match="signature mismatch"):
        verify_sigv4(
            method="POST", url=URL, headers=headers, body=BODY, secret_for=lambda _: "nope", region="us-east-1"
        )
    with pytest.raises(SigV4Error, match="unknown access key"):
        verify_sigv4(method="POST", url=URL, headers=headers, body=BODY, secret_for=lambda _: None, region="us-east-1")


def test_clock_skew() -> None:
    headers = sign()
    signed_at = datetime.strptime(headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert verify(headers, now=signed_at + timedelta(minutes=4, seconds=59))
    assert verify(headers, now=signed_at - timedelta(minutes=4, seconds=59))
    assert "expired" in reason(headers, now=signed_at + timedelta(minutes=5, seconds=1))
    assert "future" in reason(headers, now=signed_at - timedelta(minutes=6))
    assert verify(headers, now=signed_at + timedelta(minutes=9), max_skew=timedelta(minutes=10))


def test_missing_pieces() -> None:
    headers = sign()
    assert reason({k: v for k, v in headers.items() if k != "Authorization"}) == (
        "missing or malformed Authorization header"
    )
    assert reason({k: v for k, v in headers.items() if k != "X-Amz-Date"}) == "missing x-amz-date header"
    assert reason({k: v for k, v in headers.items() if k != "Host"}) == "signed header missing: host"
    garbled = {**headers, "Authorization": headers["Authorization"].replace("Signature=", "Sig=")}
    assert reason(garbled) == "missing or malformed Authorization header"


def test_signed_header_missing_on_arrival() -> None:
    headers = sign(headers={"Content-Type": "application/json"})
    del headers["Content-Type"]
    assert reason(headers) == "signed header missing: content-type"


def test_host_must_be_signed() -> None:
    headers = sign()
    headers["Authorization"] = headers["Authorization"].replace("SignedHeaders=host;", "SignedHeaders=")
    assert reason(headers) == "host is not a signed header"


def test_unsigned_security_token_rejected() -> None:
    headers = sign()
    headers["X-Amz-Security-Token"] = "smuggled"
    assert reason(headers) == "x-amz-security-token is not a signed header"


def test_claimed_content_sha_is_not_trusted() -> None:
    import hashlib

    tampered = b'{"evil":true}'
    headers = sign(headers={"X-Amz-Content-SHA256": hashlib.sha256(BODY).hexdigest()})
    assert reason(headers, body=tampered) == "body does not match x-amz-content-sha256"
    # A forged hash signed along with a forged body still fails: the verifier hashes what arrived.
    forged = sign(headers={"X-Amz-Content-SHA256": hashlib.sha256(tampered).hexdigest()})
    assert reason(forged, body=BODY) == "body does not match x-amz-content-sha256"


def test_scope_date_must_match_x_amz_date() -> None:
    headers = sign()
    day = headers["X-Amz-Date"][:8]
    other = (datetime.strptime(day, "%Y%m%d") - timedelta(days=1)).strftime("%Y%m%d")
    headers["Authorization"] = headers["Authorization"].replace(f"/{day}/", f"/{other}/")
    assert reason(headers) == "credential scope date does not match x-amz-date"
