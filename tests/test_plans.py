"""The client's logic, driven by hand: each plan's requests, waits and results, without I/O."""

import json
import random
import time
from email.utils import formatdate

import pytest

from langchain_okta import plans
from langchain_okta.api import Received
from langchain_okta.errors import (
    OktaAuthenticationError,
    OktaConnectionError,
    OktaDuplicateLoginError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaServerError,
    OktaUnconfirmedCreateError,
    OktaValidationError,
)
from langchain_okta.plans import Context, Send, Sleep
from langchain_okta.rate_limits import RateLimitTracker
from langchain_okta.retries import TransportFailure
from langchain_okta.settings import RetrySettings

OKTA_NOW = 1_700_000_000  # Okta's clock, for Date and X-Rate-Limit-Reset
JSON = {"content-type": "application/json"}
JANE = {
    "firstName": "Jane",
    "lastName": "Doe",
    "email": "jane.doe@example.com",
    "login": "jane.doe@example.com",
}
JANE_PATH = "/api/v1/users/jane.doe%40example.com"
DUPLICATE_CAUSE = "login: An object with this field already exists in the current organization"

DROPPED = TransportFailure("ReadTimeout", may_have_reached_okta=True)
NOT_SENT = TransportFailure("ConnectError", may_have_reached_okta=False)


# -- a hand-driven Okta ---------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Script:
    """Carries out a plan like the drivers do, answering each Send with the next outcome."""

    def __init__(self, ctx, *outcomes):
        self.clock = ctx.clock
        self.outcomes = list(outcomes)
        self.steps = []

    def run(self, plan):
        try:
            step = next(plan)
            while True:
                self.steps.append(step)
                if isinstance(step, Sleep):
                    self.clock.now += step.seconds
                    step = plan.send(None)
                else:
                    assert self.outcomes, f"unscripted request: {step.request}"
                    step = plan.send(self.outcomes.pop(0))
        except StopIteration as done:
            return done.value

    @property
    def sent(self):
        return [step.request for step in self.steps if isinstance(step, Send)]

    @property
    def requests(self):
        return [f"{request.method} {request.path}" for request in self.sent]

    @property
    def sleeps(self):
        return [step.seconds for step in self.steps if isinstance(step, Sleep)]


def make_ctx(**retries):
    settings = {"max_attempts": 4, "backoff_base": 0.25, "backoff_max": 4.0, "max_wait": 20.0}
    return Context(
        retries=RetrySettings(**{**settings, **retries}), clock=FakeClock(), rng=random.Random(0)
    )


@pytest.fixture
def ctx():
    return make_ctx()


def limit_headers(remaining, reset_in, limit=600):
    return {
        "date": formatdate(OKTA_NOW, usegmt=True),
        "x-rate-limit-limit": str(limit),
        "x-rate-limit-remaining": str(remaining),
        "x-rate-limit-reset": str(OKTA_NOW + reset_in),
    }


def reply(status, body=None, headers=None, link_headers=()):
    raw = b"" if body is None else json.dumps(body).encode()
    return Received(status, {**JSON, **(headers or {})}, raw, tuple(link_headers))


def user(user_id="00u1", etag=None, headers=None, **profile):
    body = {"id": user_id, "status": "ACTIVE", "profile": {**JANE, **profile}, "_links": {}}
    return reply(200, body, {**({"etag": etag} if etag else {}), **(headers or {})})


def okta_error(status, code, *causes):
    body = {
        "errorCode": code,
        "errorSummary": f"{code} summary",
        "errorId": "oae1",
        "errorCauses": [{"errorSummary": cause} for cause in causes],
    }
    return reply(status, body)


def rate_limited(reset_in, remaining=0, limit=600):
    return Received(
        429,
        {**JSON, **limit_headers(remaining, reset_in, limit)},
        json.dumps(
            {"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit"}
        ).encode(),
    )


def gateway_page(status=502):
    return Received(status, {"content-type": "text/html"}, b"<html>Bad Gateway</html>")


NOT_FOUND = okta_error(404, "E0000007")
DUPLICATE = okta_error(400, "E0000001", DUPLICATE_CAUSE)


def create(ctx, profile=JANE, activate=True):
    return plans.create_user(ctx, profile, activate=activate)


def okta_time(epoch):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(epoch))


def found_at_login(user_id="00u1", *, created=OKTA_NOW, status="PROVISIONED", **profile):
    """A user as the lookup by login finds it, answered at OKTA_NOW on Okta's clock."""
    body = {
        "id": user_id,
        "status": status,
        "created": okta_time(created),
        "profile": {**JANE, **profile},
        "_links": {},
    }
    return reply(200, body, {"date": formatdate(OKTA_NOW, usegmt=True)})


# -- retries of reads -----------------------------------------------------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_get_is_retried_after_a_transient_server_error(ctx, status):
    okta = Script(ctx, okta_error(status, "E0000009"), user())

    assert okta.run(plans.get_user(ctx, "00u1")).id == "00u1"
    assert okta.requests == ["GET /api/v1/users/00u1"] * 2
    assert len(okta.sleeps) == 1


@pytest.mark.parametrize("failure", [DROPPED, NOT_SENT])
def test_get_is_retried_after_a_transport_failure(ctx, failure):
    okta = Script(ctx, failure, user())

    assert okta.run(plans.get_user(ctx, "00u1")).id == "00u1"
    assert okta.requests == ["GET /api/v1/users/00u1"] * 2


def test_get_gives_up_after_max_attempts():
    ctx = make_ctx(max_attempts=3)
    okta = Script(ctx, *[gateway_page(503)] * 3)

    with pytest.raises(OktaServerError):
        okta.run(plans.get_user(ctx, "00u1"))
    assert len(okta.sent) == 3
    assert len(okta.sleeps) == 2


def test_transport_failures_past_max_attempts_raise_a_connection_error():
    ctx = make_ctx(max_attempts=2)
    okta = Script(ctx, DROPPED, DROPPED)

    with pytest.raises(OktaConnectionError, match="ReadTimeout"):
        okta.run(plans.get_user(ctx, "00u1"))
    assert len(okta.sent) == 2


def test_backoff_sleeps_stay_within_backoff_max():
    ctx = make_ctx(max_attempts=8, backoff_base=1.0, backoff_max=2.0, max_wait=600)
    okta = Script(ctx, *[gateway_page()] * 8)

    with pytest.raises(OktaServerError):
        okta.run(plans.get_user(ctx, "00u1"))
    assert len(okta.sleeps) == 7
    assert all(0 < seconds <= 2.0 for seconds in okta.sleeps)


def test_total_backoff_stays_within_max_wait():
    ctx = make_ctx(max_attempts=10, backoff_base=1.0, backoff_max=4.0, max_wait=5.0)
    okta = Script(ctx, *[gateway_page()] * 10)

    with pytest.raises(OktaServerError):
        okta.run(plans.get_user(ctx, "00u1"))
    assert sum(okta.sleeps) <= 5.0
    assert len(okta.sent) < 10


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (okta_error(400, "E0000031"), OktaValidationError),
        (okta_error(401, "E0000011"), OktaAuthenticationError),
        (okta_error(403, "E0000006"), OktaPermissionError),
        (NOT_FOUND, OktaNotFoundError),
        (okta_error(501, "E0000009"), OktaServerError),
    ],
)
def test_errors_a_retry_would_repeat_are_not_retried(ctx, response, error):
    okta = Script(ctx, response)

    with pytest.raises(error):
        okta.run(plans.get_user(ctx, "00u1"))
    assert len(okta.sent) == 1
    assert okta.sleeps == []


# -- rate limits ----------------------------------------------------------------------------


def test_429_waits_for_the_reset_okta_reported_then_retries(ctx):
    okta = Script(ctx, rate_limited(reset_in=7), user())

    assert okta.run(plans.get_user(ctx, "00u1")).id == "00u1"
    assert okta.requests == ["GET /api/v1/users/00u1"] * 2
    assert okta.sleeps == [pytest.approx(7.0)]


def test_429_without_rate_limit_headers_backs_off_then_retries(ctx):
    okta = Script(ctx, okta_error(429, "E0000047"), user())

    assert okta.run(plans.get_user(ctx, "00u1")).id == "00u1"
    assert len(okta.sleeps) == 1
    assert 0 < okta.sleeps[0] <= 4.0


def test_429_with_a_reset_beyond_the_wait_budget_raises_with_retry_after(ctx):
    okta = Script(ctx, rate_limited(reset_in=30))

    with pytest.raises(OktaRateLimitError) as caught:
        okta.run(plans.get_user(ctx, "00u1"))
    assert caught.value.retry_after == pytest.approx(30.0)
    assert "try again in 30 seconds" in caught.value.for_agent()
    assert len(okta.sent) == 1
    assert okta.sleeps == []


def test_429_on_every_attempt_raises_after_max_attempts_with_retry_after():
    ctx = make_ctx(max_attempts=2)
    okta = Script(ctx, rate_limited(reset_in=3), rate_limited(reset_in=3))

    with pytest.raises(OktaRateLimitError) as caught:
        okta.run(plans.get_user(ctx, "00u1"))
    assert caught.value.retry_after == pytest.approx(3.0)
    assert len(okta.sent) == 2


def test_request_waits_for_the_reset_when_remaining_hit_zero_instead_of_drawing_a_429(ctx):
    Script(ctx, user(headers=limit_headers(remaining=0, reset_in=10))).run(
        plans.get_user(ctx, "00u1")
    )
    okta = Script(ctx, user())

    okta.run(plans.get_user(ctx, "00u1"))

    assert isinstance(okta.steps[0], Sleep)
    assert okta.sleeps == [pytest.approx(10.0)]
    assert len(okta.sent) == 1


def test_wait_for_a_reset_beyond_the_budget_raises_without_sending(ctx):
    Script(ctx, user(headers=limit_headers(remaining=0, reset_in=60))).run(
        plans.get_user(ctx, "00u1")
    )
    okta = Script(ctx)

    with pytest.raises(OktaRateLimitError) as caught:
        okta.run(plans.get_user(ctx, "00u1"))
    assert caught.value.retry_after == pytest.approx(60.0)
    assert okta.sent == []


def test_a_concurrency_limit_429_is_retried_after_a_backoff(ctx):
    # A concurrency-limit 429 reports Limit and Remaining 0 and an estimated Reset; it frees
    # up as soon as other requests finish.
    Script(ctx, user(headers=limit_headers(remaining=500, reset_in=55))).run(
        plans.get_user(ctx, "00u1")
    )
    okta = Script(ctx, rate_limited(reset_in=40, limit=0), user())

    okta.run(plans.get_user(ctx, "00u1"))

    assert len(okta.sent) == 2
    assert 0 < sum(okta.sleeps) < 1.0


def test_a_concurrency_limit_429_does_not_close_the_endpoint_after_its_reset(ctx):
    okta = Script(ctx, *[rate_limited(reset_in=1, limit=0)] * 4)
    with pytest.raises(OktaRateLimitError):
        okta.run(plans.get_user(ctx, "00u1"))
    ctx.clock.now += 60  # long past the reset the 429s estimated

    later = Script(ctx, user())

    assert later.run(plans.get_user(ctx, "00u1")).id == "00u1"
    assert later.sleeps == []


def test_a_window_429_is_retried_only_after_its_reset(ctx):
    okta = Script(ctx, rate_limited(reset_in=3), user())

    okta.run(plans.get_user(ctx, "00u1"))

    assert len(okta.sent) == 2
    assert sum(okta.sleeps) >= 3.0


def test_calls_to_an_endpoint_whose_limit_is_unknown_go_out_together(ctx):
    first, second = plans.get_user(ctx, "00u1"), plans.get_user(ctx, "00u2")

    assert isinstance(next(first), Send)
    assert isinstance(next(second), Send)  # no wait behind the first answer


def test_a_call_held_while_no_window_is_known_is_sent_rather_than_called_rate_limited():
    ctx = make_ctx(max_wait=0.0)
    ctx.rate_limits = RateLimitTracker(unknown_window_requests=1)
    first = plans.get_user(ctx, "00u1")
    assert isinstance(next(first), Send)

    okta = Script(ctx, user())

    assert okta.run(plans.get_user(ctx, "00u2")).id == "00u1"
    assert okta.sleeps == []
    first.close()


def test_a_call_whose_window_is_taken_by_requests_in_flight_is_not_sent_past_the_budget():
    ctx = make_ctx(max_wait=5.0)
    Script(ctx, user(headers=limit_headers(remaining=1, reset_in=30))).run(
        plans.get_user(ctx, "00u1")
    )
    in_flight = plans.get_user(ctx, "00u1")
    assert isinstance(next(in_flight), Send)
    okta = Script(ctx)

    with pytest.raises(OktaRateLimitError, match="not sent"):
        okta.run(plans.get_user(ctx, "00u2"))

    assert okta.sent == []
    in_flight.close()


def test_an_abandoned_request_gives_its_rate_limit_slot_back(ctx):
    Script(ctx, user(headers=limit_headers(remaining=1, reset_in=30))).run(
        plans.get_user(ctx, "00u1")
    )
    abandoned = plans.get_user(ctx, "00u1")
    assert isinstance(next(abandoned), Send)
    abandoned.close()  # e.g. the caller's task was cancelled mid-request
    okta = Script(ctx, user())

    okta.run(plans.get_user(ctx, "00u1"))

    assert okta.sleeps == []


# -- list -----------------------------------------------------------------------------------


def test_list_users_returns_the_page_and_the_next_cursor(ctx):
    page = reply(
        200,
        [{"id": "00u1", "profile": JANE}, {"id": "00u2", "profile": JANE}],
        link_headers=[
            '<https://acme.okta.com/api/v1/users?limit=2>; rel="self"',
            '<https://acme.okta.com/api/v1/users?after=00u2&limit=2>; rel="next"',
        ],
    )
    okta = Script(ctx, page)

    result = okta.run(
        plans.list_users(
            ctx, query=None, search='status eq "STAGED"', filter=None, limit=2, after=None
        )
    )

    assert [u.id for u in result.users] == ["00u1", "00u2"]
    assert result.next_cursor == "00u2"
    assert okta.sent[0].params == (("search", 'status eq "STAGED"'), ("limit", "2"))


# -- create ---------------------------------------------------------------------------------


def test_create_posts_the_profile_once_and_returns_the_user(ctx):
    okta = Script(ctx, user())

    assert okta.run(create(ctx)).id == "00u1"
    assert okta.requests == ["POST /api/v1/users"]
    assert okta.sent[0].body == {"profile": JANE}
    assert okta.sent[0].params == (("activate", "true"),)


def test_create_without_activation_asks_for_a_staged_user(ctx):
    okta = Script(ctx, user())

    okta.run(create(ctx, activate=False))

    assert okta.sent[0].params == (("activate", "false"),)


def test_create_after_dropped_connection_returns_the_user_it_created(ctx):
    okta = Script(ctx, DROPPED, found_at_login())

    assert okta.run(create(ctx)).id == "00u1"
    assert okta.requests == ["POST /api/v1/users", f"GET {JANE_PATH}"]


@pytest.mark.parametrize("failure", [gateway_page(502), okta_error(500, "E0000009")])
def test_create_after_a_5xx_returns_the_user_it_created(ctx, failure):
    okta = Script(ctx, failure, found_at_login())

    assert okta.run(create(ctx)).id == "00u1"
    assert okta.requests == ["POST /api/v1/users", f"GET {JANE_PATH}"]


def test_create_after_dropped_connection_is_resent_once_the_login_is_not_found(ctx):
    okta = Script(ctx, DROPPED, NOT_FOUND, user())

    assert okta.run(create(ctx)).id == "00u1"
    assert okta.requests == ["POST /api/v1/users", f"GET {JANE_PATH}", "POST /api/v1/users"]


def test_create_whose_login_lookup_also_fails_says_the_user_may_exist(ctx):
    okta = Script(ctx, DROPPED, okta_error(403, "E0000006"))

    with pytest.raises(OktaUnconfirmedCreateError) as raised:
        okta.run(create(ctx))

    assert "okta_get_user" in raised.value.for_agent()
    assert okta.requests == ["POST /api/v1/users", f"GET {JANE_PATH}"]


def test_create_whose_login_lookup_is_answered_405_says_the_user_may_exist(ctx):
    okta = Script(ctx, DROPPED, okta_error(405, "E0000022"))

    with pytest.raises(OktaUnconfirmedCreateError):
        okta.run(create(ctx))
    assert okta.requests == ["POST /api/v1/users", f"GET {JANE_PATH}"]


def test_create_is_resent_without_a_lookup_when_nothing_reached_okta(ctx):
    okta = Script(ctx, NOT_SENT, user())

    assert okta.run(create(ctx)).id == "00u1"
    assert okta.requests == ["POST /api/v1/users"] * 2


def test_create_is_resent_without_a_lookup_after_a_429(ctx):
    okta = Script(ctx, rate_limited(reset_in=1), user())

    assert okta.run(create(ctx)).id == "00u1"
    assert okta.requests == ["POST /api/v1/users"] * 2


def test_duplicate_login_after_an_unsure_attempt_resolves_to_the_user_it_created(ctx):
    okta = Script(ctx, DROPPED, NOT_FOUND, DUPLICATE, found_at_login())

    assert okta.run(create(ctx)).id == "00u1"
    assert okta.requests.count("POST /api/v1/users") == 2
    assert okta.requests[-1] == f"GET {JANE_PATH}"


def test_duplicate_login_on_a_first_attempt_is_an_error_without_a_lookup(ctx):
    okta = Script(ctx, DUPLICATE)

    with pytest.raises(OktaDuplicateLoginError):
        okta.run(create(ctx))
    assert okta.requests == ["POST /api/v1/users"]


def test_unsure_create_never_claims_another_user_found_under_the_login(ctx):
    someone_else = found_at_login("00u9", firstName="Janet", lastName="Dough")
    okta = Script(ctx, DROPPED, someone_else)

    with pytest.raises(OktaDuplicateLoginError):
        okta.run(create(ctx))


@pytest.mark.parametrize("failure", [gateway_page(502), okta_error(503, "E0000010")])
def test_unsure_create_reports_a_matching_user_who_existed_before_as_a_duplicate(ctx, failure):
    existing = found_at_login("00u7", created=OKTA_NOW - 86_400, status="ACTIVE")
    okta = Script(ctx, failure, existing)

    with pytest.raises(OktaDuplicateLoginError) as raised:
        okta.run(create(ctx))

    assert "already existed before this call" in str(raised.value)
    assert "00u7" in str(raised.value)
    assert okta.requests == ["POST /api/v1/users", f"GET {JANE_PATH}"]


def test_unsure_create_accepts_a_user_created_within_the_tolerance_before_its_date(ctx):
    okta = Script(
        ctx, DROPPED, found_at_login(created=OKTA_NOW - plans.CREATED_TOLERANCE_SECONDS + 0.5)
    )

    assert okta.run(create(ctx)).id == "00u1"


def test_unsure_create_does_not_claim_a_user_created_before_the_tolerance(ctx):
    okta = Script(ctx, DROPPED, found_at_login(created=OKTA_NOW - 10))

    with pytest.raises(OktaDuplicateLoginError):
        okta.run(create(ctx))


@pytest.mark.parametrize(
    ("activate", "status"), [(False, "PROVISIONED"), (False, "ACTIVE"), (True, "STAGED")]
)
def test_unsure_create_does_not_claim_a_user_whose_status_does_not_fit_activate(
    ctx, activate, status
):
    okta = Script(ctx, DROPPED, found_at_login(status=status))

    with pytest.raises(OktaDuplicateLoginError):
        okta.run(create(ctx, activate=activate))


def test_unsure_create_without_a_date_to_place_it_says_the_user_may_exist(ctx):
    undated = found_at_login()
    okta = Script(ctx, DROPPED, Received(200, JSON, undated.body))

    with pytest.raises(OktaUnconfirmedCreateError) as raised:
        okta.run(create(ctx))

    assert "okta_get_user" in raised.value.for_agent()


def test_unsure_create_gives_up_after_max_attempts():
    ctx = make_ctx(max_attempts=2)
    okta = Script(ctx, DROPPED, NOT_FOUND, DROPPED, NOT_FOUND)

    with pytest.raises(OktaConnectionError):
        okta.run(create(ctx))
    assert okta.requests.count("POST /api/v1/users") == 2


# -- update ---------------------------------------------------------------------------------


def test_update_sends_only_the_attributes_that_differ(ctx):
    okta = Script(ctx, user(etag='W/"1"'), user(lastName="Roe"))

    okta.run(plans.update_user(ctx, "00u1", {"firstName": "Jane", "lastName": "Roe"}))

    assert okta.sent[1].body == {"profile": {"lastName": "Roe"}}


def test_update_is_a_partial_post_never_a_put(ctx):
    okta = Script(ctx, user(etag='W/"1"'), user(lastName="Roe"))

    okta.run(plans.update_user(ctx, "00u1", {"lastName": "Roe"}))

    assert okta.requests == ["GET /api/v1/users/00u1", "POST /api/v1/users/00u1"]


def test_update_guards_against_concurrent_edits_with_the_etag_it_read(ctx):
    okta = Script(ctx, user(etag='W/"1"'), user(lastName="Roe"))

    okta.run(plans.update_user(ctx, "00u1", {"lastName": "Roe"}))

    assert ("If-Match", 'W/"1"') in okta.sent[1].headers


def test_update_returns_the_user_and_the_names_of_the_changed_attributes(ctx):
    okta = Script(ctx, user(mobilePhone="555"), user(lastName="Roe", mobilePhone=None))

    updated, changed = okta.run(
        plans.update_user(
            ctx, "00u1", {"firstName": "Jane", "lastName": "Roe", "mobilePhone": None}
        )
    )

    assert updated.profile.lastName == "Roe"
    assert changed == ["lastName", "mobilePhone"]


def test_update_clearing_the_phone_sends_null(ctx):
    okta = Script(ctx, user(mobilePhone="555"), user(mobilePhone=None))

    okta.run(plans.update_user(ctx, "00u1", {"mobilePhone": None}))

    assert okta.sent[1].body == {"profile": {"mobilePhone": None}}


def test_update_with_nothing_different_sends_no_change(ctx):
    okta = Script(ctx, user())

    current, changed = okta.run(plans.update_user(ctx, "00u1", {"firstName": "Jane"}))

    assert current.id == "00u1"
    assert changed == []
    assert okta.requests == ["GET /api/v1/users/00u1"]


def test_update_by_login_changes_the_user_by_id(ctx):
    okta = Script(ctx, user("00u7"), user("00u7", lastName="Roe"))

    okta.run(plans.update_user(ctx, "jane.doe@example.com", {"lastName": "Roe"}))

    assert okta.requests == [f"GET {JANE_PATH}", "POST /api/v1/users/00u7"]


def test_update_after_412_reads_again_and_resends_only_what_still_differs(ctx):
    okta = Script(
        ctx,
        user(etag='W/"1"', mobilePhone="555"),
        okta_error(412, "E0000231"),
        user(etag='W/"2"', lastName="Roe", mobilePhone="555"),
        user(lastName="Roe"),
    )

    okta.run(plans.update_user(ctx, "00u1", {"lastName": "Roe", "mobilePhone": None}))

    assert okta.requests == ["GET /api/v1/users/00u1", "POST /api/v1/users/00u1"] * 2
    assert okta.sent[3].body == {"profile": {"mobilePhone": None}}
    assert ("If-Match", 'W/"2"') in okta.sent[3].headers


def test_update_after_412_does_not_resend_changes_already_applied(ctx):
    okta = Script(
        ctx,
        user(etag='W/"1"'),
        okta_error(412, "E0000231"),
        user(etag='W/"2"', lastName="Roe"),
    )

    updated, changed = okta.run(plans.update_user(ctx, "00u1", {"lastName": "Roe"}))

    assert okta.requests == [
        "GET /api/v1/users/00u1",
        "POST /api/v1/users/00u1",
        "GET /api/v1/users/00u1",
    ]
    assert updated.profile.lastName == "Roe"
    assert changed == ["lastName"]


def test_changed_after_a_412_is_what_the_final_write_changed_on_the_version_read_again(ctx):
    # The first read holds the requested first name already; another admin changes it before
    # the write, so the write that succeeds reverts it: `changed` must say so.
    okta = Script(
        ctx,
        user(etag='W/"1"', firstName="Jane", lastName="Doe"),
        okta_error(412, "E0000231"),
        user(etag='W/"2"', firstName="Janet", lastName="Doe"),
        user(firstName="Jane", lastName="Roe"),
    )

    _, changed = okta.run(plans.update_user(ctx, "00u1", {"firstName": "Jane", "lastName": "Roe"}))

    assert okta.sent[3].body == {"profile": {"firstName": "Jane", "lastName": "Roe"}}
    assert changed == ["firstName", "lastName"]


def test_rename_by_login_whose_answer_was_lost_reads_the_user_again_by_id(ctx):
    renamed = "jane.roe@example.com"
    okta = Script(
        ctx,
        user("00u7", etag='W/"1"'),
        DROPPED,  # Okta applied the rename; its answer was lost
        okta_error(412, "E0000231"),  # the retry's ETag is now stale
        user("00u7", etag='W/"2"', login=renamed),
    )

    updated, changed = okta.run(plans.update_user(ctx, JANE["login"], {"login": renamed}))

    assert okta.requests[-1] == "GET /api/v1/users/00u7"
    assert updated.profile.login == renamed
    assert changed == ["login"]


def test_update_of_an_unknown_user_raises_not_found_without_sending_a_change(ctx):
    okta = Script(ctx, NOT_FOUND)

    with pytest.raises(OktaNotFoundError):
        okta.run(plans.update_user(ctx, "nobody@example.com", {"lastName": "Roe"}))
    assert len(okta.sent) == 1


# -- admin check ----------------------------------------------------------------------------


def roles(*types):
    return reply(
        200, [{"id": f"ra{i}", "type": t, "status": "ACTIVE"} for i, t in enumerate(types)]
    )


def test_check_admin_reads_me_then_the_roles_of_that_user_id(ctx):
    okta = Script(ctx, user("00uadmin", login="admin@example.com"), roles("ORG_ADMIN"))

    access = okta.run(plans.check_admin(ctx))

    assert okta.requests == ["GET /api/v1/users/me", "GET /api/v1/users/00uadmin/roles"]
    assert (access.user_id, access.login) == ("00uadmin", "admin@example.com")


def test_check_admin_lists_each_role_type_once(ctx):
    okta = Script(ctx, user("00uadmin"), roles("READ_ONLY_ADMIN", "ORG_ADMIN", "ORG_ADMIN"))

    assert okta.run(plans.check_admin(ctx)).roles == ("ORG_ADMIN", "READ_ONLY_ADMIN")


@pytest.mark.parametrize(
    ("types", "can_write"),
    [
        (["SUPER_ADMIN"], True),
        (["ORG_ADMIN"], True),
        (["USER_ADMIN"], True),
        (["CUSTOM"], True),
        (["READ_ONLY_ADMIN", "USER_ADMIN"], True),
        (["READ_ONLY_ADMIN"], False),
        (["HELP_DESK_ADMIN"], False),
        (["REPORT_ADMIN", "APP_ADMIN"], False),
        ([], False),
    ],
)
def test_check_admin_says_whether_the_roles_allow_writing_users(ctx, types, can_write):
    okta = Script(ctx, user("00uadmin"), roles(*types))

    access = okta.run(plans.check_admin(ctx))

    assert access.can_write is can_write
    assert access.roles_visible is True


def test_check_admin_with_roles_hidden_by_403_reports_them_unknown(ctx):
    okta = Script(ctx, user("00uadmin"), okta_error(403, "E0000006"))

    access = okta.run(plans.check_admin(ctx))

    assert access.roles_visible is False
    assert access.roles == ()
    assert access.can_write is False
    assert access.user_id == "00uadmin"


def test_check_admin_with_a_rejected_token_is_an_authentication_error(ctx):
    okta = Script(ctx, okta_error(401, "E0000011"))

    with pytest.raises(OktaAuthenticationError):
        okta.run(plans.check_admin(ctx))
    assert okta.requests == ["GET /api/v1/users/me"]
