"""The summary plan driven by hand: what it counts, when it stops, and what it says then."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import pytest

from langchain_okta import api
from langchain_okta.api import Received
from langchain_okta.errors import OktaResponseError, OktaValidationError
from langchain_okta.plans import Context, Send, Sleep, call
from langchain_okta.progress import PageProgress
from langchain_okta.retries import TransportFailure, WaitBudget
from langchain_okta.settings import RetrySettings
from langchain_okta.summaries import SummaryLimits, UserSummary, summarize_users

LOCAL_START = 1000.0
OKTA_START = 1_700_000_000  # Okta's clock when the local one reads LOCAL_START
JSON = {"content-type": "application/json"}

Answer = Callable[["Okta"], Received | TransportFailure]


class FakeClock:
    def __init__(self) -> None:
        self.now = LOCAL_START

    def __call__(self) -> float:
        return self.now


class Okta:
    """Carries out a plan as the drivers do; each request takes `latency` seconds and gets the
    next scripted answer, made at that moment on Okta's clock."""

    def __init__(self, ctx: Context, *answers: Answer, latency: float = 0.1) -> None:
        self.clock = ctx.clock
        self.answers = list(answers)
        self.latency = latency
        self.steps: list[Send | Sleep] = []
        self.next_id = 0

    @property
    def okta_now(self) -> float:
        return OKTA_START + (self.clock.now - LOCAL_START)  # type: ignore[attr-defined]

    def run(self, plan: Any) -> Any:
        try:
            step = next(plan)
            while True:
                self.steps.append(step)
                if isinstance(step, Sleep):
                    self.clock.now += step.seconds  # type: ignore[attr-defined]
                    step = plan.send(None)
                else:
                    assert self.answers, f"unscripted request: {step.request}"
                    self.clock.now += self.latency  # type: ignore[attr-defined]
                    step = plan.send(self.answers.pop(0)(self))
        except StopIteration as done:
            return done.value

    @property
    def sent(self) -> list[Any]:
        return [step.request for step in self.steps if isinstance(step, Send)]

    @property
    def sleeps(self) -> list[float]:
        return [step.seconds for step in self.steps if isinstance(step, Sleep)]


def make_ctx(**retries: Any) -> Context:
    settings = {"max_attempts": 3, "backoff_base": 0.25, "backoff_max": 1.0, "max_wait": 20.0}
    return Context(
        retries=RetrySettings(**{**settings, **retries}), clock=FakeClock(), rng=random.Random(0)
    )


def window_headers(okta: Okta, window: tuple[int, int, float] | None) -> dict[str, str]:
    headers = {**JSON, "date": formatdate(int(okta.okta_now), usegmt=True)}
    if window is not None:
        limit, remaining, reset_in = window
        headers.update(
            {
                "x-rate-limit-limit": str(limit),
                "x-rate-limit-remaining": str(remaining),
                "x-rate-limit-reset": str(int(okta.okta_now + reset_in)),
            }
        )
    return headers


def page(
    *statuses: str | None,
    more: bool = True,
    window: tuple[int, int, float] | None = None,
    cursor: str | None = None,
) -> Answer:
    """A page of users with these statuses; `window` is (limit, remaining, seconds to reset)."""

    def answer(okta: Okta) -> Received:
        users = []
        for status in statuses:
            okta.next_id += 1
            users.append(
                {
                    "id": f"00u{okta.next_id}",
                    "status": status,
                    "profile": {"login": f"user{okta.next_id}@example.com"},
                }
            )
        after = cursor or f"00u{okta.next_id}"
        links = [f'<https://acme.okta.com/api/v1/users?limit=200&after={after}>; rel="next"']
        body = json.dumps(users).encode()
        return Received(200, window_headers(okta, window), body, tuple(links if more else ()))

    return answer


def raw_page(*users: Any) -> Answer:
    """The last page, with these objects as Okta's list."""

    def answer(okta: Okta) -> Received:
        return Received(200, window_headers(okta, None), json.dumps(list(users)).encode())

    return answer


def full_page(status: str = "ACTIVE", **kwargs: Any) -> Answer:
    return page(*[status] * 200, **kwargs)


def error(status: int, code: str, window: tuple[int, int, float] | None = None) -> Answer:
    def answer(okta: Okta) -> Received:
        body = json.dumps({"errorCode": code, "errorSummary": f"{code} summary"}).encode()
        return Received(status, window_headers(okta, window), body)

    return answer


def dropped(okta: Okta) -> TransportFailure:
    return TransportFailure("ReadTimeout", may_have_reached_okta=True)


def summarize(
    ctx: Context,
    *,
    search: str | None = None,
    filter: str | None = None,
    progress: Callable[[PageProgress], object] | None = None,
    **limits: Any,
) -> Any:
    return summarize_users(
        ctx, search=search, filter=filter, limits=SummaryLimits(**limits), progress=progress
    )


@pytest.fixture
def ctx() -> Context:
    return make_ctx()


# -- a complete walk ------------------------------------------------------------------------


def test_counts_every_user_of_every_page_by_status(ctx: Context) -> None:
    okta = Okta(
        ctx,
        page(*["ACTIVE"] * 150, *["STAGED"] * 50),
        page(*["ACTIVE"] * 120, *["SUSPENDED"] * 80),
        page("STAGED", "DEPROVISIONED", more=False),
    )

    summary: UserSummary = okta.run(summarize(ctx))

    assert summary.complete
    assert summary.matched == 402
    assert summary.by_status == {"ACTIVE": 270, "SUSPENDED": 80, "STAGED": 51, "DEPROVISIONED": 1}
    assert summary.pages == 3
    assert summary.stopped_by is None
    assert summary.reason is None


def test_pages_two_hundred_at_a_time_following_the_cursor(ctx: Context) -> None:
    okta = Okta(ctx, full_page(cursor="c1"), full_page(cursor="c2"), page("ACTIVE", more=False))

    okta.run(summarize(ctx, search='profile.department eq "Sales"'))

    assert [dict(request.params) for request in okta.sent] == [
        {"search": 'profile.department eq "Sales"', "limit": "200"},
        {"search": 'profile.department eq "Sales"', "limit": "200", "after": "c1"},
        {"search": 'profile.department eq "Sales"', "limit": "200", "after": "c2"},
    ]


def test_a_filter_is_sent_as_a_filter(ctx: Context) -> None:
    okta = Okta(ctx, page("STAGED", more=False))

    okta.run(summarize(ctx, filter='status eq "STAGED"'))

    assert dict(okta.sent[0].params) == {"filter": 'status eq "STAGED"', "limit": "200"}


def test_keeps_the_first_three_users_as_the_sample(ctx: Context) -> None:
    okta = Okta(ctx, page("ACTIVE", "STAGED"), page("SUSPENDED", "ACTIVE", more=False))

    summary = okta.run(summarize(ctx))

    assert [user.id for user in summary.sample] == ["00u1", "00u2", "00u3"]


def test_a_status_outside_oktas_list_is_counted_as_other(ctx: Context) -> None:
    okta = Okta(ctx, page("ACTIVE", "X" * 5000, None, "PENDING_SOMETHING", more=False))

    summary = okta.run(summarize(ctx))

    assert summary.by_status == {"OTHER": 3, "ACTIVE": 1}


def test_an_empty_listing_is_a_complete_count_of_zero(ctx: Context) -> None:
    okta = Okta(ctx, page(more=False))

    summary = okta.run(summarize(ctx))

    assert (summary.matched, summary.complete, summary.by_status) == (0, True, {})


def test_reports_progress_once_per_page(ctx: Context) -> None:
    seen: list[PageProgress] = []
    okta = Okta(ctx, full_page(), page("ACTIVE", "STAGED", more=False))

    okta.run(summarize(ctx, progress=seen.append))

    assert seen == [
        PageProgress(pages=1, users=200, page_users=200, more=True),
        PageProgress(pages=2, users=202, page_users=2, more=False),
    ]


def test_beyond_the_sample_only_each_users_id_and_status_are_read(ctx: Context) -> None:
    users = [
        {"id": f"00u{n}", "status": "ACTIVE", "profile": {"login": "a@b.co"}} for n in range(3)
    ]
    odd = {"id": "00u9", "status": "STAGED", "profile": "not an object", "created": 7}
    okta = Okta(ctx, raw_page(*users, odd))

    summary = okta.run(summarize(ctx))

    assert (summary.matched, summary.by_status) == (4, {"ACTIVE": 3, "STAGED": 1})
    assert [user.id for user in summary.sample] == ["00u0", "00u1", "00u2"]


@pytest.mark.parametrize(
    "item",
    [{"status": "ACTIVE"}, {"id": 7, "status": "ACTIVE"}, {"id": "00u1", "status": 1}, "00u1"],
    ids=["no-id", "id-not-text", "status-not-text", "not-an-object"],
)
def test_a_page_with_something_other_than_a_user_is_unreadable(ctx: Context, item: Any) -> None:
    okta = Okta(ctx, *[raw_page({"id": "00u0", "status": "ACTIVE"}, item)] * 3)

    with pytest.raises(OktaResponseError, match="not a valid OktaUser"):
        okta.run(summarize(ctx))


# -- the time budget --------------------------------------------------------------------------


def test_stops_before_a_page_that_would_end_past_the_time_budget() -> None:
    ctx = make_ctx()
    okta = Okta(ctx, *[full_page()] * 5, latency=4.0)

    summary = okta.run(summarize(ctx, seconds=10))

    # Two pages take 8 s; a third would end at 12 s.
    assert len(okta.sent) == 2
    assert not summary.complete
    assert summary.matched == 400
    assert summary.by_status == {"ACTIVE": 400}
    assert summary.stopped_by == "time_budget"
    assert summary.reason == "stopped at the 10 s time budget"


def test_the_time_budget_is_never_reported_as_a_complete_count(ctx: Context) -> None:
    okta = Okta(ctx, *[full_page()] * 3, latency=1.0)

    summary = okta.run(summarize(ctx, seconds=1.5))

    assert len(okta.sent) == 1
    assert (summary.complete, summary.matched) == (False, 200)


# -- the share of the rate limit --------------------------------------------------------------


def test_stops_where_the_rest_of_the_window_is_left_to_other_calls(ctx: Context) -> None:
    # A window of 10 requests, resetting in 50 s; half of it may go to the summary.
    answers = [full_page(window=(10, remaining, 50)) for remaining in range(9, 0, -1)]
    okta = Okta(ctx, *answers)

    summary = okta.run(summarize(ctx, seconds=20, rate_share=0.5))

    assert len(okta.sent) == 5  # Okta then reports 5 remaining: the other half
    assert not summary.complete
    assert summary.matched == 1000
    assert summary.stopped_by == "rate_limit_share"
    assert summary.reason == (
        "stopped to leave the rest of the rate limit to other calls (resets in 50 s)"
    )


@pytest.mark.parametrize(("share", "pages"), [(0.2, 2), (0.7, 7), (1.0, 10)])
def test_the_share_sets_how_much_of_the_window_the_summary_uses(
    ctx: Context, share: float, pages: int
) -> None:
    answers = [full_page(window=(10, remaining, 50)) for remaining in range(9, -1, -1)]
    okta = Okta(ctx, *answers)

    summary = okta.run(summarize(ctx, rate_share=share))

    assert len(okta.sent) == pages
    assert summary.stopped_by == "rate_limit_share"


def test_waits_for_the_reset_when_it_comes_within_the_budget(ctx: Context) -> None:
    okta = Okta(
        ctx,
        full_page(window=(4, 3, 5)),
        full_page(window=(4, 2, 5)),
        # After the reset: a new window.
        full_page(window=(4, 3, 60)),
        page("ACTIVE", more=False, window=(4, 2, 60)),
    )

    summary = okta.run(summarize(ctx, seconds=20, rate_share=0.5))

    assert summary.complete
    assert summary.matched == 601
    assert len(okta.sleeps) == 1
    assert 4.5 <= okta.sleeps[0] <= 6.0


def test_a_window_spent_before_the_first_page_sends_nothing(ctx: Context) -> None:
    # Another call of the same client found the list endpoint's window down to its last half.
    okta = Okta(ctx, page("ACTIVE", more=False, window=(10, 5, 50)))
    budget = WaitBudget(20, ctx.clock)
    okta.run(call(ctx, api.list_users(limit=1), budget, api.read_user_page))

    summary = okta.run(summarize(ctx))

    assert len(okta.sent) == 1
    assert (summary.matched, summary.complete, summary.pages) == (0, False, 0)
    assert summary.stopped_by == "rate_limit_share"


# -- Okta's errors ----------------------------------------------------------------------------


def test_an_error_on_the_first_page_is_raised(ctx: Context) -> None:
    okta = Okta(ctx, error(400, "E0000031"))

    with pytest.raises(OktaValidationError):
        okta.run(summarize(ctx, search="nonsense"))


def test_an_error_on_a_later_page_ends_the_walk_with_a_lower_bound(ctx: Context) -> None:
    okta = Okta(ctx, full_page(), full_page(), *[error(500, "E0000009")] * 3)

    summary = okta.run(summarize(ctx))

    assert not summary.complete
    assert summary.matched == 400
    assert summary.stopped_by == "okta_error"
    assert summary.reason == "stopped because Okta failed on page 3 (E0000009, HTTP 500)"


def test_okta_unreachable_on_a_later_page_says_so(ctx: Context) -> None:
    okta = Okta(ctx, full_page(), *[dropped] * 3)

    summary = okta.run(summarize(ctx))

    assert (summary.matched, summary.stopped_by) == (200, "okta_error")
    assert summary.reason == "stopped because Okta could not be reached for page 2"


def test_a_rate_limit_answer_on_a_later_page_says_when_it_resets(ctx: Context) -> None:
    okta = Okta(ctx, full_page(), error(429, "E0000047", window=(600, 0, 45)))

    summary = okta.run(summarize(ctx))

    assert (summary.matched, summary.stopped_by) == (200, "rate_limited")
    assert summary.reason == "stopped because Okta's rate limit is used up (resets in 45 s)"


def test_a_cursor_that_repeats_ends_the_walk_instead_of_counting_forever(ctx: Context) -> None:
    okta = Okta(ctx, full_page(cursor="same"), full_page(cursor="same"))

    summary = okta.run(summarize(ctx))

    # The page at "same" was read once; its link back to itself ends the walk.
    assert (summary.matched, summary.complete, summary.stopped_by) == (400, False, "okta_error")
    assert len(okta.sent) == 2


def test_next_links_that_lead_back_to_an_earlier_page_end_the_walk(ctx: Context) -> None:
    okta = Okta(ctx, full_page(cursor="A"), full_page(cursor="B"), full_page(cursor="A"))

    summary = okta.run(summarize(ctx))

    assert (summary.matched, summary.complete, summary.stopped_by) == (600, False, "okta_error")
    assert "leads back to a page already read" in summary.reason
    assert [dict(request.params).get("after") for request in okta.sent] == [None, "A", "B"]
