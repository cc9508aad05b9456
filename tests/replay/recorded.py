"""Real exchanges with Okta, recorded by Okta's own SDK tests, as the replays read them.

They come from `tests/fixtures/okta/recordings.json` (made by `scripts/make_fixtures.py` from
`../shared/okta-recordings`): every recorded exchange with the Users API, and every recorded
Okta error body, each named `<cassette>#<index>` after the recording it came from.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "okta" / "recordings.json"

# The Users API operations this package uses, by method and path shape.
LIST_USERS = "listUsers"
CREATE_USER = "createUser"
GET_USER = "getUser"
UPDATE_USER = "updateUser"
REPLACE_USER = "replaceUser"
LIST_ROLES = "listAssignedRolesForUser"
_OPERATIONS = {
    ("GET", ""): LIST_USERS,
    ("POST", ""): CREATE_USER,
    ("GET", "{id}"): GET_USER,
    ("POST", "{id}"): UPDATE_USER,
    ("PUT", "{id}"): REPLACE_USER,
    ("GET", "{id}/roles"): LIST_ROLES,
}
_USERS = re.compile(r"/api/v1/users(?:/(?P<key>[^/]+)(?P<rest>/.*)?)?")
_LINK = re.compile(r'<(?P<url>[^>]*)>\s*;\s*rel="(?P<rel>[^"]+)"')


@dataclass(frozen=True)
class Link:
    rel: str
    url: str

    @property
    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.url).query, keep_blank_values=True)

    @property
    def raw_params(self) -> list[tuple[str, str]]:
        """The query's parameters still encoded, as written ("status+eq+%22ACTIVE%22")."""
        return raw_params(urlsplit(self.url).query)

    @property
    def after(self) -> str | None:
        return dict(self.params).get("after")


@dataclass(frozen=True)
class Request:
    method: str
    uri: str
    headers: Mapping[str, tuple[str, ...]]
    body: str | None

    @property
    def path(self) -> str:
        """The path as sent (percent-encoded), with runs of slashes read as one, as Okta does."""
        return re.sub("/{2,}", "/", urlsplit(self.uri).path)

    @property
    def base_url(self) -> str:
        parts = urlsplit(self.uri)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def params(self) -> list[tuple[str, str]]:
        return parse_qsl(urlsplit(self.uri).query, keep_blank_values=True)

    @property
    def user_key(self) -> str | None:
        """The id or login in a /api/v1/users/{key}... path (still percent-encoded)."""
        match = _USERS.fullmatch(self.path)
        return match["key"] if match else None

    @property
    def users_subpath(self) -> str | None:
        """What follows /api/v1/users/{key}/ ("lifecycle/activate", "roles"...), if anything."""
        match = _USERS.fullmatch(self.path)
        return match["rest"][1:] if match and match["rest"] else None

    @property
    def authorization(self) -> str:
        return self.headers.get("authorization", ("",))[0]

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, tuple[str, ...]]
    body: str | None

    def header(self, name: str) -> str | None:
        values = self.headers.get(name)
        return values[0] if values else None

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    @property
    def links(self) -> list[Link]:
        return [
            Link(match["rel"], match["url"])
            for line in self.headers.get("link", ())
            for match in _LINK.finditer(line)
        ]

    @property
    def date(self) -> float | None:
        date = self.header("date")
        return parsedate_to_datetime(date).timestamp() if date else None

    @property
    def error_code(self) -> str | None:
        try:
            body = self.json()
        except ValueError:
            return None
        return body.get("errorCode") if isinstance(body, dict) else None


@dataclass(frozen=True)
class Exchange:
    cassette: str
    index: int
    request: Request
    response: Response
    # "all": every header line was recorded; "last": VCR.py's older format kept only the last
    # line of each header, so a page's `self` link is lost when a `next` link follows.
    header_lines: str

    @property
    def name(self) -> str:
        return f"{self.cassette}#{self.index}"

    @property
    def operation(self) -> str | None:
        """The Users API operation this package uses that the request is, if any."""
        match = _USERS.fullmatch(self.request.path)
        if match is None:
            return None
        shape = "" if match["key"] is None else "{id}" + (match["rest"] or "")
        return _OPERATIONS.get((self.request.method, shape))

    @property
    def year(self) -> int:
        date = self.response.header("date")
        assert date is not None, f"{self.name} has no Date"
        return parsedate_to_datetime(date).year


@dataclass(frozen=True)
class Cassette:
    name: str
    exchanges: tuple[Exchange, ...]


@functools.cache
def cassettes() -> tuple[Cassette, ...]:
    data = json.loads(FIXTURE.read_bytes())
    return tuple(
        Cassette(
            name=cassette["cassette"],
            exchanges=tuple(
                _exchange(cassette["cassette"], cassette["header_lines"], exchange)
                for exchange in cassette["exchanges"]
            ),
        )
        for cassette in data["cassettes"]
    )


def answers() -> list[Exchange]:
    """Every recorded answer to a Users API request this package makes."""
    return [e for e in exchanges() if e.operation is not None and 200 <= e.response.status < 300]


def errors() -> list[Exchange]:
    """Every recorded error answer: Okta's error bodies, and one that is not Okta's."""
    return [e for e in exchanges() if e.response.status >= 400]


def raw_params(query: str) -> list[tuple[str, str]]:
    pairs = []
    for pair in query.split("&"):
        if pair:
            name, _, value = pair.partition("=")
            pairs.append((name, value))
    return pairs


def exchanges() -> list[Exchange]:
    return [exchange for cassette in cassettes() for exchange in cassette.exchanges]


def _exchange(cassette: str, header_lines: str, data: Mapping[str, Any]) -> Exchange:
    request, response = data["request"], data["response"]
    return Exchange(
        cassette=cassette,
        index=data["index"],
        request=Request(
            method=request["method"],
            uri=request["uri"],
            headers={name: tuple(values) for name, values in request["headers"].items()},
            body=request["body"],
        ),
        response=Response(
            status=response["status"],
            headers={name: tuple(values) for name, values in response["headers"].items()},
            body=response["body"],
        ),
        header_lines=header_lines,
    )
