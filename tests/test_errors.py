"""Okta error responses become typed exceptions that tell the agent what to do next."""

import json

import pytest

from langchain_okta.errors import (
    OktaAuthenticationError,
    OktaConflictError,
    OktaConnectionError,
    OktaDuplicateLoginError,
    OktaError,
    OktaInvalidCursorError,
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


def test_okta_error_body_without_a_content_type_is_still_read():
    body = okta_body("E0000007", "Not found: Resource not found: x (User)")

    error = error_from_response(404, "", body)

    assert error.error_code == "E0000007"
    assert error.summary == "Not found: Resource not found: x (User)"


def test_a_body_without_a_content_type_is_not_called_empty():
    # What a web server in front of Okta once answered to a create (recorded).
    error = error_from_response(404, "", b'{"status":404,"message":"Resource not found"}\n')

    assert "empty body" not in str(error)
    assert "JSON that is not an Okta error" in str(error)


def test_a_text_body_without_a_content_type_says_so():
    error = error_from_response(502, "", b"upstream connect error")

    assert "a body without a Content-Type" in str(error)


# -- 401s: a bad token, or a valid token refused a feature -------------------------------------


@pytest.mark.parametrize(
    ("code", "body"),
    [
        ("E0000011", okta_body("E0000011", "Invalid token provided")),
        ("E0000004", okta_body("E0000004", "Authentication failed")),
        (None, b"<html><body>401 Authorization Required</body></html>"),
    ],
)
def test_invalid_token_authentication_failure_and_a_bare_401_mean_a_bad_token(code, body):
    error = error_from_response(401, JSON if code else "text/html", body)

    assert type(error) is OktaAuthenticationError
    assert "invalid or expired" in error.for_agent()


def test_401_feature_not_enabled_is_a_permission_error_not_a_bad_token():
    error = from_okta(
        401, "E0000015", "You do not have permission to access the feature you are requesting"
    )

    assert type(error) is OktaPermissionError


def test_401_feature_not_enabled_hint_says_the_token_is_valid_and_what_was_refused():
    hint = from_okta(401, "E0000015").agent_hint()

    assert "token is valid" in hint
    assert "feature" in hint
    assert "invalid or expired" not in hint


def test_401_with_a_code_that_is_not_about_the_token_is_not_called_a_bad_token():
    error = from_okta(401, "E0000064", "Password is expired and must be changed.")

    assert not isinstance(error, OktaAuthenticationError)


# -- cursors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "summary"),
    [("E0000029", "Invalid paging request."), ("E0000031", "Invalid search criteria.")],
)
def test_an_invalid_cursor_is_an_invalid_cursor_error(code, summary):
    error = from_okta(400, code, summary, ["Invalid cursor."])

    assert type(error) is OktaInvalidCursorError
    assert isinstance(error, OktaValidationError)


@pytest.mark.parametrize(
    ("code", "summary"),
    [("E0000029", "Invalid paging request."), ("E0000031", "Invalid search criteria.")],
)
def test_invalid_cursor_hint_says_drop_the_cursor_and_list_again_with_the_same_filters(
    code, summary
):
    hint = from_okta(400, code, summary, ["Invalid cursor."]).agent_hint()

    assert "drop it" in hint
    assert "same query, search and status" in hint
    assert "search expression" not in hint
    assert "Fix the fields" not in hint


def test_a_search_error_without_the_cursor_cause_is_still_about_the_expression():
    error = from_okta(400, "E0000031", "Invalid search criteria.", ["Invalid search."])

    assert type(error) is OktaValidationError
    assert "search expression" in error.agent_hint()


# -- punctuation ------------------------------------------------------------------------------


def test_no_doubled_full_stop_after_causes_that_end_with_one():
    error = from_okta(400, "E0000029", "Invalid paging request.", ["Invalid cursor."])

    assert ".." not in str(error)
    assert ".." not in error.for_agent()
    assert "Causes: Invalid cursor. [errorId" in str(error)


def test_no_doubled_full_stop_after_a_summary_that_ends_with_one():
    error = OktaError("Invalid paging request.", status=400, error_code="E0000029")

    assert ".." not in error.for_agent()


def test_causes_without_a_full_stop_get_one():
    error = from_okta(400, "E0000001", "Api validation failed: login", ["login: Invalid"])

    assert "Api validation failed: login. Causes: login: Invalid. [errorId" in str(error)


# -- not found ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (404, okta_body("E0000008", "The requested path was not found")),
        (404, b'{"status":404,"message":"Resource not found"}'),
        (405, okta_body("E0000022", "The endpoint does not support the provided HTTP method")),
    ],
)
def test_a_404_or_405_that_names_no_missing_user_does_not_say_no_such_user(status, body):
    error = error_from_response(status, JSON, body)

    assert "No such user" not in error.agent_hint()
    assert "Do not retry" in error.agent_hint()


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
        (400, "E0000029", ("Invalid cursor.",), "drop it"),
        (400, "E0000031", ("Invalid cursor.",), "drop it"),
        (401, "E0000015", (), "token is valid"),
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
