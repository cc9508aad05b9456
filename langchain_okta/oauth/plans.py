"""The OAuth 2.0 decisions as plans: obtaining and renewing the token, the DPoP nonce retries,
and the service app's admin check. The same drivers carry them out as every other plan.

`authorized_send` is what `plans.call` runs, through the session, for each API request: get a
usable token (renewing it, or waiting while another call renews it), send with fresh DPoP
proof, and answer Okta's challenges: one retry with a new nonce, one with a new token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from langchain_okta import api, plans
from langchain_okta.api import ApiRequest, Received
from langchain_okta.authorization import Credentials
from langchain_okta.errors import (
    OktaAuthenticationError,
    OktaConnectionError,
    OktaError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaResponseError,
    OktaServerError,
    error_from_response,
)
from langchain_okta.oauth.access import ServiceAppAccess
from langchain_okta.oauth.challenges import Challenge, find_error
from langchain_okta.oauth.config import ROLES_SCOPE
from langchain_okta.oauth.errors import (
    OktaOAuthError,
    OktaServiceAppPermissionError,
    refused_token,
    scope_error,
    token_error,
)
from langchain_okta.oauth.state import EXPIRY_SKEW_SECONDS, AccessToken, Failed, Renew, Use
from langchain_okta.oauth.tokens import (
    TOKEN_BUCKET,
    TOKEN_REQUEST,
    TokenRefusal,
    client_roles_request,
    read_token_response,
)
from langchain_okta.plans import Context, Outcome, Plan, Send, Sleep, call
from langchain_okta.rate_limits import read_rate_limit
from langchain_okta.retries import RETRYABLE_STATUSES, TransportFailure, WaitBudget, backoff_delay

if TYPE_CHECKING:
    from langchain_okta.oauth.session import OAuthSession

# How often a call waiting for another call's token renewal looks again.
RENEWAL_POLL_SECONDS = 0.01
# Token endpoint failures that say nothing about the credentials: an early renewal that meets
# one goes on with the still-valid token and tries again later.
_TRANSIENT = (OktaServerError, OktaRateLimitError, OktaConnectionError, OktaResponseError)


def authorized_send(
    session: OAuthSession, ctx: Context, request: ApiRequest, budget: WaitBudget
) -> Plan[Outcome]:
    token = yield from usable_token(session, ctx, budget)
    outcome = yield from _sent(request, session.api_credentials(request, token))
    session.learn_nonce("api", outcome)
    challenge = _challenge(outcome)
    if _asks_for_nonce(challenge, outcome):
        # RFC 9449 §9: the resource server wants a (new) nonce; it came with this 401.
        outcome = yield from _sent(request, session.api_credentials(request, token))
        session.learn_nonce("api", outcome)
        challenge = _challenge(outcome)
    if _refused_token(outcome, challenge):
        # Revoked, or expired earlier than our clock says: one new token, one more try.
        session.state.discard(token.generation)
        token = yield from usable_token(session, ctx, budget)
        outcome = yield from _sent(request, session.api_credentials(request, token))
        session.learn_nonce("api", outcome)
        challenge = _challenge(outcome)
        if _refused_token(outcome, challenge):
            assert isinstance(outcome, Received)
            raise OktaOAuthError(
                refused_token(
                    challenge.error if challenge else None,
                    challenge.params.get("error_description", "") if challenge else "",
                    clock_skew=session.clock_skew(outcome),
                ),
                status=401,
                error_code=challenge.error if challenge else None,
            )
    if isinstance(outcome, Received) and outcome.status == 401 and challenge is None:
        refused = _api_error(outcome)
        if isinstance(refused, OktaPermissionError):
            # 401 E0000015: a valid token refused a feature; said for a service app.
            raise OktaServiceAppPermissionError.from_error(refused)
    if isinstance(outcome, Received) and challenge is not None:
        if outcome.status == 403 and challenge.error == "insufficient_scope":
            raise scope_error(challenge.params.get("scope"), challenge.params.get("resource"))
        if outcome.status == 401 and challenge.error == "use_dpop_nonce":
            raise OktaOAuthError(
                "Okta asked for a new DPoP nonce again right after one was sent; giving up",
                status=401,
                error_code=challenge.error,
            )
        if challenge.error == "invalid_dpop_proof":
            # Okta refuses a bad API proof with a 400 (okta/okta-sdk-python#541), RFC 9449 §7.1
            # with a 401: the same refusal either way, and never the token's fault.
            raise OktaOAuthError(
                refused_token(
                    challenge.error,
                    challenge.params.get("error_description", ""),
                    clock_skew=session.clock_skew(outcome),
                ),
                status=outcome.status,
                error_code=challenge.error,
            )
    return outcome


def usable_token(session: OAuthSession, ctx: Context, budget: WaitBudget) -> Plan[AccessToken]:
    """The cached token, or a new one: renewed by exactly one call while the others wait."""
    waited_on: int | None = None
    while True:
        decision = session.state.decide(session.clock(), waited_on)
        if isinstance(decision, Use):
            return decision.token
        if isinstance(decision, Failed):
            raise decision.error
        if isinstance(decision, Renew):
            return (yield from _renew(session, ctx, budget, decision))
        waited_on = decision.lease
        if plans.ANSWERS_CANNOT_COME.get():
            # The renewal waited for may be this thread's own loop's: it cannot end meanwhile.
            takeover = session.state.take_over(session.clock())
            return (yield from _renew(session, ctx, budget, takeover))
        if not budget.allows(RENEWAL_POLL_SECONDS):
            raise OktaConnectionError(
                "no access token: the token request of another call did not finish in time"
            )
        yield Sleep(RENEWAL_POLL_SECONDS)


def _renew(
    session: OAuthSession, ctx: Context, budget: WaitBudget, decision: Renew
) -> Plan[AccessToken]:
    lease, still_valid = decision.lease, decision.still_valid
    if still_valid is not None:
        # An early renewal: with a valid token in hand, the call waits for no backoff or
        # rate-limit reset; one try, and on a transient failure the old token serves.
        budget = WaitBudget(0.0, ctx.clock)
    finished = False
    try:
        token = yield from request_token(session, ctx, budget)
        finished = True
        return session.state.renewed(lease, token)
    except OktaError as error:
        finished = True
        session.state.failed(lease, error, session.clock())
        if (
            still_valid is not None
            and isinstance(error, _TRANSIENT)
            and session.clock() < still_valid.expires_at - EXPIRY_SKEW_SECONDS
        ):
            return still_valid
        raise
    finally:
        if not finished:
            # Cancelled mid-request (the plan was closed): let the next call renew at once.
            session.state.abandoned(lease)


def request_token(session: OAuthSession, ctx: Context, budget: WaitBudget) -> Plan[AccessToken]:
    """One token, with a fresh client assertion and DPoP proof on every attempt.

    Okta's first answer to a DPoP token request is 400 `use_dpop_nonce` with a `DPoP-Nonce`
    header: the request is made once more with that nonce. Transport failures, 5xx and 429
    are retried with backoff, within the call's wait budget, as any request is.
    """
    attempt = 0
    nonce_retried = False
    while True:
        # Admitted as every request is, in the token endpoint's own rate-limit bucket.
        yield from plans._admitted(ctx, TOKEN_BUCKET, budget)
        outcome: Outcome | None = None
        try:
            outcome = yield Send(TOKEN_REQUEST, session.token_credentials())
        finally:
            headers = outcome.headers if isinstance(outcome, Received) else None
            ctx.rate_limits.release(TOKEN_BUCKET, headers, ctx.clock())
        assert outcome is not None
        attempt += 1
        if isinstance(outcome, TransportFailure) or _retryable(outcome):
            delay = _retry_delay(ctx, outcome, attempt)
            if attempt >= ctx.retries.max_attempts or not budget.allows(delay):
                raise _transient_error(outcome)
            yield Sleep(delay)
            continue
        session.learn_nonce("token", outcome)
        result = read_token_response(outcome, now=session.clock(), requested=session.scopes)
        if isinstance(result, AccessToken):
            return result
        if result.error == "use_dpop_nonce" and not nonce_retried and session.has_nonce("token"):
            nonce_retried = True
            continue
        raise _refusal(session, result, outcome)


def check_service_app(session: OAuthSession, ctx: Context) -> Plan[ServiceAppAccess]:
    """Obtain a token (proving the key, client id and scopes), then read the app's roles."""
    budget = WaitBudget(ctx.retries.max_wait, ctx.clock)
    token = yield from usable_token(session, ctx, budget)
    access = ServiceAppAccess(
        client_id=session.client_id, scopes=token.scopes, token_type=token.token_type
    )
    if ROLES_SCOPE not in token.scopes:
        return access
    try:
        roles = yield from call(
            ctx, client_roles_request(session.client_id), budget, api.read_roles
        )
    except OktaPermissionError as refused:
        # E0000015 ("You do not have permission to access the feature"): what the app may do
        # is unknown, so only reading is offered, as for an API token whose roles are hidden.
        return access.model_copy(update={"roles_refused": refused.error_code == "E0000015"})
    types = tuple(sorted({role.type for role in roles}))
    return access.model_copy(update={"roles": types, "roles_visible": True})


def _sent(request: ApiRequest, credentials: Credentials) -> Plan[Outcome]:
    outcome = yield Send(request, credentials)
    assert outcome is not None  # the drivers answer every Send
    return outcome


def _challenge(outcome: Outcome) -> Challenge | None:
    # 400 too: Okta answers a refused API proof with 400 and a DPoP challenge.
    if not isinstance(outcome, Received) or outcome.status not in (400, 401, 403):
        return None
    return find_error(outcome.headers.get("www-authenticate"))


def _asks_for_nonce(challenge: Challenge | None, outcome: Outcome) -> bool:
    return (
        challenge is not None
        and challenge.error == "use_dpop_nonce"
        and isinstance(outcome, Received)
        and bool(outcome.headers.get("dpop-nonce"))
    )


def _refused_token(outcome: Outcome, challenge: Challenge | None) -> bool:
    if not isinstance(outcome, Received) or outcome.status != 401:
        return False
    if challenge is None:
        # Without a challenge, Okta's error body says what the 401 is: E0000011 (or nothing
        # readable) refuses the token, E0000015 refuses a valid token a feature, and a new
        # token would be refused that feature the same way.
        return isinstance(_api_error(outcome), OktaAuthenticationError)
    # A refused proof is not the token's fault; a new token would be refused the same way.
    return challenge.error not in ("invalid_dpop_proof", "use_dpop_nonce")


def _api_error(outcome: Received) -> OktaError:
    return error_from_response(
        outcome.status, outcome.headers.get("content-type", ""), outcome.body
    )


def _retryable(outcome: Received) -> bool:
    return outcome.status == 429 or outcome.status in RETRYABLE_STATUSES


def _retry_delay(ctx: Context, outcome: Outcome, attempt: int) -> float:
    if isinstance(outcome, Received) and outcome.status == 429:
        limits = read_rate_limit(outcome.headers)
        if limits is not None:
            return limits.seconds_to_reset
    return backoff_delay(attempt, ctx.retries, ctx.rng)


def _transient_error(outcome: Outcome) -> OktaError:
    if isinstance(outcome, TransportFailure):
        return OktaConnectionError(f"no response from Okta's token endpoint: {outcome.reason}")
    return error_from_response(
        outcome.status, outcome.headers.get("content-type", ""), outcome.body
    )


def _refusal(session: OAuthSession, refusal: TokenRefusal, outcome: Received) -> OktaOAuthError:
    return token_error(
        refusal.status,
        refusal.error,
        refusal.description,
        requested_scopes=session.scopes,
        clock_skew=session.clock_skew(outcome),
    )
