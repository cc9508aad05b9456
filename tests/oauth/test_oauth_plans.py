"""The OAuth decisions, driven without I/O: token request, nonce retries, renewal, refusals."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Generator, Iterator
from email.utils import formatdate
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from langchain_okta import plans
from langchain_okta.api import Received
from langchain_okta.errors import OktaNotFoundError, OktaPermissionError, OktaServerError
from langchain_okta.oauth import PrivateKeyJwt
from langchain_okta.oauth.errors import OktaOAuthError, OktaScopeError
from langchain_okta.oauth.keys import access_token_hash
from langchain_okta.oauth.plans import check_service_app
from langchain_okta.oauth.session import OAuthSession
from langchain_okta.oauth.tokens import TOKEN_BUCKET
from langchain_okta.plans import Context, Send, Sleep
from langchain_okta.retries import TransportFailure
from langchain_okta.settings import RetrySettings

ORG = "https://acme.okta.com"
CLIENT_ID = "0oa1b2c3d4e5f6g7h8i9"
USER = {"id": "00u1", "status": "ACTIVE", "profile": {"login": "a@example.com"}}
KEY = (
    ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)


class Clock:
    def __init__(self) -> None:
        # Whole seconds, as a Date header has them: skews read from one are exact.
        self.now = float(int(time.time()))

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def session(clock: Clock) -> OAuthSession:
    auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=KEY, key_id="k1")
    return OAuthSession(ORG, auth, clock=clock)


@pytest.fixture
def ctx(session: OAuthSession) -> Context:
    retries = RetrySettings(max_attempts=3, backoff_base=0.01, max_wait=5)
    return Context(retries=retries, clock=time.monotonic, rng=random.Random(1), authorizer=session)


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Received:
    content = b"" if body is None else json.dumps(body).encode()
    base = {"content-type": "application/json"} if body is not None else {}
    return Received(status=status, headers={**base, **(headers or {})}, body=content)


def token_ok(
    token: str = "AT-1", token_type: str = "DPoP", scope: str = "okta.users.read", nonce: str = "n1"
) -> Received:
    body = {"token_type": token_type, "expires_in": 3600, "access_token": token, "scope": scope}
    return reply(200, body, {"dpop-nonce": nonce})


def oauth_error(status: int, error: str, description: str = "", **headers: str) -> Received:
    return reply(status, {"error": error, "error_description": description}, headers)


Answer = Callable[[Send], Received | TransportFailure]


def scripted(*answers: Received | TransportFailure) -> tuple[Answer, list[Send]]:
    queue: Iterator[Received | TransportFailure] = iter(answers)
    sent: list[Send] = []

    def answer(step: Send) -> Received | TransportFailure:
        sent.append(step)
        return next(queue)

    return answer, sent


def drive(plan: Generator[Any, Any, Any], answer: Answer) -> Any:
    try:
        step = next(plan)
        while True:
            step = plan.send(None if isinstance(step, Sleep) else answer(step))
    except StopIteration as done:
        return done.value


def proof_claims(step: Send) -> dict[str, Any]:
    assert step.credentials is not None
    proof = dict(step.credentials.headers)["DPoP"]
    header = jwt.get_unverified_header(proof)
    key = jwt.PyJWK(header["jwk"], algorithm="ES256").key
    claims: dict[str, Any] = jwt.decode(
        proof, key, algorithms=["ES256"], options={"verify_iat": False}
    )
    return claims


def headers_of(step: Send) -> dict[str, str]:
    assert step.credentials is not None
    return dict(step.credentials.headers)


def form_of(step: Send) -> dict[str, str]:
    assert step.credentials is not None
    assert step.credentials.form is not None
    return dict(step.credentials.form)


def get_user(ctx: Context) -> Generator[Any, Any, Any]:
    return plans.get_user(ctx, "00u1")


# -- the token request -----------------------------------------------------------------------


def test_first_token_request_is_retried_once_with_the_nonce_okta_asks_for(ctx: Context) -> None:
    answer, sent = scripted(
        oauth_error(
            400,
            "use_dpop_nonce",
            "Authorization server requires nonce in DPoP proof.",
            **{"dpop-nonce": "N-1"},
        ),
        token_ok(),
        reply(200, USER),
    )

    drive(get_user(ctx), answer)

    first, second, api_call = sent
    assert [s.request.path for s in sent] == ["/oauth2/v1/token"] * 2 + ["/api/v1/users/00u1"]
    assert "nonce" not in proof_claims(first)
    assert proof_claims(second)["nonce"] == "N-1"
    assert proof_claims(second)["htu"] == f"{ORG}/oauth2/v1/token"
    assert proof_claims(second)["htm"] == "POST"
    assert form_of(first)["client_assertion"] != form_of(second)["client_assertion"]
    assert api_call.request.bucket != TOKEN_BUCKET == first.request.bucket


def test_the_token_request_sends_a_signed_assertion_and_the_scopes(
    ctx: Context, session: OAuthSession
) -> None:
    answer, sent = scripted(token_ok(), reply(200, USER))

    drive(get_user(ctx), answer)

    form = form_of(sent[0])
    assert form["grant_type"] == "client_credentials"
    assert form["scope"] == "okta.users.read okta.users.manage okta.roles.read"
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    header = jwt.get_unverified_header(form["client_assertion"])
    claims = jwt.decode(form["client_assertion"], options={"verify_signature": False})
    assert header["kid"] == "k1"
    assert claims["iss"] == claims["sub"] == CLIENT_ID
    assert claims["aud"] == f"{ORG}/oauth2/v1/token"
    assert 0 < claims["exp"] - claims["iat"] <= 300


def test_a_session_made_with_a_default_port_names_the_org_without_it(clock: Clock) -> None:
    auth = PrivateKeyJwt(client_id=CLIENT_ID, private_key=KEY, key_id="k1")
    session = OAuthSession("HTTPS://Acme.Okta.com:443/", auth, clock=clock)
    retries = RetrySettings(max_attempts=1)
    ctx = Context(retries=retries, clock=time.monotonic, rng=random.Random(1), authorizer=session)
    answer, sent = scripted(token_ok(), reply(200, USER))

    drive(get_user(ctx), answer)

    assertion = jwt.decode(
        form_of(sent[0])["client_assertion"], options={"verify_signature": False}
    )
    assert assertion["aud"] == f"{ORG}/oauth2/v1/token"
    assert proof_claims(sent[0])["htu"] == f"{ORG}/oauth2/v1/token"
    assert proof_claims(sent[1])["htu"] == f"{ORG}/api/v1/users/00u1"


def test_an_api_call_sends_the_dpop_token_and_a_proof_without_the_query(ctx: Context) -> None:
    answer, sent = scripted(token_ok("AT-9", nonce="N-7"), reply(200, []))

    drive(plans.list_users(ctx, query="a", search=None, filter=None, limit=5, cursor=None), answer)

    call = sent[-1]
    assert headers_of(call)["Authorization"] == "DPoP AT-9"
    claims = proof_claims(call)
    assert claims["htu"] == f"{ORG}/api/v1/users"
    assert claims["htm"] == "GET"
    assert claims["ath"] == access_token_hash("AT-9")
    # The token endpoint's nonce is the token endpoint's: the API has sent none yet.
    assert "nonce" not in claims


@pytest.mark.parametrize(
    ("login", "htu_path"),
    [
        ("jane@acme.com", "/api/v1/users/jane@acme.com"),
        ("o'brien+tag@acme.com", "/api/v1/users/o'brien+tag@acme.com"),
        # Kept encoded, as Okta's Java SDK sends them (okta/okta-sdk-java#1526).
        ("100%sure@acme.com", "/api/v1/users/100%25sure@acme.com"),
        ("o#brien@acme.com", "/api/v1/users/o%23brien@acme.com"),
    ],
)
def test_a_call_by_login_proves_the_path_percent_decoded_while_sending_it_encoded(
    ctx: Context, login: str, htu_path: str
) -> None:
    answer, sent = scripted(token_ok(), reply(200, USER))

    drive(plans.get_user(ctx, login), answer)

    assert "%" in sent[-1].request.path  # sent encoded, as one path segment
    assert proof_claims(sent[-1])["htu"] == ORG + htu_path


def test_a_bearer_token_is_sent_without_a_proof(ctx: Context) -> None:
    answer, sent = scripted(token_ok("AT-B", token_type="Bearer"), reply(200, USER))

    drive(get_user(ctx), answer)

    assert headers_of(sent[-1]) == {"Authorization": "Bearer AT-B"}


def test_the_token_is_reused_until_shortly_before_it_expires(ctx: Context, clock: Clock) -> None:
    answer, sent = scripted(
        token_ok("AT-1"), reply(200, USER), reply(200, USER), token_ok("AT-2"), reply(200, USER)
    )

    drive(get_user(ctx), answer)
    clock.now += 3500
    drive(get_user(ctx), answer)
    clock.now += 60
    drive(get_user(ctx), answer)

    assert [s.request.path for s in sent].count("/oauth2/v1/token") == 2
    assert headers_of(sent[-1])["Authorization"] == "DPoP AT-2"


def test_a_server_error_at_the_token_endpoint_is_retried(ctx: Context) -> None:
    answer, sent = scripted(
        TransportFailure("ConnectError", may_have_reached_okta=False),
        reply(503, {"errorCode": "E0000010", "errorSummary": "Service is in read only mode"}),
        token_ok(),
        reply(200, USER),
    )

    assert drive(get_user(ctx), answer).id == "00u1"
    assert len(sent) == 4


@pytest.mark.parametrize(
    "busy",
    [
        reply(503, {"errorCode": "E0000010", "errorSummary": "Service is in read only mode"}),
        reply(
            429,
            {"errorCode": "E0000047", "errorSummary": "API call exceeded rate limit"},
            {
                "x-rate-limit-limit": "10",
                "x-rate-limit-remaining": "0",
                "x-rate-limit-reset": str(int(time.time()) + 60),
            },
        ),
        TransportFailure("ConnectError", may_have_reached_okta=False),
    ],
    ids=["503", "429", "connect-error"],
)
def test_an_early_renewal_that_meets_a_busy_token_endpoint_uses_the_still_valid_token(
    ctx: Context, clock: Clock, busy: Received | TransportFailure
) -> None:
    answer, sent = scripted(
        token_ok("AT-1"), reply(200, USER), busy, reply(200, USER), reply(200, USER)
    )
    drive(get_user(ctx), answer)
    clock.now += 3600 - 30  # 30 s left: past the renewal time, well before expiry

    # The call that takes the renewal lease still succeeds, with the old token and no wait.
    assert drive(get_user(ctx), answer).id == "00u1"
    assert [s.request.path for s in sent[2:4]] == ["/oauth2/v1/token", "/api/v1/users/00u1"]
    assert headers_of(sent[3])["Authorization"] == "DPoP AT-1"
    # The next call right after does not hammer the busy endpoint.
    drive(get_user(ctx), answer)
    assert [s.request.path for s in sent].count("/oauth2/v1/token") == 2


def test_after_a_failed_early_renewal_the_renewal_is_tried_again_later(
    ctx: Context, clock: Clock
) -> None:
    busy = reply(503, {"errorCode": "E0000010", "errorSummary": "Service is in read only mode"})
    answer, sent = scripted(
        token_ok("AT-1"),
        reply(200, USER),
        busy,
        reply(200, USER),
        token_ok("AT-2"),
        reply(200, USER),
    )
    drive(get_user(ctx), answer)
    clock.now += 3600 - 30
    drive(get_user(ctx), answer)
    clock.now += 10

    drive(get_user(ctx), answer)

    assert [s.request.path for s in sent].count("/oauth2/v1/token") == 3
    assert headers_of(sent[-1])["Authorization"] == "DPoP AT-2"


def test_a_renewal_after_expiry_that_meets_a_busy_token_endpoint_still_fails(
    ctx: Context, clock: Clock
) -> None:
    busy = reply(503, {"errorCode": "E0000010", "errorSummary": "Service is in read only mode"})
    answer, _ = scripted(token_ok("AT-1"), reply(200, USER), busy, busy, busy)
    drive(get_user(ctx), answer)
    clock.now += 3600

    with pytest.raises(OktaServerError):
        drive(get_user(ctx), answer)


# -- refusals at the token endpoint ----------------------------------------------------------


def test_invalid_client_says_to_check_client_id_key_and_kid(ctx: Context) -> None:
    answer, sent = scripted(
        oauth_error(401, "invalid_client", "The client_assertion signature is invalid.")
    )

    with pytest.raises(OktaOAuthError) as raised:
        drive(get_user(ctx), answer)

    message = str(raised.value)
    assert "invalid_client" in message
    assert "client ID" in message
    assert "private key" in message
    assert "Public keys" in message
    assert "Do not retry" in raised.value.for_agent()
    assert len(sent) == 1


@pytest.mark.parametrize(
    ("error", "description"),
    [
        ("invalid_scope", "The following scopes are invalid: [okta.users.write]."),
        ("consent_required", "You are not allowed any of the requested scopes."),
    ],
)
def test_scopes_not_granted_name_the_scopes_and_where_to_grant_them(
    ctx: Context, error: str, description: str
) -> None:
    answer, _ = scripted(oauth_error(400, error, description))

    with pytest.raises(OktaOAuthError) as raised:
        drive(get_user(ctx), answer)

    message = str(raised.value)
    assert "okta.users.read, okta.users.manage, okta.roles.read" in message
    assert "Okta API Scopes tab" in message


def test_invalid_dpop_proof_blames_the_clock_with_the_measured_skew(
    ctx: Context, clock: Clock
) -> None:
    okta_time = formatdate(clock.now + 300, usegmt=True)
    answer, _ = scripted(
        oauth_error(
            400, "invalid_dpop_proof", "The DPoP proof JWT is not yet valid.", date=okta_time
        )
    )

    with pytest.raises(OktaOAuthError) as raised:
        drive(get_user(ctx), answer)

    assert "clock is 300 s behind Okta's" in str(raised.value)
    assert "clock" in raised.value.for_agent()


def test_a_second_nonce_request_in_a_row_is_not_retried_again(ctx: Context) -> None:
    nonce = oauth_error(400, "use_dpop_nonce", "needs nonce", **{"dpop-nonce": "N"})
    answer, sent = scripted(nonce, nonce)

    with pytest.raises(OktaOAuthError, match="use_dpop_nonce"):
        drive(get_user(ctx), answer)

    assert len(sent) == 2


def test_a_description_with_a_token_in_it_is_not_quoted(ctx: Context) -> None:
    leaked = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiIwb2EifQ.c2lnbmF0dXJlc2lnbmF0dXJl"
    answer, _ = scripted(oauth_error(401, "invalid_client", f"bad assertion {leaked}"))

    with pytest.raises(OktaOAuthError) as raised:
        drive(get_user(ctx), answer)

    assert leaked not in str(raised.value)


# -- challenges on API calls -----------------------------------------------------------------


def test_a_401_use_dpop_nonce_is_retried_once_with_the_new_nonce(ctx: Context) -> None:
    challenge = reply(
        401,
        None,
        {
            "www-authenticate": 'DPoP error="use_dpop_nonce", error_description="Resource '
            'server requires nonce in DPoP proof"',
            "dpop-nonce": "API-N",
        },
    )
    answer, sent = scripted(token_ok(), challenge, reply(200, USER))

    assert drive(get_user(ctx), answer).id == "00u1"
    assert "nonce" not in proof_claims(sent[1])
    assert proof_claims(sent[2])["nonce"] == "API-N"
    assert proof_claims(sent[1])["jti"] != proof_claims(sent[2])["jti"]


def test_a_403_insufficient_scope_names_the_scope_the_tool_needs(ctx: Context) -> None:
    challenge = reply(
        403,
        None,
        {
            "www-authenticate": 'DPoP algs="ES256", realm="x", scope="okta.users.manage", '
            'error="insufficient_scope", error_description="The access token provided does '
            'not contain the required scopes.", resource="/api/v1/users"'
        },
    )
    answer, sent = scripted(token_ok(), challenge)

    with pytest.raises(OktaScopeError) as raised:
        drive(
            plans.create_user(ctx, {"login": "n@x.io", "email": "n@x.io"}, activate=False), answer
        )

    assert raised.value.required_scope == "okta.users.manage"
    assert "okta.users.manage" in raised.value.for_agent()
    assert "creating and updating users" in str(raised.value)
    assert len(sent) == 2


def test_a_refused_token_is_renewed_once_and_the_call_retried(ctx: Context) -> None:
    refused = reply(
        401,
        {"errorCode": "E0000011", "errorSummary": "Invalid token provided"},
        {"www-authenticate": 'DPoP error="invalid_token", error_description="expired"'},
    )
    answer, sent = scripted(token_ok("AT-1"), refused, token_ok("AT-2"), reply(200, USER))

    assert drive(get_user(ctx), answer).id == "00u1"
    assert headers_of(sent[-1])["Authorization"] == "DPoP AT-2"


def test_a_token_refused_twice_is_an_error_that_says_so(ctx: Context) -> None:
    refused = reply(401, None, {"www-authenticate": 'Bearer error="invalid_token"'})
    answer, _ = scripted(token_ok("AT-1"), refused, token_ok("AT-2"), refused)

    with pytest.raises(OktaOAuthError, match="even after a new token"):
        drive(get_user(ctx), answer)


def test_a_refused_api_proof_blames_the_clock_and_is_not_retried(ctx: Context) -> None:
    refused = reply(
        401,
        None,
        {"www-authenticate": 'DPoP error="invalid_dpop_proof", error_description="iat"'},
    )
    answer, sent = scripted(token_ok(), refused)

    with pytest.raises(OktaOAuthError, match="clock"):
        drive(get_user(ctx), answer)

    assert len(sent) == 2


def test_a_401_feature_refusal_without_a_challenge_keeps_the_token_and_is_a_permission_error(
    ctx: Context, session: OAuthSession
) -> None:
    # Okta's 401 E0000015 refuses a valid token a feature: a new token changes nothing.
    feature = reply(
        401,
        {
            "errorCode": "E0000015",
            "errorSummary": "You do not have permission to access the feature you are requesting",
        },
    )
    answer, sent = scripted(token_ok("AT-1"), feature)

    with pytest.raises(OktaPermissionError) as raised:
        drive(get_user(ctx), answer)

    assert len(sent) == 2
    assert raised.value.error_code == "E0000015"
    assert "service app" in raised.value.for_agent()
    assert "API token" not in raised.value.for_agent()
    assert session.state.token is not None
    assert session.state.token.value == "AT-1"


def test_a_400_htu_refusal_with_the_clocks_agreeing_does_not_blame_the_clock(
    ctx: Context, clock: Clock
) -> None:
    # Okta's answer to a proof whose htu is not the request (okta/okta-sdk-python#541).
    refused = reply(
        400,
        None,
        {
            "www-authenticate": 'DPoP algs="ES256", error="invalid_dpop_proof", '
            "error_description=\"'htu' claim in the DPoP proof JWT is invalid.\"",
            "date": formatdate(clock.now, usegmt=True),
        },
    )
    answer, sent = scripted(token_ok(), refused)

    with pytest.raises(OktaOAuthError) as raised:
        drive(get_user(ctx), answer)

    assert raised.value.status == 400
    assert "not the request Okta received" in str(raised.value)
    assert "clock agrees" in str(raised.value)
    assert len(sent) == 2


def test_an_ordinary_error_passes_through_untouched(ctx: Context) -> None:
    not_found = reply(404, {"errorCode": "E0000007", "errorSummary": "Not found: x"})
    answer, _ = scripted(token_ok(), not_found)

    with pytest.raises(OktaNotFoundError):
        drive(get_user(ctx), answer)


# -- the admin check -------------------------------------------------------------------------


def test_the_check_reads_the_roles_when_okta_roles_read_is_granted(
    ctx: Context, session: OAuthSession
) -> None:
    roles = [{"id": "ra1", "type": "ORG_ADMIN", "assignmentType": "CLIENT"}]
    answer, sent = scripted(
        token_ok(scope="okta.users.read okta.users.manage okta.roles.read"), reply(200, roles)
    )

    access = drive(check_service_app(session, ctx), answer)

    assert sent[-1].request.path == f"/oauth2/v1/clients/{CLIENT_ID}/roles"
    assert access.roles == ("ORG_ADMIN",)
    assert access.roles_visible
    assert access.can_write


def test_a_token_response_without_scope_grants_the_scopes_asked_for(
    ctx: Context, session: OAuthSession
) -> None:
    # RFC 6749 §5.1: `scope` may be left out when it is what the client asked for.
    no_scope = reply(200, {"token_type": "DPoP", "expires_in": 3600, "access_token": "AT-1"})
    roles = [{"id": "ra1", "type": "ORG_ADMIN", "assignmentType": "CLIENT"}]
    answer, _ = scripted(no_scope, reply(200, roles))

    access = drive(check_service_app(session, ctx), answer)

    assert access.scopes == session.scopes
    assert access.can_write


def test_without_okta_roles_read_the_check_says_the_roles_could_not_be_read(
    ctx: Context, session: OAuthSession
) -> None:
    answer, sent = scripted(token_ok(scope="okta.users.read okta.users.manage"))

    access = drive(check_service_app(session, ctx), answer)

    assert len(sent) == 1
    assert not access.roles_visible
    assert "could not be read (okta.roles.read was not granted)" in access.roles_note()
    assert access.can_write


def test_the_form_never_carries_the_private_key(ctx: Context) -> None:
    answer, sent = scripted(token_ok(), reply(200, USER))

    drive(get_user(ctx), answer)

    assert KEY.splitlines()[1] not in json.dumps(form_of(sent[0]))
