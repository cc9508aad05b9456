"""OktaClient's walks through a listing report their progress, and summarize for applications."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Iterator

import pytest

from langchain_okta import OktaClient, OktaSettings, PageProgress, SummaryLimits
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg

PEOPLE = 480


@pytest.fixture(scope="module")
def org() -> SandboxOrg:
    return SandboxOrg(users=PEOPLE)


@pytest.fixture
def client(org: SandboxOrg) -> Iterator[OktaClient]:
    with OktaClient(
        OktaSettings.resolve(IN_PROCESS_URL, org.token), transport=org.transport()
    ) as client:
        yield client


def test_iter_users_reports_each_page_as_it_arrives(client: OktaClient) -> None:
    seen: list[PageProgress] = []

    users = list(client.iter_users(limit=200, progress=seen.append))

    assert seen == [
        PageProgress(pages=1, users=200, page_users=200, more=True),
        PageProgress(pages=2, users=400, page_users=200, more=True),
        PageProgress(pages=3, users=len(users), page_users=len(users) - 400, more=False),
    ]


def test_iter_users_reports_a_page_before_its_users_are_handed_out(client: OktaClient) -> None:
    seen: list[PageProgress] = []

    first = list(itertools.islice(client.iter_users(limit=100, progress=seen.append), 1))

    assert len(first) == 1
    assert seen == [PageProgress(pages=1, users=100, page_users=100, more=True)]


def test_aiter_users_reports_each_page_as_it_arrives(client: OktaClient) -> None:
    seen: list[PageProgress] = []

    async def walk() -> int:
        return sum([1 async for _ in client.aiter_users(limit=200, progress=seen.append)])

    count = asyncio.run(walk())

    assert [progress.users for progress in seen] == [200, 400, count]
    assert [progress.more for progress in seen] == [True, True, False]


def test_summarize_users_counts_like_iter_users(client: OktaClient) -> None:
    listed = Counter(user.status for user in client.iter_users(search="profile.title pr"))

    summary = client.summarize_users(search="profile.title pr")

    assert summary.complete
    assert summary.matched == sum(listed.values())
    assert summary.by_status == listed
    assert summary.pages == 3
    assert [user.id for user in summary.sample] == [
        user.id for user in itertools.islice(client.iter_users(search="profile.title pr"), 3)
    ]


def test_asummarize_users_gives_the_same_summary(client: OktaClient) -> None:
    seen: list[PageProgress] = []
    sync = client.summarize_users(filter='status eq "ACTIVE"')

    summary = asyncio.run(
        client.asummarize_users(filter='status eq "ACTIVE"', progress=seen.append)
    )

    assert summary.model_dump(exclude={"seconds"}) == sync.model_dump(exclude={"seconds"})
    assert [progress.users for progress in seen][-1] == summary.matched


def test_summarize_users_takes_its_limits(client: OktaClient) -> None:
    summary = client.summarize_users(limits=SummaryLimits(seconds=1e-9))

    assert not summary.complete
    assert summary.stopped_by == "time_budget"
    assert summary.matched == 200 * summary.pages
