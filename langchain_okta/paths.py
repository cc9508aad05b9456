"""User ids and logins as URL path segments, refused when they could change the path."""

from __future__ import annotations

import re
from urllib.parse import quote, unquote

from langchain_okta.errors import InvalidUserIdError

USERS_PATH = "/api/v1/users"
MAX_USER_ID_LENGTH = 256

# Encoded as one segment, only these can still move a request off `/api/v1/users/{id}`: a
# server or proxy that decodes `%2F` or `%5C` splits the segment, and control characters
# can end a request line. `?` and `#` are legal in email logins and safe once encoded.
_PATH_BREAKERS = re.compile(r"[/\\\x00-\x1f\x7f]")
# Decoding stops after a few rounds: anything still encoded then is refused anyway.
_MAX_DECODE_ROUNDS = 4


def check_user_id(value: str, what: str = "user_id") -> str:
    """Return the id or login unchanged, or raise InvalidUserIdError saying why.

    `what` names the value in the message (a login is checked the same way, since the
    toolkit fetches users by login).

    Refuses only what could move the request off `/api/v1/users/{id}` once the value is
    percent-encoded as one path segment: slashes, backslashes, control characters, dot
    segments, and their percent-encoded forms.
    """
    if not value or not value.strip():
        raise InvalidUserIdError(f"{what} is empty: pass an Okta user id (00u...) or a login")
    if len(value) > MAX_USER_ID_LENGTH:
        raise InvalidUserIdError(f"{what} is longer than {MAX_USER_ID_LENGTH} characters")
    if value != value.strip():
        raise InvalidUserIdError(f"{what} has leading or trailing whitespace")
    decoded = value
    for _ in range(_MAX_DECODE_ROUNDS):
        breaker = _PATH_BREAKERS.search(decoded)
        if breaker is not None:
            found = _describe(breaker.group())
            how = "" if decoded == value else " (percent-encoded)"
            raise InvalidUserIdError(f"{what} {value!r} cannot be used: it contains {found}{how}")
        if decoded.strip(". ") == "":
            raise InvalidUserIdError(f"{what} {value!r} cannot be used: it is a dot segment")
        step = unquote(decoded)
        if step == decoded:
            return value
        decoded = step
    raise InvalidUserIdError(f"{what} {value!r} is percent-encoded too many times")


def _describe(character: str) -> str:
    if character in "/\\":
        return f"'{character}'"
    return f"a control character (U+{ord(character):04X})"


def user_path(user_id: str, *rest: str) -> str:
    """`/api/v1/users/{id}` with the id as exactly one percent-encoded segment."""
    segment = quote(check_user_id(user_id), safe="")
    return "/".join((USERS_PATH, segment, *rest))
