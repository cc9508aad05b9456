"""The contract checker itself: it finds the operations we rely on and accepts Okta's own examples.

Without these, a validator that rejects everything correct (or one that accepts anything) would
go unnoticed, and so would a spec update that moves an operation.
"""

from __future__ import annotations

from typing import Any

import pytest
from spec import OktaSpec, error_messages

# The operations the toolkit uses (SOURCE.md) and the JSON schemas of their success bodies.
OPERATIONS = [
    ("GET", "/api/v1/users", "listUsers", {"type": "array", "items": "User"}),
    ("GET", "/api/v1/users/{id}", "getUser", "UserGetSingleton"),
    ("POST", "/api/v1/users", "createUser", "User"),
    ("POST", "/api/v1/users/{id}", "updateUser", "User"),
    ("PUT", "/api/v1/users/{id}", "replaceUser", "User"),
    ("GET", "/api/v1/users/{userId}/roles", "listAssignedRolesForUser", None),
]


def _example(okta_spec: OktaSpec, name: str) -> Any:
    return okta_spec.document["components"]["examples"][name]["value"]


def _schema_ref(schema: dict[str, Any]) -> Any:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if schema.get("type") == "array" and "$ref" in schema["items"]:
        return {"type": "array", "items": _schema_ref(schema["items"])}
    return None


@pytest.mark.parametrize(("method", "path", "operation_id", "schema"), OPERATIONS)
def test_spec_declares_the_operation_and_its_success_schema(
    okta_spec: OktaSpec, method: str, path: str, operation_id: str, schema: Any
) -> None:
    operation = okta_spec.operation(method, path)
    assert operation.operation_id == operation_id
    raw = okta_spec.document["paths"][path][method.lower()]["responses"]["200"]
    assert _schema_ref(raw["content"]["application/json"]["schema"]) == schema


@pytest.mark.parametrize(
    ("method", "path", "schema"),
    [
        ("POST", "/api/v1/users", "CreateUserRequest"),
        ("POST", "/api/v1/users/{id}", "UpdateUserRequest"),
        ("PUT", "/api/v1/users/{id}", "UpdateUserRequest"),
    ],
)
def test_spec_declares_the_request_body_schema(
    okta_spec: OktaSpec, method: str, path: str, schema: str
) -> None:
    operation = okta_spec.operation(method, path)
    assert operation.request_body_required
    assert operation.request_body_schema == {"$ref": f"#/components/schemas/{schema}"}


@pytest.mark.parametrize(
    ("raw_path", "operation_id", "values"),
    [
        ("/api/v1/users", "listUsers", {}),
        ("/api/v1/users/me", "getUser", {"id": "me"}),
        ("/api/v1/users/jane.doe%40example.com", "getUser", {"id": "jane.doe@example.com"}),
        ("/api/v1/users/a%2Fb", "getUser", {"id": "a/b"}),
        ("/api/v1/users/00u1/roles", "listAssignedRolesForUser", {"userId": "00u1"}),
    ],
)
def test_concrete_paths_match_their_operation(
    okta_spec: OktaSpec, raw_path: str, operation_id: str, values: dict[str, str]
) -> None:
    matched = okta_spec.match("GET", raw_path)
    assert matched is not None
    assert (matched[0].operation_id, matched[1]) == (operation_id, values)


def test_unknown_paths_match_no_operation(okta_spec: OktaSpec) -> None:
    assert okta_spec.match("GET", "/api/v1/users/00u1/roles/extra/segments") is None
    assert okta_spec.match("PATCH", "/api/v1/users/00u1") is None


@pytest.mark.parametrize(
    "example",
    [
        "ListUsersResponse",
        "ListUsersQResponse",
        "ListUsersSearchResponse",
        "ListUsersFilterResponse",
    ],
)
def test_okta_user_list_examples_validate(okta_spec: OktaSpec, example: str) -> None:
    validator = okta_spec.validator_at(
        okta_spec.operation("GET", "/api/v1/users").response_pointer(200) or ""
    )
    assert error_messages(validator, _example(okta_spec, example)) == []


# Okta's CustomRoleResponseUser example is left out: its assignee link is spelled `href"`.
@pytest.mark.parametrize("example", ["StandardRoleResponseUser"])
def test_okta_role_examples_validate(okta_spec: OktaSpec, example: str) -> None:
    operation = okta_spec.operation("GET", "/api/v1/users/{userId}/roles")
    validator = okta_spec.validator_at(operation.response_pointer(200) or "")
    assert error_messages(validator, [_example(okta_spec, example)]) == []


@pytest.mark.parametrize(
    "response",
    [
        "ErrorApiValidationFailed400",
        "ErrorInvalidToken401",
        "ErrorResourceNotFound404",
        "ErrorTooManyRequests429",
    ],
)
def test_okta_error_examples_validate(okta_spec: OktaSpec, response: str) -> None:
    content = okta_spec.document["components"]["responses"][response]["content"]
    examples = content["application/json"]["examples"].values()
    values = [
        _example(okta_spec, e["$ref"].rsplit("/", 1)[1]) if "$ref" in e else e["value"]
        for e in examples
    ]
    assert values
    for value in values:
        assert error_messages(okta_spec.schema_validator("Error"), value) == []


@pytest.mark.parametrize(
    ("schema", "instance"),
    [
        ("User", {"id": "00u1", "status": "NOT_A_STATUS"}),
        ("User", {"id": "00u1", "created": None}),  # not nullable
        ("User", {"id": "00u1", "activated": "yesterday"}),  # not a date-time
        ("User", {"id": "00u1", "profile": {"login": "abc"}}),  # login minLength 5
        ("CreateUserRequest", {"credentials": {}}),  # profile is required
        ("Error", {"errorCauses": [{"errorSummary": 1}]}),
        ("StandardRole", {"type": "NOT_A_ROLE"}),
    ],
)
def test_validators_reject_what_the_spec_forbids(
    okta_spec: OktaSpec, schema: str, instance: dict[str, Any]
) -> None:
    assert error_messages(okta_spec.schema_validator(schema), instance) != []


def test_nullable_attributes_accept_null(okta_spec: OktaSpec) -> None:
    user = {"id": "00u1", "activated": None, "transitioningToStatus": None}
    user["profile"] = {"mobilePhone": None, "firstName": None, "secondEmail": None}
    assert error_messages(okta_spec.schema_validator("User"), user) == []


def test_role_list_picks_the_branch_its_discriminator_names(okta_spec: OktaSpec) -> None:
    """Plain `oneOf` would refuse every role: both branches are open objects that match."""
    operation = okta_spec.operation("GET", "/api/v1/users/{userId}/roles")
    validator = okta_spec.validator_at(operation.response_pointer(200) or "")
    assert error_messages(validator, [{"type": "SUPER_ADMIN"}, {"type": "CUSTOM"}]) == []
    assert error_messages(validator, [{"type": "NOT_A_ROLE"}]) != []
