"""The sandbox's objects validate against Okta's own schemas (User, StandardRole, Error)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft4Validator

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg

SPEC = Path(__file__).resolve().parents[1] / "fixtures" / "okta" / "spec.json"
SpecSchemas = dict[str, Any]


@pytest.fixture(scope="module")
def schemas() -> SpecSchemas:
    """`components.schemas` of Okta's spec (the compact part the tests use)."""
    schemas: SpecSchemas = json.loads(SPEC.read_bytes())["components"]["schemas"]
    return schemas


def _inline(node: Any, schemas: SpecSchemas, stack: tuple[str, ...] = ()) -> Any:
    """JSON Schema draft 4 from an OpenAPI 3.0 schema: $refs inlined, `nullable` honoured."""
    if isinstance(node, list):
        return [_inline(item, schemas, stack) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        # A recursive reference accepts anything: the shapes checked here are not recursive.
        return {} if name in stack else _inline(schemas[name], schemas, (*stack, name))
    converted = {
        key: _inline(value, schemas, stack)
        for key, value in node.items()
        if key not in ("example", "examples", "discriminator")
    }
    if converted.pop("nullable", False):
        if "type" in converted:
            converted["type"] = [converted["type"], "null"]
        if "enum" in converted:
            converted["enum"] = [*converted["enum"], None]
    return converted


def _validate(schemas: SpecSchemas, name: str, instance: Any) -> list[str]:
    validator = Draft4Validator(_inline(schemas[name], schemas, (name,)))
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(instance)]


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    org = SandboxOrg(admin_roles=("SUPER_ADMIN", "ORG_ADMIN", "HELP_DESK_ADMIN"))
    headers = {"Authorization": f"SSWS {org.token}"}
    return httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)


def test_every_listed_user_is_a_spec_user(schemas: SpecSchemas, client: httpx.Client):
    users = client.get("/api/v1/users", params={"search": "id pr"}).json()

    assert {user["status"] for user in users} >= {"ACTIVE", "STAGED"}
    assert [error for user in users for error in _validate(schemas, "User", user)] == []


def test_a_fetched_user_is_a_spec_user(schemas: SpecSchemas, client: httpx.Client):
    user = client.get("/api/v1/users/me").json()

    assert _validate(schemas, "UserGetSingleton", user) == []


def test_a_created_user_is_a_spec_user(schemas: SpecSchemas, client: httpx.Client):
    login = "spec.check@example.com"
    profile = {"firstName": "Spec", "lastName": "Check", "email": login, "login": login}

    user = client.post("/api/v1/users", json={"profile": profile}).json()

    assert _validate(schemas, "User", user) == []


def test_role_assignments_are_spec_standard_roles(schemas: SpecSchemas, client: httpx.Client):
    roles = client.get("/api/v1/users/me/roles").json()

    assert len(roles) == 3
    assert [error for role in roles for error in _validate(schemas, "StandardRole", role)] == []


def test_errors_are_spec_errors(schemas: SpecSchemas, client: httpx.Client):
    error = client.post("/api/v1/users", json={"profile": {"login": "x"}}).json()

    assert _validate(schemas, "Error", error) == []


def test_the_schema_check_rejects_a_malformed_user(schemas: SpecSchemas):
    errors = _validate(schemas, "User", {"id": "00u1", "status": "HAPPY", "created": 5})

    assert len(errors) == 2
