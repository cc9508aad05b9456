"""Each operation as a plan: a generator that yields what to send or how long to sleep.

This is where the client's logic lives (rate limits, retries, the safe create, the partial
update). The sync and async drivers in `client.py` only carry out the steps, so both paths
behave identically and the logic is tested without any I/O.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from langchain_okta import api, cursors
from langchain_okta.api import ApiRequest, Received
from langchain_okta.authorization import Authorizer, Credentials
from langchain_okta.errors import (
    OktaConflictError,
    OktaConnectionError,
    OktaDuplicateLoginError,
    OktaError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaResponseError,
    OktaUnconfirmedCreateError,
    error_from_response,
)
from langchain_okta.models import USER_MANAGER_ROLES, AdminAccess, OktaUser, UserPage
from langchain_okta.rate_limits import RateLimitTracker, date_epoch, read_rate_limit
from langchain_okta.retries import RETRYABLE_STATUSES, TransportFailure, WaitBudget, backoff_delay
from langchain_okta.settings import RetrySettings

T = TypeVar("T")

# How much earlier than this call began (on Okta's clock) a user may have been created and
# still count as created by it: Okta's Date is floored to the second.
CREATED_TOLERANCE_SECONDS = 2.0
# `activate=true` without a password gives PROVISIONED; a quick user may be ACTIVE already.
_ACTIVATED_STATUSES = ("PROVISIONED", "ACTIVE")


@dataclass(frozen=True)
class Send:
    request: ApiRequest
    # Set by an OAuth 2.0 session's plan; None: the driver adds the API token.
    credentials: Credentials | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Sleep:
    seconds: float


Outcome = Received | TransportFailure
Step = Send | Sleep
Plan = Generator[Step, Outcome | None, T]

# Set while the sync driver runs on a thread whose event loop is running: the answers a brief
# hold would wait for may be that very loop's, which cannot come while its thread sleeps.
ANSWERS_CANNOT_COME: ContextVar[bool] = ContextVar("answers_cannot_come", default=False)


@dataclass
class Context:
    """What plans share across calls of one client: settings, rate-limit state, clock."""

    retries: RetrySettings
    clock: Callable[[], float]
    rate_limits: RateLimitTracker = field(default_factory=RateLimitTracker)
    rng: random.Random = field(default_factory=random.Random)
    # The OAuth 2.0 session authorizing each request (token, DPoP proof); None for API tokens.
    authorizer: Authorizer | None = None
    # The org the requests go to; page cursors are bound to it.
    org_url: str = ""


class MaybeApplied(Exception):
    """A request that changes data failed in a way that leaves unknown whether Okta applied it."""

    def __init__(self, error: OktaError) -> None:
        super().__init__(str(error))
        self.error = error


def call(
    ctx: Context,
    request: ApiRequest,
    budget: WaitBudget,
    read: Callable[[Received], T],
    *,
    retry_unsure: bool = True,
) -> Plan[T]:
    """Send one request and read its response: keep within the rate limit, retry what is safe.

    `read` turns the response into a value or raises the typed error it carries. A 2xx whose
    body cannot be read counts as a failure after which Okta did apply the request. With
    `retry_unsure=False`, a failure after which Okta may have applied the request raises
    MaybeApplied instead of being retried.
    """
    attempt = 0
    while True:
        yield from _admitted(ctx, request.bucket, budget)
        outcome: Outcome | None = None
        try:
            if ctx.authorizer is None:
                outcome = yield Send(request)
            else:
                outcome = yield from ctx.authorizer.send(ctx, request, budget)
        finally:
            headers = outcome.headers if isinstance(outcome, Received) else None
            ctx.rate_limits.release(request.bucket, headers, ctx.clock())
        assert outcome is not None
        attempt += 1
        failure = _failure(outcome)
        if failure is None:
            assert isinstance(outcome, Received)
            try:
                return read(outcome)
            except OktaResponseError as unreadable:
                failure = unreadable
        if _maybe_applied(outcome) and not retry_unsure:
            raise MaybeApplied(failure)
        if isinstance(failure, OktaRateLimitError):
            # Wait for the reset the 429 reports. A concurrency-limit 429 (Limit 0) reports
            # only an estimate, and frees up as soon as other requests finish: back off.
            limits = read_rate_limit(outcome.headers) if isinstance(outcome, Received) else None
            wait = (
                limits.seconds_to_reset
                if limits and limits.limit > 0
                else backoff_delay(attempt, ctx.retries, ctx.rng)
            )
            if attempt >= ctx.retries.max_attempts or not budget.allows(wait):
                failure.retry_after = wait or None
                raise failure
            yield Sleep(wait)
            continue
        delay = backoff_delay(attempt, ctx.retries, ctx.rng)
        if attempt >= ctx.retries.max_attempts or not budget.allows(delay):
            raise failure
        yield Sleep(delay)


def list_users(
    ctx: Context,
    *,
    query: str | None,
    search: str | None,
    filter: str | None,
    limit: int | None,
    cursor: str | None,
) -> Plan[UserPage]:
    """One page; `cursor` and the page's `next_cursor` are bound to these filters and the org."""
    listing = {"query": query, "search": search, "filter": filter}
    after = cursors.unbind(cursor, org=ctx.org_url, **listing) if cursor else None
    request = api.list_users(limit=limit, after=after, **listing)
    page = yield from call(ctx, request, wait_budget(ctx), api.read_user_page)
    if page.next_cursor is not None:
        page.next_cursor = cursors.bind(page.next_cursor, org=ctx.org_url, **listing)
    return page


def get_user(ctx: Context, user_id: str) -> Plan[OktaUser]:
    return (yield from call(ctx, api.get_user(user_id), wait_budget(ctx), api.read_user))


def create_user(ctx: Context, profile: Mapping[str, str], *, activate: bool) -> Plan[OktaUser]:
    """Create a user without ever creating two, or claiming one it did not create.

    A create that may have reached Okta (a dropped connection, a read timeout, a 5xx) is not
    sent again blindly: the login is looked up first. A user found there counts as created
    by this call only if it has the requested profile, a status that fits `activate`, and
    Okta created it after this call began; any other user there already existed.
    """
    budget = wait_budget(ctx)
    request = api.create_user(profile, activate=activate)
    began = ctx.clock()
    unsure = False
    for attempt in range(1, ctx.retries.max_attempts + 1):
        try:
            return (yield from call(ctx, request, budget, api.read_user, retry_unsure=False))
        except MaybeApplied as exc:
            unsure = True
            try:
                found = yield from _look_up_login(ctx, profile["login"], budget)
            except OktaError as lookup_failure:
                raise _unconfirmed(lookup_failure) from None
            if found is not None:
                return _created_by_this_call(found, ctx.clock() - began, profile, activate)
            delay = backoff_delay(attempt, ctx.retries, ctx.rng)
            if attempt == ctx.retries.max_attempts or not budget.allows(delay):
                raise exc.error from None
            yield Sleep(delay)
        except OktaDuplicateLoginError:
            # An earlier attempt may have created the user after all.
            if unsure:
                try:
                    found = yield from _look_up_login(ctx, profile["login"], budget)
                except OktaError as lookup_failure:
                    raise _unconfirmed(lookup_failure) from None
                if found is not None:
                    return _created_by_this_call(found, ctx.clock() - began, profile, activate)
            raise
    raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover


def update_user(
    ctx: Context, user_id: str, changes: Mapping[str, str | None]
) -> Plan[tuple[OktaUser, list[str]]]:
    """Partially update a user; returns the user and the attributes that really changed.

    The user is read first, so only attributes whose value differs are sent, a login
    resolves to the id, and the ETag guards against overwriting a concurrent edit.
    """
    budget = wait_budget(ctx)
    # The attributes of the last write sent that got a 412: it may have applied after all
    # (an earlier attempt whose answer was lost), so a read that finds nothing left to send
    # reports them, all of which then hold their requested values.
    attempted: list[str] = []
    for _ in range(ctx.retries.max_attempts):
        current, etag = yield from call(ctx, api.get_user(user_id), budget, user_and_etag)
        # Read again by id: a login may be the very attribute this update has changed.
        user_id = current.id
        delta = profile_delta(current, changes)
        if not delta:
            return current, attempted
        # `changed` is what the write that succeeds changes on the version it applies to:
        # after a 412, the version read again, not the first one.
        attempted = sorted(delta)
        request = api.update_user(current.id, delta, etag=etag)
        try:
            return (yield from call(ctx, request, budget, api.read_user)), attempted
        except OktaConflictError:
            # Someone else (or our own earlier attempt) changed the user: read it again.
            continue
    raise OktaConflictError("the user kept changing while being updated", status=412)


def check_admin(ctx: Context) -> Plan[AdminAccess]:
    """Who is behind the token, and which admin roles they hold."""
    budget = wait_budget(ctx)
    me = yield from call(ctx, api.get_user("me"), budget, api.read_user)
    try:
        roles = yield from call(ctx, api.list_roles(me.id), budget, api.read_roles)
    except OktaPermissionError:
        # Admins below Super Admin may not read role assignments; the roles stay unknown.
        return AdminAccess(
            user_id=me.id, login=me.profile.login, roles=(), can_write=False, roles_visible=False
        )
    types = tuple(sorted({role.type for role in roles}))
    return AdminAccess(
        user_id=me.id,
        login=me.profile.login,
        roles=types,
        can_write=bool(USER_MANAGER_ROLES.intersection(types)),
    )


@dataclass(frozen=True)
class _Found:
    user: OktaUser
    okta_now: float | None  # the lookup response's Date, on Okta's clock


def _look_up_login(ctx: Context, login: str, budget: WaitBudget) -> Plan[_Found | None]:
    try:
        return (yield from call(ctx, api.get_user(login), budget, _user_and_date))
    except OktaNotFoundError as missing:
        if missing.status == 404:
            return None
        raise  # a 405 or the like says nothing about the user: the lookup failed


def _user_and_date(response: Received) -> _Found:
    return _Found(api.read_user(response), date_epoch(response.headers))


def _created_by_this_call(
    found: _Found, elapsed: float, profile: Mapping[str, str], activate: bool
) -> OktaUser:
    """The user found at the login, if this call created it; otherwise the error that says so.

    Okta's `Date` is floored to the second and its servers' clocks may differ a little, so a
    user counts as new if Okta created it at most CREATED_TOLERANCE_SECONDS before this call
    began (as placed on Okta's clock by the lookup's Date minus the time since).
    """
    user = found.user
    created = _epoch(user.created)
    if found.okta_now is None or created is None:
        raise OktaUnconfirmedCreateError(
            f"the create may have reached Okta, and a user with login {user.profile.login} "
            "exists now, but Okta's answers do not show whether this call created it"
        )
    began = found.okta_now - elapsed - CREATED_TOLERANCE_SECONDS
    fits = user.status in (_ACTIVATED_STATUSES if activate else ("STAGED",))
    if created >= began and fits and _has_profile(user, profile):
        return user
    raise OktaDuplicateLoginError(
        f"a user with login {user.profile.login} already existed before this call "
        f"(id {user.id}, status {user.status}, created {user.created}); this call did not "
        "create it",
        status=400,
        error_code="E0000001",
    )


def _unconfirmed(error: OktaError) -> OktaUnconfirmedCreateError:
    return OktaUnconfirmedCreateError(
        f"the create may have reached Okta, and looking the login up failed too ({error})"
    )


def _epoch(timestamp: str | None) -> float | None:
    """An Okta timestamp (`2024-05-01T12:00:00.000Z`) as epoch seconds."""
    if not timestamp:
        return None
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo else None


def user_and_etag(response: Received) -> tuple[OktaUser, str | None]:
    return api.read_user(response), api.etag_of(response)


def wait_budget(ctx: Context) -> WaitBudget:
    return WaitBudget(ctx.retries.max_wait, ctx.clock)


def _has_profile(user: OktaUser, profile: Mapping[str, str]) -> bool:
    actual = user.profile.model_dump()
    return all(
        str(actual.get(name) or "").casefold() == value.casefold()
        for name, value in profile.items()
    )


def profile_delta(user: OktaUser, changes: Mapping[str, str | None]) -> dict[str, str | None]:
    current = user.profile.model_dump()
    return {name: value for name, value in changes.items() if current.get(name) != value}


def _failure(outcome: Outcome) -> OktaError | None:
    if isinstance(outcome, TransportFailure):
        error = OktaConnectionError(outcome.reason)
        error.__cause__ = outcome.cause
        return error
    if outcome.status == 429 or outcome.status in RETRYABLE_STATUSES:
        return error_from_response(
            outcome.status, outcome.headers.get("content-type", ""), outcome.body
        )
    return None


def _maybe_applied(outcome: Outcome) -> bool:
    if isinstance(outcome, TransportFailure):
        return outcome.may_have_reached_okta
    # A 2xx counts too: it reaches here only when its body could not be read.
    return outcome.status in RETRYABLE_STATUSES or 200 <= outcome.status < 300


def _admitted(ctx: Context, bucket: str, budget: WaitBudget) -> Plan[None]:
    """Wait until the rate limit lets a request to `bucket` go out, and reserve its slot.

    Only a window known to be full makes the call fail as rate limited (nothing sent, rather
    than a 429 drawn against the org's budget): one Okta reported, or the next one the
    tracker opened with Okta's limit, with nothing left once this client's requests in
    flight are counted. A brief hold while no window is known is never reported as
    a rate limit: past the budget, the request goes out and Okta's answer says what is true;
    so it does at once where the answers it waits for cannot come (`ANSWERS_CANNOT_COME`).
    """
    while True:
        hold = ctx.rate_limits.acquire(bucket, ctx.clock())
        if hold is None:
            return
        if not hold.used_up and ANSWERS_CANNOT_COME.get():
            ctx.rate_limits.acquire(bucket, ctx.clock(), force=True)
            return
        if not budget.allows(hold.seconds):
            if hold.used_up:
                raise _rate_limited(hold.resets_in)
            ctx.rate_limits.acquire(bucket, ctx.clock(), force=True)
            return
        yield Sleep(hold.seconds)


def _rate_limited(wait: float | None) -> OktaRateLimitError:
    # Nothing was sent: the client holds the call back rather than draw a 429 from Okta.
    error = OktaRateLimitError(
        "not sent: Okta's rate limit for this endpoint is used up until its window resets "
        "(by Okta's last report, counting this client's requests in flight)"
    )
    error.retry_after = wait
    return error
