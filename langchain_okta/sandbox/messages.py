"""What passes between the sandbox's HTTP front ends and its routing: requests, outcomes, the log.

The in-process transport and the loopback server both turn their wire format into a
`SandboxRequest`, hand it to the routing, and write back the `Outcome`. Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SandboxRequest:
    method: str
    scheme: str
    # host[:port] exactly as the client addressed the org; response URLs are built from it.
    host: str
    # The path as sent, still percent-encoded, so an encoded "/" stays inside its segment.
    raw_path: str
    raw_query: str
    # Lower-cased names.
    headers: Mapping[str, str]
    body: bytes


@dataclass(frozen=True)
class SandboxResponse:
    status: int
    # A list, not a mapping: Okta sends `link` twice (self and next) as separate header lines.
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Disconnect:
    """The connection is closed without any response (the `drop` fault)."""


Outcome = SandboxResponse | Disconnect


@dataclass(frozen=True)
class RecordedRequest:
    """One request the org received, as tests inspect it. Headers are never kept: the
    Authorization header carries the API token."""

    method: str
    path: str
    query: list[tuple[str, str]]
    json: Any
    # None when the connection was dropped without a response.
    status: int | None
    # The injected fault that hit this request, if any.
    fault: str | None = None
    # Whose credential the request carried: the id of the user behind an API token or a
    # user's access token, or the client id of a service app; None when it carried none the
    # org knows. Never the credential itself.
    principal: str | None = None
