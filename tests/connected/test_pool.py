"""The pool: one client per (org, credential), least recently used out first, idle ones
closed, everything closed with the toolkit, and no socket left open by any of it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator

import httpx
import pytest
from connected_runs import acall, call, tool_named
from loopback_okta import settle
from okta_people import Person, people_of

from langchain_okta.connected import OktaConnectedToolkit
from langchain_okta.connection import OktaConnection
from langchain_okta.pool import PoolLimits
from langchain_okta.sandbox import SandboxOrg

needs_proc = pytest.mark.skipif(
    not os.path.exists("/proc/net/tcp"), reason="counts sockets in /proc/net/tcp"
)


def established_to(port: int) -> int:
    """Connections open from any client to `port` on loopback, as the kernel lists them."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if remote_port == port and fields[3] == "01":  # ESTABLISHED
                    count += 1
    return count


@pytest.fixture
def served() -> Iterator[tuple[list[Person], list[int]]]:
    """Two sandbox orgs over loopback, three people each."""
    first = SandboxOrg(users=8, seed=1, token="acme-admin-token-Zx81")
    second = SandboxOrg(users=8, seed=2, token="globex-admin-token-Qp27")
    with first.serve() as first_url, second.serve() as second_url:
        people = people_of(first, first_url, "acme") + people_of(second, second_url, "globex")
        ports = [int(first_url.rsplit(":", 1)[1]), int(second_url.rsplit(":", 1)[1])]
        yield people, ports


def _open(ports: list[int]) -> int:
    return sum(established_to(port) for port in ports)


def _use(toolkit: OktaConnectedToolkit, person: Person) -> None:
    get = tool_named(toolkit, "okta_get_user")
    assert call(get, person.connection, user_id="me").startswith("{")
    assert asyncio.run(acall(get, person.connection, user_id="me")).startswith("{")


@needs_proc
def test_closing_the_toolkit_leaves_no_socket_open(served: tuple[list[Person], list[int]]) -> None:
    people, ports = served
    toolkit = OktaConnectedToolkit()
    for person in people:
        _use(toolkit, person)
    assert _open(ports) >= len(people)  # the sync clients' connections, kept for reuse

    toolkit.close()

    assert settle(lambda: _open(ports), 0) == 0
    assert toolkit.pool.size == 0


@needs_proc
def test_an_evicted_client_is_closed_with_its_sockets(
    served: tuple[list[Person], list[int]],
) -> None:
    people, ports = served
    with OktaConnectedToolkit(pool_limits=PoolLimits(max_clients=2)) as toolkit:
        for person in people:
            _use(toolkit, person)

        assert toolkit.pool.size == 2
        # Only the two most recent people's clients keep a connection.
        assert settle(lambda: _open(ports), 2) == 2
    assert settle(lambda: _open(ports), 0) == 0


@needs_proc
def test_an_idle_client_is_closed_by_the_next_use_of_the_pool(
    served: tuple[list[Person], list[int]],
) -> None:
    people, ports = served
    now = [0.0]
    with OktaConnectedToolkit(pool_limits=PoolLimits(idle_seconds=30)) as toolkit:
        toolkit.pool._clock = lambda: now[0]
        first, second = people[0], people[3]
        _use(toolkit, first)
        (entry,) = toolkit.pool._entries.values()
        now[0] = 31.0

        _use(toolkit, second)

        assert entry.client.closed
        assert toolkit.pool.size == 1
        assert settle(lambda: _open(ports), 1) == 1


def test_one_client_per_org_and_credential(
    toolkit: OktaConnectedToolkit, people: list[Person], acme: SandboxOrg
) -> None:
    get = tool_named(toolkit, "okta_get_user")
    for person in people:
        call(get, person.connection, user_id="me")
        # An equal connection built anew (as each request of a server would) shares it.
        again = OktaConnection.model_validate(
            {
                "org_url": person.org_url,
                "api_token": person.connection.api_token,
                "access_token": person.connection.access_token,
            }
        )
        call(get, again, user_id="me")

    assert toolkit.pool.size == len(people)


def test_a_client_in_use_is_not_evicted_under_its_run(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    pool = toolkit.pool
    object.__setattr__(pool, "limits", PoolLimits(max_clients=1))
    held = pool.lease(people[0].connection)
    other = pool.lease(people[1].connection)

    assert not held.client.closed
    assert pool.size == 2
    pool.release(other)  # the only one not in use goes, though it was used last
    assert pool.size == 1
    assert other.client.closed
    assert not held.client.closed
    pool.release(held)
    assert pool.size == 1
    assert not held.client.closed


def test_a_closed_toolkit_refuses_calls_with_a_clear_message(
    toolkit: OktaConnectedToolkit, people: list[Person]
) -> None:
    toolkit.close()

    answer = call(tool_named(toolkit, "okta_get_user"), people[0].connection, user_id="me")

    assert "closed" in answer


def test_a_transport_with_connections_of_its_own_is_refused_for_sharing() -> None:
    kept = httpx.HTTPTransport()
    with pytest.raises(TypeError, match="first one closed would close it under the others"):
        OktaConnectedToolkit(transports={"https://acme.okta.test": kept})
    kept.close()
