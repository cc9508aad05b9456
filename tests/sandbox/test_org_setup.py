"""Setting an org up: given users, and what an admin changes outside the Users API we serve."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg

ALICE: dict[str, Any] = {
    "id": "00uAlice000000000001",
    "status": "ACTIVE",
    "created": "2025-01-02T03:04:05.000Z",
    "type": {"id": "otyGiven000000000001"},
    "profile": {"login": "alice@example.com", "email": "alice@example.com"},
    "_links": {"self": {"href": "https://elsewhere.example/api/v1/users/00uAlice000000000001"}},
}
BOB: dict[str, Any] = {
    "id": "00uBob00000000000002",
    "status": "STAGED",
    "profile": {"login": "bob@example.com", "email": "bob@example.com"},
}


def _client(org: SandboxOrg) -> httpx.Client:
    headers = {"Authorization": f"SSWS {org.token}"}
    return httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)


# Given users


def test_an_org_of_given_people_holds_exactly_them_and_the_first_is_the_admin():
    org = SandboxOrg(people=[ALICE, BOB])

    assert [user["id"] for user in org.users] == [ALICE["id"], BOB["id"]]
    assert org.admin["id"] == ALICE["id"]


def test_given_users_are_served_with_links_for_this_org():
    org = SandboxOrg(people=[ALICE, BOB])

    with _client(org) as http:
        user = http.get(f"/api/v1/users/{ALICE['id']}").json()

    assert user["_links"]["self"]["href"] == f"{IN_PROCESS_URL}/api/v1/users/{ALICE['id']}"


def test_users_created_in_an_org_of_given_people_get_its_user_type():
    org = SandboxOrg(people=[ALICE])
    profile = {
        "firstName": "C",
        "lastName": "D",
        "login": "c@example.com",
        "email": "c@example.com",
    }

    with _client(org) as http:
        created = http.post("/api/v1/users", json={"profile": profile}).json()

    assert created["type"] == ALICE["type"]


@pytest.mark.parametrize(
    "people",
    [[], [{**ALICE, "status": "HAPPY"}], [{**ALICE, "profile": {}}], [{**ALICE, "id": ""}]],
)
def test_unusable_people_are_refused(people: list[dict[str, Any]]):
    with pytest.raises(ValueError, match=r"people|user"):
        SandboxOrg(people=people)


def test_people_and_a_number_of_users_together_are_refused():
    with pytest.raises(ValueError, match="either"):
        SandboxOrg(users=3, people=[ALICE])


# Statuses, removals and roles


def test_set_status_moves_a_user_and_its_links_follow():
    org = SandboxOrg(people=[ALICE, BOB])

    org.set_status(BOB["id"], "ACTIVE")
    with _client(org) as http:
        bob = http.get(f"/api/v1/users/{BOB['id']}").json()

    assert bob["status"] == "ACTIVE"
    assert bob["activated"] is not None
    assert {"suspend", "deactivate"} <= set(bob["_links"])
    assert "activate" not in bob["_links"]


def test_a_suspended_user_can_be_unsuspended_and_deactivated():
    org = SandboxOrg(people=[ALICE, BOB])

    user = org.set_status(BOB["id"], "SUSPENDED")

    assert set(user["_links"]) == {"unsuspend", "deactivate", "resetFactors", "schema", "self"}


def test_set_status_refuses_an_unknown_status_or_user():
    org = SandboxOrg(people=[ALICE, BOB])

    with pytest.raises(ValueError, match="status"):
        org.set_status(BOB["id"], "HAPPY")
    with pytest.raises(KeyError):
        org.set_status("00uNobody", "ACTIVE")


def test_a_removed_user_is_gone_and_its_login_free_again():
    org = SandboxOrg(people=[ALICE, BOB])

    org.remove_user(BOB["id"])
    with _client(org) as http:
        fetched = http.get(f"/api/v1/users/{BOB['id']}")
        listed = http.get("/api/v1/users").json()

    assert fetched.status_code == 404
    assert [user["id"] for user in listed] == [ALICE["id"]]
    assert org.find_by_login(BOB["profile"]["login"]) is None


def test_a_cursor_past_a_removed_user_still_finds_its_page():
    org = SandboxOrg(users=6)
    with _client(org) as http:
        first = http.get("/api/v1/users", params={"limit": 2})
        second_page = http.get(first.links["next"]["url"]).json()
        org.remove_user(first.json()[-1]["id"])
        again = http.get(first.links["next"]["url"]).json()

    assert again == second_page


def test_the_admin_cannot_be_removed():
    org = SandboxOrg(people=[ALICE, BOB])

    with pytest.raises(ValueError, match="admin"):
        org.remove_user(ALICE["id"])


def test_set_roles_gives_a_user_exactly_those_roles():
    org = SandboxOrg(people=[ALICE, BOB])

    org.set_roles(BOB["id"], ["USER_ADMIN"])
    with _client(org) as http:
        roles = http.get(f"/api/v1/users/{BOB['id']}/roles").json()
        org.set_roles(BOB["id"], [])
        none = http.get(f"/api/v1/users/{BOB['id']}/roles").json()

    assert [role["type"] for role in roles] == ["USER_ADMIN"]
    assert none == []


def test_set_roles_refuses_an_unknown_role():
    with pytest.raises(ValueError, match="NOPE"):
        SandboxOrg(people=[ALICE]).set_roles(ALICE["id"], ["NOPE"])


# Serving


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])  # noqa: S104 - refused
def test_serving_beyond_loopback_is_refused_unless_meant(host: str):
    with pytest.raises(ValueError, match="expose_to_network"):
        SandboxOrg(users=1).serve(host)
