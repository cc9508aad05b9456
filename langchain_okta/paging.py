"""Okta's `link` headers: where the next page starts, and walks that must not go in circles."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from langchain_okta.errors import OktaResponseError

# One link-value: <uri-reference> followed by ;-separated parameters (RFC 8288).
_LINK = re.compile(r"<(?P<url>[^>]*)>(?P<params>[^,<]*)")
_REL = re.compile(r""";\s*rel\s*=\s*(?:"(?P<quoted>[^"]*)"|(?P<bare>[^;\s,]+))""", re.IGNORECASE)


def next_cursor(link_headers: Iterable[str]) -> str | None:
    """The `after` cursor of the `rel="next"` link, or None on the last page.

    Okta sends `self` and `next` as separate `link` header lines; a single comma-joined
    line is read the same way. Only the cursor is taken from the URL: the client never
    follows a URL chosen by the server.
    """
    for header in link_headers:
        for link in _LINK.finditer(header):
            rel = _REL.search(link["params"])
            if rel is None:
                continue
            rels = (rel["quoted"] or rel["bare"] or "").lower().split()
            if "next" in rels:
                after = parse_qs(urlsplit(link["url"].strip()).query).get("after")
                return after[0] if after else None
    return None


class PagingCycleError(OktaResponseError):
    """Okta's next-page link led back to a page this walk had already read."""


class Walk:
    """The cursors one walk through a listing has followed.

    A `next` link back to any earlier page (A→B→A, not only A→A) would make a walk endless
    and a count grow without bound; the set holds one short string per page read.
    """

    def __init__(self) -> None:
        self._followed: set[str] = set()
        self.pages = 0

    def follow(self, cursor: str | None) -> str | None:
        """The cursor to read next (None: the walk is over), or PagingCycleError."""
        self.pages += 1
        if cursor is None:
            return None
        if cursor in self._followed:
            raise PagingCycleError(
                f"Okta's link to the next page after page {self.pages} leads back to a page "
                "already read; the listing was stopped there rather than go round in circles"
            )
        self._followed.add(cursor)
        return cursor
