"""Per-endpoint budgets in fixed windows on the org's clock, reported on every response."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, RateLimit, SandboxOrg

START = 1_750_000_040.5  # 20.5 s into the minute-aligned window [1_750_000_020, 1_750_000_080)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def client(clock: Clock) -> httpx.Client:
    org = SandboxOrg(users=5, rate_limit=RateLimit(limit=3, window_seconds=60), clock=clock)
    headers = {"Authorization": f"SSWS {org.token}"}
    return httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)


def _remaining(response: httpx.Response) -> int:
    return int(response.headers["x-rate-limit-remaining"])


def test_remaining_counts_down_per_request(client: httpx.Client):
    responses = [client.get("/api/v1/users") for _ in range(3)]

    assert [_remaining(r) for r in responses] == [2, 1, 0]
    assert {r.headers["x-rate-limit-limit"] for r in responses} == {"3"}


def test_requests_past_the_limit_get_429_e0000047(client: httpx.Client):
    for _ in range(3):
        client.get("/api/v1/users")

    response = client.get("/api/v1/users")

    assert response.status_code == 429
    assert response.json()["errorCode"] == "E0000047"
    assert response.json()["errorSummary"] == (
        "API call exceeded rate limit due to too many requests."
    )
    assert _remaining(response) == 0


def test_reset_is_the_end_of_the_clock_aligned_window(client: httpx.Client):
    response = client.get("/api/v1/users")

    assert response.headers["x-rate-limit-reset"] == "1750000080"


def test_date_header_follows_the_org_clock(client: httpx.Client):
    response = client.get("/api/v1/users")

    assert parsedate_to_datetime(response.headers["date"]).timestamp() == int(START)


def test_budget_returns_in_the_next_window(client: httpx.Client, clock: Clock):
    for _ in range(4):
        client.get("/api/v1/users")
    clock.now = 1_750_000_080.0

    response = client.get("/api/v1/users")

    assert response.status_code == 200
    assert _remaining(response) == 2
    assert response.headers["x-rate-limit-reset"] == "1750000140"


def test_each_endpoint_has_its_own_budget(client: httpx.Client):
    for _ in range(4):
        client.get("/api/v1/users")

    assert client.get("/api/v1/users/me").status_code == 200
    assert client.get("/api/v1/users/me/roles").status_code == 200


def test_partial_and_full_updates_share_one_budget(client: httpx.Client):
    me = client.get("/api/v1/users/me").json()
    client.post("/api/v1/users/me", json={"profile": {"title": "x"}})
    client.post("/api/v1/users/me", json={"profile": {"title": "y"}})
    client.put("/api/v1/users/me", json={"profile": me["profile"]})

    response = client.post("/api/v1/users/me", json={"profile": {"title": "z"}})

    assert response.status_code == 429


def test_invalid_rate_limit_is_rejected():
    with pytest.raises(ValueError, match="limit"):
        RateLimit(limit=0)
