"""Faults on the real wire: the sandbox served on loopback, failing in every way it can.

Each scenario checks the org afterwards (no duplicate or missing user, no field changed that was
not asked for), that a call which gives up says so clearly, and that it ends within a bound
derived from the retry settings: a bound on correctness (no endless retrying), not on speed.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import httpx
import pytest
from langchain_core.messages import ToolMessage
from reliability_support import (
    FAST_RETRIES,
    SHORT_TIMEOUTS,
    USERS_PATH,
    RecordingTransport,
    Served,
    content_json,
    invoke,
    profile_diff,
    small_org,
    tool_call,
    tools_by_name,
    worst_case_seconds,
)

from langchain_okta import OktaClient, OktaSettings, OktaToolkit
from langchain_okta.sandbox import IN_PROCESS_URL, Fault, SandboxOrg
from langchain_okta.sandbox.faults import FAULT_KINDS
from langchain_okta.views import listed_users

T = TypeVar("T")

# Loopback, thread start-up and the one-second resolution of the Date header.
SLACK_SECONDS = 1.0
GET_BOUND = worst_case_seconds(FAST_RETRIES, SHORT_TIMEOUTS, requests_per_attempt=1)
WRITE_BOUND = worst_case_seconds(FAST_RETRIES, SHORT_TIMEOUTS, requests_per_attempt=2)
SLOW = 0.5  # seconds: past the 0.2 s read timeout
NEW_USER = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada.lovelace@example.com"}
NEW_PROFILE = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada.lovelace@example.com",
    "login": "ada.lovelace@example.com",
}


def test_the_derived_bounds_stay_generous_but_under_ten_seconds() -> None:
    assert GET_BOUND + SLACK_SECONDS < 10
    assert WRITE_BOUND + SLACK_SECONDS < 10


def timed(action: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = action()
    return result, time.monotonic() - started


def call(served: Served, name: str, args: dict[str, Any]) -> tuple[ToolMessage, float]:
    return timed(lambda: invoke(served.tools[name], args))


def users_with_login(org: SandboxOrg, login: str) -> list[dict[str, Any]]:
    return [user for user in org.users if user["profile"]["login"].lower() == login.lower()]


def settle(fault: Fault | None = None) -> None:
    """Let a request the client gave up on (a slow one) finish on the server."""
    if fault is None or fault.kind == "latency":
        time.sleep(SLOW + 0.1)


def posts_to_users(org: SandboxOrg) -> int:
    return sum(r.method == "POST" and r.path == USERS_PATH for r in org.requests)


def a_user(org: SandboxOrg, index: int = 3) -> dict[str, Any]:
    user = org.users[index]
    assert user["status"] != "DEPROVISIONED"
    return user


# -- create: the hard case -------------------------------------------------------------------


def test_create_whose_connection_drops_after_processing_creates_exactly_one_user(
    served: Served,
) -> None:
    served.org.inject(Fault(kind="drop", after_processing=True, method="POST"))

    message, elapsed = call(served, "okta_create_user", NEW_USER)

    assert message.status == "success", message.content
    (user,) = users_with_login(served.org, NEW_PROFILE["login"])
    assert content_json(message)["user"]["id"] == user["id"]
    assert {name: user["profile"].get(name) for name in NEW_PROFILE} == NEW_PROFILE
    # Found by login, not posted again.
    assert posts_to_users(served.org) == 1
    assert elapsed < WRITE_BOUND + SLACK_SECONDS


def test_async_create_whose_connection_drops_after_processing_creates_exactly_one_user(
    served: Served,
) -> None:
    served.org.inject(Fault(kind="drop", after_processing=True, method="POST"))

    message = asyncio.run(
        served.tools["okta_create_user"].ainvoke(tool_call("okta_create_user", NEW_USER))
    )

    assert message.status == "success", message.content
    assert len(users_with_login(served.org, NEW_PROFILE["login"])) == 1
    assert posts_to_users(served.org) == 1


UNSURE_FAULTS = [
    pytest.param(Fault(kind="drop"), id="drop"),
    pytest.param(Fault(kind="status", status=500), id="500"),
    pytest.param(Fault(kind="status", status=502), id="502"),
    pytest.param(Fault(kind="status", status=503), id="503"),
    pytest.param(Fault(kind="status", status=504), id="504"),
    pytest.param(Fault(kind="html"), id="html-502"),
    pytest.param(Fault(kind="latency", seconds=SLOW), id="read-timeout"),
]


@pytest.mark.parametrize("after_processing", [False, True], ids=["before", "after"])
@pytest.mark.parametrize("fault", UNSURE_FAULTS)
def test_create_under_an_unsure_failure_creates_exactly_one_user(
    served: Served, fault: Fault, after_processing: bool
) -> None:
    served.org.inject(
        Fault(
            kind=fault.kind,
            status=fault.status,
            seconds=fault.seconds,
            method="POST",
            after_processing=after_processing,
        )
    )

    message, elapsed = call(served, "okta_create_user", NEW_USER)
    settle(fault)

    assert message.status == "success", message.content
    (user,) = users_with_login(served.org, NEW_PROFILE["login"])
    assert content_json(message)["user"]["id"] == user["id"]
    assert {name: user["profile"].get(name) for name in NEW_PROFILE} == NEW_PROFILE
    assert elapsed < WRITE_BOUND + SLACK_SECONDS


def test_create_whose_success_response_is_cut_off_reports_the_created_user(
    served: Served,
) -> None:
    # Okta created the user and answered 200, but the body arrived unreadable. Reporting a
    # failure sends the agent to create the user again; the client should look it up instead.
    served.org.inject(Fault(kind="malformed_json", method="POST", after_processing=True))

    message, _ = call(served, "okta_create_user", NEW_USER)

    assert len(users_with_login(served.org, NEW_PROFILE["login"])) == 1
    assert message.status == "success", message.content


def test_create_whose_cut_off_response_was_not_processed_is_looked_up_and_created_once(
    served: Served,
) -> None:
    served.org.inject(Fault(kind="malformed_json", method="POST"))

    message, _ = call(served, "okta_create_user", NEW_USER)

    assert message.status == "success", message.content
    assert len(users_with_login(served.org, NEW_PROFILE["login"])) == 1


def test_create_that_keeps_failing_gives_up_with_a_clear_error_and_creates_nobody(
    served: Served,
) -> None:
    served.org.inject(Fault(kind="status", status=503, method="POST", times=1000))

    message, elapsed = call(served, "okta_create_user", NEW_USER)

    assert message.status == "error"
    assert "Okta is unavailable" in str(message.content)
    assert users_with_login(served.org, NEW_PROFILE["login"]) == []
    assert posts_to_users(served.org) <= FAST_RETRIES.max_attempts
    assert elapsed < WRITE_BOUND + SLACK_SECONDS


def test_create_that_gives_up_unsure_and_is_called_again_does_not_duplicate(
    served: Served,
) -> None:
    # The create lands, its answer is lost, and every lookup fails: the tool must give up...
    served.org.inject(Fault(kind="drop", method="POST", after_processing=True))
    served.org.inject(Fault(kind="status", status=503, method="GET", times=1000))
    first, elapsed = call(served, "okta_create_user", NEW_USER)
    served.org.clear_faults()
    # ...and the agent's second try must not make a second user.
    second, _ = call(served, "okta_create_user", NEW_USER)

    assert first.status == "error"
    assert elapsed < WRITE_BOUND + SLACK_SECONDS
    assert len(users_with_login(served.org, NEW_PROFILE["login"])) == 1
    assert second.status == "error"
    assert "okta_get_user" in str(second.content)


def test_create_after_a_429_waits_for_the_reset_and_creates_one_user(served: Served) -> None:
    served.org.inject(Fault(kind="rate_limit", method="POST"))

    message, elapsed = call(served, "okta_create_user", NEW_USER)

    assert message.status == "success", message.content
    assert len(users_with_login(served.org, NEW_PROFILE["login"])) == 1
    assert elapsed < WRITE_BOUND + SLACK_SECONDS


def test_a_rate_limit_fault_never_applies_the_request() -> None:
    # Okta refuses a rate-limited request before doing anything; a 429 that was applied
    # cannot happen, and teaches a client the wrong lesson (the sandbox's random faults draw
    # after_processing=True for half of their 429s).
    org = small_org()
    org.inject(Fault(kind="rate_limit", method="POST", after_processing=True))
    login = "r.l@example.com"
    profile = {"firstName": "R", "lastName": "L", "email": login, "login": login}

    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL) as http:
        response = http.post(
            USERS_PATH,
            json={"profile": profile},
            headers={"Authorization": f"SSWS {org.token}"},
        )

    assert response.status_code == 429
    assert org.find_by_login(login) is None


# -- get: retries and giving up ------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_get_survives_a_burst_of_server_errors(served: Served, status: int) -> None:
    user = a_user(served.org)
    served.org.inject(
        Fault(kind="status", status=status, method="GET", times=FAST_RETRIES.max_attempts - 1)
    )

    message, elapsed = call(served, "okta_get_user", {"user_id": user["id"]})

    assert message.status == "success", message.content
    assert content_json(message)["user"]["id"] == user["id"]
    assert elapsed < GET_BOUND + SLACK_SECONDS


def test_get_gives_up_on_lasting_server_errors_with_a_clear_error(served: Served) -> None:
    served.org.inject(Fault(kind="status", status=503, method="GET", times=1000))

    message, elapsed = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "error"
    assert "Okta is unavailable" in str(message.content)
    assert len(served.org.requests) == FAST_RETRIES.max_attempts
    assert elapsed < GET_BOUND + SLACK_SECONDS


def test_get_retries_responses_slower_than_the_read_timeout(served: Served) -> None:
    served.org.inject(Fault(kind="latency", seconds=SLOW, method="GET", times=2))

    message, elapsed = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "success", message.content
    assert elapsed < GET_BOUND + SLACK_SECONDS


def test_get_that_always_times_out_gives_up_within_the_bound(served: Served) -> None:
    served.org.inject(Fault(kind="latency", seconds=SLOW, method="GET", times=1000))

    message, elapsed = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "error"
    assert "could not be reached" in str(message.content)
    assert elapsed < GET_BOUND + SLACK_SECONDS


def test_get_survives_html_gateway_pages(served: Served) -> None:
    served.org.inject(Fault(kind="html", method="GET", times=2))

    message, _ = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "success", message.content


def test_get_gives_up_on_lasting_html_gateway_pages_with_a_clear_error(served: Served) -> None:
    served.org.inject(Fault(kind="html", method="GET", times=1000))

    message, elapsed = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "error"
    assert "text/html" in str(message.content)
    assert elapsed < GET_BOUND + SLACK_SECONDS


def test_get_with_a_cut_off_json_body_is_retried(served: Served) -> None:
    # A GET is always safe to send again; one garbled body should not fail the tool call.
    served.org.inject(Fault(kind="malformed_json", method="GET"))

    message, _ = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "success", message.content


def test_get_with_lasting_cut_off_json_bodies_gives_up_with_a_clear_error(served: Served) -> None:
    served.org.inject(Fault(kind="malformed_json", method="GET", times=1000))

    message, elapsed = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "error"
    assert "not valid JSON" in str(message.content)
    assert elapsed < GET_BOUND + SLACK_SECONDS


def test_a_429_storm_longer_than_the_wait_budget_gives_up_saying_when_to_retry(
    served: Served,
) -> None:
    served.org.inject(Fault(kind="rate_limit", method="GET", times=1000))

    message, elapsed = call(served, "okta_get_user", {"user_id": "me"})

    assert message.status == "error"
    assert "rate limit" in str(message.content)
    assert "try again in" in str(message.content)
    assert len(served.org.requests) <= FAST_RETRIES.max_attempts
    assert elapsed < FAST_RETRIES.max_wait + SLACK_SECONDS


# -- update: only what was asked for changes ---------------------------------------------------

UPDATE_FAULTS = {
    "drop": Fault(kind="drop"),
    "500": Fault(kind="status", status=500),
    "503": Fault(kind="status", status=503),
    "html-502": Fault(kind="html"),
    "read-timeout": Fault(kind="latency", seconds=SLOW),
    "429": Fault(kind="rate_limit"),
}
UPDATE_CASES = [
    pytest.param(fault, method, after, id=f"{name}-{method}-{'after' if after else 'before'}")
    for name, fault in UPDATE_FAULTS.items()
    for method in ("GET", "POST")
    for after in (False, True)
    # Okta never applies a request it rate-limits (see test_a_rate_limit_fault_never_...).
    if not (fault.kind == "rate_limit" and after)
]


@pytest.mark.parametrize(("fault", "method", "after_processing"), UPDATE_CASES)
def test_update_under_a_fault_changes_only_the_requested_field(
    served: Served, fault: Fault, method: str, after_processing: bool
) -> None:
    user = a_user(served.org)
    served.org.inject(
        Fault(
            kind=fault.kind,
            status=fault.status,
            seconds=fault.seconds,
            method=method,
            after_processing=after_processing,
        )
    )

    message, elapsed = call(
        served, "okta_update_user", {"user_id": user["id"], "mobile_phone": "+1 555 0199"}
    )
    settle(fault)

    assert message.status == "success", message.content
    assert content_json(message)["changed"] == ["mobilePhone"]
    after = served.org.find_by_login(user["profile"]["login"])
    assert after is not None
    assert profile_diff(user["profile"], after["profile"]) == {"mobilePhone"}
    assert after["profile"]["mobilePhone"] == "+1 555 0199"
    assert elapsed < WRITE_BOUND + SLACK_SECONDS


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_update_with_a_cut_off_body_changes_nothing_else_and_says_so(
    served: Served, method: str
) -> None:
    user = a_user(served.org)
    served.org.inject(Fault(kind="malformed_json", method=method, after_processing=True))

    message, _ = call(served, "okta_update_user", {"user_id": user["id"], "last_name": "Cut"})

    after = served.org.find_by_login(user["profile"]["login"])
    assert after is not None
    # A cut-off read is read again; a cut-off answer to the change is retried, and the
    # retry finds the change already made: either way the call ends with the change made.
    assert message.status == "success", message.content
    assert content_json(message)["changed"] == ["lastName"]
    assert profile_diff(user["profile"], after["profile"]) == {"lastName"}


def test_update_that_keeps_failing_gives_up_and_changes_nothing(served: Served) -> None:
    user = a_user(served.org)
    served.org.inject(Fault(kind="status", status=503, method="POST", times=1000))

    message, elapsed = call(served, "okta_update_user", {"user_id": user["id"], "first_name": "X"})

    assert message.status == "error"
    assert "Okta is unavailable" in str(message.content)
    after = served.org.find_by_login(user["profile"]["login"])
    assert after is not None
    assert after["profile"] == user["profile"]
    assert elapsed < WRITE_BOUND + SLACK_SECONDS


def test_concurrent_updates_of_different_fields_keep_every_change(served: Served) -> None:
    user = a_user(served.org)
    changes = [{"first_name": "Con"}, {"last_name": "Current"}, {"mobile_phone": "+1 555 0111"}]
    served.org.inject(Fault(kind="latency", seconds=0.05, method="POST", times=3))

    with ThreadPoolExecutor(len(changes)) as pool:
        messages = list(
            pool.map(
                lambda change: invoke(
                    served.tools["okta_update_user"], {"user_id": user["id"], **change}
                ),
                changes,
            )
        )

    assert [m.status for m in messages] == ["success"] * 3, [m.content for m in messages]
    after = served.org.find_by_login(user["profile"]["login"])
    assert after is not None
    assert profile_diff(user["profile"], after["profile"]) == {
        "firstName",
        "lastName",
        "mobilePhone",
    }
    assert (after["profile"]["firstName"], after["profile"]["lastName"]) == ("Con", "Current")
    assert after["profile"]["mobilePhone"] == "+1 555 0111"


def test_updates_under_random_faults_change_only_requested_fields(served: Served) -> None:
    before = {user["id"]: user["profile"] for user in served.org.users}
    targets = list(before)[1:11]  # everyone but the admin
    served.org.inject_random(rate=0.3, kinds=list(FAULT_KINDS), seed=11)
    requested: dict[str, dict[str, str]] = {}
    succeeded: set[str] = set()

    for index, user_id in enumerate(targets):
        change = {"lastName": f"Random{index}"} if index % 2 else {"firstName": f"Rand{index}"}
        requested[user_id] = change
        args = {"first_name": change.get("firstName"), "last_name": change.get("lastName")}
        message = invoke(
            served.tools["okta_update_user"],
            {"user_id": user_id, **{k: v for k, v in args.items() if v is not None}},
        )
        if message.status == "success":
            succeeded.add(user_id)
    served.org.clear_faults()
    settle()

    assert succeeded, "every update failed: the fault rate is too high to prove anything"
    after = {user["id"]: user["profile"] for user in served.org.users}
    assert set(after) == set(before)
    for user_id, profile in after.items():
        change = requested.get(user_id, {})
        assert profile_diff(before[user_id], profile) <= set(change), user_id
        if user_id in succeeded:
            assert {name: profile[name] for name in change} == change


# -- list: paging under faults -------------------------------------------------------------


def test_paging_under_random_faults_lists_every_user_exactly_once(served: Served) -> None:
    expected = [user["id"] for user in served.org.users if user["status"] != "DEPROVISIONED"]
    served.org.inject_random(rate=0.3, kinds=list(FAULT_KINDS), seed=5)
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(100):
        args: dict[str, Any] = {"limit": 3}
        if cursor is not None:
            args["cursor"] = cursor
        message = invoke(served.tools["okta_list_users"], args)
        if message.status == "error":
            continue  # as an agent would: ask for the same page again
        seen += [user["id"] for user in listed_users(str(message.content))]
        cursor = content_json(message)["next_cursor"]
        if cursor is None:
            break

    assert cursor is None, "paging did not finish"
    assert seen == expected


# -- concurrency -----------------------------------------------------------------------------

FAN_OUT = 100
MAX_CONCURRENCY = 5


@pytest.fixture
def fan_out() -> Iterator[tuple[SandboxOrg, RecordingTransport, OktaToolkit]]:
    org = SandboxOrg(users=FAN_OUT + 5)
    with org.serve() as base_url:
        recorder = RecordingTransport(httpx.HTTPTransport(), httpx.AsyncHTTPTransport())
        client = OktaClient(
            OktaSettings(
                org_url=base_url,
                api_token=org.token,
                max_concurrency=MAX_CONCURRENCY,
                retries=FAST_RETRIES,
            ),
            transport=recorder,
            async_transport=recorder,
        )
        # Slow answers, so the calls really overlap.
        org.inject(Fault(kind="latency", seconds=0.02, method="GET", times=10 * FAN_OUT))
        yield org, recorder, OktaToolkit(client=client, check_admin=False)
        client.close()


def test_async_fan_out_of_100_gets_never_exceeds_max_concurrency(
    fan_out: tuple[SandboxOrg, RecordingTransport, OktaToolkit],
) -> None:
    org, recorder, toolkit = fan_out
    get = tools_by_name(toolkit)["okta_get_user"]
    ids = [user["id"] for user in org.users][:FAN_OUT]

    async def fan() -> list[Any]:
        return await asyncio.gather(
            *(get.ainvoke(tool_call(get.name, {"user_id": i}, f"c{n}")) for n, i in enumerate(ids))
        )

    messages = asyncio.run(fan())

    assert [m.status for m in messages] == ["success"] * FAN_OUT
    assert [json.loads(m.content)["user"]["id"] for m in messages] == ids
    assert len(recorder.sent) == FAN_OUT
    assert 1 < recorder.peak_in_flight <= MAX_CONCURRENCY


def test_threaded_fan_out_of_100_gets_never_exceeds_max_concurrency(
    fan_out: tuple[SandboxOrg, RecordingTransport, OktaToolkit],
) -> None:
    # Agents run sync tools on a thread pool (LangGraph's ToolNode does, for parallel calls).
    org, recorder, toolkit = fan_out
    get = tools_by_name(toolkit)["okta_get_user"]
    ids = [user["id"] for user in org.users][:FAN_OUT]

    with ThreadPoolExecutor(max_workers=20) as pool:
        messages = list(pool.map(lambda user_id: invoke(get, {"user_id": user_id}), ids))

    assert [m.status for m in messages] == ["success"] * FAN_OUT
    assert len(recorder.sent) == FAN_OUT
    assert recorder.peak_in_flight <= MAX_CONCURRENCY
