"""POST (partial) and PUT (full replace) on /api/v1/users/{id}, with If-Match."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def org(clock: Clock) -> SandboxOrg:
    return SandboxOrg(clock=clock)


@pytest.fixture
def client(org: SandboxOrg) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(
        transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers
    ) as client:
        yield client


@pytest.fixture
def jane(org: SandboxOrg) -> dict[str, Any]:
    return next(user for user in org.users if user["profile"]["firstName"] == "Jane")


def _causes(response: httpx.Response) -> list[str]:
    return [cause["errorSummary"] for cause in response.json()["errorCauses"]]


def test_partial_update_changes_only_the_fields_sent(
    org: SandboxOrg, client: httpx.Client, jane: dict[str, Any]
):
    response = client.post(
        f"/api/v1/users/{jane['id']}", json={"profile": {"mobilePhone": "+1-555-0199"}}
    )

    assert response.status_code == 200
    assert response.json()["profile"] == {**jane["profile"], "mobilePhone": "+1-555-0199"}
    assert org.find_by_login(jane["profile"]["login"])["profile"]["mobilePhone"] == "+1-555-0199"


def test_partial_update_with_null_clears_the_attribute(client: httpx.Client, jane: dict):
    response = client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"title": None}})

    assert response.json()["profile"]["title"] is None


def test_partial_update_can_add_a_custom_attribute(client: httpx.Client, jane: dict):
    response = client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"costCenter": "42"}})

    assert response.json()["profile"]["costCenter"] == "42"


def test_put_deletes_profile_attributes_not_sent(client: httpx.Client, jane: dict):
    base = {key: jane["profile"][key] for key in ("firstName", "lastName", "email", "login")}

    response = client.put(
        f"/api/v1/users/{jane['id']}", json={"profile": {**base, "mobilePhone": "+1-555-0199"}}
    )

    assert response.status_code == 200
    assert response.json()["profile"] == {**base, "mobilePhone": "+1-555-0199", "secondEmail": None}


def test_put_with_a_partial_profile_is_rejected_for_missing_required_fields(
    org: SandboxOrg, client: httpx.Client, jane: dict
):
    response = client.put(
        f"/api/v1/users/{jane['id']}", json={"profile": {"mobilePhone": "+1-555-0199"}}
    )

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000001"
    assert _causes(response) == [
        "login: The field cannot be left blank",
        "firstName: The field cannot be left blank",
        "lastName: The field cannot be left blank",
        "email: The field cannot be left blank",
    ]
    assert org.find_by_login(jane["profile"]["login"])["profile"] == jane["profile"]


def test_update_to_a_login_held_by_someone_else_is_rejected(
    org: SandboxOrg, client: httpx.Client, jane: dict
):
    taken = org.users[3]["profile"]["login"]

    response = client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"login": taken}})

    assert _causes(response) == [
        "login: An object with this field already exists in the current organization"
    ]


def test_update_may_change_the_case_of_the_users_own_login(client: httpx.Client, jane: dict):
    login = jane["profile"]["login"].upper()

    response = client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"login": login}})

    assert response.json()["profile"]["login"] == login


def test_changed_login_is_found_under_the_new_login_only(
    org: SandboxOrg, client: httpx.Client, jane: dict
):
    client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"login": "jane.q@example.com"}})

    assert org.find_by_login("jane.q@example.com")["id"] == jane["id"]
    assert org.find_by_login(jane["profile"]["login"]) is None


def test_update_moves_last_updated_to_now(client: httpx.Client, clock: Clock, jane: dict):
    clock.now += 3600

    response = client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"title": "CTO"}})

    assert response.json()["lastUpdated"] == "2025-06-15T16:06:40.000Z"


def test_update_changes_the_etag(client: httpx.Client, jane: dict):
    before = client.get(f"/api/v1/users/{jane['id']}").headers["etag"]

    client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"title": "CTO"}})

    assert client.get(f"/api/v1/users/{jane['id']}").headers["etag"] != before


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_update_answer_carries_no_etag(client: httpx.Client, jane: dict, method: str):
    profile = {key: jane["profile"][key] for key in ("firstName", "lastName", "email", "login")}

    response = client.request(method, f"/api/v1/users/{jane['id']}", json={"profile": profile})

    assert response.status_code == 200
    assert "etag" not in response.headers


def test_clearing_the_mobile_phone_leaves_it_null_not_missing(client: httpx.Client, jane: dict):
    response = client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"mobilePhone": None}})

    assert response.json()["profile"]["mobilePhone"] is None
    assert "mobilePhone" in response.json()["profile"]


def test_if_match_with_a_stale_etag_is_412_and_changes_nothing(
    org: SandboxOrg, client: httpx.Client, jane: dict
):
    stale = client.get(f"/api/v1/users/{jane['id']}").headers["etag"]
    client.post(f"/api/v1/users/{jane['id']}", json={"profile": {"title": "CTO"}})

    response = client.post(
        f"/api/v1/users/{jane['id']}",
        json={"profile": {"title": "CEO"}},
        headers={"If-Match": stale},
    )

    assert response.status_code == 412
    assert response.json()["errorCode"] == "E0000231"
    assert org.find_by_login(jane["profile"]["login"])["profile"]["title"] == "CTO"


def test_if_match_with_the_current_etag_applies(client: httpx.Client, jane: dict):
    current = client.get(f"/api/v1/users/{jane['id']}").headers["etag"]

    response = client.post(
        f"/api/v1/users/{jane['id']}",
        json={"profile": {"title": "CEO"}},
        headers={"If-Match": current},
    )

    assert response.status_code == 200


def test_update_by_login_updates_that_user(client: httpx.Client, jane: dict):
    response = client.post(
        f"/api/v1/users/{jane['profile']['login']}", json={"profile": {"title": "CEO"}}
    )

    assert response.json()["id"] == jane["id"]


def test_update_of_an_unknown_user_is_404(client: httpx.Client):
    response = client.post("/api/v1/users/nobody@example.com", json={"profile": {"title": "x"}})

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E0000007"


def test_update_with_a_non_object_profile_is_e0000003(client: httpx.Client, jane: dict):
    response = client.post(f"/api/v1/users/{jane['id']}", json={"profile": ["title"]})

    assert response.json()["errorCode"] == "E0000003"


def test_update_leaves_the_status_alone(client: httpx.Client, org: SandboxOrg):
    staged = next(user for user in org.users if user["status"] == "STAGED")

    response = client.post(f"/api/v1/users/{staged['id']}", json={"profile": {"title": "x"}})

    assert response.json()["status"] == "STAGED"
