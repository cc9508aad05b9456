"""Connection settings: the org URL and the credentials (an API token or an OAuth 2.0 service
app), from arguments or the environment."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from langchain_okta.errors import OktaConfigurationError
from langchain_okta.oauth.config import PrivateKeyJwt

ORG_URL_VARIABLES = ("OKTA_ORG_URL", "OKTA_CLIENT_ORGURL")
API_TOKEN_VARIABLES = ("OKTA_API_TOKEN", "OKTA_CLIENT_TOKEN")

# Okta-hosted domains, where "<org>-admin.<domain>" is the Admin Console rather than the API.
_OKTA_DOMAINS = ("okta.com", "oktapreview.com", "okta-emea.com", "okta-gov.com", "okta.mil")
_DEFAULT_PORTS = {"https": 443, "http": 80}


class Timeouts(BaseModel):
    """Seconds to wait for a connection and for each read of a response, and how long one
    attempt may take as a whole (sending the request and reading the whole answer, however
    slowly the server sends it); always finite."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connect: float = Field(default=5.0, gt=0, le=300)
    read: float = Field(default=30.0, gt=0, le=600)
    attempt: float = Field(default=60.0, gt=0, le=900)


class RetrySettings(BaseModel):
    """How hard to try before an error reaches the agent.

    `max_wait` bounds how long one operation (one tool call) goes on retrying and waiting
    for rate-limit resets, counted from its start, so an agent turn stays responsive.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_attempts: int = Field(default=4, ge=1, le=10)
    backoff_base: float = Field(default=0.25, ge=0, le=10)
    backoff_max: float = Field(default=4.0, ge=0, le=60)
    max_wait: float = Field(default=20.0, ge=0, le=600)


class OktaSettings(BaseModel):
    """Everything needed to reach one Okta org."""

    # hide_input_in_errors: a validation error must never echo the token back.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    org_url: str
    # Exactly one of: an API token, an OAuth 2.0 service app, or an access token a host app
    # obtained for a person (sent as `Bearer`; see `langchain_okta.connection`).
    api_token: SecretStr | None = None
    auth: PrivateKeyJwt | None = None
    access_token: SecretStr | None = None
    timeouts: Timeouts = Timeouts()
    retries: RetrySettings = RetrySettings()
    # Okta's per-org concurrency limits start at 35 requests in flight; stay well below.
    max_concurrency: int = Field(default=10, ge=1, le=35)
    # A page of 200 users is well under 1 MiB; anything past this is not an Okta answer (an
    # endless body, a gzip bomb) and is cut off rather than read into memory.
    max_response_bytes: int = Field(default=32 * 1024 * 1024, ge=64 * 1024)

    @field_validator("org_url")
    @classmethod
    def _normalise_org_url(cls, value: str) -> str:
        return normalise_org_url(value)

    @field_validator("api_token")
    @classmethod
    def _check_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        token = value.get_secret_value()
        if not token.strip():
            raise ValueError("the Okta API token is empty")
        if not token.isascii():
            # Okta tokens are ASCII; a dash or quote pasted from a document is not, and
            # would otherwise fail later inside httpx with the token in the exception.
            raise ValueError(
                "the Okta API token contains a non-ASCII character (often a dash or quote "
                "changed by a document editor); copy the token again from where it was created"
            )
        if any(ch.isspace() or not ch.isprintable() for ch in token):
            # Whitespace usually means "SSWS " or a newline was pasted along with the token.
            raise ValueError(
                "the Okta API token contains whitespace or control characters; "
                "pass the bare token, without 'SSWS '"
            )
        return value

    @field_validator("access_token")
    @classmethod
    def _check_access_token(cls, value: SecretStr | None) -> SecretStr | None:
        token = "" if value is None else value.get_secret_value()
        if value is not None and (not token.isascii() or not token.isprintable() or " " in token):
            raise ValueError(
                "the Okta access token must be the bare token (printable ASCII, without 'Bearer ')"
            )
        return value

    @model_validator(mode="after")
    def _one_kind_of_credentials(self) -> OktaSettings:
        if self.api_token is not None and self.auth is not None:
            raise ValueError(_BOTH)
        kinds = (self.api_token, self.auth, self.access_token)
        if sum(kind is not None for kind in kinds) > 1:
            raise ValueError("pass one credential: an API token, a service app or an access token")
        if all(kind is None for kind in kinds):
            raise ValueError("Okta is not configured: missing " + _CREDENTIALS)
        return self

    @classmethod
    def resolve(
        cls,
        org_url: str | None = None,
        api_token: str | SecretStr | None = None,
        *,
        auth: PrivateKeyJwt | None = None,
        env: Mapping[str, str] | None = None,
        timeouts: Timeouts | None = None,
        retries: RetrySettings | None = None,
        max_concurrency: int | None = None,
    ) -> OktaSettings:
        """Settings from the arguments given, else from the environment.

        Credentials given as arguments win over the environment; from the environment, an
        API token and a service app configured at once are refused, as is half a service app.
        """
        environ = os.environ if env is None else env
        url = org_url or _first_set(environ, ORG_URL_VARIABLES)
        if api_token and auth is not None:
            raise OktaConfigurationError(_BOTH)
        token: str | SecretStr | None = api_token
        if not api_token and auth is None:
            token, auth = _credentials_from(environ)
        missing = []
        if not url:
            missing.append("the org URL (org_url=..., or " + " / ".join(ORG_URL_VARIABLES) + ")")
        if not token and auth is None:
            missing.append(_CREDENTIALS)
        if missing:
            raise OktaConfigurationError("Okta is not configured: missing " + " and ".join(missing))
        values: dict[str, object] = {"org_url": url, "api_token": token or None, "auth": auth}
        if timeouts is not None:
            values["timeouts"] = timeouts
        if retries is not None:
            values["retries"] = retries
        if max_concurrency is not None:
            values["max_concurrency"] = max_concurrency
        try:
            return cls.model_validate(values)
        except ValueError as exc:
            reason = _first_reason(exc)
        # Raised outside the except block: the validation error holds the token as its input,
        # and would otherwise stay reachable as this error's __context__.
        raise OktaConfigurationError(reason)


_CREDENTIALS = (
    "the credentials: an API token (api_token=..., or "
    + " / ".join(API_TOKEN_VARIABLES)
    + ") or an OAuth 2.0 service app (auth=PrivateKeyJwt(...), or OKTA_CLIENT_ID with "
    "OKTA_PRIVATE_KEY or OKTA_PRIVATE_KEY_PATH)"
)
_BOTH = (
    "both an API token and an OAuth 2.0 service app are configured: use one. Pass either "
    "api_token=... or auth=PrivateKeyJwt(...), not both"
)


def _credentials_from(environ: Mapping[str, str]) -> tuple[str | None, PrivateKeyJwt | None]:
    """The API token or the service app the environment configures (at most one)."""
    token = _first_set(environ, API_TOKEN_VARIABLES)
    app_variables = PrivateKeyJwt.configured_in(environ)
    if token and app_variables:
        token_variables = [name for name in API_TOKEN_VARIABLES if environ.get(name, "").strip()]
        raise OktaConfigurationError(
            f"both an API token ({', '.join(token_variables)}) and an OAuth 2.0 service app "
            f"({', '.join(app_variables)}) are configured in the environment: unset one"
        )
    return token, PrivateKeyJwt.from_environment(environ)


def normalise_org_url(value: str) -> str:
    """`HTTPS://Acme.okta.com:443/` → `https://acme.okta.com`; refuse what is not an org URL.

    The one spelling of the org everything is made from: request URLs, the client
    assertion's `aud` and the DPoP proofs' `htu`. Scheme and host in lower case, no default
    port, no trailing slash.
    """
    parts = urlsplit(value.strip())
    host = _as_sent(parts.hostname or "")
    if parts.scheme not in ("https", "http") or not host:
        # The value is not echoed: a token pasted in the wrong place must not be printed.
        raise OktaConfigurationError("the Okta org URL must look like https://your-org.okta.com")
    if parts.username or parts.password:
        raise OktaConfigurationError("the Okta org URL must not contain credentials")
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise OktaConfigurationError(
            f"the Okta org URL must be the org's address only, e.g. "
            f"{parts.scheme}://{parts.netloc}, without a path"
        )
    if parts.scheme == "http" and not is_loopback(host):
        raise OktaConfigurationError(
            "the Okta org URL must use https:// (plain http:// is accepted for loopback only)"
        )
    first_label, _, domain = host.partition(".")
    if first_label.endswith("-admin") and domain in _OKTA_DOMAINS:
        raise OktaConfigurationError(
            f"{host} is the Admin Console, not the API: drop '-admin', "
            f"e.g. https://{first_label.removesuffix('-admin')}.{domain}"
        )
    try:
        port = parts.port
    except ValueError:
        raise OktaConfigurationError("the Okta org URL has an invalid port") from None
    netloc = f"[{host}]" if ":" in host else host
    # httpx sends no default port, so `aud` and `htu` (made from this URL) must not carry one.
    if port is not None and port != _DEFAULT_PORTS[parts.scheme]:
        netloc += f":{port}"
    return f"{parts.scheme}://{netloc}"


def _as_sent(host: str) -> str:
    """The host in lower case, as httpx sends it: an internationalised name in its ASCII form
    (`bücher.example` → `xn--bcher-kva.example`), which `aud` and `htu` must name too."""
    if host.isascii():
        return host.lower()
    try:
        return httpx.URL(f"https://{host}").raw_host.decode("ascii")
    except httpx.InvalidURL:
        raise OktaConfigurationError("the Okta org URL has an invalid host name") from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    # Python 3.13 reads an IPv4-mapped address (::ffff:127.0.0.1) by its IPv4 half, earlier
    # versions do not; refused on every version, as an address dressed as another.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return False
    return address.is_loopback


def _first_set(environ: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    for name in names:
        value = environ.get(name, "").strip()
        if value:
            return value
    return None


def _first_reason(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        for error in errors():
            message = str(error.get("msg", ""))
            return message.removeprefix("Value error, ")
    return str(exc)
