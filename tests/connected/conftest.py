"""Two sandbox orgs with three people each, every person with their own credential:
an admin's API token, a user administrator's API token, and a read-only administrator's
access token (obtained for them by the host app, sent as Bearer)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.sandbox import SandboxOrg

ACME = "https://acme.okta.test"
GLOBEX = "https://globex.okta.test"


@dataclass(frozen=True)
class Person:
    name: str
    org_url: str
    org: SandboxOrg
    user_id: str
    secret: str
    connection: OktaConnection
    may_write: bool


def people_of(org: SandboxOrg, org_url: str, prefix: str) -> list[Person]:
    """The org's admin (token), a user administrator (token), a read-only admin (Bearer)."""
    admin = org.admin
    others = [user for user in org.users if user["id"] != admin["id"]][:2]
    helper, reader = others
    org.set_roles(helper["id"], ["USER_ADMIN"])
    org.set_roles(reader["id"], ["READ_ONLY_ADMIN"])
    helper_token = f"{prefix}-helper-token-8f3k2"
    reader_token = f"{prefix}-reader-access-token-q9w8e7"
    org.add_api_token(helper["id"], helper_token)
    org.add_access_token(reader["id"], reader_token)
    return [
        Person(
            f"{prefix}-admin",
            org_url,
            org,
            admin["id"],
            org.token,
            OktaConnection(org_url=org_url, api_token=org.token),
            True,
        ),
        Person(
            f"{prefix}-helper",
            org_url,
            org,
            helper["id"],
            helper_token,
            OktaConnection(org_url=org_url, api_token=helper_token),
            True,
        ),
        Person(
            f"{prefix}-reader",
            org_url,
            org,
            reader["id"],
            reader_token,
            OktaConnection(org_url=org_url, access_token=reader_token),
            False,
        ),
    ]


@pytest.fixture
def acme() -> SandboxOrg:
    return SandboxOrg(users=8, seed=1, token="acme-admin-token-Zx81")


@pytest.fixture
def globex() -> SandboxOrg:
    return SandboxOrg(users=8, seed=2, token="globex-admin-token-Qp27")


@pytest.fixture
def people(acme: SandboxOrg, globex: SandboxOrg) -> list[Person]:
    return people_of(acme, ACME, "acme") + people_of(globex, GLOBEX, "globex")


@pytest.fixture
def toolkit(acme: SandboxOrg, globex: SandboxOrg) -> Iterator[OktaConnectedToolkit]:
    with OktaConnectedToolkit(
        transports={ACME: acme.transport(), GLOBEX: globex.transport()}
    ) as toolkit:
        yield toolkit
