"""The org over loopback HTTP: same answers as in process, keep-alive, concurrency, shutdown."""

from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlsplit

import httpx
import pytest

from langchain_okta.sandbox import Fault, SandboxOrg


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg(users=30)


def _client(org: SandboxOrg, base_url: str) -> httpx.Client:
    headers = {"Authorization": f"SSWS {org.token}"}
    return httpx.Client(base_url=base_url, headers=headers, timeout=10)


def test_serve_yields_a_loopback_url_on_a_free_port(org: SandboxOrg):
    with org.serve() as base_url:
        parts = urlsplit(base_url)

    assert parts.scheme == "http"
    assert parts.hostname == "127.0.0.1"
    assert parts.port
    assert parts.port > 0


def test_served_org_answers_like_the_in_process_one(org: SandboxOrg):
    with org.serve() as base_url, _client(org, base_url) as client:
        response = client.get("/api/v1/users/me")

    assert response.status_code == 200
    assert response.json()["id"] == org.admin["id"]
    assert response.headers["content-type"] == "application/json"
    assert response.headers["etag"].startswith('W/"')


def test_served_links_point_at_the_server(org: SandboxOrg):
    with org.serve() as base_url, _client(org, base_url) as client:
        response = client.get("/api/v1/users", params={"limit": 2})

    assert response.links["next"]["url"].startswith(f"{base_url}/api/v1/users?")
    assert response.json()[0]["_links"]["self"]["href"].startswith(base_url)
    assert len(response.headers.get_list("link")) == 2


def test_served_errors_carry_oktas_body(org: SandboxOrg):
    with org.serve() as base_url, httpx.Client(base_url=base_url) as client:
        response = client.get("/api/v1/users")

    assert response.status_code == 401
    assert response.json()["errorCode"] == "E0000011"


def test_create_and_update_over_http(org: SandboxOrg):
    profile = {
        "firstName": "Ada",
        "lastName": "L",
        "email": "ada@example.com",
        "login": "ada@example.com",
    }
    with org.serve() as base_url, _client(org, base_url) as client:
        created = client.post("/api/v1/users", json={"profile": profile}).json()
        updated = client.post(
            f"/api/v1/users/{created['id']}", json={"profile": {"mobilePhone": "+1-555-0100"}}
        )

    assert updated.json()["profile"]["mobilePhone"] == "+1-555-0100"


def test_drop_closes_the_connection_without_a_response(org: SandboxOrg):
    org.inject(Fault("drop"))
    with org.serve() as base_url, _client(org, base_url) as client:
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            client.get("/api/v1/users/me")
        after = client.get("/api/v1/users/me")

    assert after.status_code == 200


def test_latency_over_http_delays_the_response(org: SandboxOrg):
    org.inject(Fault("latency", seconds=0.2))
    with org.serve() as base_url, _client(org, base_url) as client:
        started = time.perf_counter()
        response = client.get("/api/v1/users/me")

    assert time.perf_counter() - started >= 0.2
    assert response.status_code == 200


def test_connections_are_kept_alive(org: SandboxOrg):
    with org.serve() as base_url, _client(org, base_url) as client:
        first = client.get("/api/v1/users/me")
        second = client.get("/api/v1/users/me")

    assert first.http_version == "HTTP/1.1"
    assert first.extensions["network_stream"] is second.extensions["network_stream"]


def test_many_concurrent_keep_alive_clients_are_all_served(org: SandboxOrg):
    statuses: list[int] = []
    lock = threading.Lock()

    def work(base_url: str) -> None:
        with _client(org, base_url) as client:
            for _ in range(10):
                status = client.get("/api/v1/users", params={"limit": 5}).status_code
                with lock:
                    statuses.append(status)

    with org.serve() as base_url:
        started = time.perf_counter()
        threads = [threading.Thread(target=work, args=(base_url,)) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started

    assert statuses == [200] * 200
    assert elapsed < 5


async def test_async_client_over_http(org: SandboxOrg):
    with org.serve() as base_url:
        headers = {"Authorization": f"SSWS {org.token}"}
        async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
            response = await client.get("/api/v1/users/me/roles")

    assert [role["type"] for role in response.json()] == ["SUPER_ADMIN"]


def test_leaving_serve_stops_the_server_even_with_idle_connections(org: SandboxOrg):
    client = _client(org, "http://unused")
    with org.serve() as base_url:
        client.get(f"{base_url}/api/v1/users/me")  # leaves a keep-alive connection open
        port = urlsplit(base_url).port
    started = time.perf_counter()

    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    assert time.perf_counter() - started < 1
    client.close()
