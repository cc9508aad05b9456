"""`OAuthSession`: one client's OAuth 2.0 service-app identity, its DPoP key and token state.

It is the `Authorizer` of the client's plans: `plans.call` hands each request to `send`, whose
plan (`oauth.plans.authorized_send`) obtains the token and adds the proof. The session builds
the credentials the plans send; the keys stay inside it and never show in a repr.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from langchain_okta.api import ApiRequest, Received
from langchain_okta.authorization import Credentials
from langchain_okta.errors import OktaConfigurationError
from langchain_okta.oauth import log_redaction
from langchain_okta.oauth import plans as oauth_plans
from langchain_okta.oauth.config import EXTRA_HINT, PrivateKeyJwt
from langchain_okta.oauth.state import AccessToken, NonceKind, TokenState
from langchain_okta.oauth.tokens import TOKEN_PATH, assertion_claims, token_form
from langchain_okta.plans import Context, Outcome, Plan
from langchain_okta.retries import WaitBudget
from langchain_okta.settings import normalise_org_url


class OAuthSession:
    """Authorizes every request of one client with the service app's tokens.

    `clock` is the epoch clock of JWT times and token expiry (tests and the benchmark move
    it); `lease_seconds` bounds how long other calls wait on one token request.
    """

    def __init__(
        self,
        org_url: str,
        auth: PrivateKeyJwt,
        *,
        lease_seconds: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        try:
            from langchain_okta.oauth.keys import DPoPKey, load_signing_key, new_jti
        except ImportError as missing:
            raise OktaConfigurationError(
                f"OAuth 2.0 service apps need the 'oauth' extra ({missing.name or 'PyJWT'} "
                f"is not installed): {EXTRA_HINT}"
            ) from None
        self.client_id = auth.client_id
        self.scopes = auth.scopes
        # Normalised here too (it is when it comes from OktaSettings): `aud` and `htu` must
        # name the org exactly as httpx sends it.
        self.org_url = normalise_org_url(org_url)
        self.token_url = self.org_url + TOKEN_PATH
        self.clock = clock
        self.state = TokenState(lease_seconds=lease_seconds)
        self._signing_key = load_signing_key(auth.private_key.get_secret_value(), auth.key_id)
        # Made here, per client, and never written anywhere.
        self._dpop_key = DPoPKey()
        self._new_jti = new_jti
        log_redaction.install()

    def __repr__(self) -> str:
        return f"OAuthSession(client_id={self.client_id!r}, scopes={self.scopes!r})"

    __str__ = __repr__

    @property
    def dpop_thumbprint(self) -> str:
        """The RFC 7638 thumbprint of this client's DPoP key (what Okta binds tokens to)."""
        return self._dpop_key.thumbprint

    def send(self, ctx: Context, request: ApiRequest, budget: WaitBudget) -> Plan[Outcome]:
        return oauth_plans.authorized_send(self, ctx, request, budget)

    # -- credentials the plans send ---------------------------------------------------------

    def token_credentials(self) -> Credentials:
        """A fresh client assertion and DPoP proof (with the token endpoint's nonce, if any)."""
        now = self.clock()
        assertion = self._signing_key.sign(
            assertion_claims(self.client_id, self.token_url, now, self._new_jti())
        )
        proof = self._dpop_key.proof(
            "POST", self.token_url, issued_at=int(now), nonce=self.state.nonce("token")
        )
        return Credentials(headers=(("DPoP", proof),), form=token_form(assertion, self.scopes))

    def api_credentials(self, request: ApiRequest, token: AccessToken) -> Credentials:
        if token.token_type == "Bearer":
            # Okta answered with a Bearer token: the app does not use DPoP.
            return Credentials(headers=(("Authorization", f"Bearer {token.value}"),))
        proof = self._dpop_key.proof(
            request.method,
            proof_url(self.org_url, request.path),
            issued_at=int(self.clock()),
            nonce=self.state.nonce("api"),
            access_token=token.value,
        )
        return Credentials(headers=(("Authorization", f"DPoP {token.value}"), ("DPoP", proof)))

    # -- what responses teach ---------------------------------------------------------------

    def learn_nonce(self, kind: NonceKind, outcome: Outcome) -> None:
        if isinstance(outcome, Received):
            nonce = outcome.headers.get("dpop-nonce", "").strip()
            if nonce and nonce.isascii() and nonce.isprintable() and len(nonce) <= 512:
                self.state.remember_nonce(kind, nonce)

    def has_nonce(self, kind: NonceKind) -> bool:
        return self.state.nonce(kind) is not None

    def clock_skew(self, response: Received) -> float | None:
        """Okta's clock minus ours, from the response's Date header (None without one)."""
        try:
            return parsedate_to_datetime(response.headers["date"]).timestamp() - self.clock()
        except (KeyError, TypeError, ValueError, IndexError, OverflowError):
            return None


# After decoding, the characters that would not stay in a URI's path are encoded again: a raw
# `%` reads as an escape, a space or `"` is no URI character, and `#` would start a fragment.
# These four are what Okta's Java SDK encodes again (DPoPInterceptor, fixed in
# okta/okta-sdk-java#1526 against a real org for many characters in a path).
_KEPT_ENCODED = str.maketrans({"%": "%25", " ": "%20", '"': "%22", "#": "%23"})


def proof_url(org_url: str, path: str) -> str:
    """The `htu` of an API call's DPoP proof: the org URL and the path, percent-DEcoded.

    RFC 9449 leaves the comparison to the server, and Okta compares `htu` with the decoded
    request path: a proof for `/api/v1/users/jane%40acme.com` must say `jane@acme.com`, or Okta
    answers 400 `invalid_dpop_proof` (okta/okta-sdk-python#541, okta/okta-sdk-nodejs#521;
    Okta's Java SDK decodes the path for the same reason). `%`, space, `"` and `#` stay
    encoded, as the Java SDK keeps them. The query is never part of it.
    """
    return org_url + unquote(path).translate(_KEPT_ENCODED)
