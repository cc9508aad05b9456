"""Page cursors bound to the listing they came from.

Okta's `after` cursor carries no trace of the listing's filters, nor of its org: sent with
another search or status, or to another org (a thread continued by a person of another org,
with the connected toolkit), it silently starts somewhere in a different listing, skips
users, and may end it as if it were the last page. The cursors this package hands out wrap
Okta's `after` with a digest of the listing's org, `q`, `search` and `filter`, and a check of
the whole; a cursor sent to another org or with other filters, or one that is not ours
(changed, or cut short as a model may copy it), is refused before anything is sent. The page
size may change between pages: Okta allows that, and it loses nobody.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json

from langchain_okta.errors import OktaCursorMismatchError

_VERSION = "c2"
_NOT_OURS = (
    "the cursor is not a next_cursor this toolkit handed out (it may have been changed or cut "
    "short); nothing was sent"
)


def bind(
    after: str, *, query: str | None, search: str | None, filter: str | None, org: str = ""
) -> str:
    """Our cursor for Okta's `after`, within the listing these filters make on `org`."""
    listing = _digest(org, query, search, filter)
    text = f"{_VERSION}:{listing}:{_check(listing, after)}:{after}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def unbind(
    cursor: str, *, query: str | None, search: str | None, filter: str | None, org: str = ""
) -> str:
    """Okta's `after` from our cursor, if it comes from a listing with these filters on `org`."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, listing, check, after = (
            base64.urlsafe_b64decode(padded.encode("ascii")).decode().split(":", 3)
        )
    except (ValueError, UnicodeError, binascii.Error):
        raise OktaCursorMismatchError(_NOT_OURS) from None
    if version != _VERSION or not after or check != _check(listing, after):
        raise OktaCursorMismatchError(_NOT_OURS)
    if listing != _digest(org, query, search, filter):
        raise OktaCursorMismatchError(
            "the cursor comes from a listing with a different query, search or status, or of "
            "another Okta org, and cannot continue this one; nothing was sent"
        )
    return after


def _check(listing: str, after: str) -> str:
    # Not a secret: it only tells a cursor cut short or changed from one handed out.
    return hashlib.blake2b(f"{listing}:{after}".encode(), digest_size=6).hexdigest()


def _digest(org: str, query: str | None, search: str | None, filter: str | None) -> str:
    # Without an org (a plan run on its own) the digest is as it was before orgs counted.
    listing = json.dumps([query or None, search or None, filter or None, *([org] if org else [])])
    return hashlib.blake2b(listing.encode(), digest_size=6).hexdigest()
