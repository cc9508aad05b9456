"""Every answer the sandbox org gives is one Okta's spec allows, with the headers Okta sends.

Each exchange below is one request to a fresh in-process `SandboxOrg`, made once and then
checked by every test that applies: the body against the schema the operation declares for
that status, the content type, the rate-limit and `Date` headers, and, for errors, the code
against Okta's published error catalogue.
"""

from __future__ import annotations

import email.utils
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from spec import OktaSpec, Operation, error_messages, summary_pattern

from langchain_okta.sandbox import IN_PROCESS_URL, Fault, RateLimit, SandboxOrg

USERS = "/api/v1/users"
NEW_PROFILE = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada.lovelace@example.com",
    "login": "ada.lovelace@example.com",
}
# Statuses the spec does not declare for an operation although Okta answers with them: the
# spec's gaps, not the sandbox's. Each is still checked against the spec's `Error` schema.
UNDECLARED_BY_SPEC = {
    ("listUsers", 400),  # E0000031 invalid search, E0000033 search with filter, E0000029...
    ("getUser", 401),  # every operation answers 401 to a bad token; none declares it
    ("listUsers", 401),
    ("createUser", 401),
    ("updateUser", 401),
    ("replaceUser", 401),
    ("listAssignedRolesForUser", 401),
    ("updateUser", 412),  # E0000231 If-Match mismatch
    ("replaceUser", 412),
    ("getUser", 500),  # 5xx: no operation declares them
    ("getUser", 502),
    ("getUser", 503),
    ("getUser", 504),
}
RATE_LIMIT_HEADERS = ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset")
# Rate-limit windows are about a minute (Okta's per-minute limits).
MAX_WINDOW_SECONDS = 60

Call = Callable[[SandboxOrg, httpx.Client], httpx.Response]


@dataclass(frozen=True)
class Exchange:
    call: Call
    operation: str
    status: int
    error_code: str | None = None
    org_options: dict[str, Any] = field(default_factory=dict)


def user_id(org: SandboxOrg, first_name: str = "Jane") -> str:
    return next(u["id"] for u in org.users if u["profile"]["firstName"] == first_name)


def login_of(org: SandboxOrg) -> str:
    return next(u["profile"]["login"] for u in org.users if u["profile"]["firstName"] == "Jane")


def status_user(org: SandboxOrg, status: str) -> str:
    return next(u["id"] for u in org.users if u["status"] == status)


def second_page(org: SandboxOrg, http: httpx.Client) -> httpx.Response:
    first = http.get(USERS, params={"limit": 5})
    next_url = next(link for link in first.headers.get_list("link") if 'rel="next"' in link)
    return http.get(next_url.split(";")[0].strip("<> "))


def exhaust_then_get(org: SandboxOrg, http: httpx.Client) -> httpx.Response:
    http.get(f"{USERS}/me")
    return http.get(f"{USERS}/me")


def with_fault(fault: Fault, call: Call) -> Call:
    def faulty(org: SandboxOrg, http: httpx.Client) -> httpx.Response:
        org.inject(fault)
        return call(org, http)

    return faulty


def stale_update(org: SandboxOrg, http: httpx.Client) -> httpx.Response:
    target = f"{USERS}/{user_id(org)}"
    etag = http.get(target).headers["etag"]
    http.post(target, json={"profile": {"title": "Someone else's edit"}})
    return http.post(target, json={"profile": {"title": "Mine"}}, headers={"If-Match": etag})


def matching_update(org: SandboxOrg, http: httpx.Client) -> httpx.Response:
    target = f"{USERS}/{user_id(org)}"
    etag = http.get(target).headers["etag"]
    return http.post(target, json={"profile": {"firstName": "Janet"}}, headers={"If-Match": etag})


def bad_token(method: str, path: Callable[[SandboxOrg], str], **kwargs: Any) -> Call:
    def call(org: SandboxOrg, http: httpx.Client) -> httpx.Response:
        headers = {"Authorization": "SSWS not-the-token"}
        return http.request(method, path(org), headers=headers, **kwargs)

    return call


EXCHANGES = {
    # listUsers
    "list-everyone": Exchange(lambda o, h: h.get(USERS), "listUsers", 200),
    "list-first-page": Exchange(lambda o, h: h.get(USERS, params={"limit": 5}), "listUsers", 200),
    "list-second-page": Exchange(second_page, "listUsers", 200),
    "list-by-search": Exchange(
        lambda o, h: h.get(USERS, params={"search": 'profile.department eq "Sales"'}),
        "listUsers",
        200,
    ),
    "list-by-search-sorted": Exchange(
        lambda o, h: h.get(
            USERS,
            params={
                "search": 'status eq "ACTIVE"',
                "sortBy": "profile.lastName",
                "sortOrder": "desc",
            },
        ),
        "listUsers",
        200,
    ),
    "list-deprovisioned-by-filter": Exchange(
        lambda o, h: h.get(USERS, params={"filter": 'status eq "DEPROVISIONED"'}), "listUsers", 200
    ),
    "list-by-q": Exchange(lambda o, h: h.get(USERS, params={"q": "jan"}), "listUsers", 200),
    "list-invalid-search": Exchange(
        lambda o, h: h.get(USERS, params={"search": "profile.department equals Sales"}),
        "listUsers",
        400,
        "E0000031",
    ),
    "list-search-with-filter": Exchange(
        lambda o, h: h.get(
            USERS, params={"search": 'status eq "ACTIVE"', "filter": 'status eq "ACTIVE"'}
        ),
        "listUsers",
        400,
        "E0000033",
    ),
    "list-limit-not-a-number": Exchange(
        lambda o, h: h.get(USERS, params={"limit": "twenty"}), "listUsers", 400, "E0000037"
    ),
    "list-unknown-cursor": Exchange(
        lambda o, h: h.get(USERS, params={"after": "00uNoSuchCursor00000"}),
        "listUsers",
        400,
        "E0000029",
    ),
    "list-bad-token": Exchange(bad_token("GET", lambda o: USERS), "listUsers", 401, "E0000011"),
    "list-rate-limited": Exchange(
        with_fault(Fault("rate_limit"), lambda o, h: h.get(USERS)), "listUsers", 429, "E0000047"
    ),
    # getUser
    "get-me": Exchange(lambda o, h: h.get(f"{USERS}/me"), "getUser", 200),
    "get-by-id": Exchange(lambda o, h: h.get(f"{USERS}/{user_id(o)}"), "getUser", 200),
    "get-by-login": Exchange(lambda o, h: h.get(f"{USERS}/{login_of(o)}"), "getUser", 200),
    "get-staged": Exchange(
        lambda o, h: h.get(f"{USERS}/{status_user(o, 'STAGED')}"), "getUser", 200
    ),
    "get-deprovisioned": Exchange(
        lambda o, h: h.get(f"{USERS}/{status_user(o, 'DEPROVISIONED')}"), "getUser", 200
    ),
    "get-locked-out": Exchange(
        lambda o, h: h.get(f"{USERS}/{status_user(o, 'LOCKED_OUT')}"), "getUser", 200
    ),
    "get-unknown": Exchange(
        lambda o, h: h.get(f"{USERS}/nobody@example.com"), "getUser", 404, "E0000007"
    ),
    "get-bad-token": Exchange(
        bad_token("GET", lambda o: f"{USERS}/me"), "getUser", 401, "E0000011"
    ),
    "get-no-token": Exchange(
        lambda o, h: httpx.Client(transport=o.transport(), base_url=IN_PROCESS_URL).get(
            f"{USERS}/me"
        ),
        "getUser",
        401,
        "E0000011",
    ),
    "get-over-the-rate-limit": Exchange(
        exhaust_then_get, "getUser", 429, "E0000047", {"rate_limit": RateLimit(limit=1)}
    ),
    "get-server-error": Exchange(
        with_fault(Fault("status", status=500), lambda o, h: h.get(f"{USERS}/me")),
        "getUser",
        500,
        "E0000009",
    ),
    "get-read-only-mode": Exchange(
        with_fault(Fault("status", status=503), lambda o, h: h.get(f"{USERS}/me")),
        "getUser",
        503,
        "E0000010",
    ),
    # The statuses a random fault draws besides 500 and 503 (`inject_random`); no code is
    # expected, but the one sent must be Okta's for that status.
    "get-bad-gateway": Exchange(
        with_fault(Fault("status", status=502), lambda o, h: h.get(f"{USERS}/me")),
        "getUser",
        502,
    ),
    "get-gateway-timeout": Exchange(
        with_fault(Fault("status", status=504), lambda o, h: h.get(f"{USERS}/me")),
        "getUser",
        504,
    ),
    # createUser
    "create-activated": Exchange(
        lambda o, h: h.post(USERS, params={"activate": "true"}, json={"profile": NEW_PROFILE}),
        "createUser",
        200,
    ),
    "create-staged": Exchange(
        lambda o, h: h.post(USERS, params={"activate": "false"}, json={"profile": NEW_PROFILE}),
        "createUser",
        200,
    ),
    "create-with-mobile-phone": Exchange(
        lambda o, h: h.post(USERS, json={"profile": {**NEW_PROFILE, "mobilePhone": "+1 555 0100"}}),
        "createUser",
        200,
    ),
    "create-duplicate-login": Exchange(
        lambda o, h: h.post(
            USERS, json={"profile": {**NEW_PROFILE, "login": login_of(o), "email": login_of(o)}}
        ),
        "createUser",
        400,
        "E0000001",
    ),
    "create-blank-names": Exchange(
        lambda o, h: h.post(USERS, json={"profile": {"login": "x@example.com"}}),
        "createUser",
        400,
        "E0000001",
    ),
    "create-malformed-body": Exchange(
        lambda o, h: h.post(
            USERS, content=b"{not json", headers={"Content-Type": "application/json"}
        ),
        "createUser",
        400,
        "E0000003",
    ),
    "create-rate-limited": Exchange(
        with_fault(
            Fault("rate_limit", method="POST"),
            lambda o, h: h.post(USERS, json={"profile": NEW_PROFILE}),
        ),
        "createUser",
        429,
        "E0000047",
    ),
    # updateUser
    "update-partial": Exchange(
        lambda o, h: h.post(f"{USERS}/{user_id(o)}", json={"profile": {"firstName": "Janet"}}),
        "updateUser",
        200,
    ),
    "update-clear-phone": Exchange(
        lambda o, h: h.post(f"{USERS}/{user_id(o)}", json={"profile": {"mobilePhone": None}}),
        "updateUser",
        200,
    ),
    "update-with-matching-if-match": Exchange(matching_update, "updateUser", 200),
    "update-with-stale-if-match": Exchange(stale_update, "updateUser", 412, "E0000231"),
    "update-duplicate-login": Exchange(
        lambda o, h: h.post(
            f"{USERS}/{user_id(o)}", json={"profile": {"login": "admin@example.com"}}
        ),
        "updateUser",
        400,
        "E0000001",
    ),
    "update-unknown": Exchange(
        lambda o, h: h.post(f"{USERS}/00uNobodyAtAll000000", json={"profile": {"title": "x"}}),
        "updateUser",
        404,
        "E0000007",
    ),
    # replaceUser
    "replace": Exchange(
        lambda o, h: h.put(f"{USERS}/{user_id(o)}", json={"profile": NEW_PROFILE}),
        "replaceUser",
        200,
    ),
    "replace-without-required-attributes": Exchange(
        lambda o, h: h.put(f"{USERS}/{user_id(o)}", json={"profile": {"title": "x"}}),
        "replaceUser",
        400,
        "E0000001",
    ),
    # listAssignedRolesForUser
    "roles-of-super-admin": Exchange(
        lambda o, h: h.get(f"{USERS}/{h.get(f'{USERS}/me').json()['id']}/roles"),
        "listAssignedRolesForUser",
        200,
    ),
    "roles-of-many-admin-roles": Exchange(
        lambda o, h: h.get(f"{USERS}/{h.get(f'{USERS}/me').json()['id']}/roles"),
        "listAssignedRolesForUser",
        200,
        org_options={"admin_roles": ("ORG_ADMIN", "HELP_DESK_ADMIN", "CUSTOM")},
    ),
    "roles-of-a-non-admin": Exchange(
        lambda o, h: h.get(f"{USERS}/{user_id(o)}/roles"), "listAssignedRolesForUser", 200
    ),
    "roles-of-unknown-user": Exchange(
        lambda o, h: h.get(f"{USERS}/00uNobodyAtAll000000/roles"),
        "listAssignedRolesForUser",
        404,
        "E0000007",
    ),
}
ERRORS = [name for name, exchange in EXCHANGES.items() if exchange.status >= 400]
SUCCESSES = [name for name, exchange in EXCHANGES.items() if exchange.status < 400]


@dataclass(frozen=True)
class Answer:
    exchange: Exchange
    response: httpx.Response
    received_at: float  # local clock

    @property
    def body(self) -> Any:
        return self.response.json()


def answer_to(exchange: Exchange) -> Answer:
    """The exchange carried out on a fresh org."""
    org = SandboxOrg(**exchange.org_options)
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers) as http:
        response = exchange.call(org, http)
        return Answer(exchange, response, time.time())


@functools.cache
def answer_named(name: str) -> Answer:
    """Each named exchange is made once and then checked by every test that applies."""
    return answer_to(EXCHANGES[name])


@pytest.fixture(params=list(EXCHANGES))
def answer(request: pytest.FixtureRequest) -> Answer:
    return answer_named(request.param)


@pytest.fixture(params=ERRORS)
def error_answer(request: pytest.FixtureRequest) -> Answer:
    return answer_named(request.param)


@pytest.fixture(params=SUCCESSES)
def success_answer(request: pytest.FixtureRequest) -> Answer:
    return answer_named(request.param)


def operation_of(okta_spec: OktaSpec, response: httpx.Response) -> Operation:
    raw_path = response.request.url.raw_path.decode("ascii").partition("?")[0]
    matched = okta_spec.match(response.request.method, raw_path)
    assert matched is not None
    return matched[0]


def users_in(answer: Answer) -> list[dict[str, Any]]:
    body = answer.body
    if answer.exchange.operation == "listAssignedRolesForUser":
        return []
    return body if isinstance(body, list) else [body]


# Every answer


def test_answer_is_the_expected_operation_and_status(okta_spec: OktaSpec, answer: Answer) -> None:
    operation = operation_of(okta_spec, answer.response)
    assert (operation.operation_id, answer.response.status_code) == (
        answer.exchange.operation,
        answer.exchange.status,
    ), answer.response.text


def test_status_is_declared_by_the_operation_or_a_known_spec_gap(
    okta_spec: OktaSpec, answer: Answer
) -> None:
    operation = operation_of(okta_spec, answer.response)
    status = answer.response.status_code
    assert operation.declares_status(status) or (operation.operation_id, status) in (
        UNDECLARED_BY_SPEC
    )


def test_body_validates_against_the_schema_the_spec_declares(
    okta_spec: OktaSpec, answer: Answer
) -> None:
    operation = operation_of(okta_spec, answer.response)
    status = answer.response.status_code
    if operation.declares_status(status):
        pointer = operation.response_pointer(status)
        assert pointer is not None, f"{operation.operation_id} {status} declares no JSON body"
        validator = okta_spec.validator_at(pointer)
    else:
        validator = okta_spec.schema_validator("Error")
    assert error_messages(validator, answer.body) == []


def test_content_type_is_json(answer: Answer) -> None:
    assert answer.response.headers["content-type"].split(";")[0].strip() == "application/json"


def test_rate_limit_headers_are_present_and_consistent(answer: Answer) -> None:
    headers = answer.response.headers
    values = {name: headers.get(name) for name in RATE_LIMIT_HEADERS}
    assert all(value is not None and value.isdigit() for value in values.values()), values
    assert int(headers["X-Rate-Limit-Remaining"]) <= int(headers["X-Rate-Limit-Limit"])


def test_date_header_is_an_http_date(answer: Answer) -> None:
    date = answer.response.headers.get("Date")
    assert date is not None
    assert email.utils.format_datetime(email.utils.parsedate_to_datetime(date), usegmt=True) == date


def test_rate_limit_reset_is_in_the_current_window_by_the_date_header(answer: Answer) -> None:
    headers = answer.response.headers
    date = email.utils.parsedate_to_datetime(headers["Date"]).timestamp()
    reset = int(headers["X-Rate-Limit-Reset"])
    assert date <= reset <= date + MAX_WINDOW_SECONDS


def test_date_header_is_the_org_clock(answer: Answer) -> None:
    date = email.utils.parsedate_to_datetime(answer.response.headers["Date"]).timestamp()
    assert answer.received_at - 2 <= date <= answer.received_at


# Errors


@pytest.mark.parametrize(
    "name", [name for name, exchange in EXCHANGES.items() if exchange.status == 429]
)
def test_rate_limited_answer_reports_nothing_remaining(name: str) -> None:
    assert answer_named(name).response.headers["X-Rate-Limit-Remaining"] == "0"


@pytest.mark.parametrize("name", [name for name in ERRORS if EXCHANGES[name].error_code])
def test_error_code_is_the_expected_one(name: str) -> None:
    answer = answer_named(name)
    assert answer.body["errorCode"] == answer.exchange.error_code


def test_error_code_is_in_okta_catalogue_with_this_status(
    error_codes: dict[str, dict[str, Any]], error_answer: Answer
) -> None:
    code = error_answer.body["errorCode"]
    assert code in error_codes, f"{code} is not one of Okta's error codes"
    assert error_codes[code]["statusCode"] == error_answer.response.status_code


def test_error_summary_follows_okta_catalogue(
    error_codes: dict[str, dict[str, Any]], error_answer: Answer
) -> None:
    body = error_answer.body
    template = error_codes[body["errorCode"]]["errorSummary"]
    assert summary_pattern(template).fullmatch(body["errorSummary"]), (template, body)


def test_error_has_every_field_okta_sends(okta_spec: OktaSpec, error_answer: Answer) -> None:
    declared = set(okta_spec.document["components"]["schemas"]["Error"]["properties"])
    assert set(error_answer.body) == declared


def test_error_causes_have_only_a_summary(error_answer: Answer) -> None:
    for cause in error_answer.body["errorCauses"]:
        assert set(cause) == {"errorSummary"}


def test_duplicate_login_error_names_the_login_cause() -> None:
    body = answer_named("create-duplicate-login").body
    taken = "login: An object with this field already exists in the current organization"
    assert body["errorCauses"] == [{"errorSummary": taken}]


# Faults that cut a body off: the headers came before the body, so Okta's are all there.

CUT_OFF = {
    "get": (Fault("malformed_json"), "GET", None),
    "create-applied": (Fault("malformed_json", after_processing=True), "POST", NEW_PROFILE),
    "create-not-applied": (Fault("malformed_json"), "POST", NEW_PROFILE),
}


@pytest.mark.parametrize("name", list(CUT_OFF))
def test_cut_off_answer_still_carries_okta_headers(name: str) -> None:
    fault, method, profile = CUT_OFF[name]
    path = f"{USERS}/me" if method == "GET" else USERS
    body = {"json": {"profile": profile}} if profile else {}
    call = with_fault(fault, lambda o, h: h.request(method, path, **body))
    response = answer_to(Exchange(call, "", 200)).response
    headers = {header: response.headers.get(header) for header in (*RATE_LIMIT_HEADERS, "Date")}
    assert None not in headers.values(), headers


# Users


def test_users_have_only_properties_the_spec_declares(
    okta_spec: OktaSpec, success_answer: Answer
) -> None:
    declared = set(okta_spec.document["components"]["schemas"]["User"]["properties"])
    for user in users_in(success_answer):
        assert set(user) <= declared, set(user) - declared


def test_users_have_the_base_profile_attributes(success_answer: Answer) -> None:
    for user in users_in(success_answer):
        assert {"login", "email", "firstName", "lastName"} <= set(user["profile"])


@pytest.mark.parametrize("name", [n for n in SUCCESSES if EXCHANGES[n].operation == "getUser"])
def test_fetched_user_carries_the_etag_the_spec_declares(okta_spec: OktaSpec, name: str) -> None:
    declared = okta_spec.document["paths"]["/api/v1/users/{id}"]["get"]["responses"]["200"]
    assert "etag" in {header.lower() for header in declared["headers"]}
    assert answer_named(name).response.headers.get("ETag")


@pytest.mark.parametrize(
    "status",
    [
        "STAGED",
        "PROVISIONED",
        "ACTIVE",
        "RECOVERY",
        "PASSWORD_EXPIRED",
        "LOCKED_OUT",
        "SUSPENDED",
        "DEPROVISIONED",
    ],
)
def test_fetched_user_in_each_status_is_a_user_get_singleton(
    okta_spec: OktaSpec, status: str
) -> None:
    answer = answer_to(
        Exchange(lambda o, h: h.get(f"{USERS}/{status_user(o, status)}"), "getUser", 200)
    )
    assert answer.body["status"] == status
    assert error_messages(okta_spec.schema_validator("UserGetSingleton"), answer.body) == []


def test_created_user_is_staged_or_provisioned_as_activate_says() -> None:
    staged = answer_named("create-staged").body
    activated = answer_named("create-activated").body
    assert (staged["status"], activated["status"]) == ("STAGED", "PROVISIONED")


def test_list_pages_link_self_and_next_as_separate_headers() -> None:
    response = answer_named("list-first-page").response
    links = response.headers.get_list("link")
    assert [link.rsplit(";", 1)[1].strip() for link in links] == ['rel="self"', 'rel="next"']


# Role assignments

ROLE_TYPES = [
    "SUPER_ADMIN",
    "ORG_ADMIN",
    "APP_ADMIN",
    "USER_ADMIN",
    "HELP_DESK_ADMIN",
    "READ_ONLY_ADMIN",
    "MOBILE_ADMIN",
    "REPORT_ADMIN",
    "GROUP_MEMBERSHIP_ADMIN",
    "API_ACCESS_MANAGEMENT_ADMIN",
    "WORKFLOWS_ADMIN",
    "ACCESS_CERTIFICATIONS_ADMIN",
    "ACCESS_REQUESTS_ADMIN",
    "CUSTOM",
]
# The spec's discriminator maps MOBILE_ADMIN to StandardRole, but its RoleType enum omits
# MOBILE_ADMIN: the spec contradicts itself, and Okta does assign the role. Strict, so a fixed
# spec (or a sandbox that stops sending the role) shows up here.
SPEC_OMITS_MOBILE_ADMIN = pytest.mark.xfail(
    strict=True, reason="the spec's RoleType enum lacks MOBILE_ADMIN, which its mapping names"
)
ROLE_TYPE_PARAMS = [
    pytest.param(t, marks=SPEC_OMITS_MOBILE_ADMIN) if t == "MOBILE_ADMIN" else t for t in ROLE_TYPES
]


@pytest.fixture(scope="module")
def roles_by_type() -> dict[str, list[dict[str, Any]]]:
    found = {}
    for role_type in ROLE_TYPES:
        exchange = EXCHANGES["roles-of-super-admin"]
        options = {"admin_roles": (role_type,)}
        found[role_type] = answer_to(
            Exchange(exchange.call, exchange.operation, 200, org_options=options)
        ).body
    return found


@pytest.mark.parametrize("role_type", ROLE_TYPE_PARAMS)
def test_role_assignment_validates_against_the_operation_schema(
    okta_spec: OktaSpec, roles_by_type: dict[str, list[dict[str, Any]]], role_type: str
) -> None:
    operation = okta_spec.operation("GET", "/api/v1/users/{userId}/roles")
    validator = okta_spec.validator_at(operation.response_pointer(200) or "")
    roles = roles_by_type[role_type]
    assert [role["type"] for role in roles] == [role_type]
    assert error_messages(validator, roles) == []


@pytest.mark.parametrize("role_type", ROLE_TYPE_PARAMS)
def test_role_assignment_is_the_schema_the_discriminator_names(
    okta_spec: OktaSpec, roles_by_type: dict[str, list[dict[str, Any]]], role_type: str
) -> None:
    items = okta_spec.document["paths"]["/api/v1/users/{userId}/roles"]["get"]["responses"]["200"]
    mapping = items["content"]["application/json"]["schema"]["items"]["discriminator"]["mapping"]
    schema = mapping[role_type].rsplit("/", 1)[1]
    [role] = roles_by_type[role_type]
    assert error_messages(okta_spec.schema_validator(schema), role) == []
    declared = set(okta_spec.document["components"]["schemas"][schema]["properties"])
    assert set(role) <= declared, f"{schema} declares no {set(role) - declared}"


@pytest.mark.parametrize("role_type", [t for t in ROLE_TYPE_PARAMS if t != "CUSTOM"])
def test_standard_role_assignment_is_a_standard_role(
    okta_spec: OktaSpec, roles_by_type: dict[str, list[dict[str, Any]]], role_type: str
) -> None:
    [role] = roles_by_type[role_type]
    assert error_messages(okta_spec.schema_validator("StandardRole"), role) == []
