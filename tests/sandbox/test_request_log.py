"""`SandboxOrg.requests`: what each request was and how it was answered, never the token."""

from __future__ import annotations

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, Fault, SandboxOrg


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg(users=5)


@pytest.fixture
def client(org: SandboxOrg) -> httpx.Client:
    headers = {"Authorization": f"SSWS {org.token}"}
    return httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)


def test_requests_record_method_path_query_body_and_status(org: SandboxOrg, client: httpx.Client):
    client.get("/api/v1/users", params={"search": 'status eq "STAGED"', "limit": "5"})
    client.post("/api/v1/users/me", json={"profile": {"title": "CTO"}})

    first, second = org.requests

    assert (first.method, first.path, first.query, first.json, first.status) == (
        "GET",
        "/api/v1/users",
        [("search", 'status eq "STAGED"'), ("limit", "5")],
        None,
        200,
    )
    assert (second.method, second.path, second.json, second.status) == (
        "POST",
        "/api/v1/users/me",
        {"profile": {"title": "CTO"}},
        200,
    )


def test_path_is_recorded_as_sent_still_percent_encoded(org: SandboxOrg, client: httpx.Client):
    client.get("/api/v1/users/admin%40example.com")

    assert org.requests[-1].path == "/api/v1/users/admin%40example.com"


def test_failed_requests_are_recorded_with_their_status(org: SandboxOrg):
    httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL).get("/api/v1/users")

    assert org.requests[-1].status == 401


def test_the_token_is_never_recorded(org: SandboxOrg, client: httpx.Client):
    client.get("/api/v1/users/me", params={"x": "1"})
    client.post("/api/v1/users", json={"profile": {}})

    assert org.token not in repr(org.requests)


def test_a_dropped_request_has_no_status_and_names_its_fault(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("drop"))

    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/api/v1/users/me")

    assert (org.requests[-1].status, org.requests[-1].fault) == (None, "drop")


def test_the_log_is_a_snapshot(org: SandboxOrg, client: httpx.Client):
    snapshot = org.requests

    client.get("/api/v1/users/me")

    assert snapshot == []
