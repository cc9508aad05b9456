"""Several people's credentials on one org: each request is answered and logged as theirs."""

from __future__ import annotations

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg(users=5)


def _get(org: SandboxOrg, authorization: str, path: str = "/api/v1/users/me") -> httpx.Response:
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL) as client:
        return client.get(path, headers={"Authorization": authorization})


def _someone(org: SandboxOrg) -> str:
    return next(user["id"] for user in org.users if user["id"] != org.admin["id"])


def test_another_persons_api_token_is_answered_as_theirs(org: SandboxOrg) -> None:
    person = _someone(org)
    org.add_api_token(person, "person-token-1")

    assert _get(org, "SSWS person-token-1").json()["id"] == person
    assert org.requests[-1].principal == person


def test_a_users_access_token_is_answered_as_theirs(org: SandboxOrg) -> None:
    person = _someone(org)
    org.add_access_token(person, "access-1")

    assert _get(org, "Bearer access-1").json()["id"] == person
    assert _get(org, "SSWS access-1").status_code == 401


def test_the_log_names_whose_credential_each_request_carried(org: SandboxOrg) -> None:
    person = _someone(org)
    org.add_api_token(person, "person-token-1")

    _get(org, f"SSWS {org.token}")
    _get(org, "SSWS person-token-1")
    _get(org, "SSWS unknown")

    assert [r.principal for r in org.requests] == [org.admin["id"], person, None]
    assert "person-token-1" not in repr(org.requests)


def test_a_revoked_token_is_refused(org: SandboxOrg) -> None:
    person = _someone(org)
    org.add_api_token(person, "person-token-1")

    org.revoke_api_token("person-token-1")

    assert _get(org, "SSWS person-token-1").status_code == 401


def test_writes_follow_the_roles_of_the_person_behind_the_token(org: SandboxOrg) -> None:
    person = _someone(org)
    org.set_roles(person, ["READ_ONLY_ADMIN"])
    org.add_api_token(person, "reader-token")
    body = {"profile": {"firstName": "Changed"}}
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL) as client:
        refused = client.post(
            f"/api/v1/users/{person}", json=body, headers={"Authorization": "SSWS reader-token"}
        )
        allowed = client.post(
            f"/api/v1/users/{person}", json=body, headers={"Authorization": f"SSWS {org.token}"}
        )

    assert (refused.status_code, allowed.status_code) == (403, 200)


def test_a_token_for_an_unknown_user_is_refused(org: SandboxOrg) -> None:
    with pytest.raises(KeyError):
        org.add_api_token("00unobody", "t-1")
