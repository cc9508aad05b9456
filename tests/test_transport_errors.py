"""When no answer comes: the error says which host and why, and keeps a token-free cause."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable

import httpx
import pytest

from langchain_okta import OktaClient, OktaConnectionError, OktaSettings, RetrySettings

TOKEN = "TOKEN-SECRET-transport-77"
ORG = "https://acme.okta.com"
ONE_TRY = RetrySettings(max_attempts=1, backoff_base=0, backoff_max=0)


def failing(make_error: Callable[[httpx.Request], Exception]) -> OktaClient:
    def handler(request: httpx.Request) -> httpx.Response:
        raise make_error(request)

    settings = OktaSettings(org_url=ORG, api_token=TOKEN, retries=ONE_TRY)
    return OktaClient(settings, transport=httpx.MockTransport(handler))


def chained(error: httpx.RequestError, cause: BaseException) -> httpx.RequestError:
    """An httpx error as httpx raises it: from the socket-level error below it."""
    error.__cause__ = cause
    return error


def connection_error(make_error: Callable[[httpx.Request], Exception]) -> OktaConnectionError:
    with failing(make_error) as client, pytest.raises(OktaConnectionError) as raised:
        client.get_user("00u1")
    return raised.value


def test_a_refused_port_names_the_host_and_says_refused() -> None:
    settings = OktaSettings(org_url="http://127.0.0.1:9", api_token=TOKEN, retries=ONE_TRY)

    with OktaClient(settings) as client, pytest.raises(OktaConnectionError) as raised:
        client.get_user("00u1")

    assert "127.0.0.1:9" in str(raised.value)
    assert "refused" in str(raised.value)


def test_an_unknown_host_says_dns_and_to_check_the_org_url() -> None:
    error = connection_error(
        lambda request: chained(
            httpx.ConnectError("[Errno -2] Name or service not known", request=request),
            socket.gaierror(-2, "Name or service not known"),
        )
    )

    assert "acme.okta.com" in str(error)
    assert "DNS" in str(error)
    assert "org URL" in str(error)


def test_a_certificate_problem_says_tls() -> None:
    verify = ssl.SSLCertVerificationError(1, "certificate verify failed")
    verify.verify_message = "self-signed certificate"

    error = connection_error(
        lambda request: chained(httpx.ConnectError("TLS failed", request=request), verify)
    )

    assert "TLS certificate" in str(error)
    assert "self-signed certificate" in str(error)


@pytest.mark.parametrize(
    ("timeout", "words"),
    [
        (httpx.ConnectTimeout, "timed out while connecting"),
        (httpx.ReadTimeout, "timed out waiting for the answer"),
    ],
)
def test_a_timeout_says_which_wait_ran_out(
    timeout: type[httpx.TimeoutException], words: str
) -> None:
    error = connection_error(lambda request: timeout("timed out", request=request))

    assert words in str(error)
    assert "acme.okta.com" in str(error)


def test_the_httpx_error_is_kept_as_the_cause_without_the_request() -> None:
    refused = ConnectionRefusedError(111, "Connection refused")
    error = connection_error(
        lambda request: chained(
            httpx.ConnectError("[Errno 111] Connection refused", request=request), refused
        )
    )

    cause = error.__cause__
    assert isinstance(cause, httpx.ConnectError)
    assert cause.__cause__ is refused
    with pytest.raises(RuntimeError):
        cause.request  # noqa: B018 - the request (and its token) is not kept


def test_the_agent_is_told_to_try_again_later() -> None:
    error = connection_error(lambda request: httpx.ConnectTimeout("timed out", request=request))

    assert "try again" in error.for_agent()


def test_a_create_refused_by_the_proxy_is_not_said_to_have_maybe_reached_okta() -> None:
    sent: list[str] = []

    def proxy_refuses(request: httpx.Request) -> httpx.Response:
        sent.append(f"{request.method} {request.url.path}")
        raise httpx.ProxyError("403 Forbidden", request=request)

    retries = RetrySettings(max_attempts=2, backoff_base=0, backoff_max=0)
    settings = OktaSettings(org_url=ORG, api_token=TOKEN, retries=retries)
    profile = {"firstName": "Jane", "lastName": "Doe", "email": "jane@example.com"}
    client = OktaClient(settings, transport=httpx.MockTransport(proxy_refuses))
    with client, pytest.raises(OktaConnectionError) as raised:
        client.create_user(profile)

    # Nothing went past the proxy: resent as it is, with no lookup of a user it might have made.
    assert type(raised.value) is OktaConnectionError
    assert "may have" not in raised.value.for_agent()
    assert "proxy" in str(raised.value)
    assert sent == ["POST /api/v1/users"] * 2
