"""Okta's `link` headers: where the next page starts."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

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
