"""Per-endpoint budgets in fixed windows on the org's clock, reported on every response, and
the org's bound on requests in flight."""

from __future__ import annotations

import threading
from email.utils import parsedate_to_datetime

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, Fault, RateLimit, SandboxOrg

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


# Okta's per-endpoint defaults, and overrides


@pytest.mark.parametrize(
    ("method", "path", "limit"),
    [
        ("GET", "/api/v1/users", "600"),
        ("GET", "/api/v1/users/me", "2000"),
        ("GET", "/api/v1/users/me/roles", "1200"),
        ("GET", "/nowhere", "1200"),
    ],
)
def test_each_endpoint_gets_oktas_default_limit(method: str, path: str, limit: str):
    org = SandboxOrg(users=2)
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers) as http:
        response = http.request(method, path)

    assert response.headers["x-rate-limit-limit"] == limit


def test_an_endpoint_limit_overrides_the_default_of_that_endpoint_only():
    org = SandboxOrg(users=2, rate_limit=RateLimit(endpoints={"GET /api/v1/users/{id}": 5}))
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers) as http:
        by_id = http.get("/api/v1/users/me")
        listing = http.get("/api/v1/users")

    assert by_id.headers["x-rate-limit-limit"] == "5"
    assert listing.headers["x-rate-limit-limit"] == "600"


def test_an_endpoint_limit_wins_over_one_limit_for_all():
    rate_limit = RateLimit(limit=3, endpoints={"GET /api/v1/users": 9})

    assert (rate_limit.limit_for("GET /api/v1/users"), rate_limit.limit_for("/api/v1/*")) == (9, 3)


def test_the_endpoint_limits_cannot_be_changed_after_the_fact():
    rate_limit = RateLimit(endpoints={"GET /api/v1/users": 9})

    with pytest.raises(TypeError):
        rate_limit.endpoints["GET /api/v1/users"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    "options", [{"endpoints": {"GET /api/v1/users": 0}}, {"concurrent": 0}, {"window_seconds": 0}]
)
def test_invalid_limits_are_rejected(options: dict):
    with pytest.raises(ValueError, match="RateLimit"):
        RateLimit(**options)


# The concurrent limit


def _in_flight_at_once(org: SandboxOrg, count: int) -> list[httpx.Response]:
    """`count` requests that are all in flight together (each waits in a latency fault)."""
    for _ in range(count):
        org.inject(Fault("latency", seconds=0.3))
    headers = {"Authorization": f"SSWS {org.token}"}
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def one() -> None:
        with httpx.Client(
            transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers
        ) as http:
            response = http.get("/api/v1/users/me")
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=one) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_requests_past_the_concurrent_limit_get_429_with_limit_and_remaining_zero():
    org = SandboxOrg(users=2, rate_limit=RateLimit(concurrent=2))

    responses = _in_flight_at_once(org, 4)

    refused = [r for r in responses if r.status_code == 429]
    assert len(refused) == 2
    assert [r.status_code for r in responses].count(200) == 2
    for response in refused:
        assert response.json()["errorCode"] == "E0000047"
        assert response.headers["x-rate-limit-limit"] == "0"
        assert response.headers["x-rate-limit-remaining"] == "0"


def test_the_concurrent_limit_estimates_a_reset_a_moment_ahead(clock: Clock):
    org = SandboxOrg(users=2, rate_limit=RateLimit(concurrent=1), clock=clock)

    refused = [r for r in _in_flight_at_once(org, 2) if r.status_code == 429]

    assert [int(r.headers["x-rate-limit-reset"]) for r in refused] == [int(START) + 2]


def test_requests_one_after_another_never_meet_the_concurrent_limit():
    org = SandboxOrg(users=2, rate_limit=RateLimit(concurrent=1))
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers) as http:
        statuses = {http.get("/api/v1/users/me").status_code for _ in range(20)}

    assert statuses == {200}
