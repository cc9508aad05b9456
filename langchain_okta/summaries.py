"""Counting the users a listing matches: a plan that pages through all of them, bounded.

A summary answers "how many" without handing anyone every row: it reads each page of the
listing (200 users a page, through `plans.call`, so with the same rate limiter and retries
as every other request), counts the users and their statuses, and keeps the first few as a
sample. It stops early when its time budget runs out or when going on would eat into the
part of the endpoint's rate limit left to other calls; then it says why, and its counts are
lower bounds, never totals.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from langchain_okta import api
from langchain_okta.api import CountedPage
from langchain_okta.errors import (
    OktaConnectionError,
    OktaError,
    OktaRateLimitError,
)
from langchain_okta.models import OktaUser, UserStatus
from langchain_okta.paging import PagingCycleError, Walk
from langchain_okta.plans import Context, Plan, Sleep, call
from langchain_okta.progress import PageProgress, ProgressCallback
from langchain_okta.retries import WaitBudget

PAGE_SIZE = 200
SAMPLE_SIZE = 3
# Statuses outside Okta's documented set are counted together, so that what a server sends
# cannot make the breakdown grow without bound.
OTHER_STATUS = "OTHER"
_KNOWN_STATUSES = frozenset(get_args(UserStatus))
# How long to look again when the window is spoken for by requests still in flight.
_PENDING_WAIT_SECONDS = 0.05

_STATUS_CLAUSE = re.compile(r"\bstatus\s+eq\b")

StopReason = Literal["time_budget", "rate_limit_share", "rate_limited", "okta_error"]


class SummaryLimits(BaseModel):
    """How far one summary may go.

    `seconds` bounds the whole walk: a page is not started when the pages so far say it
    would end past the budget (a request already sent still finishes). `rate_share` is the
    part of the list endpoint's rate-limit window a summary may use: it sends a page only
    while Okta's last report leaves more than the rest of the window (`1 - rate_share` of
    its limit) to everyone else, this agent's other calls and other integrations on the org
    alike. When that part is spent it waits for the window's reset if the reset comes
    within the budget, and stops otherwise. A server that reports no rate limit leaves the
    time budget as the only bound.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    seconds: float = Field(default=20.0, gt=0, le=600)
    rate_share: float = Field(default=0.5, gt=0, le=1)


class UserSummary(BaseModel):
    """How many users a listing matches, by status, and the first few of them.

    `complete` is True only when every page was read. Otherwise `matched` and `by_status`
    count the users read before the walk stopped (lower bounds), `stopped_by` says what
    stopped it and `reason` says so in words. `excluded` names the statuses the listing
    itself leaves out: Okta lists DEPROVISIONED users only to a search or a status filter.
    """

    matched: int
    by_status: dict[str, int]
    sample: list[OktaUser]
    complete: bool
    stopped_by: StopReason | None = None
    reason: str | None = None
    pages: int
    seconds: float
    excluded: tuple[UserStatus, ...] = ()


def summarize_users(
    ctx: Context,
    *,
    search: str | None,
    filter: str | None,
    limits: SummaryLimits,
    progress: ProgressCallback | None = None,
) -> Plan[UserSummary]:
    """Read every page of a listing and count it, within `limits`.

    An error on the first page is raised as it is: nothing was counted. An error on a later
    page ends the walk with the counts so far, marked incomplete.
    """
    tally = _Tally(started=ctx.clock(), excluded=_left_out(search, filter))
    budget = WaitBudget(limits.seconds, ctx.clock)
    after: str | None = None
    walk = Walk()
    while True:
        request = api.list_users(search=search, filter=filter, limit=PAGE_SIZE, after=after)
        stop = yield from _room_for_a_page(ctx, request.bucket, budget, limits, tally)
        if stop is not None:
            return tally.summary(ctx, *stop)
        began = ctx.clock()
        try:
            read = functools.partial(api.read_counted_page, keep=SAMPLE_SIZE - len(tally.sample))
            page = yield from call(ctx, request, budget, read)
        except OktaError as error:
            if tally.pages == 0:
                raise
            return tally.summary(ctx, *_stopped_by_error(error, tally.pages + 1))
        tally.add(page, ctx.clock() - began)
        if progress is not None:
            progress(
                PageProgress(
                    pages=tally.pages,
                    users=tally.matched,
                    page_users=len(page.statuses),
                    more=page.next_cursor is not None,
                )
            )
        try:
            after = walk.follow(page.next_cursor)
        except PagingCycleError as cycle:
            return tally.summary(ctx, "okta_error", f"stopped because {cycle.summary}")
        if after is None:
            return tally.summary(ctx)


def _left_out(search: str | None, filter: str | None) -> tuple[UserStatus, ...]:
    """What Okta's listing leaves out: without a search or a status filter, the
    DEPROVISIONED users (a status filter names what it counts, that status included)."""
    if search or (filter and _STATUS_CLAUSE.search(filter)):
        return ()
    return ("DEPROVISIONED",)


def _room_for_a_page(
    ctx: Context, bucket: str, budget: WaitBudget, limits: SummaryLimits, tally: _Tally
) -> Plan[tuple[StopReason, str] | None]:
    """None once the next page may go out; otherwise why the walk stops here."""
    while True:
        expected = tally.seconds_per_page()
        if not budget.allows(expected):
            return "time_budget", f"stopped at the {limits.seconds:g} s time budget"
        window = ctx.rate_limits.window(bucket, ctx.clock())
        # Unknown until Okta has reported the window: the first page finds it out.
        if window is None or window.spare > _reserve(window.limit, limits.rate_share):
            return None
        wait = _PENDING_WAIT_SECONDS if window.resets_in is None else window.resets_in
        if not budget.allows(wait + expected):
            return "rate_limit_share", (
                "stopped to leave the rest of the rate limit to other calls "
                f"(resets in {math.ceil(wait)} s)"
            )
        yield Sleep(wait)


def _reserve(limit: int, share: float) -> int:
    """Requests of a window left to everyone else: all that the share does not cover."""
    return limit - math.floor(limit * share + 1e-9)


def _stopped_by_error(error: OktaError, page: int) -> tuple[StopReason, str]:
    if isinstance(error, OktaRateLimitError):
        wait = error.retry_after
        resets = "" if wait is None else f" (resets in {math.ceil(wait)} s)"
        return "rate_limited", f"stopped because Okta's rate limit is used up{resets}"
    if isinstance(error, OktaConnectionError):
        return "okta_error", f"stopped because Okta could not be reached for page {page}"
    status = f"HTTP {error.status}" if error.status else None
    code = ", ".join(part for part in (error.error_code, status) if part)
    return "okta_error", f"stopped because Okta failed on page {page}" + (
        f" ({code})" if code else ""
    )


class _Tally:
    def __init__(self, started: float, excluded: tuple[UserStatus, ...]) -> None:
        self.started = started
        self.excluded = excluded
        self.matched = 0
        self.pages = 0
        self.page_seconds = 0.0
        self.statuses: Counter[str] = Counter()
        self.sample: list[OktaUser] = []

    def add(self, page: CountedPage, seconds: float) -> None:
        self.pages += 1
        self.page_seconds += seconds
        self.matched += len(page.statuses)
        self.statuses.update(map(_status_key, page.statuses))
        self.sample += page.users

    def seconds_per_page(self) -> float:
        return self.page_seconds / self.pages if self.pages else 0.0

    def summary(
        self, ctx: Context, stopped_by: StopReason | None = None, reason: str | None = None
    ) -> UserSummary:
        by_status = dict(sorted(self.statuses.items(), key=lambda item: (-item[1], item[0])))
        return UserSummary(
            **({"excluded": self.excluded} if self.excluded else {}),
            matched=self.matched,
            by_status=by_status,
            sample=self.sample,
            complete=stopped_by is None,
            stopped_by=stopped_by,
            reason=reason,
            pages=self.pages,
            seconds=ctx.clock() - self.started,
        )


def _status_key(status: str | None) -> str:
    return status if status is not None and status in _KNOWN_STATUSES else OTHER_STATUS
