"""GET /api/v1/users/{id}: by id, login, shortname or `me`, as Okta resolves them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg()


@pytest.fixture
def client(org: SandboxOrg) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(
        transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers
    ) as client:
        yield client


def _person(org: SandboxOrg, status: str = "ACTIVE") -> dict:
    return next(u for u in org.users[1:] if u["status"] == status)


def test_get_by_id_returns_the_full_user_object(org: SandboxOrg, client: httpx.Client):
    person = _person(org)

    response = client.get(f"/api/v1/users/{person['id']}")

    assert response.status_code == 200
    assert response.json() == person


def test_get_by_login_ignores_case(org: SandboxOrg, client: httpx.Client):
    person = _person(org)

    response = client.get(f"/api/v1/users/{person['profile']['login'].upper()}")

    assert response.json()["id"] == person["id"]


def test_get_by_login_shortname(org: SandboxOrg, client: httpx.Client):
    person = _person(org)
    shortname = person["profile"]["login"].split("@")[0]

    response = client.get(f"/api/v1/users/{shortname}")

    assert response.json()["id"] == person["id"]


def test_ambiguous_shortname_is_not_found(client: httpx.Client):
    for login in ("sam.lee@example.com", "sam.lee@partner.example.org"):
        profile = {"firstName": "Sam", "lastName": "Lee", "email": login, "login": login}
        assert client.post("/api/v1/users", json={"profile": profile}).status_code == 200

    response = client.get("/api/v1/users/sam.lee")

    assert response.status_code == 404


def test_get_me_returns_the_admin_behind_the_token(org: SandboxOrg, client: httpx.Client):
    response = client.get("/api/v1/users/me")

    assert response.json() == org.admin
    assert response.json()["profile"]["login"].startswith("admin@")


def test_path_segment_is_percent_decoded_once(org: SandboxOrg, client: httpx.Client):
    login = _person(org)["profile"]["login"]

    once = client.get("/api/v1/users/" + login.replace("@", "%40"))
    twice = client.get("/api/v1/users/" + login.replace("@", "%2540"))

    assert once.status_code == 200
    assert twice.status_code == 404


def test_unknown_user_is_404_with_oktas_not_found_error(client: httpx.Client):
    response = client.get("/api/v1/users/00uNOTAREALUSER00000")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E0000007"
    assert response.json()["errorSummary"] == (
        "Not found: Resource not found: 00uNOTAREALUSER00000 (User)"
    )


def test_get_returns_a_weak_etag(org: SandboxOrg, client: httpx.Client):
    response = client.get(f"/api/v1/users/{_person(org)['id']}")

    assert re.fullmatch(r'W/"[0-9a-f]+"', response.headers["etag"])


def test_deprovisioned_user_can_still_be_fetched_by_id(org: SandboxOrg, client: httpx.Client):
    person = _person(org, "DEPROVISIONED")

    response = client.get(f"/api/v1/users/{person['id']}")

    assert response.json()["status"] == "DEPROVISIONED"


def test_fetched_user_has_the_lifecycle_links_of_its_status(org: SandboxOrg, client: httpx.Client):
    staged = client.get(f"/api/v1/users/{_person(org, 'STAGED')['id']}").json()
    active = client.get(f"/api/v1/users/{_person(org, 'ACTIVE')['id']}").json()

    assert "activate" in staged["_links"]
    assert "suspend" not in staged["_links"]
    assert "suspend" in active["_links"]
    assert active["_links"]["self"]["href"] == f"{IN_PROCESS_URL}/api/v1/users/{active['id']}"


def test_fetched_user_is_one_to_two_kilobytes_like_a_real_one(
    org: SandboxOrg, client: httpx.Client
):
    response = client.get(f"/api/v1/users/{_person(org)['id']}")

    assert 1000 <= len(response.content) <= 2500
