"""SigV4-sign httpx requests with the boto3 default credential chain."""

import os
from collections.abc import Generator

import boto3
import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials, ReadOnlyCredentials

SERVICE = "bedrock-agentcore"


def _is_stable(name: str) -> bool:
    # Sign only headers no proxy rewrites; accept-encoding or content-length would break verification.
    name = name.lower()
    return name in ("host", "content-type") or name.startswith(("x-amz-", "x-amzn-bedrock-agentcore-", "mcp-"))


class SigV4HTTPXAuth(httpx.Auth):
    """Sign each request for ``service`` in ``region``: ``SigV4HTTPXAuth(credentials, service, region)``.

    The arguments are the TypeScript plugin's, in its order, and may also be given by keyword. Without
    credentials the boto3 default chain's are used; without a region, AWS_REGION / AWS_DEFAULT_REGION.
    Credentials are frozen per request, so refreshable ones (roles, SSO, containers) keep working in a
    long-lived agent.
    """

    requires_request_body = True

    def __init__(self, credentials: Credentials | None = None, service: str = SERVICE, region: str | None = None):
        region = region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if not region:
            raise ValueError("SigV4HTTPXAuth needs a region: pass region=... or set AWS_REGION.")
        self._credentials = credentials
        self._service = service
        self._region = region

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        signable = {name: value for name, value in request.headers.items() if _is_stable(name)}
        aws = AWSRequest(method=request.method, url=str(request.url), data=request.content, headers=signable)
        SigV4Auth(self._frozen_credentials(), self._service, self._region).add_auth(aws)
        for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
            if name in aws.headers:
                request.headers[name] = aws.headers[name]
        yield request

    def _frozen_credentials(self) -> ReadOnlyCredentials:
        if self._credentials is None:
            self._credentials = default_credentials()
        return self._credentials.get_frozen_credentials()


def default_credentials() -> Credentials:
    """The boto3 default chain's credentials, or an error that says how to provide some."""
    credentials = boto3.Session().get_credentials()
    if credentials is None:
        raise RuntimeError(
            "No AWS credentials found to sign gateway requests. Configure the default credential chain "
            "(AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or an IAM role), or set LOCAL_DEV=true "
            "to use the local gateway."
        )
    return credentials
