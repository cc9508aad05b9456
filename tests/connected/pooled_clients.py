"""Clients for the pool's own tests: real OktaClients of one org that send nothing, made with
the org's share as the pool makes them. Imported by module name (pytest puts this folder on
sys.path)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx

from langchain_okta.client import OktaClient
from langchain_okta.connection import OktaConnection
from langchain_okta.pool import OrgShare

ORG = "https://acme.okta.test"
Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


def _no_answer(request: httpx.Request) -> httpx.Response:
    raise AssertionError("the pool's tests send nothing")


def connection_of(token: str = "ann-token-Hy31") -> OktaConnection:
    return OktaConnection(org_url=ORG, api_token=token)


def quiet_client(
    connection: OktaConnection, share: OrgShare, *, answer: Handler = _no_answer
) -> OktaClient:
    """A client as the pool makes it; `answer` stands in for Okta (default: none expected)."""
    return OktaClient(
        connection.settings(),
        transport=httpx.MockTransport(answer),
        rate_limits=share.rate_limits,
        in_flight=share.in_flight,
    )
