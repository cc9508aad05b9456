"""The rate-limit tracker under any order of answers, headers, clock moves and lost responses.

Hypothesis drives one tracker with arbitrary interleavings: requests taken and given back,
answers carrying any rate-limit headers (Limit 0 included, resets past and future, skewed
or missing Date), answers that never come, and time moving on. The invariants are the
tracker's promises to the rest of the client.
"""

from __future__ import annotations

from email.utils import formatdate

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from langchain_okta.rate_limits import RateLimitTracker

BUCKET = "GET /api/v1/users/{id}"
OKTA_EPOCH = 1_750_000_000  # Okta's clock when the local clock reads 0, before any skew


class RateLimitStates(RuleBasedStateMachine):
    @initialize(skew=st.floats(-3600, 3600))
    def start(self, skew: float) -> None:
        self.tracker = RateLimitTracker()
        self.now = 0.0
        self.skew = skew  # Okta's clock minus ours
        self.in_flight = 0
        self.window_reported = False  # some answer carried a positive Limit, placeable in time
        self.dated_seen = False  # some answer carried a Date

    @rule(force=st.booleans())
    def send(self, force: bool) -> None:
        hold = self.tracker.acquire(BUCKET, self.now, force=force)
        if hold is None:
            self.in_flight += 1
            return
        assert not force, "a forced request is never held"
        assert 0 < hold.seconds <= 120, "a hold is positive and never longer than two minutes"
        if hold.used_up:
            assert self.window_reported, "'used up' only within a window Okta reported"

    @precondition(lambda self: self.in_flight > 0)
    @rule(
        limit=st.sampled_from([0, 1, 2, 5, 600]),
        remaining=st.integers(-1, 600),
        reset_in=st.floats(-120, 100_000),
        dated=st.booleans(),
        date_lag=st.integers(-5, 5),
    )
    def answer(
        self, limit: int, remaining: int, reset_in: float, dated: bool, date_lag: int
    ) -> None:
        okta_now = int(self.now + self.skew + OKTA_EPOCH) + date_lag
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(remaining),
            "x-rate-limit-reset": str(int(okta_now + reset_in)),
        }
        if dated:
            headers["date"] = formatdate(okta_now, usegmt=True)
            self.dated_seen = True
        # Once any answer placed Okta's clock, a Reset can be placed without its own Date.
        if self.dated_seen and limit > 0:
            self.window_reported = True
        self.tracker.release(BUCKET, headers, self.now)
        self.in_flight -= 1

    @precondition(lambda self: self.in_flight > 0)
    @rule(with_headers=st.booleans())
    def answer_without_rate_limit(self, with_headers: bool) -> None:
        # A lost response, or a proxy's page without rate-limit headers.
        self.tracker.release(
            BUCKET, {"content-type": "text/html"} if with_headers else None, self.now
        )
        self.in_flight -= 1

    @rule(seconds=st.floats(0, 200))
    def time_passes(self, seconds: float) -> None:
        self.now += seconds

    @precondition(lambda self: self.in_flight == 0)
    @rule()
    def waiting_as_told_lets_a_request_out(self) -> None:
        hold = self.tracker.acquire(BUCKET, self.now)
        if hold is not None:
            self.now += hold.seconds
            assert self.tracker.acquire(BUCKET, self.now) is None, "still held after its wait"
        self.in_flight += 1

    @invariant()
    def nothing_is_held_before_okta_reports_a_window(self) -> None:
        if not self.window_reported and self.in_flight == 0:
            hold = self.tracker.acquire(BUCKET, self.now)
            assert hold is None, "held with no window ever reported (Limit 0 or no headers)"
            self.in_flight += 1


RateLimitStates.TestCase.settings = settings(
    max_examples=300, stateful_step_count=40, deadline=None, derandomize=True, database=None
)
test_rate_limit_tracker_keeps_its_promises_in_any_order = RateLimitStates.TestCase
