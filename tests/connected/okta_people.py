"""The people of the connected toolkit's tests: three per sandbox org, each with their own
credential (an admin's API token, a user administrator's API token, and a read-only
administrator's access token that the host app obtained for them, sent as Bearer).

Imported by module name (pytest puts this folder on sys.path)."""

from __future__ import annotations

from dataclasses import dataclass

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
