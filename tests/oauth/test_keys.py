"""The JWTs the client signs: DPoP proofs (RFC 9449) and the private-key JWT client assertion."""

from __future__ import annotations

import base64
import hashlib

import jwt
import pytest

from langchain_okta.oauth.keys import DPoPKey, access_token_hash, jwk_thumbprint
from langchain_okta.oauth.tokens import assertion_claims

# RFC 7638, section 3.1: the example key and its thumbprint.
RFC7638_KEY = {
    "kty": "RSA",
    "n": (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
        "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65Y"
        "GjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrd"
        "kt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnq"
        "DKgw"
    ),
    "e": "AQAB",
    "alg": "RS256",
    "kid": "2011-04-29",
}


def decoded(proof: str) -> tuple[dict[str, object], dict[str, object]]:
    header = jwt.get_unverified_header(proof)
    key = jwt.PyJWK(header["jwk"], algorithm="ES256").key
    return header, jwt.decode(proof, key, algorithms=["ES256"], options={"verify_iat": False})


def test_jwk_thumbprint_matches_rfc_7638() -> None:
    assert jwk_thumbprint(RFC7638_KEY) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_ath_is_base64url_sha256_of_the_token_without_padding() -> None:
    token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
    expected = base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=")

    assert access_token_hash(token) == expected.decode()
    assert "=" not in access_token_hash(token)


def test_a_proof_header_has_type_algorithm_and_only_the_public_key() -> None:
    key = DPoPKey()

    header, _ = decoded(key.proof("GET", "https://acme.okta.com/api/v1/users", issued_at=1))

    assert header["typ"] == "dpop+jwt"
    assert header["alg"] == "ES256"
    assert header["jwk"] == key.public_jwk
    assert set(key.public_jwk) == {"kty", "crv", "x", "y"}
    assert jwk_thumbprint(key.public_jwk) == key.thumbprint


def test_a_proof_claims_method_url_time_and_a_fresh_id() -> None:
    key = DPoPKey()
    url = "https://acme.okta.com/api/v1/users"

    first = decoded(key.proof("GET", url, issued_at=1_700_000_000))[1]
    second = decoded(key.proof("GET", url, issued_at=1_700_000_000))[1]

    assert first["htm"] == "GET"
    assert first["htu"] == url
    assert first["iat"] == 1_700_000_000
    assert first["jti"] != second["jti"]
    assert "nonce" not in first
    assert "ath" not in first


def test_a_proof_for_an_api_call_carries_the_nonce_and_the_token_hash() -> None:
    _, claims = decoded(
        DPoPKey().proof(
            "POST", "https://a.okta.com/api/v1/users", issued_at=1, nonce="n-1", access_token="t"
        )
    )

    assert claims["nonce"] == "n-1"
    assert claims["ath"] == access_token_hash("t")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_client_has_its_own_dpop_key(method: str) -> None:
    assert DPoPKey().thumbprint != DPoPKey().thumbprint


def test_the_client_assertion_names_the_app_and_the_token_url_and_expires_soon() -> None:
    claims = assertion_claims("0oa1", "https://acme.okta.com/oauth2/v1/token", 1000.5, "j-1")

    assert claims == {
        "iss": "0oa1",
        "sub": "0oa1",
        "aud": "https://acme.okta.com/oauth2/v1/token",
        "iat": 1000,
        "exp": 1300,
        "jti": "j-1",
    }
