"""How an OAuth 2.0 service app is configured: `PrivateKeyJwt`, from arguments or the environment.

Only strings live here, checked for shape; the key is parsed when a client is built (that needs
the `oauth` extra). Nothing here echoes the private key: a key pasted into the wrong variable
must not end up in an error message.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from langchain_okta.errors import OktaConfigurationError

READ_SCOPE = "okta.users.read"
MANAGE_SCOPE = "okta.users.manage"
ROLES_SCOPE = "okta.roles.read"
# What the toolkit can use. Okta grants the ones the app was granted and drops the others, so
# asking for all three costs nothing; `read_only=True` leaves out the manage scope.
DEFAULT_SCOPES = (READ_SCOPE, MANAGE_SCOPE, ROLES_SCOPE)

EXTRA_HINT = "pip install 'langchain-okta[oauth]'"

# Ours first, then the names Okta's SDKs read. The SDK's count only with its mode switch set.
CLIENT_ID_VARIABLES = ("OKTA_CLIENT_ID", "OKTA_CLIENT_CLIENTID")
PRIVATE_KEY_VARIABLES = ("OKTA_PRIVATE_KEY", "OKTA_CLIENT_PRIVATEKEY")
PRIVATE_KEY_PATH_VARIABLE = "OKTA_PRIVATE_KEY_PATH"
KEY_ID_VARIABLES = ("OKTA_KEY_ID", "OKTA_CLIENT_KID")
SCOPES_VARIABLES = ("OKTA_SCOPES", "OKTA_CLIENT_SCOPES")
MODE_VARIABLE = "OKTA_CLIENT_AUTHORIZATIONMODE"
SDK_PRIVATE_KEY_MODE = "PrivateKey"
SDK_TOKEN_MODE = "SSWS"
_OWN_VARIABLES = (
    CLIENT_ID_VARIABLES[0],
    PRIVATE_KEY_VARIABLES[0],
    PRIVATE_KEY_PATH_VARIABLE,
    KEY_ID_VARIABLES[0],
    SCOPES_VARIABLES[0],
)
_SDK_VARIABLES = (
    CLIENT_ID_VARIABLES[1],
    PRIVATE_KEY_VARIABLES[1],
    KEY_ID_VARIABLES[1],
    SCOPES_VARIABLES[1],
)

# Okta client ids are 20 letters and digits ("0oa..."); the id goes into a URL path
# (/oauth2/v1/clients/{clientId}/roles), so nothing that could change the path is accepted.
_CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,128}")
_SCOPE = re.compile(r"okta\.[A-Za-z]+\.[A-Za-z]+(?:\.self)?")
_KEY_ID = re.compile(r"[\x21-\x7e]{1,256}")
_MAX_KEY_CHARS = 64_000


class PrivateKeyJwt(BaseModel):
    """An Okta API Services app that signs its token requests with a private key.

    ```python
    auth = PrivateKeyJwt(client_id="0oa...", private_key=pem_or_jwk_text, key_id="my-key")
    toolkit = OktaToolkit("https://acme.okta.com", auth=auth)
    ```

    `private_key` is the PEM (`-----BEGIN PRIVATE KEY-----`) or the private JWK (JSON) of a
    key whose public half is registered on the app; RSA (2048 bits or more) and EC (P-256,
    P-384, P-521) keys work. `key_id` is the key's `kid` on the app (read from a JWK when not
    given; needed when the app has more than one key). `scopes` are the ones to ask for: the
    tools follow the scopes Okta grants.
    """

    # hide_input_in_errors: a validation error must never echo the key back.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    client_id: str
    private_key: SecretStr
    key_id: str | None = None
    scopes: tuple[str, ...] = DEFAULT_SCOPES

    @field_validator("client_id")
    @classmethod
    def _check_client_id(cls, value: str) -> str:
        value = value.strip()
        if not _CLIENT_ID.fullmatch(value):
            # Not echoed: a key or token pasted here must not be printed.
            raise ValueError(
                "client_id must be the service app's Client ID (letters, digits, '-' and '_' "
                "only), as shown on the app's General tab, e.g. 0oa1b2c3d4e5f6g7h8i9"
            )
        return value

    @field_validator("private_key")
    @classmethod
    def _check_private_key(cls, value: SecretStr) -> SecretStr:
        text = value.get_secret_value().strip()
        if not text:
            raise ValueError("the private key is empty")
        if len(text) > _MAX_KEY_CHARS:
            raise ValueError("the private key is too long to be a PEM or JWK private key")
        return SecretStr(text)

    @field_validator("key_id")
    @classmethod
    def _check_key_id(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not _KEY_ID.fullmatch(value.strip()):
            raise ValueError("key_id must be the key's kid: printable characters, no spaces")
        return value.strip()

    @field_validator("scopes", mode="before")
    @classmethod
    def _split_scopes(cls, value: object) -> object:
        return parse_scopes(value) if isinstance(value, str) else value

    @field_validator("scopes")
    @classmethod
    def _check_scopes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError(f"scopes is empty: ask for at least {READ_SCOPE}")
        bad = [scope for scope in value if not _SCOPE.fullmatch(scope)]
        if bad:
            raise ValueError(
                f"unknown scope(s) {', '.join(repr(s[:60]) for s in bad)}: Okta API scopes "
                f"look like {READ_SCOPE} or {MANAGE_SCOPE}"
            )
        return tuple(dict.fromkeys(value))

    def without_manage_scope(self) -> PrivateKeyJwt:
        """The same app asking only for what reading needs (least privilege for read-only)."""
        kept = tuple(scope for scope in self.scopes if not scope.endswith(".manage"))
        return self.model_copy(update={"scopes": kept or (READ_SCOPE,)})

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> PrivateKeyJwt | None:
        """The service app the environment configures, None when it configures none.

        A half-configured app (a client id without a key, a key without a client id, both a
        key and a key path) is an OktaConfigurationError naming what is missing.
        """
        mode = environ.get(MODE_VARIABLE, "").strip()
        if mode and mode not in (SDK_PRIVATE_KEY_MODE, SDK_TOKEN_MODE):
            raise OktaConfigurationError(
                f"{MODE_VARIABLE} must be {SDK_PRIVATE_KEY_MODE} (an OAuth 2.0 service app) or "
                f"{SDK_TOKEN_MODE} (an API token)"
            )
        names = _OWN_VARIABLES + (_SDK_VARIABLES if mode == SDK_PRIVATE_KEY_MODE else ())
        if not any(_set(environ, name) for name in names) and mode != SDK_PRIVATE_KEY_MODE:
            return None
        sdk = mode == SDK_PRIVATE_KEY_MODE
        client_id = _first(environ, CLIENT_ID_VARIABLES, sdk)
        key_text = _first(environ, PRIVATE_KEY_VARIABLES, sdk)
        key_path = _set(environ, PRIVATE_KEY_PATH_VARIABLE)
        missing = []
        if client_id is None:
            missing.append(" / ".join(CLIENT_ID_VARIABLES if sdk else CLIENT_ID_VARIABLES[:1]))
        if key_text is None and key_path is None:
            missing.append(
                " / ".join(
                    (PRIVATE_KEY_VARIABLES[0], PRIVATE_KEY_PATH_VARIABLE)
                    + ((PRIVATE_KEY_VARIABLES[1],) if sdk else ())
                )
            )
        if missing:
            raise OktaConfigurationError(
                "the OAuth 2.0 service app is only half configured: missing "
                + " and ".join(missing)
            )
        if key_text is not None and key_path is not None:
            raise OktaConfigurationError(
                f"set the private key once: either {PRIVATE_KEY_VARIABLES[0]} (the key itself) "
                f"or {PRIVATE_KEY_PATH_VARIABLE} (a file holding it), not both"
            )
        if key_path is not None:
            key_text = _read_key_file(key_path)
        values: dict[str, object] = {"client_id": client_id, "private_key": key_text}
        key_id = _first(environ, KEY_ID_VARIABLES, sdk)
        if key_id is not None:
            values["key_id"] = key_id
        scopes = _first(environ, SCOPES_VARIABLES, sdk)
        if scopes is not None:
            values["scopes"] = scopes
        return validated(cls, values)

    @staticmethod
    def configured_in(environ: Mapping[str, str]) -> tuple[str, ...]:
        """The variables of an OAuth 2.0 service app that are set (names only)."""
        mode = environ.get(MODE_VARIABLE, "").strip()
        names = _OWN_VARIABLES + (_SDK_VARIABLES if mode == SDK_PRIVATE_KEY_MODE else ())
        found = tuple(name for name in names if _set(environ, name))
        return found + ((MODE_VARIABLE,) if mode == SDK_PRIVATE_KEY_MODE else ())


def parse_scopes(value: str | Sequence[str]) -> tuple[str, ...]:
    """`"okta.users.read, okta.users.manage"` or `"a b"` or a list → a tuple of scopes."""
    parts = re.split(r"[\s,]+", value) if isinstance(value, str) else list(value)
    return tuple(part.strip() for part in parts if part and part.strip())


def validated(model: type[PrivateKeyJwt], values: Mapping[str, object]) -> PrivateKeyJwt:
    try:
        return model.model_validate(values)
    except ValueError as exc:
        reason = _first_reason(exc)
    # Raised outside the except block: the validation error holds each value as its `input`
    # (a key pasted into the client-id variable, say), and would otherwise stay reachable as
    # this error's __context__ (`from None` only hides it from the traceback).
    raise OktaConfigurationError(reason)


def _read_key_file(path: str) -> str:
    # Raised after the except blocks: a UnicodeDecodeError's `object` is the file's bytes.
    problem = None
    try:
        return Path(path).expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = f"{PRIVATE_KEY_PATH_VARIABLE} names a file that does not exist: {path}"
    except (OSError, UnicodeDecodeError) as exc:
        problem = (
            f"{PRIVATE_KEY_PATH_VARIABLE} names a file that cannot be read as text: {path} "
            f"({type(exc).__name__})"
        )
    raise OktaConfigurationError(problem)


def _set(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip()
    return value or None


def _first(environ: Mapping[str, str], names: tuple[str, str], sdk: bool) -> str | None:
    return _set(environ, names[0]) or (_set(environ, names[1]) if sdk else None)


def _first_reason(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        for error in errors():
            where = ".".join(str(part) for part in error.get("loc", ()))
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            if error.get("type") == "missing":
                return f"PrivateKeyJwt needs {where}"
            return message
    return "the OAuth 2.0 service app configuration is invalid"
