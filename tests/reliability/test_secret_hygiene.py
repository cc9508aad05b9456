"""The API token stays secret: in reprs, errors, logs, tool output, callbacks, and on the wire.

The token is easy to find on purpose; every check also looks for a distinctive middle piece,
so a truncated or partly masked token counts as a leak too.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

import httpx
import pytest
import respx
from langchain.agents import create_agent
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import ToolMessage
from pydantic import SecretStr, ValidationError
from reliability_support import (
    FAST_RETRIES,
    SHORT_TIMEOUTS,
    RecordingTransport,
    invoke,
    tools_by_name,
)

from langchain_okta import (
    OktaClient,
    OktaConfigurationError,
    OktaError,
    OktaSettings,
    OktaToolkit,
)
from langchain_okta.approvals import describe_call
from langchain_okta.sandbox import Fault, RateLimit, SandboxOrg
from langchain_okta.sandbox.scripted_model import ScriptedChatModel, last_tool_result, tool_call

TOKEN = "00SeCrEt-hygiene-TOKEN-7f3a9c"
TOKEN_PIECE = "hygiene-TOKEN"
ORG = "https://acme.okta.com"


def assert_no_token(*things: object) -> None:
    for thing in things:
        for text in (repr(thing), str(thing)):
            assert TOKEN not in text, f"token in {text[:200]!r}"
            assert TOKEN_PIECE not in text, f"part of the token in {text[:200]!r}"


def exception_chain(error: BaseException) -> list[BaseException]:
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def assert_exception_hides_token(error: BaseException) -> None:
    for link in exception_chain(error):
        assert_no_token(link, link.args, vars(link))
    assert_nothing_reachable_holds_token(error)


def reachable_texts(root: object, depth: int = 8) -> Iterator[str]:
    """Every string reachable from `root` through attributes, items, causes and contexts."""
    seen: set[int] = set()

    def walk(thing: object, left: int) -> Iterator[str]:
        if left < 0 or id(thing) in seen:
            return
        seen.add(id(thing))
        if isinstance(thing, str):
            yield thing
        elif isinstance(thing, bytes | bytearray):
            yield bytes(thing).decode("latin-1")
        elif isinstance(thing, SecretStr):
            yield thing.get_secret_value()  # a secret counts as held, even if masked
        elif isinstance(thing, httpx.Request):
            yield str(thing.url)
            yield from walk(thing.headers.raw, left - 1)
        elif isinstance(thing, dict):
            for key, value in thing.items():
                yield from walk(key, left - 1)
                yield from walk(value, left - 1)
        elif isinstance(thing, list | tuple | set | frozenset):
            for item in thing:
                yield from walk(item, left - 1)
        elif isinstance(thing, BaseException):
            yield from walk(thing.args, left - 1)
            yield from walk(getattr(thing, "__dict__", {}), left - 1)
            yield from walk(thing.__cause__, left - 1)
            yield from walk(thing.__context__, left - 1)
            if isinstance(thing, ValidationError):
                yield from walk(thing.errors(), left - 1)
        elif hasattr(thing, "__dict__") and not isinstance(thing, type):
            yield from walk(vars(thing), left - 1)

    yield from walk(root, depth)


def assert_nothing_reachable_holds_token(error: BaseException) -> None:
    for text in reachable_texts(error):
        assert TOKEN_PIECE not in text, f"the token is reachable from the error: {text[:80]!r}"


@pytest.fixture
def org() -> SandboxOrg:
    return SandboxOrg(users=6, token=TOKEN, rate_limit=RateLimit(limit=600, window_seconds=1))


@pytest.fixture
def base_url(org: SandboxOrg) -> Iterator[str]:
    with org.serve() as url:
        yield url


@pytest.fixture
def toolkit(base_url: str) -> Iterator[OktaToolkit]:
    toolkit = OktaToolkit(base_url, TOKEN, retries=FAST_RETRIES, timeouts=SHORT_TIMEOUTS)
    yield toolkit
    toolkit.client.close()


# -- objects -------------------------------------------------------------------------------------


def test_settings_repr_str_and_dumps_hide_the_token() -> None:
    settings = OktaSettings(org_url=ORG, api_token=TOKEN)

    assert_no_token(
        settings,
        settings.api_token,
        settings.model_dump(),
        settings.model_dump_json(),
        vars(settings),
    )


def test_client_repr_str_and_attributes_hide_the_token() -> None:
    client = OktaClient(OktaSettings(org_url=ORG, api_token=TOKEN))

    assert_no_token(client, vars(client))


def test_toolkit_repr_str_and_dump_hide_the_token(toolkit: OktaToolkit) -> None:
    assert_no_token(toolkit, toolkit.model_dump(), toolkit.admin)


def test_tools_repr_str_and_schemas_hide_the_token(toolkit: OktaToolkit) -> None:
    for tool in toolkit.get_tools():
        assert_no_token(
            tool,
            tool.description,
            tool.args,
            tool.get_input_jsonschema(),
        )


# -- configuration errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_url", "api_token"),
    [
        pytest.param(ORG, f"SSWS {TOKEN}", id="ssws-prefix"),
        pytest.param(ORG, f"{TOKEN}\n", id="trailing-newline"),
        pytest.param(ORG, f" {TOKEN} x", id="inner-space"),
        pytest.param(f"https://{TOKEN}@acme.okta.com", TOKEN, id="token-as-userinfo"),
        pytest.param(f"https://admin:{TOKEN}@acme.okta.com", TOKEN, id="token-as-password"),
        pytest.param(f"https://acme.okta.com/?token={TOKEN}", TOKEN, id="token-in-query"),
        pytest.param(f"https://acme.okta.com/#{TOKEN}", TOKEN, id="token-in-fragment"),
        pytest.param(f"https://acme.okta.com/api/{TOKEN}", TOKEN, id="token-in-path"),
        pytest.param("http://acme.okta.com", TOKEN, id="plain-http"),
        pytest.param("https://acme-admin.okta.com", TOKEN, id="admin-console"),
    ],
)
def test_configuration_errors_never_echo_the_token(org_url: str, api_token: str) -> None:
    with pytest.raises(OktaConfigurationError) as raised:
        OktaToolkit(org_url, api_token, check_admin=False)

    assert_exception_hides_token(raised.value)


@pytest.mark.parametrize(
    "org_url",
    [
        pytest.param(TOKEN, id="bare-token"),
        pytest.param(f"acme.okta.com/{TOKEN}", id="schemeless-with-token"),
        pytest.param(f"https://acme.okta.com:{TOKEN}", id="token-as-port"),
    ],
)
def test_swapped_or_pasted_org_url_and_token_do_not_echo_the_token(org_url: str) -> None:
    # The easy mistake: OktaToolkit(token, url), or the token pasted into OKTA_ORG_URL.
    with pytest.raises(OktaConfigurationError) as raised:
        OktaToolkit(org_url, "https://acme.okta.com", check_admin=False)

    assert_exception_hides_token(raised.value)


def test_a_token_in_the_environment_does_not_leak_through_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OKTA_ORG_URL", "http://acme.okta.com")
    monkeypatch.setenv("OKTA_API_TOKEN", TOKEN)

    with pytest.raises(OktaConfigurationError) as raised:
        OktaToolkit(check_admin=False)

    assert_exception_hides_token(raised.value)


# -- errors from Okta and the network --------------------------------------------------------


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="drop", times=20),
        Fault(kind="latency", seconds=0.5, times=20),
        Fault(kind="status", status=503, times=20),
        Fault(kind="html", times=20),
        Fault(kind="malformed_json", times=20),
        Fault(kind="rate_limit", times=20),
    ],
    ids=lambda fault: fault.kind,
)
def test_client_errors_under_faults_hide_the_token(
    org: SandboxOrg, base_url: str, fault: Fault
) -> None:
    client = OktaClient(
        OktaSettings(
            org_url=base_url, api_token=TOKEN, retries=FAST_RETRIES, timeouts=SHORT_TIMEOUTS
        )
    )
    org.inject(fault)

    with client, pytest.raises(OktaError) as raised:
        client.get_user("me")

    assert_exception_hides_token(raised.value)


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="drop", times=20),
        Fault(kind="status", status=503, times=20),
        Fault(kind="html", times=20),
        Fault(kind="malformed_json", times=20),
        Fault(kind="rate_limit", times=20),
    ],
    ids=lambda fault: fault.kind,
)
def test_approval_descriptions_under_faults_hide_the_token(
    org: SandboxOrg, toolkit: OktaToolkit, fault: Fault
) -> None:
    org.inject(fault)

    update = describe_call(toolkit.client, "okta_update_user", {"user_id": "me", "last_name": "X"})
    create = describe_call(
        toolkit.client,
        "okta_create_user",
        {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
    )

    assert "preview unavailable" in update
    assert "preview unavailable" in create
    assert_no_token(update, create)


def test_an_invalid_token_error_hides_the_token_that_was_sent(base_url: str) -> None:
    wrong = TOKEN.replace("7f3a9c", "000000")

    with pytest.raises(OktaError) as raised:
        OktaToolkit(base_url, wrong, retries=FAST_RETRIES)

    for link in exception_chain(raised.value):
        assert wrong not in repr(link)
        assert wrong not in str(link)
        assert TOKEN_PIECE not in repr(vars(link))


def test_a_connection_refused_error_hides_the_token() -> None:
    # Port 9 (discard) on loopback: nothing listens in a test environment.
    client = OktaClient(
        OktaSettings(org_url="http://127.0.0.1:9", api_token=TOKEN, retries=FAST_RETRIES)
    )

    with client, pytest.raises(OktaError) as raised:
        client.get_user("me")

    assert_exception_hides_token(raised.value)


def test_a_non_ascii_token_is_refused_at_configuration_without_echoing_it() -> None:
    pasted = TOKEN.replace("-", "\u2013", 1)  # an en dash from a document editor

    with pytest.raises(OktaConfigurationError) as raised:
        OktaSettings.resolve(ORG, pasted)

    assert "non-ASCII" in str(raised.value)
    assert_exception_hides_token(raised.value)


def test_a_refused_configuration_keeps_no_validation_error_holding_the_token() -> None:
    with pytest.raises(OktaConfigurationError) as raised:
        OktaSettings.resolve(ORG, f"{TOKEN} x")

    assert_nothing_reachable_holds_token(raised.value)


def test_a_connection_error_holds_no_request_that_carries_the_token() -> None:
    client = OktaClient(
        OktaSettings(org_url="http://127.0.0.1:9", api_token=TOKEN, retries=FAST_RETRIES)
    )

    with client, pytest.raises(OktaError) as raised:
        client.get_user("me")

    assert raised.value.__cause__ is not None
    assert_nothing_reachable_holds_token(raised.value)


# -- logs ----------------------------------------------------------------------------------------


def test_debug_logs_of_httpx_httpcore_and_the_toolkit_hide_the_token(
    org: SandboxOrg, base_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("", "httpx", "httpcore", "langchain_okta"):
        caplog.set_level(logging.DEBUG, logger=name)
    toolkit = OktaToolkit(base_url, TOKEN, retries=FAST_RETRIES, timeouts=SHORT_TIMEOUTS)
    tools = tools_by_name(toolkit)
    org.inject(Fault(kind="drop", method="POST", after_processing=True))
    org.inject(Fault(kind="status", status=502, method="GET"))

    invoke(tools["okta_list_users"], {"search": 'status eq "ACTIVE"'})
    invoke(tools["okta_create_user"], {"first_name": "Log", "last_name": "Ged", "email": "l@g.io"})
    asyncio.run(tools["okta_get_user"].ainvoke({"user_id": "l@g.io"}))
    invoke(tools["okta_get_user"], {"user_id": "nobody@example.com"})
    toolkit.client.close()

    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore"} <= loggers, loggers
    for record in caplog.records:
        assert_no_token(record.getMessage(), record.args, vars(record))
    assert_no_token(caplog.text)


# -- tool output ---------------------------------------------------------------------------------


def test_tool_contents_and_artifacts_hide_the_token(org: SandboxOrg, toolkit: OktaToolkit) -> None:
    tools = tools_by_name(toolkit)
    messages: list[ToolMessage] = [
        invoke(tools["okta_list_users"], {}),
        invoke(tools["okta_get_user"], {"user_id": "me"}),
        invoke(tools["okta_create_user"], {"first_name": "A", "last_name": "B", "email": "a@b.io"}),
        invoke(tools["okta_update_user"], {"user_id": "a@b.io", "mobile_phone": "+1 555"}),
        invoke(tools["okta_get_user"], {"user_id": "../groups"}),
        invoke(tools["okta_get_user"], {"user_id": "nobody@example.com"}),
        invoke(tools["okta_list_users"], {"search": "((("}),
    ]
    org.inject(Fault(kind="drop", times=50))
    messages.append(invoke(tools["okta_get_user"], {"user_id": "me"}))

    assert {message.status for message in messages} == {"success", "error"}
    for message in messages:
        assert_no_token(message, message.content, message.artifact)


# -- callbacks of an agent run -----------------------------------------------------------------


class RecordingHandler(BaseCallbackHandler):
    """Keeps the repr of every payload LangChain hands to a callback handler."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def _keep(self, event: str, *args: Any, **kwargs: Any) -> None:
        with self._lock:
            self.events.append((event, repr((args, kwargs))))

    def on_tool_start(self, serialized: dict[str, Any], input_str: str, **kwargs: Any) -> None:
        self._keep("tool_start", serialized, input_str, **kwargs)

    def on_tool_end(self, output: Any, **kwargs: Any) -> None:
        self._keep("tool_end", output, **kwargs)

    def on_tool_error(self, error: BaseException, **kwargs: Any) -> None:
        self._keep("tool_error", error, exception_chain(error), **kwargs)

    def on_chain_start(self, serialized: dict[str, Any] | None, inputs: Any, **kwargs: Any) -> None:
        self._keep("chain_start", serialized, inputs, **kwargs)

    def on_chain_end(self, outputs: Any, **kwargs: Any) -> None:
        self._keep("chain_end", outputs, **kwargs)

    def on_chain_error(self, error: BaseException, **kwargs: Any) -> None:
        self._keep("chain_error", error, exception_chain(error), **kwargs)

    def on_chat_model_start(
        self, serialized: dict[str, Any], messages: Any, *, run_id: UUID, **kwargs: Any
    ) -> None:
        self._keep("chat_model_start", serialized, messages, run_id=run_id, **kwargs)

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        self._keep("llm_end", response, **kwargs)

    def on_text(self, text: str, **kwargs: Any) -> None:
        self._keep("text", text, **kwargs)

    def kinds(self) -> set[str]:
        return {event for event, _ in self.events}


def _created_id(messages: Any) -> str:
    return str(json.loads(last_tool_result(messages))["user"]["id"])


def test_callback_payloads_of_an_agent_run_hide_the_token(
    org: SandboxOrg, toolkit: OktaToolkit
) -> None:
    model = ScriptedChatModel(
        script=[
            tool_call("okta_list_users", {"query": "a", "status": "ACTIVE"}, "call-list"),
            tool_call("okta_get_user", {"user_id": "../groups"}, "call-bad-id"),
            tool_call("okta_get_user", {"user_id": "nobody@example.com"}, "call-missing"),
            tool_call("okta_create_user", {"bogus": True}, "call-bad-args"),
            tool_call(
                "okta_create_user",
                {"first_name": "Cal", "last_name": "Back", "email": "cal.back@example.com"},
                "call-create",
            ),
            lambda messages: tool_call(
                "okta_update_user",
                {"user_id": _created_id(messages), "last_name": "Backer"},
                "call-update",
            ),
            tool_call("okta_get_user", {"user_id": "me"}, "call-dropped"),
        ],
        final_answer="Done.",
    )
    # The last call meets a server that keeps hanging up.
    org.inject(Fault(kind="drop", method="GET", path="/api/v1/users/me", times=50))
    handler = RecordingHandler()
    agent = create_agent(model, toolkit.get_tools())

    result = agent.invoke(
        {"messages": [("user", "Onboard Cal Back")]}, config={"callbacks": [handler]}
    )

    tool_messages = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    assert len(tool_messages) == 7
    assert {m.status for m in tool_messages} == {"success", "error"}
    assert {"tool_start", "tool_end", "chain_start", "chain_end", "chat_model_start"} <= (
        handler.kinds()
    )
    assert sum(event == "tool_start" for event, _ in handler.events) == 7
    for event, payload in handler.events:
        assert TOKEN not in payload, f"token in the {event} payload"
        assert TOKEN_PIECE not in payload, f"part of the token in the {event} payload"


# -- plain http and redirects --------------------------------------------------------------


@pytest.mark.parametrize(
    "org_url",
    [
        "http://acme.okta.com",
        "http://acme.okta.com:443",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://0x7f000001",
        "http://2130706433",
        "http://127.1",
        "http://[::ffff:7f00:1]",
        "http://10.0.0.1",
        "http://192.168.1.10",
        "HTTP://ACME.OKTA.COM",
    ],
)
def test_plain_http_is_refused_for_a_host_that_is_not_loopback(org_url: str) -> None:
    sent = RecordingTransport(httpx.MockTransport(lambda request: httpx.Response(200)))

    with pytest.raises(OktaConfigurationError, match="https://"):
        OktaToolkit(org_url, TOKEN, transport=sent)

    assert sent.sent == []


@pytest.mark.parametrize(
    "org_url", ["http://127.0.0.1:8765", "http://localhost:8765", "http://[::1]:8765"]
)
def test_plain_http_is_accepted_for_loopback(org_url: str) -> None:
    assert OktaSettings(org_url=org_url, api_token=TOKEN).org_url == org_url


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize(
    ("tool_name", "args", "method", "path"),
    [
        ("okta_get_user", {"user_id": "00u1"}, "GET", "/api/v1/users/00u1"),
        ("okta_list_users", {}, "GET", "/api/v1/users"),
        (
            "okta_create_user",
            {"first_name": "R", "last_name": "D", "email": "r.d@example.com"},
            "POST",
            "/api/v1/users",
        ),
    ],
)
def test_a_redirect_to_another_host_is_not_followed(
    status: int, tool_name: str, args: dict[str, Any], method: str, path: str
) -> None:
    with respx.mock(assert_all_called=False) as router:
        router.route(method=method, url=ORG + path).respond(
            status, headers={"Location": "https://evil.example/steal"}
        )
        # Anything else at the org (the create's lookup) is not there.
        router.route(host="acme.okta.com").respond(404, json={"errorCode": "E0000007"})
        evil = router.route(host="evil.example").respond(200, json={"id": "00uEVIL"})
        toolkit = OktaToolkit(
            ORG,
            TOKEN,
            check_admin=False,
            retries=FAST_RETRIES,
            transport=httpx.MockTransport(router.handler),
        )

        message = invoke(tools_by_name(toolkit)[tool_name], args)

    assert message.status == "error"
    assert not evil.called
    assert "00uEVIL" not in str(message.content)


class _RecordingHandler(BaseHTTPRequestHandler):
    """A bare HTTP server: redirects to `location`, or records what it was sent."""

    location: str | None = None
    seen: list[dict[str, str]]

    def _answer(self) -> None:
        type(self).seen.append({name.lower(): value for name, value in self.headers.items()})
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        if self.location is not None:
            self.send_response(307)
            self.send_header("Location", self.location + self.path)
        else:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def _bare_server(host: str, location: str | None) -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []
    handler = type("Handler", (_RecordingHandler,), {"location": location, "seen": seen})
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_redirect_on_the_wire_to_another_host_never_receives_the_token() -> None:
    with (
        _bare_server("127.0.0.1", None) as (evil_url, evil_seen),
        _bare_server("127.0.0.1", evil_url.replace("127.0.0.1", "localhost")) as (
            org_url,
            org_seen,
        ),
    ):
        toolkit = OktaToolkit(org_url, TOKEN, check_admin=False, retries=FAST_RETRIES)
        tools = tools_by_name(toolkit)
        got = invoke(tools["okta_get_user"], {"user_id": "00u1"})
        created = invoke(
            tools["okta_create_user"], {"first_name": "R", "last_name": "D", "email": "r@d.io"}
        )
        toolkit.client.close()

    assert got.status == "error"
    assert created.status == "error"
    assert org_seen, "the org server was never reached"
    assert all(headers.get("authorization") == f"SSWS {TOKEN}" for headers in org_seen)
    assert evil_seen == []


# -- OAuth 2.0 service apps ----------------------------------------------------------------


class WireSecrets(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """A real transport that keeps every secret that crossed the wire: client assertions,
    DPoP proofs and access tokens sent, access tokens and nonces received."""

    def __init__(self) -> None:
        self._sync = httpx.HTTPTransport()
        self._async = httpx.AsyncHTTPTransport()
        self.found: set[str] = set()
        self._lock = threading.Lock()

    def _request(self, request: httpx.Request) -> None:
        found = set()
        for name in ("authorization", "dpop"):
            if name in request.headers:
                found.add(request.headers[name].split(" ")[-1])
        body = request.content.decode()
        if "client_assertion=" in body:
            found.add(dict(parse_qsl(body))["client_assertion"])
        with self._lock:
            self.found |= found

    def _response(self, response: httpx.Response) -> None:
        found = set()
        if "dpop-nonce" in response.headers:
            found.add(response.headers["dpop-nonce"])
        if b"access_token" in response.content:
            found.add(json.loads(response.content)["access_token"])
        with self._lock:
            self.found |= found

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._request(request)
        response = self._sync.handle_request(request)
        response.read()
        self._response(response)
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._request(request)
        response = await self._async.handle_async_request(request)
        await response.aread()
        self._response(response)
        return response

    def close(self) -> None:
        self._sync.close()

    async def aclose(self) -> None:
        await self._async.aclose()

    def pieces(self) -> set[str]:
        """Each secret, and a middle slice of it (a truncated secret is still a leak)."""
        with self._lock:
            secrets = set(self.found)
        return secrets | {secret[len(secret) // 3 : len(secret) // 3 + 16] for secret in secrets}


def assert_hidden(secrets: set[str], *things: object) -> None:
    for thing in things:
        for text in (repr(thing), str(thing)):
            for secret in secrets:
                assert secret not in text, f"a secret in {text[:200]!r}"


def key_pieces(pem: str) -> set[str]:
    return {line for line in pem.splitlines() if "-----" not in line and len(line) > 20}


def test_service_app_secrets_stay_out_of_reprs_logs_errors_and_tool_output(
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name in ("", "httpx", "httpcore", "langchain_okta"):
        caplog.set_level(logging.DEBUG, logger=name)
    org = SandboxOrg(users=6, rate_limit=RateLimit(limit=600, window_seconds=1))
    org.authorization.require_api_nonce = True
    reader = org.add_service_app(scopes=["okta.users.read"])
    wire = WireSecrets()
    failures: list[BaseException] = []
    with org.serve() as base_url:
        toolkit = OktaToolkit(
            base_url, auth=org.service_app.auth(), transport=wire, retries=FAST_RETRIES
        )
        tools = tools_by_name(toolkit)
        messages = [
            invoke(tools["okta_list_users"], {"limit": 3}),
            invoke(tools["okta_get_user"], {"user_id": "nobody@example.com"}),
            invoke(
                tools["okta_create_user"], {"first_name": "O", "last_name": "A", "email": "o@a.io"}
            ),
            asyncio.run(
                tools["okta_update_user"].ainvoke(
                    {
                        "name": "okta_update_user",
                        "args": {"user_id": "o@a.io", "last_name": "B"},
                        "id": "c",
                        "type": "tool_call",
                    }
                )
            ),
        ]
        org.authorization.rotate_nonces()
        messages.append(invoke(tools["okta_get_user"], {"user_id": "o@a.io"}))
        unchecked = OktaToolkit(base_url, auth=reader.auth(), transport=wire, check_admin=False)
        refused = tools_by_name(unchecked)["okta_create_user"]
        messages.append(invoke(refused, {"first_name": "N", "last_name": "S", "email": "n@s.io"}))
        unchecked.close()
        wrong = org.service_app.auth().model_copy(
            update={"private_key": SecretStr(reader.auth().private_key.get_secret_value())}
        )
        try:
            OktaToolkit(base_url, auth=wrong, transport=wire, retries=FAST_RETRIES)
        except OktaError as error:
            failures.append(error)
        session = toolkit.client.oauth_session
        toolkit.client.close()

    secrets = wire.pieces() | key_pieces(org.service_app.private_key_pem or "")
    assert len(wire.found) >= 10  # assertions, proofs, tokens, nonces: all were seen
    assert {m.status for m in messages} == {"success", "error"}
    assert failures
    assert session is not None
    assert_hidden(
        secrets,
        toolkit,
        toolkit.client,
        vars(toolkit.client),
        session,
        vars(session),
        session.state,
        toolkit.client.settings,
        toolkit.client.settings.model_dump(),
        org.service_app,
        org.service_app.auth(),
        *toolkit.get_tools(),
    )
    for message in messages:
        assert_hidden(secrets, message, message.content, message.artifact)
    for failure in failures:
        for link in exception_chain(failure):
            assert_hidden(secrets, link, link.args, vars(link))
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore"} <= loggers, loggers
    for record in caplog.records:
        assert_hidden(secrets, record.getMessage(), record.args)
    assert_hidden(secrets, caplog.text)
