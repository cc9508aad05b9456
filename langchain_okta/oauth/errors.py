"""What goes wrong with a service app's token, said for the developer and for the model.

Okta's OAuth errors are `{"error", "error_description"}` (token endpoint) or a
`WWW-Authenticate` challenge (API calls; a 403 for a missing scope comes with an empty body).
Descriptions are quoted only after anything token-like is cut out of them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from langchain_okta.errors import OktaAuthenticationError, OktaError, OktaPermissionError
from langchain_okta.oauth.config import MANAGE_SCOPE, READ_SCOPE

# JWTs, tokens, nonces: long runs of base64url characters never belong in a message.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-.~+/=]{24,}")
_MAX_DESCRIPTION = 300
# Past this many seconds between our clock and Okta's, a refused proof is blamed on the clock.
CLOCK_SKEW_NOTICE_SECONDS = 30.0
# Okta's descriptions name the claim it refused: "'htu' claim in the DPoP proof JWT is invalid."
_URL_CLAIM = re.compile(r"'ht[mu]'")

_SCOPE_USES = {
    READ_SCOPE: "reading users (okta_list_users, okta_get_user)",
    MANAGE_SCOPE: "creating and updating users (okta_create_user, okta_update_user)",
}


def scrubbed(text: str) -> str:
    """A server-given description, fit to quote: printable, short, nothing token-like."""
    printable = "".join(ch if ch.isprintable() else " " for ch in text)
    return _TOKEN_LIKE.sub("[…]", printable)[:_MAX_DESCRIPTION].strip()


class OktaOAuthError(OktaAuthenticationError):
    """Okta refused the service app's token request or its access token.

    `error_code` holds the OAuth error (`invalid_client`, `invalid_scope`, ...).
    """

    def agent_hint(self) -> str:
        if self.error_code == "invalid_dpop_proof":
            return (
                "Okta refused the request's proof of possession, for the reason above (most "
                "often this machine's clock). Do not retry: tell the user what it says."
            )
        if self.error_code in ("invalid_scope", "consent_required"):
            return (
                "The Okta service app was granted none of the scopes it asked for. Do not "
                "retry: tell the user an Okta admin must grant okta.users.read (and "
                "okta.users.manage to make changes) to the app."
            )
        return (
            "Okta refused the credentials of this integration's service app. Do not retry: "
            "tell the user the app's client ID or private key must be fixed."
        )


class OktaScopeError(OktaPermissionError):
    """A 403 `insufficient_scope`: the access token lacks the scope the endpoint needs."""

    def __init__(self, summary: str, *, required_scope: str | None, status: int = 403) -> None:
        super().__init__(summary, status=status, error_code="insufficient_scope")
        self.required_scope = required_scope

    def agent_hint(self) -> str:
        scope = self.required_scope or "the scope this action needs"
        return (
            f"This integration's Okta service app lacks the scope {scope}. Do not retry: tell "
            f"the user an Okta admin must grant {scope} to the app (Okta API Scopes tab)."
        )


class OktaServiceAppPermissionError(OktaPermissionError):
    """Okta refused the service app's valid access token a feature (401 E0000015)."""

    @classmethod
    def from_error(cls, error: OktaError) -> OktaServiceAppPermissionError:
        return cls(
            error.summary,
            status=error.status,
            error_code=error.error_code,
            causes=error.causes,
            error_id=error.error_id,
        )

    def agent_hint(self) -> str:
        return (
            "The service app's access token is valid, but Okta refused the feature this "
            "request needs: the org does not have it enabled, or the app's admin roles do not "
            "include it. Do not retry; tell the user which action Okta refused."
        )


def token_error(
    status: int,
    error: str,
    description: str,
    *,
    requested_scopes: Sequence[str],
    clock_skew: float | None,
) -> OktaOAuthError:
    """The error for a token endpoint refusal, explained for the developer."""
    said = f"{error}: {scrubbed(description)}" if description else error
    if error == "invalid_client":
        summary = (
            f"Okta refused the service app's client assertion ({said}). Check the client ID, "
            "the private key and its key ID: the key's public half must be registered on the "
            "app (Applications > the app > General > Public keys), and key_id must be its kid "
            "when the app has several keys"
        )
    elif error in ("invalid_scope", "consent_required"):
        summary = (
            f"Okta granted none of the scopes asked for ({', '.join(requested_scopes)}; {said}). "
            f"Grant {READ_SCOPE} (and {MANAGE_SCOPE} to create and update users) on the app's "
            "Okta API Scopes tab, or ask only for scopes the app was granted (scopes=... or "
            "OKTA_SCOPES)"
        )
    elif error == "invalid_dpop_proof":
        summary = f"Okta refused the DPoP proof ({said}). " + clock_advice(clock_skew)
    elif error == "unauthorized_client":
        summary = (
            f"Okta refused the token request ({said}): the app must be an API Services app "
            "that may use the Client Credentials grant"
        )
    else:
        summary = f"Okta refused the token request ({said})"
    return OktaOAuthError(summary, status=status, error_code=error)


def clock_advice(clock_skew: float | None) -> str:
    """Why a proof with a fresh `iat` is refused: the usual cause is this machine's clock."""
    if clock_skew is not None and abs(clock_skew) >= CLOCK_SKEW_NOTICE_SECONDS:
        direction = "behind" if clock_skew > 0 else "ahead of"
        return (
            f"This machine's clock is {abs(clock_skew):.0f} s {direction} Okta's (from the "
            "Date header of Okta's answer), and Okta accepts a proof only if its issue time is "
            "close to its own clock: set this machine's clock right (NTP)"
        )
    return (
        "Okta accepts a proof only if its issue time (iat) is close to its own clock: check "
        "that this machine's clock is right (NTP), the usual cause"
    )


def scope_error(required_scope: str | None, resource: str | None) -> OktaScopeError:
    scope = required_scope or "a scope it was not granted"
    use = _SCOPE_USES.get(required_scope or "", "this request")
    where = f" for {resource}" if resource else ""
    return OktaScopeError(
        f"the service app's access token lacks {scope}{where}, which {use} needs: an Okta "
        "admin must grant it on the app's Okta API Scopes tab, and the toolkit must ask for "
        "it (scopes=... or OKTA_SCOPES, if set)",
        required_scope=required_scope,
    )


def refused_token(error: str | None, description: str, *, clock_skew: float | None) -> str:
    """The summary for a 401 on an API call made with the service app's access token."""
    said = f"{error}: {scrubbed(description)}" if description else (error or "no reason given")
    if error == "invalid_dpop_proof":
        clock_is_right = clock_skew is not None and abs(clock_skew) < CLOCK_SKEW_NOTICE_SECONDS
        if clock_is_right and _URL_CLAIM.search(description):
            # Not the clock: what the proof names is not the request Okta received.
            return (
                f"Okta refused the DPoP proof of an API call ({said}): the method or URL the "
                "proof names is not the request Okta received (a proxy that rewrites requests "
                "can cause this); this machine's clock agrees with Okta's"
            )
        return f"Okta refused the DPoP proof of an API call ({said}). " + clock_advice(clock_skew)
    return (
        f"Okta refused the service app's access token ({said}) even after a new token was "
        "obtained; check that the app is active and still has its scopes"
    )
