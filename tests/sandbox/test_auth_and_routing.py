"""Authentication, unsupported routes, and what every response carries."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
import pytest

from langchain_okta.sandbox import IN_PROCESS_URL, SandboxOrg
from langchain_okta.sandbox.okta_errors import SUMMARIES

ERROR_CODES = Path(__file__).resolve().parents[1] / "fixtures" / "okta" / "error_codes.json"


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg()


def _client(org: SandboxOrg, authorization: str | None) -> httpx.Client:
    headers = {"Authorization": authorization} if authorization is not None else {}
    return httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL, headers=headers)


@pytest.mark.parametrize(
    "authorization",
    [None, "SSWS wrong-token", "Bearer {token}", "SSWSx{token}", "ssws {token}", "SSWS  {token}"],
)
def test_anything_but_ssws_and_the_token_is_401_invalid_token(
    org: SandboxOrg, authorization: str | None
):
    header = authorization.format(token=org.token) if authorization else None

    response = _client(org, header).get("/api/v1/users/me")

    assert response.status_code == 401
    assert response.json()["errorCode"] == "E0000011"
    assert response.json()["errorSummary"] == "Invalid token provided"


def test_the_token_right_after_ssws_without_a_space_is_accepted(org: SandboxOrg):
    # What Okta's own SDK sends, and real Okta answered (recorded).
    response = _client(org, f"SSWS{org.token}").get("/api/v1/users/me")

    assert response.status_code == 200


def test_authentication_is_checked_before_routing(org: SandboxOrg):
    response = _client(org, "SSWS wrong").delete("/api/v1/groups")

    assert response.status_code == 401


def test_a_custom_token_is_the_one_accepted():
    org = SandboxOrg(token="my-token")

    assert _client(org, "SSWS my-token").get("/api/v1/users/me").status_code == 200


def test_unsupported_method_is_405_e0000022(org: SandboxOrg):
    response = _client(org, f"SSWS {org.token}").delete(f"/api/v1/users/{org.admin['id']}")

    assert response.status_code == 405
    assert response.json()["errorCode"] == "E0000022"
    assert response.json()["errorSummary"] == (
        "The endpoint does not support the provided HTTP method"
    )


def test_a_405_carries_no_rate_limit_headers(org: SandboxOrg):
    response = _client(org, f"SSWS {org.token}").delete(f"/api/v1/users/{org.admin['id']}")

    assert response.status_code == 405
    assert not [name for name in response.headers if name.lower().startswith("x-rate-limit")]


def test_repeated_slashes_in_the_path_read_as_one(org: SandboxOrg):
    # Okta's own SDK has sent "//api/v1/users", and Okta created the user (recorded).
    response = _client(org, f"SSWS {org.token}").get(f"{IN_PROCESS_URL}//api/v1//users/me")

    assert response.status_code == 200
    assert response.json()["id"] == org.admin["id"]


@pytest.mark.parametrize("path", ["/api/v1/groups", "/api/v1/users/me/lifecycle/activate", "/"])
def test_unknown_path_is_404_e0000008(org: SandboxOrg, path: str):
    response = _client(org, f"SSWS {org.token}").get(path)

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E0000008"


def test_error_body_has_oktas_shape(org: SandboxOrg):
    body = _client(org, None).get("/api/v1/users").json()

    assert list(body) == ["errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"]
    assert body["errorLink"] == body["errorCode"]
    assert body["errorId"].startswith("oae")
    assert len(body["errorId"]) == 25
    assert body["errorCauses"] == []


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/api/v1/users"), ("GET", "/api/v1/users/me"), ("GET", "/nowhere")],
)
def test_every_response_has_json_type_date_and_rate_limit_headers(
    org: SandboxOrg, method: str, path: str
):
    response = _client(org, f"SSWS {org.token}").request(method, path)

    assert response.headers["content-type"] == "application/json"
    assert parsedate_to_datetime(response.headers["date"]).tzinfo is not None
    for name in ("x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"):
        assert response.headers[name].isdigit()


def test_error_summaries_are_oktas_own():
    catalogue = {
        entry["errorCode"]: (entry["statusCode"], entry["errorSummary"])
        for entry in json.loads(ERROR_CODES.read_text())["errors"]
    }

    assert {code: catalogue[code] for code in SUMMARIES} == SUMMARIES
