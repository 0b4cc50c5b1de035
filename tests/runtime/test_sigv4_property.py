"""Property: whatever ``SigV4HTTPXAuth`` signs, ``verify_sigv4`` accepts, and any single change is rejected.

The request is driven through a real ``httpx.Client``; a ``MockTransport`` only captures what the auth produced.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import ModuleType

import httpx
import pytest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nxaws.sigv4 import SigV4Error, verify_sigv4
from runtime.rendered import submodule

KEY, SECRET, REGION = "AKIAPROPERTY00000001", "property-secret", "eu-west-1"
SESSION = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"

# httpx refuses control characters in URLs; "?" and "#" in a path would start the query or fragment.
text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
segment = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="?#"), max_size=12)
header_value = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=20)
requests = st.fixed_dictionaries(
    {
        "body": st.binary(max_size=512),
        "path": st.lists(segment, max_size=4),
        "query": st.lists(st.tuples(text, text), max_size=4),
        "session": header_value,
        "method": st.sampled_from(["POST", "PUT", "DELETE"]),
    }
)


def capture(lib: ModuleType, spec: dict) -> httpx.Request:
    auth = submodule(lib, "core.auth.sigv4").SigV4HTTPXAuth(
        Credentials(KEY, SECRET, "tok"), "bedrock-agentcore", REGION
    )
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.request(
            spec["method"],
            "http://gateway.test:8443/" + "/".join(spec["path"]),
            params=spec["query"],
            content=spec["body"],
            headers={SESSION: spec["session"], "Content-Type": "application/json", "Accept": "*/*"},
        )
    return captured[0]


def check(request: httpx.Request, *, url: str | None = None, body: bytes | None = None, **headers: str) -> None:
    received = {**dict(request.headers), **headers}
    verify_sigv4(
        method=request.method,
        url=url or f"http://{request.headers['host']}{request.url.raw_path.decode('ascii')}",
        headers=received,
        body=request.content if body is None else body,
        secret_for={KEY: SECRET}.get,
        region=REGION,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=requests)
def test_signed_requests_verify_and_single_changes_do_not(lib: ModuleType, spec: dict) -> None:
    request = capture(lib, spec)
    check(request)
    raw = request.url.raw_path.decode("ascii")
    path, _, query = raw.partition("?")
    base = f"http://{request.headers['host']}"
    date = datetime.strptime(request.headers["x-amz-date"], "%Y%m%dT%H%M%SZ") + timedelta(seconds=1)
    changes = {
        "body": {"body": request.content + b" "},
        "signed header": {SESSION.lower(): spec["session"] + "x"},
        "path": {"url": f"{base}{path.rstrip('/')}/extra" + (f"?{query}" if query else "")},
        "query": {"url": f"{base}{path}?{query}{'&' if query else ''}zz=1"},
        "date": {"x-amz-date": date.strftime("%Y%m%dT%H%M%SZ")},
        "host": {"host": "other.test:8443", "url": f"http://other.test:8443{raw}"},
    }
    for name, change in changes.items():
        with pytest.raises(SigV4Error):
            check(request, **change)
            pytest.fail(f"a changed {name} was accepted")
