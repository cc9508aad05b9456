"""Summaries at the sizes they are for: orgs of 10,000 and 50,000 people on the sandbox.

Each org is seeded once for the module (50,000 people take a few seconds). The expected
counts come from the seed's documented status shares, not from the code under test; a
lower bound is checked against the plain listing's first users, read by `iter_users`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from langchain_core.tools import BaseTool

from langchain_okta import OktaClient, OktaSettings, OktaToolkit, PageProgress, SummaryLimits
from langchain_okta.models import UserPage
from langchain_okta.sandbox import IN_PROCESS_URL, RateLimit, SandboxOrg
from langchain_okta.sandbox.seed import STATUS_SHARES
from langchain_okta.views import SUMMARY_MAX_BYTES

USERS_PATH = "/api/v1/users"
# Far more than any test here sends in a window: only the rate-limit tests meet a limit.
NO_LIMIT = RateLimit(limit=1_000_000)
# The small limit: 20 listings per window, half of which a summary leaves to other calls.
SMALL_LIMIT = RateLimit(limit=20, window_seconds=600)
WINDOW_START = datetime(2026, 1, 1, tzinfo=UTC).timestamp()


def plain_listing_statuses(people: int) -> Counter[str]:
    """The seeded org's plain listing by status: each status's share of the people, the rest
    ACTIVE, plus the ACTIVE admin; DEPROVISIONED users are left out, as by Okta."""
    counts = Counter({status: round(share * people) for status, share in STATUS_SHARES.items()})
    counts["ACTIVE"] = people - sum(counts.values()) + 1
    del counts["DEPROVISIONED"]
    return counts


def client_of(org: SandboxOrg) -> OktaClient:
    return OktaClient(OktaSettings.resolve(IN_PROCESS_URL, org.token), transport=org.transport())


def list_users_tool(org: SandboxOrg) -> BaseTool:
    toolkit = OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport(), check_admin=False)
    return next(tool for tool in toolkit.get_tools() if tool.name == "okta_list_users")


def listings_since(org: SandboxOrg, since: int) -> list[int | None]:
    """The statuses Okta answered the listing requests with, since request number `since`."""
    return [
        request.status
        for request in org.requests[since:]
        if request.method == "GET" and request.path == USERS_PATH
    ]


def first_listed(org: SandboxOrg, count: int) -> Counter[str]:
    with client_of(org) as client:
        return Counter(str(user.status) for user in itertools.islice(client.iter_users(), count))


@pytest.fixture(scope="module")
def org_10k() -> SandboxOrg:
    return SandboxOrg(users=10_000, rate_limit=NO_LIMIT)


@pytest.fixture(scope="module")
def org_50k() -> SandboxOrg:
    return SandboxOrg(users=50_000, rate_limit=NO_LIMIT)


# -- exact counts -----------------------------------------------------------------------------


def test_fifty_thousand_people_are_counted_exactly_one_request_per_page(
    org_50k: SandboxOrg,
) -> None:
    since = len(org_50k.requests)

    message = list_users_tool(org_50k).invoke(
        {"type": "tool_call", "id": "1", "name": "okta_list_users", "args": {"summary": True}}
    )

    shown = json.loads(message.content)
    expected = plain_listing_statuses(50_000)
    assert shown["complete"] is True
    assert shown["matched"] == sum(expected.values()) == 47_501
    assert shown["by_status"] == expected
    assert listings_since(org_50k, since) == [200] * math.ceil(47_501 / 200)
    assert len(message.content.encode()) < SUMMARY_MAX_BYTES


def test_ten_thousand_people_are_counted_exactly_one_request_per_page(
    org_10k: SandboxOrg,
) -> None:
    since = len(org_10k.requests)

    output = asyncio.run(list_users_tool(org_10k).ainvoke({"summary": True}))

    shown = json.loads(output)
    expected = plain_listing_statuses(10_000)
    assert shown["complete"] is True
    assert shown["matched"] == sum(expected.values()) == 9_501
    assert shown["by_status"] == expected
    assert listings_since(org_10k, since) == [200] * math.ceil(9_501 / 200)
    assert len(output.encode()) < SUMMARY_MAX_BYTES


def test_a_search_over_ten_thousand_people_counts_what_it_lists(org_10k: SandboxOrg) -> None:
    search = 'profile.department eq "Engineering" or profile.title sw "Sales"'
    with client_of(org_10k) as client:
        listed = Counter(str(user.status) for user in client.iter_users(search=search))
        since = len(org_10k.requests)

        summary = client.summarize_users(search=search)

    assert summary.complete
    assert summary.by_status == listed
    assert summary.matched == sum(listed.values())
    assert len(listings_since(org_10k, since)) == math.ceil(summary.matched / 200)


# -- stopping early ---------------------------------------------------------------------------


def test_a_tight_time_budget_reports_a_correct_lower_bound(org_50k: SandboxOrg) -> None:
    since = len(org_50k.requests)
    with client_of(org_50k) as client:
        summary = client.summarize_users(limits=SummaryLimits(seconds=0.2))

    assert not summary.complete
    assert summary.stopped_by == "time_budget"
    assert 1 <= summary.pages < math.ceil(47_501 / 200)
    assert summary.matched == 200 * summary.pages
    assert len(listings_since(org_50k, since)) == summary.pages
    assert summary.by_status == first_listed(org_50k, summary.matched)


class OrgClock:
    """The org's clock, standing still within a test; `next_window` opens a fresh window."""

    def __init__(self) -> None:
        self.now = WINDOW_START

    def __call__(self) -> float:
        return self.now

    def next_window(self) -> None:
        self.now += SMALL_LIMIT.window_seconds


@pytest.fixture(scope="module")
def limited() -> tuple[SandboxOrg, OrgClock]:
    clock = OrgClock()
    return SandboxOrg(users=10_000, rate_limit=SMALL_LIMIT, clock=clock), clock


@pytest.fixture
def limited_org(limited: tuple[SandboxOrg, OrgClock]) -> Iterator[SandboxOrg]:
    org, clock = limited
    clock.next_window()
    yield org
    clock.next_window()


def test_a_small_rate_limit_stops_the_walk_with_a_correct_lower_bound(
    limited_org: SandboxOrg, limited: tuple[SandboxOrg, OrgClock]
) -> None:
    since = len(limited_org.requests)
    with client_of(limited_org) as client:
        summary = client.summarize_users()

    assert not summary.complete
    assert summary.stopped_by == "rate_limit_share"
    assert summary.pages == 10  # Okta then reports 10 of 20 left: the other half
    assert summary.matched == 2_000
    assert listings_since(limited_org, since) == [200] * 10
    limited[1].next_window()
    assert summary.by_status == first_listed(limited_org, summary.matched)


def test_calls_made_during_a_summary_get_through_and_the_reserve_holds(
    limited_org: SandboxOrg,
) -> None:
    since = len(limited_org.requests)
    with client_of(limited_org) as client:
        during: list[UserPage] = []

        def meanwhile(progress: PageProgress) -> None:
            during.append(client.list_users(limit=1))

        summary = client.summarize_users(progress=meanwhile)
        after = [client.list_users(limit=1) for _ in range(10)]

    assert summary.stopped_by == "rate_limit_share"
    assert (summary.pages, len(during)) == (5, 5)
    assert all(len(page.users) == 1 for page in during + after)
    assert listings_since(limited_org, since) == [200] * 20


def test_concurrent_calls_during_an_async_summary_get_through(limited_org: SandboxOrg) -> None:
    since = len(limited_org.requests)
    # As many as the half of the window a summary leaves to others, two at a time.
    reserve = SMALL_LIMIT.limit // 2

    async def scenario() -> list[UserPage]:
        loop = asyncio.get_running_loop()
        async with client_of(limited_org) as client:
            others: list[asyncio.Task[UserPage]] = []

            def meanwhile(progress: PageProgress) -> None:
                wanted = min(2, reserve - len(others))
                others.extend(loop.create_task(client.alist_users(limit=1)) for _ in range(wanted))

            summary = await client.asummarize_users(progress=meanwhile)
            others.extend(
                loop.create_task(client.alist_users(limit=1)) for _ in range(reserve - len(others))
            )
            assert summary.stopped_by == "rate_limit_share"
            assert summary.matched == 200 * summary.pages
            return await asyncio.gather(*others)

    others = asyncio.run(scenario())

    assert len(others) == reserve
    assert all(len(page.users) == 1 for page in others)
    assert set(listings_since(limited_org, since)) == {200}
