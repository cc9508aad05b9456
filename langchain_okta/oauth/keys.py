"""Keys and signatures: the app's private key, the per-client DPoP key, and the JWTs they sign.

Needs the `oauth` extra (PyJWT with cryptography); import it through `oauth.session`, which
turns a missing extra into a clear error. Key material never appears in a repr or an error.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any, Literal

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from langchain_okta.errors import OktaConfigurationError

# What Okta accepts for client assertions and DPoP proofs (its `dpop_signing_alg_values`).
SUPPORTED_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
_CURVE_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_MIN_RSA_BITS = 2048

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def access_token_hash(access_token: str) -> str:
    """RFC 9449 `ath`: base64url(SHA-256(ASCII(token))), no padding."""
    return b64url(hashlib.sha256(access_token.encode("ascii")).digest())


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """RFC 7638 thumbprint (SHA-256) of a public JWK: its required members, sorted, no spaces."""
    kty = jwk.get("kty")
    members = {"EC": ("crv", "kty", "x", "y"), "RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}
    if kty not in members:
        raise ValueError("unsupported JWK key type")
    required = {name: jwk[name] for name in members[str(kty)]}
    canonical = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return b64url(hashlib.sha256(canonical.encode("utf-8")).digest())


def new_jti() -> str:
    return secrets.token_urlsafe(16)


class SigningKey:
    """The service app's private key, with the algorithm and key id its JWTs carry."""

    __slots__ = ("_key", "algorithm", "key_id", "kind")

    def __init__(
        self, key: PrivateKey, algorithm: str, key_id: str | None, kind: Literal["RSA", "EC"]
    ) -> None:
        self._key = key
        self.algorithm = algorithm
        self.key_id = key_id
        self.kind = kind

    def __repr__(self) -> str:
        return f"SigningKey({self.kind}, {self.algorithm}, key_id={self.key_id!r})"

    def sign(self, claims: Mapping[str, Any]) -> str:
        headers = {"kid": self.key_id} if self.key_id else None
        return jwt.encode(dict(claims), self._key, algorithm=self.algorithm, headers=headers)

    def public_jwk(self) -> dict[str, Any]:
        """The public half as a JWK (what is registered on the app), with kid and alg."""
        public = self._key.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        jwk.update({"use": "sig", "alg": self.algorithm})
        if self.key_id:
            jwk["kid"] = self.key_id
        return jwk


def load_signing_key(text: str, key_id: str | None) -> SigningKey:
    """Parse a PEM or JWK private key; OktaConfigurationError (never echoing it) otherwise."""
    stripped = text.strip()
    if stripped.startswith("{"):
        return _from_jwk(stripped, key_id)
    if stripped.startswith("-----BEGIN"):
        return _from_pem(stripped, key_id)
    raise OktaConfigurationError(
        "the private key is neither PEM (-----BEGIN PRIVATE KEY-----) nor a JWK (JSON): paste "
        "the private key the Admin Console showed when the key was added"
    )


def _from_pem(text: str, key_id: str | None) -> SigningKey:
    if "PUBLIC KEY-----" in text.split("\n", 1)[0]:
        raise OktaConfigurationError(
            "this is a public key: pass the private key (the public half stays on the app)"
        )
    # Each error is raised after its except block: the parser's exception (a UnicodeError's
    # `object`, say) may hold the key, and would stay reachable as the error's __context__.
    problem = None
    try:
        key = serialization.load_pem_private_key(text.encode("utf-8"), password=None)
    except TypeError:
        problem = (
            "the PEM private key is encrypted: pass it unencrypted "
            "(openssl pkey -in key.pem -out key-plain.pem)"
        )
    except (ValueError, UnicodeError):
        problem = "the PEM private key cannot be read"
    if problem is not None:
        raise OktaConfigurationError(problem)
    return _checked(key, None, key_id)


def _from_jwk(text: str, key_id: str | None) -> SigningKey:
    # Raised after the except blocks: a JSONDecodeError's `doc` is the whole key text.
    data: Any = None
    with contextlib.suppress(ValueError, RecursionError):
        data = json.loads(text)
    if data is None:
        raise OktaConfigurationError("the private key looks like JSON but does not parse")
    if isinstance(data, dict) and isinstance(data.get("keys"), list):
        data = _one_of(data["keys"], key_id)
    if not isinstance(data, dict):
        raise OktaConfigurationError("the private JWK must be a JSON object")
    if "d" not in data:
        raise OktaConfigurationError(
            "this JWK is a public key: pass the private JWK (with its 'd' member)"
        )
    key = None
    with contextlib.suppress(jwt.PyJWKError, jwt.InvalidKeyError, ValueError, KeyError, TypeError):
        key = jwt.PyJWK(data).key
    if key is None:
        raise OktaConfigurationError("the private JWK cannot be read as an RSA or EC key")
    kid = key_id or (str(data["kid"]) if data.get("kid") else None)
    alg = data.get("alg") if data.get("alg") in SUPPORTED_ALGORITHMS else None
    return _checked(key, alg, kid)


def _one_of(keys: list[Any], key_id: str | None) -> Any:
    if key_id is not None:
        for key in keys:
            if isinstance(key, dict) and key.get("kid") == key_id:
                return key
        raise OktaConfigurationError("the JWK set holds no key with the given key_id")
    if len(keys) != 1:
        raise OktaConfigurationError("the JWK set holds several keys: name one with key_id")
    return keys[0]


def _checked(key: object, algorithm: str | None, key_id: str | None) -> SigningKey:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < _MIN_RSA_BITS:
            raise OktaConfigurationError(
                f"the RSA key has {key.key_size} bits; Okta needs at least {_MIN_RSA_BITS}"
            )
        chosen = algorithm if algorithm and algorithm.startswith("RS") else "RS256"
        return SigningKey(key, chosen, key_id, "RSA")
    if isinstance(key, ec.EllipticCurvePrivateKey):
        curve_algorithm = _CURVE_ALGORITHMS.get(key.curve.name)
        if curve_algorithm is None:
            raise OktaConfigurationError(
                f"the EC key uses curve {key.curve.name}; Okta accepts P-256, P-384 and P-521"
            )
        return SigningKey(key, curve_algorithm, key_id, "EC")
    raise OktaConfigurationError(
        "the private key must be an RSA or EC key (the kinds Okta accepts for service apps)"
    )


class DPoPKey:
    """A DPoP key pair made for one client, kept in memory only (EC P-256: cheap to sign).

    The proof's header (type, algorithm, public key) is the same for every proof, so it is
    encoded once; a proof then costs one payload encoding and one ECDSA signature.
    """

    __slots__ = ("_algorithm", "_header_segment", "_key", "public_jwk", "thumbprint")

    def __init__(self) -> None:
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._algorithm = ECAlgorithm(ECAlgorithm.SHA256)
        self.public_jwk: dict[str, Any] = ECAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        self.thumbprint = jwk_thumbprint(self.public_jwk)
        header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.public_jwk}
        self._header_segment = b64url(json.dumps(header, separators=(",", ":")).encode())

    def __repr__(self) -> str:
        return "DPoPKey(ES256)"

    def proof(
        self,
        method: str,
        url: str,
        *,
        issued_at: int,
        nonce: str | None = None,
        access_token: str | None = None,
    ) -> str:
        """A DPoP proof for one request. `url` must already be without query and fragment."""
        claims: dict[str, Any] = {"htm": method, "htu": url, "iat": issued_at, "jti": new_jti()}
        if nonce is not None:
            claims["nonce"] = nonce
        if access_token is not None:
            claims["ath"] = access_token_hash(access_token)
        payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
        signing_input = f"{self._header_segment}.{payload}"
        signature = self._algorithm.sign(signing_input.encode("ascii"), self._key)
        return f"{signing_input}.{b64url(signature)}"
