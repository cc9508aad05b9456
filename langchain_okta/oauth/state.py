"""The OAuth state one client shares across all its calls: the access token, the DPoP nonces,
and which call (if any) is renewing the token.

Plans ask `decide(now)` before each request and act on the answer; nothing here waits or does
I/O, so sync threads and async tasks share one object and one logic.
"""

from __future__ import annotations

import copy
import itertools
import threading
from dataclasses import dataclass
from typing import Literal

from langchain_okta.errors import OktaError

TokenType = Literal["DPoP", "Bearer"]
NonceKind = Literal["token", "api"]

# Renew this long before Okta's expiry (at most a tenth of the lifetime), so calls never meet
# an expired token; a token still this far from expiry is used while another call renews.
RENEW_MARGIN_SECONDS = 60.0
EXPIRY_SKEW_SECONDS = 5.0
# After a failed early renewal, the old token serves this long before the next try.
RENEWAL_RETRY_SECONDS = 5.0


@dataclass(frozen=True, repr=False)
class AccessToken:
    """An access token as Okta issued it. The value is a secret: never in a repr."""

    value: str
    token_type: TokenType
    scopes: tuple[str, ...]
    expires_at: float
    renew_at: float
    generation: int

    def __repr__(self) -> str:
        return (
            f"AccessToken({self.token_type}, scopes={self.scopes!r}, "
            f"expires_at={self.expires_at:.0f})"
        )

    __str__ = __repr__

    @classmethod
    def issued(
        cls,
        value: str,
        token_type: TokenType,
        scopes: tuple[str, ...],
        *,
        now: float,
        expires_in: float,
        generation: int = 0,
    ) -> AccessToken:
        margin = min(RENEW_MARGIN_SECONDS, expires_in / 10)
        return cls(
            value, token_type, scopes, now + expires_in, now + expires_in - margin, generation
        )


@dataclass(frozen=True)
class Use:
    token: AccessToken


@dataclass(frozen=True)
class Renew:
    lease: int
    # The cached token when it is still usable (an early renewal): the lease holder uses it
    # if the token endpoint is busy or unreachable, rather than failing its call.
    still_valid: AccessToken | None = None


@dataclass(frozen=True)
class Wait:
    lease: int


@dataclass(frozen=True)
class Failed:
    error: OktaError


Decision = Use | Renew | Wait | Failed


class TokenState:
    """The token, the nonces and the renewal lease of one client, behind one lock.

    Invariant (under `_lock`): at most one renewal lease is live at a time, and only its
    holder stores a token or a failure, so however many threads and tasks find the token
    missing or expired together, exactly one token request goes out. A token is used until
    `renew_at`; after that the first caller takes the lease and renews while the others keep
    using the old token until `expires_at` (less a skew), and only then wait. An early
    renewal that fails leaves the old token in use for `RENEWAL_RETRY_SECONDS` (its holder
    included) before the next try. A lease whose holder vanished (a cancelled task) lapses
    after `lease_seconds`; one that a sync call on a running loop's thread would wait for is
    taken over (`take_over`), and that call renews too. Callers that waited on a lease whose
    renewal failed get that failure (a copy) rather than trying again themselves.
    Nonces are the latest each server (token endpoint, API) sent.
    """

    def __init__(self, *, lease_seconds: float) -> None:
        self._lock = threading.Lock()
        self._lease_seconds = lease_seconds
        self._token: AccessToken | None = None
        self._lease: int | None = None
        self._lease_deadline = 0.0
        self._leases = itertools.count(1)
        self._generations = itertools.count(1)
        self._failure: tuple[int, OktaError] | None = None
        self._renew_not_before = 0.0
        self._nonces: dict[NonceKind, str] = {}

    def __repr__(self) -> str:
        with self._lock:
            token = self._token
            renewing = self._lease is not None
        return f"TokenState(token={token!r}, renewing={renewing})"

    @property
    def token(self) -> AccessToken | None:
        with self._lock:
            return self._token

    def decide(self, now: float, waited_on: int | None = None) -> Decision:
        """What a call about to send a request should do."""
        with self._lock:
            if waited_on is not None and self._failure is not None:
                lease, error = self._failure
                if lease == waited_on:
                    return Failed(copy.copy(error))
            token = self._token
            usable = token is not None and now < token.expires_at - EXPIRY_SKEW_SECONDS
            if token is not None and (
                now < token.renew_at or (usable and now < self._renew_not_before)
            ):
                return Use(token)
            if self._lease is None or now >= self._lease_deadline:
                self._lease = next(self._leases)
                self._lease_deadline = now + self._lease_seconds
                return Renew(self._lease, token if usable else None)
            if token is not None and usable:
                return Use(token)
            return Wait(self._lease)

    def take_over(self, now: float) -> Renew:
        """A lease of its own for a caller that cannot wait for the live one: a sync call on
        a thread whose event loop is running, where that lease's holder may be that very
        loop's, which cannot run while the caller waits. The old holder's token, if it comes,
        is kept when newer, as from a lapsed lease."""
        with self._lock:
            token = self._token
            usable = token is not None and now < token.expires_at - EXPIRY_SKEW_SECONDS
            self._lease = next(self._leases)
            self._lease_deadline = now + self._lease_seconds
            return Renew(self._lease, token if usable else None)

    def renewed(self, lease: int, token: AccessToken) -> AccessToken:
        """Store the token the lease holder obtained (numbered); ends the lease."""
        with self._lock:
            stored = AccessToken(
                token.value,
                token.token_type,
                token.scopes,
                token.expires_at,
                token.renew_at,
                next(self._generations),
            )
            if self._lease == lease:
                self._lease = None
                self._token = stored
            elif self._token is None or self._token.expires_at < stored.expires_at:
                # The lease lapsed while its holder was still at work; its token is still new.
                self._token = stored
            return stored

    def failed(self, lease: int, error: OktaError, now: float) -> None:
        """The lease holder's renewal failed: its waiters get `error`; the lease ends."""
        with self._lock:
            self._failure = (lease, error)
            self._renew_not_before = now + RENEWAL_RETRY_SECONDS
            if self._lease == lease:
                self._lease = None

    def abandoned(self, lease: int) -> None:
        """The lease holder stopped before finishing (cancelled): free the lease at once."""
        with self._lock:
            if self._lease == lease:
                self._lease = None

    def discard(self, generation: int) -> None:
        """Okta refused this token: drop it, unless a newer one has replaced it already."""
        with self._lock:
            if self._token is not None and self._token.generation == generation:
                self._token = None

    def nonce(self, kind: NonceKind) -> str | None:
        with self._lock:
            return self._nonces.get(kind)

    def remember_nonce(self, kind: NonceKind, value: str) -> None:
        with self._lock:
            self._nonces[kind] = value
