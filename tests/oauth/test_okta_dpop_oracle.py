"""Our client against an Okta-like DPoP check written from Okta's published reports, not from
our sandbox: the independent oracle for how Okta reads a proof.

What the reports say Okta does, and this check does:
- okta/okta-sdk-python#541 (reproduced on a real org: `get_user` by id 200, by email 400) and
  okta/okta-sdk-nodejs#521: Okta compares `htu` with the request path percent-DEcoded, and
  refuses `.../users/test.user%40example.com` in `htu` with HTTP 400 `invalid_dpop_proof`,
  "'htu' claim in the DPoP proof JWT is invalid." Okta's Java SDK, tested against a real org
  for many characters in a path (okta/okta-sdk-java#1526), sends the path decoded with
  URLDecoder, then `%`, space, `"` and `#` encoded again: what Okta accepts.
- okta/okta-sdk-nodejs#453: the refusal is a `WWW-Authenticate: DPoP algs=..., realm=...,
  error="invalid_dpop_proof", error_description=..., resource=...` challenge.
- the recorded exchanges (tests/fixtures/okta, test_dpop_it): the token endpoint first answers
  400 `use_dpop_nonce` with a `DPoP-Nonce`, then a DPoP-bound token.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_plus

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from langchain_okta.client import OktaClient
from langchain_okta.oauth import PrivateKeyJwt
from langchain_okta.oauth.errors import OktaOAuthError
from langchain_okta.settings import OktaSettings, RetrySettings

ORG = "https://acme.okta.com"
LOGIN = "jane.doe@acme.com"
USER = {
    "id": "00u1jane",
    "status": "ACTIVE",
    "profile": {"login": LOGIN, "email": LOGIN, "firstName": "Jane", "lastName": "Doe"},
}
ACCESS_TOKEN = "oracle-access-token"
IAT_WINDOW_SECONDS = 60
KEY = (
    ec.generate_private_key(ec.SECP256R1())
    .private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    .decode()
)


def java_sdk_htu_path(raw_path: str) -> str:
    """The path as okta-sdk-java's DPoPInterceptor puts it in `htu` (the query cut off first)."""
    decoded = unquote_plus(raw_path.split("?", 1)[0])  # URLDecoder also reads `+` as a space
    return decoded.replace("%", "%25").replace(" ", "%20").replace('"', "%22").replace("#", "%23")


class OktaLikeOrg:
    """An org whose resource server checks DPoP proofs as the reports above say Okta does."""

    def __init__(self, refusal_body: bytes = b"") -> None:
        self.refusal_body = refusal_body
        self.clock_offset = 0.0  # Okta's clock minus this machine's
        self.nonce_sent = False
        self.htus: list[str] = []

    def now(self) -> float:
        return time.time() + self.clock_offset

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/v1/token":
            return self.token(request)
        claims = self.proof_claims(request)
        self.htus.append(str(claims.get("htu")))
        path = java_sdk_htu_path(request.url.raw_path.decode("ascii"))
        if claims.get("htm") != request.method or claims.get("htu") != ORG + path:
            return self.refused(request, "'htu' claim in the DPoP proof JWT is invalid.")
        if abs(self.now() - float(claims["iat"])) > IAT_WINDOW_SECONDS:
            return self.refused(request, "'iat' claim in the DPoP proof JWT is invalid.")
        user = dict(USER)
        if request.method == "POST":
            changed = json.loads(request.content)["profile"]
            user["profile"] = {**USER["profile"], **changed}  # type: ignore[dict-item]
        return httpx.Response(200, json=user, headers={"date": self.date()})

    def token(self, request: httpx.Request) -> httpx.Response:
        token_url = ORG + "/oauth2/v1/token"
        form = dict(httpx.QueryParams(request.content.decode()))
        assertion = jwt.decode(form["client_assertion"], options={"verify_signature": False})
        if assertion["aud"] != token_url:
            return httpx.Response(
                401,
                json={
                    "error": "invalid_client",
                    "error_description": "The audience claim for client_assertion must be the "
                    "endpoint invoking the client_assertion.",
                },
            )
        proof = jwt.decode(request.headers["dpop"], options={"verify_signature": False})
        if proof["htu"] != token_url:
            return httpx.Response(
                400,
                json={
                    "error": "invalid_dpop_proof",
                    "error_description": "'htu' claim in the DPoP proof JWT is invalid.",
                },
            )
        if not self.nonce_sent:
            self.nonce_sent = True
            return httpx.Response(
                400,
                json={
                    "error": "use_dpop_nonce",
                    "error_description": "Authorization server requires nonce in DPoP proof.",
                },
                headers={"dpop-nonce": "oracle-nonce", "date": self.date()},
            )
        body = {
            "token_type": "DPoP",
            "expires_in": 3600,
            "access_token": ACCESS_TOKEN,
            "scope": "okta.users.read okta.users.manage",
        }
        return httpx.Response(200, json=body, headers={"date": self.date()})

    def proof_claims(self, request: httpx.Request) -> dict[str, Any]:
        assert request.headers["authorization"] == f"DPoP {ACCESS_TOKEN}"
        proof = request.headers["dpop"]
        header = jwt.get_unverified_header(proof)
        assert header["typ"] == "dpop+jwt"
        key = jwt.PyJWK(header["jwk"], algorithm=header["alg"]).key
        claims: dict[str, Any] = jwt.decode(
            proof, key, algorithms=[header["alg"]], options={"verify_iat": False}
        )
        return claims

    def refused(self, request: httpx.Request, description: str) -> httpx.Response:
        challenge = (
            'DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512", '
            f'authorization_uri="{ORG}/oauth2/v1/authorize", realm="{ORG}", '
            'scope="okta.users.read", error="invalid_dpop_proof", '
            f'error_description="{description}", resource="{request.url.path}"'
        )
        headers = {"www-authenticate": challenge, "date": self.date()}
        if self.refusal_body:
            headers["content-type"] = "application/json"
        return httpx.Response(400, content=self.refusal_body, headers=headers)

    def date(self) -> str:
        return formatdate(self.now(), usegmt=True)


# Okta's body beside the challenge is not in the reports: the client must not depend on it.
REFUSAL_BODIES = [
    b"",
    json.dumps(
        {"errorCode": "E0000011", "errorSummary": "Invalid token provided", "errorCauses": []}
    ).encode(),
]


@pytest.fixture(params=REFUSAL_BODIES, ids=["empty-body", "okta-error-body"])
def okta(request: pytest.FixtureRequest) -> OktaLikeOrg:
    return OktaLikeOrg(refusal_body=request.param)


def client_for(okta: OktaLikeOrg, org_url: str = ORG) -> OktaClient:
    settings = OktaSettings.resolve(
        org_url,
        auth=PrivateKeyJwt(client_id="0oa1oracle", private_key=KEY),
        env={},
        retries=RetrySettings(max_attempts=2, backoff_base=0.0),
    )
    return OktaClient(settings, transport=httpx.MockTransport(okta))


def test_get_user_by_login_passes_oktas_decoded_htu_check(okta: OktaLikeOrg) -> None:
    with client_for(okta) as client:
        user = client.get_user(LOGIN)

    assert user.id == USER["id"]
    assert okta.htus == [f"{ORG}/api/v1/users/{LOGIN}"]


def test_get_user_by_login_passes_oktas_decoded_htu_check_on_the_async_path(
    okta: OktaLikeOrg,
) -> None:
    async def fetch() -> str:
        async with client_for(okta) as client:
            return (await client.aget_user(LOGIN)).id

    assert asyncio.run(fetch()) == USER["id"]


@pytest.mark.parametrize(
    "login", ["o#brien@acme.com", "50%off@acme.com", '"jane doe"@acme.com', "jane+tag@acme.com"]
)
def test_a_login_with_characters_a_uri_path_cannot_hold_raw_passes_oktas_htu_check(
    okta: OktaLikeOrg, login: str
) -> None:
    with client_for(okta) as client:
        client.get_user(login)

    assert len(okta.htus) == 1


def test_update_by_login_passes_oktas_decoded_htu_check(okta: OktaLikeOrg) -> None:
    with client_for(okta) as client:
        user, changed = client.update_user(LOGIN, {"firstName": "Janet"})

    assert user.profile.firstName == "Janet"
    assert changed == ["firstName"]


def test_a_proof_okta_refuses_for_its_clock_is_explained_as_clock_skew(
    okta: OktaLikeOrg,
) -> None:
    with client_for(okta) as client:
        client.get_user(LOGIN)
        # Between two calls, this machine's clock falls 5 minutes behind Okta's.
        okta.clock_offset = 300.0

        with pytest.raises(OktaOAuthError) as refused:
            client.get_user(LOGIN)

    assert refused.value.status == 400
    assert refused.value.error_code == "invalid_dpop_proof"
    # Okta's Date header has whole seconds: the measured skew is 299 or 300 s.
    assert re.search(r"clock is (299|300) s behind Okta's", str(refused.value))
    assert "clock" in refused.value.for_agent()


def test_an_org_url_written_with_its_default_port_names_the_org_as_httpx_sends_it(
    okta: OktaLikeOrg,
) -> None:
    with client_for(okta, "HTTPS://Acme.Okta.com:443/") as client:
        user = client.get_user(LOGIN)

    assert user.id == USER["id"]
    assert okta.htus == [f"{ORG}/api/v1/users/{LOGIN}"]
