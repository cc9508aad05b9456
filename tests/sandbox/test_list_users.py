"""GET /api/v1/users: plain lists, paging with link headers, q, filter and search."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg


@pytest.fixture(scope="module")
def org() -> SandboxOrg:
    # Shared: these tests only read (the ones that create build their own org).
    return SandboxOrg(users=450)


@pytest.fixture
def client(org: SandboxOrg) -> httpx.Client:
    return _client(org)


def _client(org: SandboxOrg) -> httpx.Client:
    headers = {"Authorization": f"SSWS {org.token}"}
    return httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)


def _links(response: httpx.Response) -> dict[str, str]:
    links = {}
    for header in response.headers.get_list("link"):
        url, rel = header.split(";")
        links[rel.strip().removeprefix('rel="').removesuffix('"')] = url.strip()[1:-1]
    return links


def _cursor(response: httpx.Response) -> str | None:
    url = _links(response).get("next")
    return parse_qs(urlsplit(url).query)["after"][0] if url else None


def _all_pages(client: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = []
    response = client.get("/api/v1/users", params=params)
    users += response.json()
    while (cursor := _cursor(response)) is not None:
        response = client.get("/api/v1/users", params={**params, "after": cursor})
        users += response.json()
    return users


def _ids(users: list[dict[str, Any]]) -> list[str]:
    return [user["id"] for user in users]


def test_plain_list_omits_deprovisioned_users(org: SandboxOrg, client: httpx.Client):
    listed = _all_pages(client)

    assert _ids(listed) == [u["id"] for u in org.users if u["status"] != "DEPROVISIONED"]


def test_default_page_has_200_users(client: httpx.Client):
    assert len(client.get("/api/v1/users").json()) == 200


def test_limit_above_200_is_clamped_to_200(client: httpx.Client):
    assert len(client.get("/api/v1/users", params={"limit": 500}).json()) == 200


def test_non_integer_limit_is_a_type_mismatch(client: httpx.Client):
    response = client.get("/api/v1/users", params={"limit": "ten"})

    assert response.status_code == 400
    assert response.json()["errorSummary"] == (
        "Type mismatch exception.  Could not convert parameter 'limit' to the required type."
    )


def test_limit_below_one_is_an_invalid_paging_request(client: httpx.Client):
    response = client.get("/api/v1/users", params={"limit": 0})

    assert response.json()["errorCode"] == "E0000029"


def test_self_and_next_links_are_separate_absolute_header_lines(client: httpx.Client):
    response = client.get("/api/v1/users", params={"limit": 3})

    assert response.headers.get_list("link") == [
        f'<{IN_PROCESS_URL}/api/v1/users?limit=3>; rel="self"',
        f'<{IN_PROCESS_URL}/api/v1/users?after={_cursor(response)}&limit=3>; rel="next"',
    ]


def test_links_put_after_then_limit_then_the_other_parameters_with_spaces_as_plus(
    client: httpx.Client,
):
    # As Okta writes them (recorded): ?after=...&limit=1, ?limit=200&filter=status+eq+%22ACTIVE%22
    first = client.get("/api/v1/users", params={"filter": 'status eq "ACTIVE"', "limit": 2})
    cursor = _cursor(first)

    second = client.get(f"/api/v1/users?filter=status%20eq%20%22ACTIVE%22&after={cursor}&limit=2")

    query = "filter=status+eq+%22ACTIVE%22"
    assert _links(first)["self"] == f"{IN_PROCESS_URL}/api/v1/users?limit=2&{query}"
    assert _links(first)["next"] == f"{IN_PROCESS_URL}/api/v1/users?after={cursor}&limit=2&{query}"
    assert _links(second)["self"] == f"{IN_PROCESS_URL}/api/v1/users?after={cursor}&limit=2&{query}"


def test_self_link_always_carries_the_limit(client: httpx.Client):
    response = client.get("/api/v1/users", params={"q": "jan"})

    assert _links(response)["self"] == f"{IN_PROCESS_URL}/api/v1/users?limit=10&q=jan"


def test_cursors_are_opaque_not_user_ids(client: httpx.Client):
    cursors = [_cursor(client.get("/api/v1/users", params={"limit": n})) for n in (1, 2, 3)]
    ids = _ids(_all_pages(client))

    assert None not in cursors
    assert not [cursor for cursor in cursors if any(user_id in cursor for user_id in ids)]
    assert not [cursor for cursor in cursors if cursor and cursor.startswith("00u")]


def test_a_user_id_is_not_a_cursor(client: httpx.Client):
    first_id = _ids(client.get("/api/v1/users", params={"limit": 1}).json())[0]

    response = client.get("/api/v1/users", params={"after": first_id})

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000029"


def test_a_cursor_from_another_org_is_an_invalid_cursor(client: httpx.Client):
    other = SandboxOrg(seed=99)
    with httpx.Client(
        transport=other.transport(),
        base_url=IN_PROCESS_URL,
        headers={"Authorization": f"SSWS {other.token}"},
    ) as other_client:
        foreign = _cursor(other_client.get("/api/v1/users", params={"limit": 2}))

    response = client.get("/api/v1/users", params={"after": foreign})

    assert response.status_code == 400
    assert response.json()["errorCauses"] == [{"errorSummary": "Invalid cursor."}]


def test_an_unknown_cursor_on_a_search_is_e0000031_invalid_cursor(client: httpx.Client):
    response = client.get("/api/v1/users", params={"search": "id pr", "after": "nope"})

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000031"
    assert response.json()["errorCauses"] == [{"errorSummary": "Invalid cursor."}]


def test_an_unknown_cursor_on_a_sorted_search_is_e0000031_invalid_cursor(client: httpx.Client):
    params = {"search": "id pr", "sortBy": "id", "after": "nope"}

    response = client.get("/api/v1/users", params=params)

    assert response.json()["errorCode"] == "E0000031"
    assert response.json()["errorCauses"] == [{"errorSummary": "Invalid cursor."}]


def test_next_link_carries_the_default_limit(client: httpx.Client):
    response = client.get("/api/v1/users")

    assert parse_qs(urlsplit(_links(response)["next"]).query)["limit"] == ["200"]


def test_last_page_has_no_next_link(client: httpx.Client):
    response = client.get("/api/v1/users", params={"limit": 7})
    while (cursor := _cursor(response)) is not None:
        response = client.get("/api/v1/users", params={"limit": 7, "after": cursor})

    assert response.json() != []
    assert list(_links(response)) == ["self"]


def test_pages_follow_the_cursor_without_gaps_or_repeats(org: SandboxOrg, client: httpx.Client):
    small_pages = _all_pages(client, limit=7)

    assert _ids(small_pages) == _ids(_all_pages(client))


def test_unknown_cursor_is_an_invalid_paging_request(client: httpx.Client):
    response = client.get("/api/v1/users", params={"after": "00uNOSUCHUSER0000000"})

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000029"
    assert response.json()["errorSummary"] == "Invalid paging request."
    assert response.json()["errorCauses"] == [{"errorSummary": "Invalid cursor."}]


def test_new_user_is_listed_after_the_existing_ones():
    org = SandboxOrg(users=5)
    client = _client(org)
    profile = {
        "firstName": "A",
        "lastName": "B",
        "email": "a.b@example.com",
        "login": "a.b@example.com",
    }
    created = client.post("/api/v1/users", json={"profile": profile}).json()

    assert client.get("/api/v1/users").json()[-1]["id"] == created["id"]


def test_q_matches_first_name_last_name_or_email_prefix_in_any_case(client: httpx.Client):
    jane = client.get("/api/v1/users", params={"q": "jANE"}).json()

    assert [user["profile"]["firstName"] for user in jane] == ["Jane"]


def test_q_returns_ten_users_by_default_and_no_next_link(org: SandboxOrg, client: httpx.Client):
    response = client.get("/api/v1/users", params={"q": "a"})

    assert len(response.json()) == 10
    assert list(_links(response)) == ["self"]


def test_q_omits_deprovisioned_users(org: SandboxOrg, client: httpx.Client):
    gone = next(user for user in org.users if user["status"] == "DEPROVISIONED")

    found = client.get("/api/v1/users", params={"q": gone["profile"]["email"], "limit": 200})

    assert gone["id"] not in _ids(found.json())


def test_search_includes_deprovisioned_users(org: SandboxOrg, client: httpx.Client):
    everyone = _all_pages(client, search="status pr")

    assert _ids(everyone) == _ids(org.users)


def test_filter_on_deprovisioned_status_returns_them(org: SandboxOrg, client: httpx.Client):
    gone = _all_pages(client, filter='status eq "DEPROVISIONED"')

    assert gone
    assert _ids(gone) == [u["id"] for u in org.users if u["status"] == "DEPROVISIONED"]


def test_search_on_department_and_status(org: SandboxOrg, client: httpx.Client):
    found = _all_pages(client, search='profile.department eq "sales" and status eq "STAGED"')

    assert found
    assert all(u["profile"]["department"] == "Sales" and u["status"] == "STAGED" for u in found)


def test_search_sorted_by_last_name_descending(client: httpx.Client):
    found = _all_pages(
        client,
        search='profile.department eq "Finance"',
        sortBy="profile.lastName",
        sortOrder="desc",
        limit=5,
    )

    names = [user["profile"]["lastName"].lower() for user in found]
    assert len(found) > 5
    assert names == sorted(names, reverse=True)


def test_next_link_keeps_the_search_parameters(client: httpx.Client):
    response = client.get(
        "/api/v1/users", params={"search": 'status eq "ACTIVE"', "sortBy": "id", "limit": 2}
    )

    query = parse_qs(urlsplit(_links(response)["next"]).query)
    assert query["search"] == ['status eq "ACTIVE"']
    assert query["sortBy"] == ["id"]


def test_invalid_search_is_e0000031_with_the_reason(client: httpx.Client):
    response = client.get("/api/v1/users", params={"search": "profile.department eq"})

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000031"
    assert response.json()["errorSummary"] == "Invalid search criteria."
    assert response.json()["errorCauses"][0]["errorSummary"]


def test_filter_outside_its_subset_is_e0000031(client: httpx.Client):
    response = client.get("/api/v1/users", params={"filter": 'profile.department eq "Sales"'})

    assert response.json()["errorCode"] == "E0000031"


def test_search_and_filter_together_is_e0000033(client: httpx.Client):
    response = client.get(
        "/api/v1/users", params={"search": 'status eq "ACTIVE"', "filter": 'status eq "ACTIVE"'}
    )

    assert response.json()["errorCode"] == "E0000033"


def test_listed_users_carry_only_their_self_link(client: httpx.Client):
    user = client.get("/api/v1/users", params={"limit": 1}).json()[0]

    assert user["_links"] == {"self": {"href": f"{IN_PROCESS_URL}/api/v1/users/{user['id']}"}}


async def test_list_works_over_an_async_client(org: SandboxOrg):
    headers = {"Authorization": f"SSWS {org.token}"}
    async with httpx.AsyncClient(
        transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers
    ) as async_client:
        response = await async_client.get("/api/v1/users", params={"limit": 4})

    listed = [user for user in org.users if user["status"] != "DEPROVISIONED"][:4]
    assert _ids(response.json()) == _ids(listed)
