"""The sandbox org's authorization server: service apps, the token endpoint, and the token and
DPoP checks every API call made with an OAuth access token must pass, answered as Okta does.

- `POST /oauth2/v1/token`: client credentials with a private-key JWT client assertion (key by
  `kid` from the app's public JWKS; signature, `aud`, `exp`, `iss`/`sub`, `jti` replay), a DPoP
  proof for DPoP apps (signature, `typ`, `htm`/`htu`, `iat` window, `jti` replay, nonce: the
  first proof without one gets 400 `use_dpop_nonce` and a `DPoP-Nonce`), and the scopes the
  app was granted (others dropped; none granted: `consent_required`). DPoP apps get tokens
  bound to the proof's key (`token_type: DPoP`), others Bearer tokens.
- API calls: `Authorization: DPoP <token>` with a fresh proof (plus `ath` and the key the token
  is bound to), or `Bearer <token>`; refusals come as a `WWW-Authenticate` challenge, as Okta
  sends them: 401 for a refused token, 400 `invalid_dpop_proof` (empty body) for a refused
  proof, 403 `insufficient_scope` naming the scope (empty body). A proof's `htu` must carry
  the request path percent-DEcoded, as Okta compares it (okta/okta-sdk-python#541), with `%`,
  space, `"` and `#` kept encoded (okta/okta-sdk-java#1526).

Verifying signatures needs the `oauth` extra; the rest of the sandbox does not.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from langchain_okta.oauth.config import DEFAULT_SCOPES, EXTRA_HINT, PrivateKeyJwt
from langchain_okta.sandbox.messages import SandboxRequest

TOKEN_PATH = "/oauth2/v1/token"
# The rate-limit buckets Okta counts these endpoints in.
TOKEN_BUCKET = "/oauth2/v1/token"
CLIENT_ROLES_BUCKET = "/oauth2/v1/clients/{clientId}/roles"
CLIENTS_PATH = "/oauth2/v1/clients/"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "ES512")
ALGS_PARAM = " ".join(ALGORITHMS)
# How far a proof's or assertion's iat may be from the server's clock.
IAT_WINDOW_SECONDS = 60.0
# Okta's service-app tokens live an hour, fixed.
TOKEN_LIFETIME_SECONDS = 3600.0
# Okta's org authorization server issues only its own API scopes.
KNOWN_SCOPES = frozenset(
    f"okta.{resource}.{operation}"
    for resource in (
        "users",
        "groups",
        "apps",
        "roles",
        "logs",
        "clients",
        "policies",
        "factors",
        "schemas",
        "userTypes",
        "devices",
        "domains",
    )
    for operation in ("read", "manage")
)
NonceKind = Literal["token", "api"]
_PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


@dataclass(frozen=True, repr=False)
class ServiceApp:
    """An API Services app registered on the org: its public keys, grants and admin roles.

    `private_key_pem` is kept only for apps the sandbox made keys for, so that a demo or a
    test can sign as the app; it never shows in a repr.
    """

    client_id: str
    key_id: str
    public_jwks: tuple[Mapping[str, Any], ...]
    scopes: frozenset[str]
    roles: tuple[str, ...] = ("ORG_ADMIN",)
    dpop: bool = True
    name: str = "LangChain agent"
    private_key_pem: str | None = field(default=None, compare=False)

    def __repr__(self) -> str:
        return (
            f"ServiceApp(client_id={self.client_id!r}, scopes={sorted(self.scopes)!r}, "
            f"roles={self.roles!r}, dpop={self.dpop})"
        )

    def auth(self, scopes: Sequence[str] | None = None) -> PrivateKeyJwt:
        """The toolkit configuration for this app (with its private key)."""
        if self.private_key_pem is None:
            raise ValueError("the sandbox holds no private key for this app")
        return PrivateKeyJwt(
            client_id=self.client_id,
            private_key=self.private_key_pem,
            key_id=self.key_id,
            scopes=tuple(scopes) if scopes is not None else DEFAULT_SCOPES,
        )


@dataclass(frozen=True)
class Principal:
    """Who an API call is made by: the user behind an API token (or a user's access token),
    or a service app."""

    app: ServiceApp | None
    scopes: frozenset[str] = frozenset()
    scheme: str = "SSWS"
    # The user behind an API token or a user's access token; None for a service app.
    user_id: str | None = None


class Refusal(Exception):
    """An authorization failure, rendered as Okta renders it: a `WWW-Authenticate` challenge,
    with Okta's error body for `error_code` (a refused token: E0000011) or an empty body (a
    missing scope)."""

    def __init__(
        self, status: int, headers: Sequence[tuple[str, str]], error_code: str | None = None
    ) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.headers = list(headers)
        self.error_code = error_code


@dataclass(frozen=True)
class _Issued:
    client_id: str
    scopes: frozenset[str]
    jkt: str | None
    expires_at: float


class AuthorizationServer:
    """The org authorization server. Thread-safe: one lock over tokens, nonces and jtis."""

    def __init__(self, *, clock: Callable[[], float], require_api_nonce: bool = False) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._apps: dict[str, ServiceApp] = {}
        self._tokens: dict[str, _Issued] = {}
        self._seen_jtis: dict[str, float] = {}
        self._nonces = [secrets.token_urlsafe(24)]
        self._api_nonces = [secrets.token_urlsafe(24)]
        self.require_api_nonce = require_api_nonce
        self.token_lifetime = TOKEN_LIFETIME_SECONDS

    # -- configuration ----------------------------------------------------------------------

    def register(self, app: ServiceApp) -> ServiceApp:
        with self._lock:
            self._apps[app.client_id] = app
        return app

    def app(self, client_id: str) -> ServiceApp | None:
        with self._lock:
            return self._apps.get(client_id)

    def rotate_nonces(self, *, keep_previous: bool = False) -> None:
        """New DPoP nonces for the token endpoint and the API; the old ones stop working
        unless `keep_previous` (Okta keeps an old nonce valid for three days)."""
        with self._lock:
            self._nonces = [secrets.token_urlsafe(24)] + (self._nonces if keep_previous else [])
            self._api_nonces = [secrets.token_urlsafe(24)] + (
                self._api_nonces if keep_previous else []
            )

    def client_of(self, access_token: str) -> str | None:
        """The service app an access token was issued to, or None; checks nothing else."""
        with self._lock:
            issued = self._tokens.get(access_token.strip())
        return issued.client_id if issued is not None else None

    def revoke_tokens(self) -> None:
        with self._lock:
            self._tokens.clear()

    def serves(self, raw_path: str) -> bool:
        return raw_path.startswith("/oauth2/")

    # -- the token endpoint -----------------------------------------------------------------

    def token(
        self, request: SandboxRequest, base_url: str
    ) -> tuple[int, list[tuple[str, str]], bytes]:
        """Answer `POST /oauth2/v1/token`: (status, headers, body)."""
        now = self._clock()
        form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(
                400,
                "unsupported_grant_type",
                "The authorization grant type is not supported by the authorization server. "
                "Configured grant types: [client_credentials].",
            )
        assertion = form.get("client_assertion", "")
        if form.get("client_assertion_type") != JWT_BEARER or not assertion:
            return _oauth_error(
                401, "invalid_client", "Client authentication failed. Provide a client_assertion."
            )
        jose = _jose()
        try:
            unverified = jose.decode(assertion, options={"verify_signature": False})
        except jose.PyJWTError:
            return _oauth_error(401, "invalid_client", "The client_assertion token is malformed.")
        app = self.app(str(unverified.get("iss", "")))
        if app is None or unverified.get("sub") != app.client_id:
            return _oauth_error(401, "invalid_client", "Invalid value for 'client_id' parameter.")
        token_url = base_url + TOKEN_PATH
        jkt: str | None = None
        if app.dpop:
            try:
                jkt = self._check_proof(request, "POST", token_url, now, "token", None)
            except _NonceNeeded:
                return _oauth_error(
                    400,
                    "use_dpop_nonce",
                    "Authorization server requires nonce in DPoP proof.",
                    nonce=self._current_nonce(),
                )
            except _ProofError as error:
                return _oauth_error(400, "invalid_dpop_proof", str(error))
        problem = self._check_assertion(app, assertion, token_url, now)
        if problem is not None:
            return _oauth_error(401, "invalid_client", problem)
        requested = form.get("scope", "").split()
        if not requested:
            return _oauth_error(
                400,
                "invalid_scope",
                "The authorization server resource does not have any configured default "
                "scopes, 'scope' must be provided.",
            )
        unknown = [scope for scope in requested if scope not in KNOWN_SCOPES]
        if unknown:
            return _oauth_error(
                400, "invalid_scope", f"The following scopes are invalid: [{', '.join(unknown)}]."
            )
        granted = [scope for scope in requested if scope in app.scopes]
        if not granted:
            return _oauth_error(
                400, "consent_required", "You are not allowed any of the requested scopes."
            )
        value = secrets.token_urlsafe(48)
        with self._lock:
            self._tokens[value] = _Issued(
                app.client_id, frozenset(granted), jkt, now + self.token_lifetime
            )
        body = {
            "token_type": "DPoP" if app.dpop else "Bearer",
            "expires_in": int(self.token_lifetime),
            "access_token": value,
            "scope": " ".join(granted),
        }
        headers = _NO_STORE + ([("DPoP-Nonce", self._current_nonce())] if app.dpop else [])
        return 200, headers, json.dumps(body).encode()

    # -- API calls --------------------------------------------------------------------------

    def principal(self, request: SandboxRequest, base_url: str) -> Principal:
        """The app behind a `DPoP` or `Bearer` access token, or a Refusal."""
        now = self._clock()
        scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
        scheme = scheme.lower()
        realm = _realm(base_url)
        with self._lock:
            issued = self._tokens.get(value.strip())
        challenge_scheme = "DPoP" if scheme == "dpop" else "Bearer"
        if issued is None or now >= issued.expires_at:
            raise _challenge(401, challenge_scheme, realm, "invalid_token", _INVALID_TOKEN)
        app = self.app(issued.client_id)
        if app is None:
            raise _challenge(401, challenge_scheme, realm, "invalid_token", _INVALID_TOKEN)
        if issued.jkt is None:
            if scheme != "bearer":
                raise _challenge(401, "Bearer", realm, "invalid_token", _INVALID_TOKEN)
            return Principal(app, issued.scopes, "Bearer")
        if scheme != "dpop":
            raise _challenge(
                401, "DPoP", realm, "invalid_token", "The access token is bound to a DPoP key."
            )
        url = base_url + _decoded_path(request.raw_path)
        nonces: NonceKind | None = "api" if self.require_api_nonce else None
        try:
            jkt = self._check_proof(request, request.method.upper(), url, now, nonces, value)
        except _NonceNeeded:
            raise Refusal(
                401,
                [
                    (
                        "WWW-Authenticate",
                        'DPoP error="use_dpop_nonce", '
                        'error_description="Resource server requires nonce in DPoP proof"',
                    ),
                    ("DPoP-Nonce", self._current_api_nonce()),
                ],
                "E0000011",
            ) from None
        except _ProofError as error:
            raise _proof_refused(realm, str(error)) from None
        if jkt != issued.jkt:
            raise _proof_refused(
                realm, "The DPoP proof key does not match the key the access token is bound to."
            )
        return Principal(app, issued.scopes, "DPoP")

    def require_scope(self, principal: Principal, scope: str, base_url: str, path: str) -> None:
        """403 `insufficient_scope` (empty body, scope named) unless the token carries it."""
        if principal.app is None or scope in principal.scopes:
            return
        params = [
            f'authorization_uri="{base_url}/oauth2/v1/authorize"',
            f'realm="{_realm(base_url)}"',
            f'scope="{scope}"',
            'error="insufficient_scope"',
            'error_description="The access token provided does not contain the required scopes."',
            f'resource="{path}"',
        ]
        if principal.scheme == "DPoP":
            params.insert(0, f'algs="{ALGS_PARAM}"')
        raise Refusal(403, [("WWW-Authenticate", f"{principal.scheme} " + ", ".join(params))])

    # -- checks -----------------------------------------------------------------------------

    def _check_proof(
        self,
        request: SandboxRequest,
        method: str,
        url: str,
        now: float,
        nonces: NonceKind | None,
        access_token: str | None,
    ) -> str:
        """Verify the request's DPoP proof; returns the thumbprint of its key."""
        proof = request.headers.get("dpop")
        if not proof:
            raise _ProofError("The DPoP proof JWT header is missing.")
        jose = _jose()
        try:
            header = jose.get_unverified_header(proof)
        except jose.PyJWTError:
            raise _ProofError("The DPoP proof JWT is malformed.") from None
        jwk, alg = header.get("jwk"), header.get("alg")
        if header.get("typ") != "dpop+jwt":
            raise _ProofError("The DPoP proof JWT 'typ' header must be dpop+jwt.")
        if alg not in ALGORITHMS:
            raise _ProofError("The DPoP proof JWT 'alg' is not supported.")
        if not isinstance(jwk, dict) or any(member in jwk for member in _PRIVATE_MEMBERS):
            raise _ProofError("The DPoP proof JWT 'jwk' header must be a public key.")
        try:
            key = jose.PyJWK(jwk, algorithm=alg).key
            claims = jose.decode(
                proof,
                key,
                algorithms=[alg],
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                    "require": ["htm", "htu", "iat", "jti"],
                },
            )
        except (jose.PyJWTError, ValueError, TypeError, KeyError):
            raise _ProofError("The DPoP proof JWT signature is invalid.") from None
        if claims.get("htm") != method:
            raise _ProofError("The DPoP proof 'htm' claim does not match the request method.")
        if _normalised(str(claims.get("htu"))) != _normalised(url):
            raise _ProofError("'htu' claim in the DPoP proof JWT is invalid.")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or abs(now - iat) > IAT_WINDOW_SECONDS:
            raise _ProofError("The DPoP proof JWT 'iat' is outside the acceptable time window.")
        if access_token is not None and claims.get("ath") != _ath(access_token):
            raise _ProofError("The DPoP proof 'ath' claim does not match the access token.")
        if not self._first_use("dpop:" + str(claims["jti"]), now):
            raise _ProofError("The DPoP proof JWT 'jti' has already been used.")
        if nonces is not None:
            with self._lock:
                known = list(self._nonces if nonces == "token" else self._api_nonces)
            if claims.get("nonce") not in known:
                raise _NonceNeeded
        return _thumbprint(jwk)

    def _check_assertion(
        self, app: ServiceApp, assertion: str, token_url: str, now: float
    ) -> str | None:
        """Why the client assertion is refused (Okta's words), or None when it is good."""
        jose = _jose()
        try:
            header = jose.get_unverified_header(assertion)
        except jose.PyJWTError:
            return "The client_assertion token is malformed."
        kid, alg = header.get("kid"), header.get("alg")
        if alg not in ALGORITHMS:
            return "The client_assertion token has an unsupported signing algorithm."
        keys = [jwk for jwk in app.public_jwks if kid is None or jwk.get("kid") == kid]
        if not keys:
            return "The client_assertion JWT kid is invalid."
        claims: dict[str, Any] | None = None
        for jwk in keys:
            try:
                claims = jose.decode(
                    assertion,
                    jose.PyJWK(dict(jwk), algorithm=alg).key,
                    algorithms=[alg],
                    audience=token_url,
                    options={"verify_exp": False, "verify_iat": False, "verify_nbf": False},
                )
                break
            except jose.InvalidAudienceError:
                return (
                    "The audience claim for client_assertion must be the endpoint invoking "
                    "the client_assertion."
                )
            except (jose.PyJWTError, ValueError, TypeError, KeyError):
                continue
        if claims is None:
            return "The client_assertion signature is invalid."
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp <= now:
            return "The client_assertion token is expired."
        if exp > now + 3600 + IAT_WINDOW_SECONDS:
            return "The client_assertion token has an expiration too far in the future."
        jti = claims.get("jti")
        if isinstance(jti, str) and not self._first_use(f"assertion:{app.client_id}:{jti}", now):
            return "The client_assertion token has already been used."
        return None

    def _first_use(self, jti: str, now: float) -> bool:
        with self._lock:
            if len(self._seen_jtis) > 50_000:
                self._seen_jtis = {k: v for k, v in self._seen_jtis.items() if v > now}
            if self._seen_jtis.get(jti, 0.0) > now:
                return False
            self._seen_jtis[jti] = now + 2 * IAT_WINDOW_SECONDS + 3600
            return True

    def _current_nonce(self) -> str:
        with self._lock:
            return self._nonces[0]

    def _current_api_nonce(self) -> str:
        with self._lock:
            return self._api_nonces[0]


class _ProofError(Exception):
    pass


class _NonceNeeded(Exception):
    pass


_INVALID_TOKEN = "The access token is invalid."
_NO_STORE = [("Cache-Control", "no-cache, no-store"), ("Pragma", "no-cache"), ("Expires", "0")]


def _oauth_error(
    status: int, error: str, description: str, *, nonce: str | None = None
) -> tuple[int, list[tuple[str, str]], bytes]:
    headers = list(_NO_STORE) + ([("DPoP-Nonce", nonce)] if nonce else [])
    body = json.dumps({"error": error, "error_description": description}).encode()
    return status, headers, body


def _challenge(status: int, scheme: str, realm: str, error: str, description: str) -> Refusal:
    params = [f'authorization_uri="{realm}/oauth2/v1/authorize"', f'realm="{realm}"']
    if scheme == "DPoP":
        params.insert(0, f'algs="{ALGS_PARAM}"')
    params += [f'error="{error}"', f'error_description="{description}"']
    return Refusal(status, [("WWW-Authenticate", f"{scheme} " + ", ".join(params))], "E0000011")


def _proof_refused(realm: str, description: str) -> Refusal:
    # Okta answers a refused API proof with 400, the challenge, and no Okta error body
    # (okta/okta-sdk-python#541, okta/okta-sdk-nodejs#453 and #521).
    challenge = _challenge(400, "DPoP", realm, "invalid_dpop_proof", description)
    return Refusal(400, challenge.headers)


def _realm(base_url: str) -> str:
    return base_url


def _decoded_path(raw_path: str) -> str:
    """The request path as Okta expects it in `htu`: percent-decoded (`jane%40acme.com` →
    `jane@acme.com`), except `%`, space, `"` and `#`, which a URI's path cannot hold raw and
    which stay encoded (what Okta's Java SDK sends, okta/okta-sdk-java#1526)."""
    decoded = unquote(raw_path.split("?", 1)[0])
    for raw, encoded in (("%", "%25"), (" ", "%20"), ('"', "%22"), ("#", "%23")):
        decoded = decoded.replace(raw, encoded)
    return decoded


def _normalised(url: str) -> str:
    """Scheme and host in lower case, the default port dropped; the path compared as is.

    The path is not parsed as a URL: a decoded path may hold `?` or `#` (from a login), which
    must be compared rather than cut off as a query or fragment.
    """
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    authority, _, path = rest.partition("/")
    parts = urlsplit(f"{scheme}://{authority}")
    host = (parts.hostname or "").lower()
    default = {"https": 443, "http": 80}.get(scheme.lower())
    try:
        port = parts.port
    except ValueError:
        return url
    netloc = f"[{host}]" if ":" in host else host
    if port not in (None, default):
        netloc += f":{port}"
    return f"{scheme.lower()}://{netloc}/{path}"


def _ath(access_token: str) -> str:
    import base64

    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _thumbprint(jwk: Mapping[str, Any]) -> str:
    from langchain_okta.oauth.keys import jwk_thumbprint

    return jwk_thumbprint(jwk)


def _jose() -> Any:
    """PyJWT, or a clear error: the sandbox's OAuth side needs the `oauth` extra."""
    try:
        import jwt
    except ImportError as missing:
        raise _needs_the_extra("the sandbox's authorization server", missing) from None
    return jwt


def _needs_the_extra(what: str, missing: ImportError) -> ImportError:
    """The error for a missing `oauth` extra, naming the module and how to install it."""
    return ImportError(
        f"{what} needs the 'oauth' extra ({missing.name or 'PyJWT'} is not installed): "
        f"{EXTRA_HINT}",
        name=missing.name,
    )


def new_service_app(
    client_id: str,
    *,
    scopes: Sequence[str],
    roles: Sequence[str] = ("ORG_ADMIN",),
    dpop: bool = True,
    key_type: str = "EC",
    key_id: str = "sandbox-key-1",
    private_value: int | None = None,
) -> ServiceApp:
    """A service app with a key pair made here (EC P-256, or RSA 2048); needs the extra.

    `private_value` makes the EC key deterministic (the seeded org's app); otherwise the key
    is random.
    """
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, rsa
        from jwt.algorithms import ECAlgorithm, RSAAlgorithm
    except ImportError as missing:
        raise _needs_the_extra("a sandbox service app", missing) from None

    private: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    if key_type == "RSA":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
        alg = "RS256"
    elif key_type == "EC":
        private = (
            ec.derive_private_key(private_value, ec.SECP256R1())
            if private_value is not None
            else ec.generate_private_key(ec.SECP256R1())
        )
        public = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
        alg = "ES256"
    else:
        raise ValueError("key_type must be 'EC' or 'RSA'")
    public.update({"kid": key_id, "use": "sig", "alg": alg})
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    return ServiceApp(
        client_id=client_id,
        key_id=key_id,
        public_jwks=(public,),
        scopes=frozenset(scopes),
        roles=tuple(roles),
        dpop=dpop,
        private_key_pem=pem,
    )
