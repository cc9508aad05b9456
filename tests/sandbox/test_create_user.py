"""POST /api/v1/users: Okta's create rules, statuses and validation errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg

ADA = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "email": "ada.lovelace@example.com",
    "login": "ada.lovelace@example.com",
}


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg()


@pytest.fixture
def client(org: SandboxOrg) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"SSWS {org.token}"}
    with httpx.Client(
        transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers
    ) as client:
        yield client


def _causes(response: httpx.Response) -> list[str]:
    return [cause["errorSummary"] for cause in response.json()["errorCauses"]]


def _create(client: httpx.Client, profile: dict[str, Any], **params: str) -> httpx.Response:
    return client.post("/api/v1/users", params=params, json={"profile": profile})


def test_create_activates_by_default_as_provisioned(client: httpx.Client):
    user = _create(client, ADA).json()

    assert user["status"] == "PROVISIONED"
    assert user["activated"] is not None


def test_create_with_activate_false_is_staged(client: httpx.Client):
    user = _create(client, ADA, activate="false").json()

    assert user["status"] == "STAGED"
    assert user["activated"] is None


def test_created_user_is_stored_with_a_new_okta_id(org: SandboxOrg, client: httpx.Client):
    response = _create(client, {**ADA, "mobilePhone": "+1-555-0100"})

    assert response.status_code == 200
    user = response.json()
    assert user["id"].startswith("00u")
    assert len(user["id"]) == 20
    assert user["profile"] == {**ADA, "mobilePhone": "+1-555-0100", "secondEmail": None}
    assert org.find_by_login(ADA["login"]) == user


def test_create_with_a_taken_login_in_another_case_is_rejected(client: httpx.Client):
    _create(client, ADA)

    response = _create(client, {**ADA, "login": "Ada.Lovelace@EXAMPLE.com"})

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000001"
    assert response.json()["errorSummary"] == "Api validation failed: login"
    assert _causes(response) == [
        "login: An object with this field already exists in the current organization"
    ]


def test_logins_differing_only_in_diacritics_collide(client: httpx.Client):
    _create(client, ADA)

    response = _create(client, {**ADA, "login": "adá.lovelace@example.com"})

    assert response.status_code == 400


def test_create_with_blank_required_fields_names_each_one(client: httpx.Client):
    response = _create(client, {"login": "ada@example.com", "firstName": " ", "lastName": None})

    assert response.json()["errorSummary"] == "Api validation failed: firstName"
    assert _causes(response) == [
        "firstName: The field cannot be left blank",
        "lastName: The field cannot be left blank",
        "email: The field cannot be left blank",
    ]


def test_create_with_a_malformed_email_fails_the_pattern(client: httpx.Client):
    response = _create(client, {**ADA, "email": "ada.example.com"})

    assert _causes(response) == ["email: Does not match required pattern"]


def test_create_with_a_login_that_is_not_an_email_is_rejected(client: httpx.Client):
    response = _create(client, {**ADA, "login": "ada"})

    assert _causes(response) == ["login: Username must be in the form of an email address"]


def test_create_with_a_too_long_first_name_is_rejected(client: httpx.Client):
    response = _create(client, {**ADA, "firstName": "A" * 51})

    assert _causes(response) == ["firstName: The field is too long"]


def test_create_without_a_profile_lists_every_required_attribute(client: httpx.Client):
    response = client.post("/api/v1/users", json={})

    assert [cause.split(":")[0] for cause in _causes(response)] == [
        "login",
        "firstName",
        "lastName",
        "email",
    ]


def test_create_with_malformed_json_is_e0000003(client: httpx.Client):
    response = client.post(
        "/api/v1/users", content=b'{"profile": {', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000003"
    assert response.json()["errorSummary"] == "The request body was not well-formed."


def test_create_with_a_non_boolean_activate_is_a_type_mismatch(client: httpx.Client):
    response = _create(client, ADA, activate="yes")

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E0000037"


def test_create_with_a_password_and_activate_gives_an_active_user_with_a_password(
    client: httpx.Client,
):
    body = {"profile": ADA, "credentials": {"password": {"value": "Secret-123456"}}}

    user = client.post("/api/v1/users", params={"activate": "true"}, json=body).json()

    assert user["status"] == "ACTIVE"
    assert user["credentials"]["password"] == {}
    assert user["passwordChanged"] == user["created"] == user["activated"]


def test_create_with_a_password_but_not_activate_gives_a_staged_user_with_a_password(
    client: httpx.Client,
):
    body = {"profile": ADA, "credentials": {"password": {"value": "Secret-123456"}}}

    user = client.post("/api/v1/users", params={"activate": "false"}, json=body).json()

    assert user["status"] == "STAGED"
    assert user["passwordChanged"] == user["created"]


def test_the_password_value_is_never_kept(org: SandboxOrg, client: httpx.Client):
    body = {"profile": ADA, "credentials": {"password": {"value": "Secret-123456"}}}

    response = client.post("/api/v1/users", json=body)

    assert "Secret-123456" not in response.text
    assert "Secret-123456" not in str(org.users)


def test_create_without_a_password_has_no_password_credential(client: httpx.Client):
    body = {"profile": ADA, "type": {"id": "oty1"}}

    user = client.post("/api/v1/users", json=body).json()

    assert "password" not in user["credentials"]
    assert user["passwordChanged"] is None


def test_a_new_user_has_mobile_phone_and_second_email_as_null_when_unset(client: httpx.Client):
    user = _create(client, ADA).json()

    assert user["profile"]["mobilePhone"] is None
    assert user["profile"]["secondEmail"] is None


def test_a_new_staged_user_changed_status_when_it_was_created(client: httpx.Client):
    user = client.post("/api/v1/users", params={"activate": "false"}, json={"profile": ADA}).json()

    assert user["status"] == "STAGED"
    assert user["statusChanged"] == user["created"]
    assert user["activated"] is None


def test_a_staged_user_can_be_activated_not_deactivated(client: httpx.Client):
    user = client.post("/api/v1/users", params={"activate": "false"}, json={"profile": ADA}).json()

    assert set(user["_links"]) == {"activate", "resetFactors", "schema", "type", "self"}


def test_a_create_answer_carries_no_etag(client: httpx.Client):
    response = _create(client, ADA)

    assert "etag" not in response.headers


def test_failed_create_stores_nothing(org: SandboxOrg, client: httpx.Client):
    before = len(org.users)

    _create(client, {**ADA, "email": "nope"})

    assert len(org.users) == before


def test_created_ids_are_deterministic_for_a_seed():
    ids = []
    for _ in range(2):
        org = SandboxOrg(seed=11)
        with httpx.Client(
            transport=org.transport(),
            base_url=IN_PROCESS_URL,
            headers={"Authorization": f"SSWS {org.token}"},
        ) as client:
            ids.append(_create(client, ADA).json()["id"])

    assert ids[0] == ids[1]
