"""A Cognito user pool and app client: the identity that Cognito-authorised gateways accept tokens from."""

from __future__ import annotations

from typing import Protocol

from aws_cdk import RemovalPolicy
from aws_cdk import aws_cognito as cognito
from constructs import Construct


class GatewayIdentity(Protocol):
    """What a Cognito gateway needs: the pool that issues the tokens and the client they are issued to."""

    @property
    def user_pool(self) -> cognito.IUserPool: ...

    @property
    def user_pool_client(self) -> cognito.IUserPoolClient: ...


class UserIdentity(Construct):
    """A minimal user pool (admin-created users, sign-in by email) with one public app client."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.user_pool = cognito.UserPool(
            self,
            "UserPool",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            removal_policy=RemovalPolicy.DESTROY,
        )
        self.user_pool_client = self.user_pool.add_client(
            "Client", auth_flows=cognito.AuthFlow(user_srp=True, user_password=True), generate_secret=False
        )
