"""Injected faults: what each kind does, which requests it hits, and seeded random faults."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, Fault, SandboxOrg

GRACE = {
    "firstName": "Grace",
    "lastName": "Hopper",
    "email": "grace.hopper@example.com",
    "login": "grace.hopper@example.com",
}


TAKEN = "login: An object with this field already exists in the current organization"


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg(users=10)


@pytest.fixture
def client(org: SandboxOrg) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(
        transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers
    ) as client:
        yield client


def _create(client: httpx.Client, profile: dict[str, Any] = GRACE) -> httpx.Response:
    return client.post("/api/v1/users", json={"profile": profile})


def test_status_fault_returns_oktas_internal_error(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status"))

    response = client.get("/api/v1/users/me")

    assert response.status_code == 500
    assert response.json()["errorCode"] == "E0000009"
    assert response.json()["errorSummary"] == "Internal Server Error"


def test_503_fault_is_oktas_read_only_mode(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status", status=503))

    response = client.get("/api/v1/users")

    assert response.status_code == 503
    assert response.json()["errorCode"] == "E0000010"


@pytest.mark.parametrize(("status", "code"), [(502, "E0000134"), (504, "E0000137")])
def test_gateway_status_faults_use_oktas_code_for_that_status(
    org: SandboxOrg, client: httpx.Client, status: int, code: str
):
    org.inject(Fault("status", status=status))

    response = client.get("/api/v1/users/me")

    assert response.status_code == status
    assert response.json()["errorCode"] == code


def test_status_fault_does_not_apply_the_request(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status", method="POST"))

    assert _create(client).status_code == 500
    assert org.find_by_login(GRACE["login"]) is None


def test_status_after_processing_still_creates_the_user(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status", method="POST", after_processing=True, status=502))

    response = _create(client)

    assert response.status_code == 502
    assert org.find_by_login(GRACE["login"]) is not None


def test_drop_raises_remote_protocol_error(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("drop"))

    with pytest.raises(httpx.RemoteProtocolError, match="Server disconnected"):
        client.get("/api/v1/users")


def test_drop_before_processing_creates_nothing(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("drop", method="POST"))

    with pytest.raises(httpx.RemoteProtocolError):
        _create(client)

    assert org.find_by_login(GRACE["login"]) is None


def test_drop_after_processing_still_creates_the_user(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("drop", method="POST", after_processing=True))

    with pytest.raises(httpx.RemoteProtocolError):
        _create(client)

    assert org.find_by_login(GRACE["login"]) is not None
    assert _create(client).json()["errorCauses"] == [{"errorSummary": TAKEN}]


def test_rate_limit_fault_is_429_with_nothing_remaining(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("rate_limit"))

    response = client.get("/api/v1/users")

    assert response.status_code == 429
    assert response.json()["errorCode"] == "E0000047"
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert int(response.headers["x-rate-limit-reset"]) > time.time()


def test_malformed_json_fault_cuts_the_body_off(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("malformed_json"))

    response = client.get("/api/v1/users")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.content.startswith(b'[{"id":"00u')
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_body_cut_off_before_processing_still_has_oktas_headers(
    org: SandboxOrg, client: httpx.Client
):
    org.inject(Fault("malformed_json", method="POST"))

    response = _create(client)

    assert response.headers["x-rate-limit-remaining"].isdigit()
    assert response.headers["date"]
    assert org.find_by_login(GRACE["login"]) is None


def test_html_fault_is_a_502_gateway_page(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("html"))

    response = client.get("/api/v1/users")

    assert response.status_code == 502
    assert response.headers["content-type"] == "text/html"
    assert b"502 Bad Gateway" in response.content


def test_latency_fault_delays_then_serves(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("latency", seconds=0.2))

    started = time.perf_counter()
    response = client.get("/api/v1/users/me")

    assert time.perf_counter() - started >= 0.2
    assert response.status_code == 200


async def test_latency_fault_sleeps_without_blocking_the_event_loop(org: SandboxOrg):
    org.inject(Fault("latency", path="/api/v1/users/me", seconds=0.2))
    headers = {"Authorization": f"SSWS {org.token}"}
    async with httpx.AsyncClient(
        transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers
    ) as client:
        started = time.perf_counter()
        slow = asyncio.create_task(client.get("/api/v1/users/me"))
        fast = await client.get("/api/v1/users")
        fast_elapsed = time.perf_counter() - started
        assert (await slow).status_code == 200

    assert fast.status_code == 200
    assert fast_elapsed < 0.15


def test_latency_beyond_the_read_timeout_times_out_but_applies(org: SandboxOrg):
    org.inject(Fault("latency", seconds=5.0, method="POST"))
    headers = {"Authorization": f"SSWS {org.token}"}
    client = httpx.Client(
        transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers, timeout=0.1
    )

    with pytest.raises(httpx.ReadTimeout):
        _create(client)

    assert org.find_by_login(GRACE["login"]) is not None


def test_fault_hits_only_the_matching_method_and_path(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status", method="POST", path="/api/v1/users/"))

    assert client.get("/api/v1/users/me").status_code == 200
    assert _create(client).status_code == 200
    assert client.post("/api/v1/users/me", json={"profile": {}}).status_code == 500


def test_fault_hits_as_many_requests_as_its_times(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status", times=2))

    statuses = [client.get("/api/v1/users/me").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]


def test_queued_faults_hit_in_order(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status", status=503))
    org.inject(Fault("rate_limit"))

    statuses = [client.get("/api/v1/users/me").status_code for _ in range(3)]

    assert statuses == [503, 429, 200]


def test_clear_faults_drops_pending_and_random_faults(org: SandboxOrg, client: httpx.Client):
    org.inject(Fault("status", times=5))
    org.inject_random(rate=1.0, kinds=["status"], seed=1)

    org.clear_faults()

    assert client.get("/api/v1/users/me").status_code == 200


def test_random_faults_are_the_same_for_the_same_seed():
    def run() -> list[int | str]:
        org = SandboxOrg(users=3)
        org.inject_random(rate=0.5, kinds=["status", "rate_limit", "html", "drop"], seed=42)
        headers = {"Authorization": f"SSWS {org.token}"}
        client = httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)
        outcomes: list[int | str] = []
        for _ in range(30):
            try:
                outcomes.append(client.get("/api/v1/users/me").status_code)
            except httpx.RemoteProtocolError:
                outcomes.append("dropped")
        return outcomes

    first, second = run(), run()

    assert first == second
    assert 200 in first
    assert len(set(first)) > 2


def test_random_fault_rate_zero_never_faults(org: SandboxOrg, client: httpx.Client):
    org.inject_random(rate=0.0, kinds=["drop"], seed=3)

    assert {client.get("/api/v1/users/me").status_code for _ in range(20)} == {200}


@pytest.mark.parametrize(
    ("fault", "complaint"),
    [
        ({"kind": "meteor"}, "kind"),
        ({"kind": "status", "times": 0}, "times"),
        ({"kind": "status", "status": 200}, "status"),
        ({"kind": "latency", "seconds": -1}, "seconds"),
    ],
)
def test_invalid_faults_are_rejected(fault: dict[str, Any], complaint: str):
    with pytest.raises(ValueError, match=complaint):
        Fault(**fault)


def test_unknown_random_fault_kind_is_rejected(org: SandboxOrg):
    with pytest.raises(ValueError, match="kinds"):
        org.inject_random(rate=0.1, kinds=["meteor"], seed=1)
