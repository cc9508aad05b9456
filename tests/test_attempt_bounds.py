"""One attempt is bounded as a whole, over real sockets: a server that trickles its answer
cannot hold a call past `Timeouts(attempt=...)`, and an answer larger than
`max_response_bytes` (a gzip bomb, an endless body) is cut off, never read into memory."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from langchain_okta import OktaClient, OktaConnectionError, OktaSettings, RetrySettings, Timeouts

TOKEN = "LOOPBACK-TOKEN-attempts"
USER = json.dumps(
    {"id": "00u1", "status": "ACTIVE", "profile": {"login": "a@example.com"}}
).encode()
ONE_TRY = RetrySettings(max_attempts=1)
# Each read gets an answer well within its timeout; only the whole attempt runs long.
TRICKLE_PAUSE = 0.1
SLOW = Timeouts(connect=2, read=1, attempt=0.5)

Answer = Callable[[BaseHTTPRequestHandler], None]


def trickled_body(handler: BaseHTTPRequestHandler) -> None:
    """Headers at once, then the body a byte at a time, for far longer than an attempt."""
    body = b" " * 50 + USER
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    for byte in body:
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()
        time.sleep(TRICKLE_PAUSE)


def trickled_headers(handler: BaseHTTPRequestHandler) -> None:
    """The status line and then one header line after another, each within a read timeout."""
    handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for n in range(50):
        handler.wfile.write(f"X-Slow-{n}: 1\r\n".encode())
        handler.wfile.flush()
        time.sleep(TRICKLE_PAUSE)


@functools.cache
def bomb() -> bytes:
    """32 MiB of spaces squeezed into about 32 KiB."""
    return gzip.compress(b" " * (32 * 1024 * 1024), compresslevel=6)


def gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    body = bomb()
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def endless_body(handler: BaseHTTPRequestHandler) -> None:
    """A chunked body that never ends, sent as fast as the client reads it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b" " * 65536
    with contextlib.suppress(OSError):
        for _ in range(10_000):  # 640 MiB at most, if nobody hangs up
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    answer: Answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        with contextlib.suppress(OSError):  # the client hanging up is what some tests expect
            self.server.answer(self)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(answer: Answer) -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.answer = answer
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def client_for(url: str, **settings: object) -> OktaClient:
    return OktaClient(
        OktaSettings(org_url=url, api_token=TOKEN, retries=ONE_TRY, **settings)  # type: ignore[arg-type]
    )


def test_a_trickled_body_does_not_hold_a_sync_call_past_the_attempt_timeout() -> None:
    with serving(trickled_body) as url, client_for(url, timeouts=SLOW) as client:
        began = time.monotonic()
        with pytest.raises(OktaConnectionError, match=r"attempt timeout of 0\.5 s"):
            client.get_user("00u1")
        took = time.monotonic() - began

    assert took < 0.5 + 0.3


async def test_a_trickled_body_does_not_hold_an_async_call_past_the_attempt_timeout() -> None:
    with serving(trickled_body) as url:
        async with client_for(url, timeouts=SLOW) as client:
            began = time.monotonic()
            with pytest.raises(OktaConnectionError, match=r"attempt timeout of 0\.5 s"):
                await client.aget_user("00u1")
            took = time.monotonic() - began

    assert took < 0.5 + 0.3


def test_trickled_headers_do_not_hold_a_sync_call_past_the_attempt_timeout() -> None:
    with serving(trickled_headers) as url, client_for(url, timeouts=SLOW) as client:
        began = time.monotonic()
        with pytest.raises(OktaConnectionError, match="attempt timeout"):
            client.get_user("00u1")
        took = time.monotonic() - began

    # Each socket read waits at most for what is left of the attempt.
    assert took < 0.5 + 0.3


async def test_trickled_headers_do_not_hold_an_async_call_past_the_attempt_timeout() -> None:
    with serving(trickled_headers) as url:
        async with client_for(url, timeouts=SLOW) as client:
            began = time.monotonic()
            with pytest.raises(OktaConnectionError, match="attempt timeout"):
                await client.aget_user("00u1")
            took = time.monotonic() - began

    assert took < 0.5 + 0.3


def test_a_gzip_bomb_is_cut_off_at_max_response_bytes_in_a_sync_call() -> None:
    with (
        serving(gzip_bomb) as url,
        client_for(url, max_response_bytes=1024 * 1024) as client,
        pytest.raises(OktaConnectionError, match="larger than 1,048,576 bytes"),
    ):
        client.get_user("00u1")


async def test_a_gzip_bomb_is_cut_off_at_max_response_bytes_in_an_async_call() -> None:
    with serving(gzip_bomb) as url:
        async with client_for(url, max_response_bytes=1024 * 1024) as client:
            with pytest.raises(OktaConnectionError, match="larger than 1,048,576 bytes"):
                await client.aget_user("00u1")


def test_an_endless_body_is_cut_off_at_max_response_bytes() -> None:
    with (
        serving(endless_body) as url,
        client_for(url, max_response_bytes=1024 * 1024) as client,
        pytest.raises(OktaConnectionError, match="max_response_bytes"),
    ):
        client.get_user("00u1")


def test_an_endless_body_is_cut_off_in_an_async_call_too() -> None:
    async def get() -> None:
        async with client_for(url, max_response_bytes=1024 * 1024) as client:
            await client.aget_user("00u1")

    with serving(endless_body) as url, pytest.raises(OktaConnectionError, match="larger than"):
        asyncio.run(get())


def test_a_gzipped_answer_within_the_bounds_is_read_whole() -> None:
    def gzipped_user(handler: BaseHTTPRequestHandler) -> None:
        body = gzip.compress(USER)
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Encoding", "gzip")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    with serving(gzipped_user) as url, client_for(url) as client:
        assert client.get_user("00u1").id == "00u1"


def damaged_gzip(handler: BaseHTTPRequestHandler) -> None:
    """An answer that says gzip and is not: its header and first bytes cut off."""
    body = gzip.compress(USER)[12:]
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def test_a_damaged_gzip_body_is_a_connection_error_not_a_zlib_error() -> None:
    with (
        serving(damaged_gzip) as url,
        client_for(url) as client,
        pytest.raises(OktaConnectionError, match="compressed body could not be decoded"),
    ):
        client.get_user("00u1")


async def test_a_damaged_gzip_body_is_a_connection_error_in_an_async_call_too() -> None:
    with serving(damaged_gzip) as url:
        async with client_for(url) as client:
            with pytest.raises(OktaConnectionError, match="compressed body could not be decoded"):
                await client.aget_user("00u1")


def proxied_user(handler: BaseHTTPRequestHandler) -> None:
    """A forward proxy's answer: only a proxy is asked for an absolute URL."""
    assert handler.path.startswith("http://"), handler.path
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(USER)))
    handler.end_headers()
    handler.wfile.write(USER)


# Nothing listens at the org's own address: only a call through the proxy is answered.
UNREACHABLE_ORG = "http://127.0.0.1:9"


def test_a_sync_call_goes_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serving(proxied_user) as proxy, client_for(UNREACHABLE_ORG) as client:
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)

        assert client.get_user("00u1").id == "00u1"


async def test_an_async_call_goes_through_the_proxy_the_environment_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serving(proxied_user) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with client_for(UNREACHABLE_ORG) as client:
            assert (await client.aget_user("00u1")).id == "00u1"


def test_trickled_headers_through_a_proxy_do_not_hold_a_sync_call_past_the_attempt_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serving(trickled_headers) as proxy, client_for(UNREACHABLE_ORG, timeouts=SLOW) as client:
        monkeypatch.setenv("HTTP_PROXY", proxy)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        began = time.monotonic()
        with pytest.raises(OktaConnectionError, match="attempt timeout"):
            client.get_user("00u1")
        took = time.monotonic() - began

    assert took < 0.5 + 0.3
