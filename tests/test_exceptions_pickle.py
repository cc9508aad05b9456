"""Every exception the package raises survives pickling (process pools, task queues, caches)."""

from __future__ import annotations

import pickle

import pytest

from langchain_okta import errors
from langchain_okta.connections import OktaClientClosedError, TransportInUseError
from langchain_okta.oauth.errors import OktaOAuthError, OktaScopeError

DETAILS = {"status": 400, "error_code": "E0000001", "causes": ("login: taken",), "error_id": "oae1"}
OKTA_ERRORS = sorted(
    (
        kind
        for kind in vars(errors).values()
        if isinstance(kind, type) and issubclass(kind, errors.OktaError)
    ),
    key=lambda kind: kind.__name__,
)


def round_trip(error: BaseException) -> BaseException:
    return pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes


@pytest.mark.parametrize("kind", [OktaClientClosedError, TransportInUseError])
def test_a_client_state_error_survives_pickling(kind: type[RuntimeError]) -> None:
    copy = round_trip(kind())

    assert type(copy) is kind
    assert str(copy) == str(kind())


@pytest.mark.parametrize("kind", OKTA_ERRORS, ids=lambda kind: kind.__name__)
def test_an_okta_error_survives_pickling_with_its_fields(kind: type[errors.OktaError]) -> None:
    error = kind("Something went wrong", **DETAILS)

    copy = round_trip(error)

    assert type(copy) is kind
    assert vars(copy) == vars(error)
    assert copy.for_agent() == error.for_agent()


def test_a_rate_limit_error_keeps_its_retry_after_through_pickling() -> None:
    error = errors.OktaRateLimitError("API call exceeded rate limit", status=429)
    error.retry_after = 12.0

    copy = round_trip(error)

    assert isinstance(copy, errors.OktaRateLimitError)
    assert copy.retry_after == 12.0
    assert copy.for_agent() == error.for_agent()


@pytest.mark.parametrize(
    "error",
    [
        OktaScopeError("token lacks okta.users.manage", required_scope="okta.users.manage"),
        OktaOAuthError("invalid_client", status=401, error_code="invalid_client"),
    ],
    ids=["scope", "oauth"],
)
def test_a_service_app_error_survives_pickling(error: errors.OktaError) -> None:
    copy = round_trip(error)

    assert type(copy) is type(error)
    assert vars(copy) == vars(error)
    assert copy.for_agent() == error.for_agent()
