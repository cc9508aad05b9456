"""The sandbox's authorization server checks what Okta checks, and answers as Okta does."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, unquote

import httpx
import pytest

from langchain_okta.oauth.challenges import find_error
from langchain_okta.oauth.keys import DPoPKey, load_signing_key, new_jti
from langchain_okta.oauth.tokens import JWT_BEARER, assertion_claims
from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg
from langchain_okta.sandbox.authorization import ServiceApp

TOKEN_URL = IN_PROCESS_URL + "/oauth2/v1/token"
USERS_URL = IN_PROCESS_URL + "/api/v1/users"


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg(users=3)


@pytest.fixture
def http(org: SandboxOrg) -> Iterator[httpx.Client]:
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL) as client:
        yield client


class AppClient:
    """Hand-made token requests and API calls, each part adjustable to break it."""

    def __init__(self, http: httpx.Client, app: ServiceApp) -> None:
        self.http = http
        self.app = app
        self.key = load_signing_key(app.private_key_pem or "", app.key_id)
        self.dpop = DPoPKey()
        self.nonce: str | None = None

    def assertion(self, **changes: Any) -> str:
        claims = assertion_claims(self.app.client_id, TOKEN_URL, time.time(), new_jti())
        return self.key.sign({**claims, **changes})

    def token_response(
        self,
        *,
        assertion: str | None = None,
        proof: str | None = None,
        scope: str = "okta.users.read okta.users.manage",
        dpop: bool = True,
    ) -> httpx.Response:
        form = {
            "grant_type": "client_credentials",
            "scope": scope,
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion or self.assertion(),
        }
        headers = {}
        if dpop:
            headers["DPoP"] = proof or self.dpop.proof(
                "POST", TOKEN_URL, issued_at=int(time.time()), nonce=self.nonce
            )
        response = self.http.post("/oauth2/v1/token", data=form, headers=headers)
        self.nonce = response.headers.get("dpop-nonce", self.nonce)
        return response

    def token(self, **kwargs: Any) -> str:
        response = self.token_response(**kwargs)
        if response.status_code == 400 and response.json()["error"] == "use_dpop_nonce":
            response = self.token_response(**kwargs)
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def get_users(
        self,
        token: str,
        *,
        scheme: str = "DPoP",
        proof: str | None = None,
        path: str = "/api/v1/users?limit=1",
        **claims: Any,
    ) -> httpx.Response:
        headers = {"Authorization": f"{scheme} {token}"}
        if scheme == "DPoP":
            headers["DPoP"] = proof or self.dpop.proof(
                claims.get("htm", "GET"),
                claims.get("htu", USERS_URL),
                issued_at=claims.get("iat", int(time.time())),
                access_token=claims.get("ath_of", token),
            )
        return self.http.get(path, headers=headers)


@pytest.fixture
def app(org: SandboxOrg, http: httpx.Client) -> AppClient:
    return AppClient(http, org.service_app)


def oauth_error(response: httpx.Response) -> tuple[int, str, str]:
    body = response.json()
    return response.status_code, body["error"], body["error_description"]


# -- the token endpoint ----------------------------------------------------------------------


def test_a_first_proof_without_a_nonce_gets_use_dpop_nonce_and_a_nonce(app: AppClient) -> None:
    response = app.token_response()

    assert oauth_error(response) == (
        400,
        "use_dpop_nonce",
        "Authorization server requires nonce in DPoP proof.",
    )
    assert response.headers["dpop-nonce"]
    assert response.headers["cache-control"] == "no-cache, no-store"


def test_with_the_nonce_a_dpop_bound_token_with_the_granted_scopes_is_issued(
    app: AppClient,
) -> None:
    app.token_response()
    body = app.token_response().json()

    assert body["token_type"] == "DPoP"
    assert body["expires_in"] == 3600
    assert body["scope"] == "okta.users.read okta.users.manage"


def test_a_dpop_app_without_a_proof_is_told_the_header_is_missing(app: AppClient) -> None:
    assert oauth_error(app.token_response(dpop=False)) == (
        400,
        "invalid_dpop_proof",
        "The DPoP proof JWT header is missing.",
    )


@pytest.mark.parametrize(
    ("proof_for", "description"),
    [
        (("GET", TOKEN_URL, 0), "'htm' claim does not match"),
        (("POST", IN_PROCESS_URL + "/oauth2/v1/other", 0), "'htu' claim in the DPoP proof"),
        (("POST", TOKEN_URL, -300), "outside the acceptable time window"),
        (("POST", TOKEN_URL, 300), "outside the acceptable time window"),
    ],
)
def test_a_proof_for_another_method_url_or_time_is_refused(
    app: AppClient, proof_for: tuple[str, str, int], description: str
) -> None:
    app.token_response()
    method, url, skew = proof_for
    proof = app.dpop.proof(method, url, issued_at=int(time.time()) + skew, nonce=app.nonce)

    status, error, said = oauth_error(app.token_response(proof=proof))

    assert (status, error) == (400, "invalid_dpop_proof")
    assert description in said


def test_a_replayed_proof_is_refused(app: AppClient) -> None:
    app.token_response()
    proof = app.dpop.proof("POST", TOKEN_URL, issued_at=int(time.time()), nonce=app.nonce)
    assert app.token_response(proof=proof).status_code == 200

    assert "already been used" in oauth_error(app.token_response(proof=proof))[2]


def test_a_proof_with_a_forged_signature_is_refused(app: AppClient) -> None:
    app.token_response()
    proof = app.dpop.proof("POST", TOKEN_URL, issued_at=int(time.time()), nonce=app.nonce)
    forged = proof[:-8] + ("A" * 8 if not proof.endswith("A" * 8) else "B" * 8)

    assert "signature is invalid" in oauth_error(app.token_response(proof=forged))[2]


def test_a_stale_nonce_after_rotation_gets_a_new_one(app: AppClient, org: SandboxOrg) -> None:
    app.token()
    old = app.nonce
    org.authorization.rotate_nonces()

    response = app.token_response()

    assert oauth_error(response)[1] == "use_dpop_nonce"
    assert response.headers["dpop-nonce"] != old


@pytest.mark.parametrize(
    ("changes", "description"),
    [
        ({"aud": "https://elsewhere.okta.com/oauth2/v1/token"}, "audience claim"),
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"exp": int(time.time()) + 7200}, "too far in the future"),
        ({"sub": "0oaSomeoneElse"}, "'client_id'"),
        ({"iss": "0oaUnknown", "sub": "0oaUnknown"}, "'client_id'"),
    ],
)
def test_a_bad_client_assertion_is_invalid_client(
    app: AppClient, changes: dict[str, Any], description: str
) -> None:
    app.token_response()
    status, error, said = oauth_error(app.token_response(assertion=app.assertion(**changes)))

    assert (status, error) == (401, "invalid_client")
    assert description in said


def test_a_replayed_client_assertion_is_refused(app: AppClient) -> None:
    assertion = app.assertion()
    app.token_response(assertion=assertion)
    app.token_response(assertion=assertion)

    assert "already been used" in oauth_error(app.token_response(assertion=assertion))[2]


def test_scopes_not_granted_are_dropped_and_none_granted_is_consent_required(
    app: AppClient, org: SandboxOrg, http: httpx.Client
) -> None:
    narrow = AppClient(http, org.add_service_app(scopes=["okta.users.read"]))
    narrow.token_response()

    granted = narrow.token_response(scope="okta.users.read okta.users.manage").json()
    refused = narrow.token_response(scope="okta.groups.read")
    unknown = narrow.token_response(scope="okta.users.write")

    assert granted["scope"] == "okta.users.read"
    assert oauth_error(refused)[:2] == (400, "consent_required")
    assert oauth_error(unknown)[:2] == (400, "invalid_scope")


def test_an_app_without_dpop_gets_a_bearer_token_at_once(
    org: SandboxOrg, http: httpx.Client
) -> None:
    plain = AppClient(http, org.add_service_app(scopes=["okta.users.read"], dpop=False))

    body = plain.token_response(dpop=False).json()

    assert body["token_type"] == "Bearer"


# -- API calls with the token ----------------------------------------------------------------


def test_a_dpop_token_with_a_good_proof_reads_users(app: AppClient) -> None:
    response = app.get_users(app.token())

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("claims", "description"),
    [
        ({"htm": "POST"}, "'htm'"),
        ({"htu": USERS_URL + "/00u1"}, "'htu'"),
        ({"iat": int(time.time()) - 600}, "time window"),
        ({"ath_of": "another-token"}, "'ath'"),
    ],
)
def test_an_api_proof_that_does_not_fit_is_a_400_dpop_challenge_with_no_body(
    app: AppClient, claims: dict[str, Any], description: str
) -> None:
    response = app.get_users(app.token(), **claims)

    challenge = find_error(response.headers.get("www-authenticate"))
    # As Okta answers (okta/okta-sdk-python#541): 400, the challenge, no Okta error body.
    assert response.status_code == 400
    assert response.content == b""
    assert challenge is not None
    assert challenge.scheme == "DPoP"
    assert challenge.error == "invalid_dpop_proof"
    assert description in challenge.params["error_description"]
    assert "ES256" in challenge.params["algs"]


def test_an_api_proof_names_the_path_percent_decoded_as_okta_compares_it(
    app: AppClient,
) -> None:
    token = app.token()
    user = app.get_users(token).json()[0]
    login = user["profile"]["login"]
    assert "@" in login
    encoded = f"/api/v1/users/{quote(login, safe='')}"

    decoded_htu = app.get_users(token, path=encoded, htu=IN_PROCESS_URL + unquote(encoded))
    encoded_htu = app.get_users(token, path=encoded, htu=IN_PROCESS_URL + encoded)

    assert decoded_htu.status_code == 200
    assert decoded_htu.json()["profile"]["login"] == login
    challenge = find_error(encoded_htu.headers.get("www-authenticate"))
    assert encoded_htu.status_code == 400
    assert challenge is not None
    assert challenge.error == "invalid_dpop_proof"
    assert challenge.params["error_description"] == "'htu' claim in the DPoP proof JWT is invalid."


def test_an_api_proof_keeps_percent_space_quote_and_hash_encoded_as_okta_reads_them(
    app: AppClient,
) -> None:
    token = app.token()
    path = "/api/v1/users/o%23brien%2550%20off%22%40acme.com"

    kept = app.get_users(
        token, path=path, htu=IN_PROCESS_URL + "/api/v1/users/o%23brien%2550%20off%22@acme.com"
    )
    raw = app.get_users(token, path=path, htu=IN_PROCESS_URL + unquote(path))

    # No such user: the proof passed, and the call reached the users API.
    assert kept.status_code == 404
    challenge = find_error(raw.headers.get("www-authenticate"))
    assert raw.status_code == 400
    assert challenge is not None
    assert challenge.params["error_description"] == "'htu' claim in the DPoP proof JWT is invalid."


def test_a_proof_by_another_key_than_the_token_is_bound_to_is_refused(app: AppClient) -> None:
    token = app.token()
    thief = DPoPKey().proof("GET", USERS_URL, issued_at=int(time.time()), access_token=token)

    response = app.get_users(token, proof=thief)

    challenge = find_error(response.headers["www-authenticate"])
    assert challenge is not None
    assert "does not match the key" in challenge.params["error_description"]


def test_a_dpop_bound_token_sent_as_bearer_is_refused(app: AppClient) -> None:
    response = app.get_users(app.token(), scheme="Bearer")

    assert response.status_code == 401
    assert response.json()["errorCode"] == "E0000011"


def test_a_missing_scope_is_a_403_with_an_empty_body_naming_the_scope(
    org: SandboxOrg, http: httpx.Client
) -> None:
    reader = AppClient(http, org.add_service_app(scopes=["okta.users.read"]))
    token = reader.token(scope="okta.users.read")
    proof = reader.dpop.proof("POST", USERS_URL, issued_at=int(time.time()), access_token=token)

    response = http.post(
        "/api/v1/users",
        json={"profile": {"login": "a@b.io"}},
        headers={"Authorization": f"DPoP {token}", "DPoP": proof},
    )

    assert response.status_code == 403
    assert response.content == b""
    challenge = find_error(response.headers["www-authenticate"])
    assert challenge is not None
    assert challenge.error == "insufficient_scope"
    assert challenge.params["scope"] == "okta.users.manage"
    assert challenge.params["resource"] == "/api/v1/users"
    assert challenge.params["error_description"] == (
        "The access token provided does not contain the required scopes."
    )


def test_an_api_nonce_when_required_comes_with_a_401_use_dpop_nonce(
    app: AppClient, org: SandboxOrg
) -> None:
    org.authorization.require_api_nonce = True

    response = app.get_users(app.token())

    challenge = find_error(response.headers["www-authenticate"])
    assert response.status_code == 401
    assert challenge is not None
    assert challenge.error == "use_dpop_nonce"
    assert response.headers["dpop-nonce"]


def test_the_app_reads_its_own_roles_with_okta_roles_read(
    app: AppClient, http: httpx.Client
) -> None:
    token = app.token(scope="okta.users.read okta.roles.read")
    path = f"/oauth2/v1/clients/{app.app.client_id}/roles"
    proof = app.dpop.proof(
        "GET", IN_PROCESS_URL + path, issued_at=int(time.time()), access_token=token
    )

    roles = http.get(path, headers={"Authorization": f"DPoP {token}", "DPoP": proof}).json()

    assert [(role["type"], role["assignmentType"]) for role in roles] == [("ORG_ADMIN", "CLIENT")]
