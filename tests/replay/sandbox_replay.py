"""Replaying a cassette's recorded requests against a fresh sandbox org, and comparing answers.

For each cassette: an org holding the users the recording shows existed before it (seeded as
Okta returned them, the first one as the admin behind the token), then every recorded request
in order. A request the sandbox serves is sent, translated only where the org's own values must
replace Okta's (the ids of users created during the recording, page cursors, the token), and
its answer is compared with Okta's, structurally: status, Content-Type, rate-limit headers,
ETag, `link` lines, and the body's keys and value types (values such as ids and timestamps
excepted; statuses, error codes, error summaries and causes compared as they are). A request
the sandbox does not serve (`replay_scope.NOT_SERVED`) is not sent; its effect on users, if
any, is applied to the org the way Okta applied it.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from recorded import (
    CREATE_USER,
    LIST_USERS,
    REPLACE_USER,
    UPDATE_USER,
    Cassette,
    Exchange,
    Link,
    Response,
    cassettes,
    raw_params,
)
from replay_scope import Difference, NotServed, not_served

from langchain_okta.sandbox import SandboxOrg

RATE_LIMIT_HEADERS = ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset")
# Values compared as they are, not only by type.
_COMPARED_VALUES = frozenset({"status", "errorCode", "errorSummary", "assignmentType"})
# Stands in for a password the recorder scrubbed from a request body; never stored anyway.
_PASSWORD = "Replay-Password-1"


def _moves_to(status: str) -> Callable[[Mapping[str, Any]], str]:
    return lambda user: status


def _activated(user: Mapping[str, Any]) -> str:
    # Activating a user who has a password makes them ACTIVE; without one, PROVISIONED.
    return "ACTIVE" if user.get("passwordChanged") else "PROVISIONED"


# Where each lifecycle operation leaves a user.
LIFECYCLE: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "activate": _activated,
    "reactivate": _moves_to("PROVISIONED"),
    "deactivate": _moves_to("DEPROVISIONED"),
    "suspend": _moves_to("SUSPENDED"),
    "unsuspend": _moves_to("ACTIVE"),
    "unlock": _moves_to("ACTIVE"),
    "reset_password": _moves_to("RECOVERY"),
    "expire_password": _moves_to("PASSWORD_EXPIRED"),
    "expire_password_with_temp_password": _moves_to("PASSWORD_EXPIRED"),
}


@dataclass(frozen=True)
class Replayed:
    exchange: Exchange
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class CassetteReplay:
    cassette: Cassette
    replayed: tuple[Replayed, ...]
    not_served: tuple[tuple[Exchange, NotServed], ...]


@dataclass
class OrgValues:
    """The org's own values for Okta's recorded ones, learned as the replay goes."""

    users: dict[str, str] = field(default_factory=dict)  # recorded id -> sandbox id
    cursors: dict[str, str] = field(default_factory=dict)  # recorded cursor -> sandbox cursor
    roles: dict[str, dict[str, str]] = field(default_factory=dict)  # user -> role id -> type

    def user(self, recorded: str) -> str:
        return self.users.get(recorded, recorded)

    def cursor(self, recorded: str) -> str:
        return self.cursors.get(recorded, recorded)

    def as_recorded(self, text: str) -> str:
        """Sandbox ids in a text (an error summary) put back as Okta's."""
        for recorded, sandbox in self.users.items():
            text = text.replace(sandbox, recorded)
        return text


class ReplayClock:
    """The org's clock, set to each recorded answer's Date as the replay reaches it."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def replay(cassette: Cassette) -> CassetteReplay:
    """The cassette replayed on a fresh org (once per run: several tests read the result)."""
    return _replay_named(cassette.name)


@functools.cache
def _replay_named(name: str) -> CassetteReplay:
    cassette = next(c for c in cassettes() if c.name == name)
    clock = ReplayClock(_first_date(cassette))
    org = _org(cassette, clock)
    values = OrgValues()
    replayed, skipped = [], []
    with httpx.Client(transport=org.transport()) as http:
        for exchange in cassette.exchanges:
            clock.now = exchange.response.date or clock.now
            rule = not_served(exchange)
            if rule is not None:
                skipped.append((exchange, rule))
                _apply(org, exchange, values)
                continue
            if _more_follow(exchange, cassette):
                _add_one_more(org, http, exchange)
            response = http.send(_request(http, exchange, values, org.token))
            differences = tuple(_compare(exchange, response, values))
            _learn(exchange, response, values)
            replayed.append(Replayed(exchange, differences))
    return CassetteReplay(cassette, tuple(replayed), tuple(skipped))


def served(cassette: Cassette) -> bool:
    return any(not_served(exchange) is None for exchange in cassette.exchanges)


# The org


def _org(cassette: Cassette, clock: ReplayClock) -> SandboxOrg:
    people = _people_before(cassette)
    if not people:
        return SandboxOrg(users=0, clock=clock)
    return SandboxOrg(people=people, clock=clock)


def _people_before(cassette: Cassette) -> list[dict[str, Any]]:
    """The users the recording shows existed before it started, in the order first seen."""
    answered = [e for e in cassette.exchanges if not_served(e) is None and e.response.status < 300]
    created = {e.response.json()["id"] for e in answered if e.operation == CREATE_USER}
    people: dict[str, dict[str, Any]] = {}
    for exchange in answered:
        for user in _users_in(exchange.response):
            if user["id"] not in created:
                people.setdefault(user["id"], user)
    return list(people.values())


def _more_follow(exchange: Exchange, cassette: Cassette) -> bool:
    """Whether a page has a `next` link the recording never followed: Okta knew more users
    matched than the recording shows."""
    followed = {
        value for e in cassette.exchanges for name, value in e.request.params if name == "after"
    }
    return exchange.operation == LIST_USERS and any(
        link.rel == "next" and link.after not in followed for link in exchange.response.links
    )


def _add_one_more(org: SandboxOrg, http: httpx.Client, exchange: Exchange) -> None:
    """One more user like the page's last one, after every user the org holds so far."""
    like = exchange.response.json()[-1]
    login = f"one.more.{len(org.users)}@example.com"
    profile = {**like["profile"], "login": login, "email": login}
    body = {"profile": profile, "credentials": {"password": {"value": _PASSWORD}}}
    url = f"{exchange.request.base_url}/api/v1/users"
    created = http.post(url, json=body, headers={"Authorization": f"SSWS {org.token}"}).json()
    org.set_status(created["id"], like["status"])


def _users_in(response: Response) -> Iterator[dict[str, Any]]:
    body = response.json()
    for item in body if isinstance(body, list) else [body]:
        if (
            isinstance(item, dict)
            and str(item.get("id", "")).startswith("00u")
            and "profile" in item
        ):
            yield item


def _first_date(cassette: Cassette) -> float:
    return next(e.response.date for e in cassette.exchanges if e.response.date is not None)


# Requests


def _request(
    http: httpx.Client, exchange: Exchange, values: OrgValues, token: str
) -> httpx.Request:
    recorded = exchange.request
    parts = urlsplit(recorded.uri)
    path = parts.path
    if recorded.user_key is not None:
        path = path.replace(f"/{recorded.user_key}", f"/{values.user(recorded.user_key)}", 1)
    query = "&".join(
        f"{name}={values.cursor(value) if name == 'after' else value}"
        for name, value in raw_params(parts.query)
    )
    url = f"{parts.scheme}://{parts.netloc}{path}" + (f"?{query}" if query else "")
    # Okta's own SDK sends the token right after "SSWS", without a space.
    headers = {"Authorization": f"SSWS{token}", "Accept": "application/json"}
    for if_match in recorded.headers.get("if-match", ()):
        headers["If-Match"] = if_match
    body = recorded.body if recorded.body is not None else _scrubbed_body(exchange)
    if body is not None:
        headers["Content-Type"] = "application/json"
    return http.build_request(recorded.method, url, headers=headers, content=body)


def _scrubbed_body(exchange: Exchange) -> str | None:
    """The body of a create or update whose body the recorder scrubbed, from Okta's answer:
    the profile it shows (unset attributes left out), and a password when it shows one."""
    if exchange.operation not in (CREATE_USER, UPDATE_USER, REPLACE_USER):
        return None
    user = exchange.response.json()
    body: dict[str, Any] = {
        "profile": {name: value for name, value in user["profile"].items() if value is not None}
    }
    if exchange.operation == CREATE_USER and "password" in user.get("credentials", {}):
        body["credentials"] = {"password": {"value": _PASSWORD}}
    return json.dumps(body)


def _learn(exchange: Exchange, response: httpx.Response, values: OrgValues) -> None:
    if response.status_code >= 300:
        return
    if exchange.operation == CREATE_USER:
        values.users[exchange.response.json()["id"]] = response.json()["id"]
    sandbox_next = [link for link in _links(response) if link.rel == "next"]
    for link in exchange.response.links:
        if link.rel == "next" and link.after and sandbox_next and sandbox_next[0].after:
            values.cursors[link.after] = sandbox_next[0].after


def _apply(org: SandboxOrg, exchange: Exchange, values: OrgValues) -> None:
    """Apply what a request the sandbox does not serve did to a user, as Okta did it."""
    recorded = exchange.request
    if exchange.response.status >= 300 or recorded.user_key is None:
        return
    user_id = values.user(recorded.user_key)
    user = next((u for u in org.users if u["id"] == user_id), None)
    if user is None:
        return
    subpath = recorded.users_subpath or ""
    if recorded.method == "DELETE" and not subpath:
        if user["status"] == "DEPROVISIONED":
            org.remove_user(user_id)
        else:
            org.set_status(user_id, "DEPROVISIONED")
    elif recorded.method == "POST" and subpath.startswith("lifecycle/"):
        operation = subpath.removeprefix("lifecycle/")
        if operation in LIFECYCLE:
            org.set_status(user_id, LIFECYCLE[operation](user))
    elif recorded.method == "POST" and subpath == "roles":
        role = exchange.response.json()
        values.roles.setdefault(user_id, {})[role["id"]] = role["type"]
        org.set_roles(user_id, list(values.roles[user_id].values()))
    elif recorded.method == "DELETE" and re.fullmatch(r"roles/[^/]+", subpath):
        values.roles.get(user_id, {}).pop(subpath.removeprefix("roles/"), None)
        org.set_roles(user_id, list(values.roles.get(user_id, {}).values()))


# Comparing


def _compare(
    exchange: Exchange, response: httpx.Response, values: OrgValues
) -> Iterator[Difference]:
    recorded = exchange.response
    if recorded.status != response.status_code:
        yield Difference("status", str(recorded.status), str(response.status_code))
        return
    yield from _compare_headers(recorded, response)
    yield from _compare_links(exchange, response, values)
    recorded_body, sandbox_body = recorded.json(), response.json() if response.content else None
    yield from _compare_json(recorded_body, sandbox_body, "body", values)


def _compare_headers(recorded: Response, response: httpx.Response) -> Iterator[Difference]:
    recorded_type = _normalised(recorded.header("content-type"))
    sandbox_type = _normalised(response.headers.get("content-type"))
    if recorded_type != sandbox_type:
        yield Difference("header content-type", recorded_type, sandbox_type)
    for name in (*RATE_LIMIT_HEADERS, "etag"):
        recorded_value, sandbox_value = recorded.header(name), response.headers.get(name)
        if (recorded_value is None) != (sandbox_value is None):
            yield Difference(f"header {name}", _presence(recorded_value), _presence(sandbox_value))
        elif recorded_value is not None and sandbox_value is not None:
            if name == "etag":
                if recorded_value.startswith("W/") != sandbox_value.startswith("W/"):
                    yield Difference("header etag", recorded_value[:2], sandbox_value[:2])
            elif recorded_value.isdigit() != sandbox_value.isdigit():
                yield Difference(f"header {name}", "a number", repr(sandbox_value))


def _compare_links(
    exchange: Exchange, response: httpx.Response, values: OrgValues
) -> Iterator[Difference]:
    recorded, sandbox = exchange.response.links, _links(response)
    if exchange.header_lines == "last":
        # Only the last line of the header was recorded.
        sandbox = sandbox[-1:]
    if [link.rel for link in recorded] != [link.rel for link in sandbox]:
        yield Difference("header link", _rels(recorded), _rels(sandbox))
        return
    for okta, ours in zip(recorded, sandbox, strict=True):
        # Not the host: the recorder rewrote request hosts (test.okta.com), not link headers.
        okta_parts, our_parts = urlsplit(okta.url), urlsplit(ours.url)
        if (okta_parts.scheme, okta_parts.path) != (our_parts.scheme, our_parts.path):
            yield Difference(f"link {okta.rel} address", okta.url, ours.url)
        okta_params, our_params = okta.raw_params, ours.raw_params
        if [name for name, _ in okta_params] != [name for name, _ in our_params]:
            yield Difference(f"link {okta.rel} parameters", okta.url, ours.url)
            continue
        for (name, okta_value), (_, our_value) in zip(okta_params, our_params, strict=True):
            if name == "after":
                # A next cursor is the org's own; a self link repeats the request's.
                if okta.rel == "self" and values.cursor(okta_value) != our_value:
                    yield Difference("link self after", okta_value, our_value)
            elif okta_value != our_value:
                yield Difference(f"link {okta.rel} {name}", okta_value, our_value)


def _compare_json(
    recorded: Any, sandbox: Any, where: str, values: OrgValues
) -> Iterator[Difference]:
    if _kind(recorded) != _kind(sandbox):
        yield Difference(where, _kind(recorded), _kind(sandbox))
    elif isinstance(recorded, dict):
        for key in recorded.keys() - sandbox.keys():
            yield Difference(f"{where}.{key}", "present", "absent")
        for key in sandbox.keys() - recorded.keys():
            yield Difference(f"{where}.{key}", "absent", "present")
        for key in recorded.keys() & sandbox.keys():
            okta, ours = recorded[key], sandbox[key]
            compared = key in _COMPARED_VALUES and isinstance(okta, str) and isinstance(ours, str)
            if compared and okta != values.as_recorded(ours):
                yield Difference(f"{where}.{key}", repr(okta), repr(ours))
            yield from _compare_json(okta, ours, f"{where}.{key}", values)
    elif isinstance(recorded, list):
        if _are_users(recorded) or _are_users(sandbox):
            yield from _compare_users(recorded, sandbox, where, values)
            return
        if len(recorded) != len(sandbox):
            yield Difference(where, f"{len(recorded)} items", f"{len(sandbox)} items")
        for okta, ours in zip(recorded, sandbox, strict=False):
            yield from _compare_json(okta, ours, f"{where}[]", values)


def _compare_users(
    recorded: list[Any], sandbox: list[Any], where: str, values: OrgValues
) -> Iterator[Difference]:
    """Users of a page, matched by id: the order within a page is Okta's own."""
    ours = {user["id"]: user for user in sandbox}
    expected = {values.user(user["id"]): user for user in recorded}
    for user_id in expected.keys() - ours.keys():
        yield Difference(f"{where}[] user {user_id}", "listed", "not listed")
    for user_id in ours.keys() - expected.keys():
        yield Difference(f"{where}[] user {user_id}", "not listed", "listed")
    for user_id in expected.keys() & ours.keys():
        yield from _compare_json(expected[user_id], ours[user_id], f"{where}[]", values)


def _are_users(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, dict) and "profile" in item for item in items)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _links(response: httpx.Response) -> list[Link]:
    return Response(
        response.status_code, {"link": tuple(response.headers.get_list("link"))}, None
    ).links


def _rels(links: list[Link]) -> str:
    return ", ".join(link.rel for link in links) or "none"


def _normalised(content_type: str | None) -> str:
    return "absent" if content_type is None else content_type.replace(" ", "").lower()


def _presence(value: str | None) -> str:
    return "absent" if value is None else "present"
