"""`WWW-Authenticate` challenges (RFC 7235), as Okta sends them on API calls.

e.g. `DPoP algs="RS256 ES256", error="use_dpop_nonce", error_description="..."`, or
`Bearer authorization_uri="...", realm="...", scope="okta.users.manage",
error="insufficient_scope", ...`. One header may carry several challenges; each error
belongs to its own scheme.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_PART = re.compile(
    rf"\s*(?:(?P<name>{_TOKEN})\s*=\s*(?:\"(?P<quoted>(?:[^\"\\]|\\.)*)\"|(?P<bare>[^\s,]*))"
    rf"|(?P<scheme>{_TOKEN})(?:\s+(?P<token68>[A-Za-z0-9\-._~+/]+=*)(?=\s*(?:,|$)))?)\s*,?"
)
_MAX_HEADER = 8_000


@dataclass(frozen=True)
class Challenge:
    scheme: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def error(self) -> str | None:
        return self.params.get("error")


def parse_challenges(header: str) -> list[Challenge]:
    """Every challenge in a `WWW-Authenticate` value; what cannot be read is skipped."""
    challenges: list[Challenge] = []
    position, text = 0, header[:_MAX_HEADER]
    while position < len(text):
        match = _PART.match(text, position)
        if match is None or match.end() == position:
            break
        position = match.end()
        if match.group("scheme"):
            challenges.append(Challenge(match.group("scheme")))
        elif challenges and match.group("name"):
            quoted = match.group("quoted")
            value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else match.group("bare")
            challenges[-1].params[match.group("name").lower()] = value or ""
    return challenges


def find_error(header: str | None) -> Challenge | None:
    """The first challenge that names an error (DPoP preferred over Bearer), or None."""
    if not header:
        return None
    with_error = [c for c in parse_challenges(header) if c.error]
    with_error.sort(key=lambda challenge: challenge.scheme.lower() != "dpop")
    return with_error[0] if with_error else None
