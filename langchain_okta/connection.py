"""`OktaConnection`: one person's way into one Okta org, resolved per agent run.

A deployed agent serves many people; each connects their own Okta credential ("Connect just
for me"). The host app hands the run its person's connection (in LangChain's runtime
context, or through a resolver it supplies) and the connected toolkit's tools call Okta with
it. The model never sees a connection: it is no tool argument, and it never shows in a repr,
a log, an error or a serialised form.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from langchain_okta.errors import OktaConfigurationError
from langchain_okta.oauth.config import PrivateKeyJwt
from langchain_okta.settings import OktaSettings, RetrySettings, Timeouts, normalise_org_url

CredentialKind = Literal["api_token", "service_app", "access_token"]

# Pool keys digest the credential with a key of this process: a key seen in a dump or a
# debugger cannot be checked against a guessed token elsewhere.
_KEY_SALT = os.urandom(16)


@dataclass(frozen=True)
class ConnectionKey:
    """What identifies a connection in the pool: the org, and a keyed digest of the credential."""

    org_url: str
    kind: CredentialKind
    digest: bytes

    def __repr__(self) -> str:
        return f"ConnectionKey(org_url={self.org_url!r}, kind={self.kind!r})"


class OktaConnection(BaseModel):
    """An org URL and exactly one credential of the person the run acts for.

    ```python
    OktaConnection(org_url="https://acme.okta.com", api_token=token)  # SSWS API token
    OktaConnection(org_url=..., auth=PrivateKeyJwt(...))  # an OAuth 2.0 service app
    OktaConnection(org_url=..., access_token=token)  # obtained by the host app for the user
    ```

    `read_only=True` limits the person to the read tools whatever their Okta roles allow (a
    service app then does not even ask for `okta.users.manage`).
    """

    # hide_input_in_errors: a validation error must never echo a credential back.
    model_config = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

    org_url: str
    api_token: SecretStr | None = None
    auth: PrivateKeyJwt | None = None
    access_token: SecretStr | None = None
    read_only: bool = False
    _key: ConnectionKey | None = PrivateAttr(default=None)

    @field_validator("org_url", mode="before")
    @classmethod
    def _normalise_org_url(cls, value: object) -> str:
        if not isinstance(value, str):
            raise ValueError("the Okta org URL must be a string like https://your-org.okta.com")
        try:
            return normalise_org_url(value)
        except OktaConfigurationError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _one_credential(self) -> OktaConnection:
        given = [c for c in (self.api_token, self.auth, self.access_token) if c is not None]
        if len(given) != 1:
            raise ValueError(
                "an Okta connection takes exactly one credential: api_token, auth "
                f"(PrivateKeyJwt) or access_token; {len(given)} given"
            )
        try:
            # The credential's own checks (printable ASCII, no "SSWS " pasted along...), now
            # rather than inside a tool call.
            self.settings()
        except ValidationError as exc:
            reason = str(exc.errors()[0].get("msg", "invalid")).removeprefix("Value error, ")
        else:
            return self
        raise ValueError(reason)

    @property
    def kind(self) -> CredentialKind:
        if self.api_token is not None:
            return "api_token"
        return "service_app" if self.auth is not None else "access_token"

    @property
    def key(self) -> ConnectionKey:
        """The pool's key: computed once per connection object."""
        # Read from pydantic's private dict directly: `self._key` takes pydantic's slow
        # attribute path (an exception raised and caught), and this runs on every tool call.
        private = self.__pydantic_private__
        key = private.get("_key") if private is not None else None
        if key is None:
            key = self._key = ConnectionKey(self.org_url, self.kind, self._digest())
        return cast(ConnectionKey, key)

    def _digest(self) -> bytes:
        digest = hashlib.blake2b(key=_KEY_SALT, digest_size=16)
        if self.auth is not None:
            auth = self._auth()
            assert auth is not None
            parts = [auth.client_id, auth.key_id or "", auth.private_key.get_secret_value()]
            parts += auth.scopes
        else:
            secret = self.api_token or self.access_token
            assert secret is not None
            parts = [secret.get_secret_value()]
        for part in (*parts, str(self.read_only)):
            digest.update(part.encode())
            digest.update(b"\0")
        return digest.digest()

    def _auth(self) -> PrivateKeyJwt | None:
        """The service app as the client asks for it: without the write scope when the app
        connected the person read-only (least privilege: a leaked token cannot write)."""
        if self.auth is not None and self.read_only:
            return self.auth.without_manage_scope()
        return self.auth

    def settings(
        self,
        *,
        timeouts: Timeouts | None = None,
        retries: RetrySettings | None = None,
        max_concurrency: int | None = None,
    ) -> OktaSettings:
        """The settings of a client for this connection."""
        values: dict[str, Any] = {
            "org_url": self.org_url,
            "api_token": self.api_token,
            "auth": self._auth(),
            "access_token": self.access_token,
        }
        if timeouts is not None:
            values["timeouts"] = timeouts
        if retries is not None:
            values["retries"] = retries
        if max_concurrency is not None:
            values["max_concurrency"] = max_concurrency
        return OktaSettings.model_validate(values)

    def model_copy(
        self, *, update: Mapping[str, Any] | None = None, deep: bool = False
    ) -> OktaConnection:
        """A copy with `update` applied, validated again (one credential, a normalised URL)
        and with a key of its own: a copy must never reach the pooled client of another
        credential."""
        values = {name: getattr(self, name) for name in type(self).model_fields}
        values.update(update or {})
        return type(self).model_validate(values)

    @model_serializer(mode="plain")
    def _serialise(self) -> dict[str, Any]:
        # Whatever dumps it (a checkpointer given it in state, a tracer, a log formatter)
        # gets the org and the kind of credential, never the credential.
        return {"org_url": self.org_url, "credential": self.kind, "read_only": self.read_only}

    def __repr__(self) -> str:
        extra = ", read_only=True" if self.read_only else ""
        return f"OktaConnection(org_url={self.org_url!r}, credential={self.kind!r}{extra})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        # Pickling (a checkpointer's fallback serialiser) would copy the credential out.
        raise TypeError("an OktaConnection holds a credential and cannot be pickled")
