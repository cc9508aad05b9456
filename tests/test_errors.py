"""Okta error responses become typed exceptions that tell the agent what to do next."""

import json

import pytest

from langchain_okta.errors import (
    OktaAuthenticationError,
    OktaConflictError,
    OktaConnectionError,
    OktaDuplicateLoginError,
    OktaError,
    OktaNotFoundError,
    OktaPermissionError,
    OktaRateLimitError,
    OktaResponseError,
    OktaServerError,
    OktaValidationError,
    error_from_response,
)

JSON = "application/json; charset=utf-8"
DUPLICATE_CAUSE = "login: An object with this field already exists in the current organization"


def okta_body(code, summary="Something went wrong", causes=(), error_id="oaeXYZ123"):
    return json.dumps(
        {
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": error_id,
            "errorCauses": [{"errorSummary": cause} for cause in causes],
        }
    ).encode()


def from_okta(status, code, summary="Something went wrong", causes=()):
    return error_from_response(status, JSON, okta_body(code, summary, causes))


# -- which exception ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "E0000011", OktaAuthenticationError),
        (401, "E0000004", OktaAuthenticationError),
        (403, "E0000006", OktaPermissionError),
        (404, "E0000007", OktaNotFoundError),
        (400, "E0000031", OktaValidationError),
        (400, "E0000003", OktaValidationError),
        (412, "E0000231", OktaConflictError),
        (429, "E0000047", OktaRateLimitError),
        (500, "E0000009", OktaServerError),
        (503, "E0000010", OktaServerError),
        (503, "E0000100", OktaServerError),
    ],
)
def test_status_maps_to_its_exception(status, code, expected):
    assert type(from_okta(status, code)) is expected


def test_duplicate_login_cause_gives_a_duplicate_login_error():
    error = from_okta(400, "E0000001", "Api validation failed: login", [DUPLICATE_CAUSE])

    assert type(error) is OktaDuplicateLoginError


def test_duplicate_login_error_is_a_validation_error():
    assert issubclass(OktaDuplicateLoginError, OktaValidationError)


def test_other_validation_failures_are_not_duplicate_logins():
    error = from_okta(400, "E0000001", "Api validation failed: email", ["email: Invalid"])

    assert type(error) is OktaValidationError


@pytest.mark.parametrize("status", [500, 502, 503, 504, 501])
def test_every_5xx_is_a_server_error(status):
    assert isinstance(from_okta(status, "E0000009"), OktaServerError)


def test_every_typed_exception_is_an_okta_error():
    for error_cls in (OktaAuthenticationError, OktaConnectionError, OktaResponseError):
        assert issubclass(error_cls, OktaError)


# -- what it carries ------------------------------------------------------------------------


def test_error_carries_code_summary_every_cause_error_id_and_status():
    error = error_from_response(
        400,
        JSON,
        okta_body(
            "E0000001",
            "Api validation failed: profile",
            ["firstName: must not be blank", "email: Does not match required pattern"],
            error_id="oaeABC",
        ),
    )

    assert error.status == 400
    assert error.error_code == "E0000001"
    assert error.summary == "Api validation failed: profile"
    assert error.causes == (
        "firstName: must not be blank",
        "email: Does not match required pattern",
    )
    assert error.error_id == "oaeABC"


def test_message_shows_code_status_summary_causes_and_error_id():
    error = from_okta(400, "E0000001", "Api validation failed: login", [DUPLICATE_CAUSE])

    message = str(error)
    for part in (
        "E0000001",
        "HTTP 400",
        "Api validation failed: login",
        DUPLICATE_CAUSE,
        "oaeXYZ123",
    ):
        assert part in message


def test_html_gateway_page_still_gives_a_clear_server_error():
    body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"

    error = error_from_response(502, "text/html", body)

    assert type(error) is OktaServerError
    assert error.status == 502
    assert "HTTP 502" in str(error)
    assert "text/html" in str(error)
    assert "<html>" not in str(error)


def test_empty_body_still_gives_a_clear_error():
    error = error_from_response(503, "", b"")

    assert type(error) is OktaServerError
    assert "HTTP 503" in str(error)
    assert "empty body" in str(error)


def test_json_content_type_with_a_body_that_is_not_json_gives_a_clear_error():
    error = error_from_response(500, JSON, b"upstream connect error")

    assert type(error) is OktaServerError
    assert "HTTP 500" in str(error)


def test_json_that_is_not_an_okta_error_object_still_gives_a_typed_error():
    error = error_from_response(404, JSON, b"[]")

    assert type(error) is OktaNotFoundError
    assert error.status == 404


# -- what the agent is told -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "causes", "advice"),
    [
        (401, "E0000011", (), "valid token"),
        (403, "E0000006", (), "lacks this permission"),
        (403, "E0000023", (), "mastered outside Okta"),
        (403, "E0000038", (), "current status"),
        (404, "E0000007", (), "okta_list_users"),
        (400, "E0000001", (DUPLICATE_CAUSE,), "okta_get_user"),
        (400, "E0000001", ("email: Invalid",), "Fix the fields"),
        (400, "E0000031", (), "search expression"),
        (412, "E0000231", (), "get the user again"),
        (429, "E0000047", (), "wait a minute"),
        (500, "E0000009", (), "try again in a minute"),
    ],
)
def test_for_agent_says_what_to_do_next(status, code, causes, advice):
    message = from_okta(status, code, "Summary from Okta", causes).for_agent()

    assert advice in message
    assert "Summary from Okta" in message


def test_rate_limit_advice_names_the_seconds_to_wait_when_known():
    error = from_okta(429, "E0000047")
    error.retry_after = 41.6

    assert "try again in 42 seconds" in error.for_agent()


def test_connection_failure_advice_is_to_try_again_later():
    assert "try again" in OktaConnectionError("no response from Okta: ReadTimeout").for_agent()


def test_unreadable_response_advice_is_to_try_again_later():
    assert "try again" in OktaResponseError("not JSON").for_agent()
