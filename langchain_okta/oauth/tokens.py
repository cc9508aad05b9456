"""The client-credentials token request to the org authorization server, and its answer. No I/O.

Besides the Users API, the toolkit sends exactly two kinds of request, both built here: the
token request (`POST {org}/oauth2/v1/token`) and, for the admin check, the app's own role
assignments (`GET {org}/oauth2/v1/clients/{clientId}/roles`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from langchain_okta.api import ApiRequest, Received
from langchain_okta.errors import OktaError, OktaResponseError, error_from_response
from langchain_okta.oauth.state import AccessToken, TokenType

TOKEN_PATH = "/oauth2/v1/token"
# Okta counts the token endpoint in a rate-limit bucket of its own.
TOKEN_BUCKET = "POST /oauth2/v1/token"
CLIENT_ROLES_BUCKET = "GET /oauth2/v1/clients/{clientId}/roles"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
# Okta allows a client assertion at most an hour; a few minutes is plenty for one request.
ASSERTION_LIFETIME_SECONDS = 300
# Okta's service-app tokens live an hour; a response without expires_in is read as that.
DEFAULT_EXPIRES_IN = 3600

TOKEN_REQUEST = ApiRequest("POST", TOKEN_PATH, TOKEN_BUCKET)


def client_roles_request(client_id: str) -> ApiRequest:
    """The app's admin role assignments (needs okta.roles.read); the id is checked at config."""
    return ApiRequest("GET", f"/oauth2/v1/clients/{client_id}/roles", CLIENT_ROLES_BUCKET)


def assertion_claims(client_id: str, token_url: str, now: float, jti: str) -> dict[str, Any]:
    """private_key_jwt client authentication: iss = sub = client id, aud = the token URL."""
    issued = int(now)
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": token_url,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME_SECONDS,
        "jti": jti,
    }


def token_form(assertion: str, scopes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return (
        ("grant_type", "client_credentials"),
        ("scope", " ".join(scopes)),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    )


@dataclass(frozen=True)
class TokenRefusal:
    """Okta's `{"error", "error_description"}` answer to a token request."""

    status: int
    error: str
    description: str


def read_token_response(
    response: Received, *, now: float, requested: tuple[str, ...]
) -> AccessToken | TokenRefusal:
    """The token Okta issued, its refusal, or (for anything else) the typed error it carries.

    `requested` are the scopes asked for: a token response without `scope` grants exactly
    those (RFC 6749 §5.1: the scope is omitted when identical to the one requested).
    """
    data = _json_object(response)
    if response.status == 200:
        if data is None:
            raise OktaResponseError("Okta answered the token request with no JSON object")
        return _token(data, now, requested)
    if data is not None and isinstance(data.get("error"), str):
        description = data.get("error_description")
        return TokenRefusal(
            response.status, data["error"], description if isinstance(description, str) else ""
        )
    raise _other_error(response)


def _token(data: dict[str, Any], now: float, requested: tuple[str, ...]) -> AccessToken:
    value = data.get("access_token")
    kind = str(data.get("token_type", "")).lower()
    if not isinstance(value, str) or not value or any(ch.isspace() for ch in value):
        raise OktaResponseError("Okta's token response holds no usable access_token")
    token_type: TokenType
    if kind == "dpop":
        token_type = "DPoP"
    elif kind == "bearer":
        token_type = "Bearer"
    else:
        raise OktaResponseError("Okta's token response has a token_type other than DPoP or Bearer")
    expires_in = data.get("expires_in", DEFAULT_EXPIRES_IN)
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float) or expires_in <= 0:
        raise OktaResponseError("Okta's token response has an unusable expires_in")
    scope = data.get("scope")
    if scope is None:
        scopes = requested
    elif isinstance(scope, str):
        scopes = tuple(scope.split())
    else:
        raise OktaResponseError("Okta's token response has a scope that is not a string")
    return AccessToken.issued(value, token_type, scopes, now=now, expires_in=float(expires_in))


def _json_object(response: Received) -> dict[str, Any] | None:
    try:
        data = json.loads(response.body) if response.body else None
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _other_error(response: Received) -> OktaError:
    return error_from_response(
        response.status, response.headers.get("content-type", ""), response.body
    )
