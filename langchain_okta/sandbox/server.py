"""The org over real HTTP on loopback: a threaded HTTP/1.1 server with keep-alive.

The handler only reads the request, calls the shared routing and writes the answer back.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from langchain_okta.sandbox.messages import SandboxRequest, SandboxResponse
from langchain_okta.sandbox.routes import SandboxApp

# How often serve_forever checks for shutdown: bounds how long leaving `serving` takes.
_POLL_SECONDS = 0.05


class SandboxServer(ThreadingHTTPServer):
    daemon_threads = True
    # Idle keep-alive connections would block close; they are shut down explicitly instead.
    block_on_close = False
    # Bursts of new connections must not overflow the listen backlog (the default is 5), or
    # clients stall for a SYN retransmit.
    request_queue_size = 128

    def __init__(self, app: SandboxApp, host: str, port: int) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        self.app = app
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__((host, port), _RequestHandler)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[0], self.server_address[1]
        return f"http://[{host!s}]:{port}" if ":" in str(host) else f"http://{host!s}:{port}"

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any
    ) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every open connection, so handler threads waiting on keep-alive exit."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            # The client may have closed it already.
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client hanging up mid-response is normal here; anything else is a sandbox bug.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: SandboxServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        body = self._read_body()
        if body is None:
            self.send_error(HTTPStatus.BAD_REQUEST, "Bad Content-Length")
            return
        raw_path, _, raw_query = self.path.partition("?")
        request = SandboxRequest(
            method=self.command,
            scheme="http",
            host=self.headers.get("host") or self.server.base_url.removeprefix("http://"),
            raw_path=raw_path,
            raw_query=raw_query,
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
        )
        app = self.server.app
        with app.arrival() as over_limit:
            fault = app.take_fault(request.method, request.raw_path)
            if fault is not None and fault.kind == "latency":
                time.sleep(fault.seconds)
            outcome = app.handle(request, fault, over_limit=over_limit)
        if not isinstance(outcome, SandboxResponse):
            # The drop fault: close without a byte of response.
            self.close_connection = True
            return
        self._write(outcome)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        try:
            length = int(self.headers.get("content-length") or 0)
        except ValueError:
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: SandboxResponse) -> None:
        lines = [f"HTTP/1.1 {response.status} {HTTPStatus(response.status).phrase}"]
        lines += [f"{name}: {value}" for name, value in response.headers]
        lines.append(f"Content-Length: {len(response.body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        try:
            # One write per response: with TCP_NODELAY, a split write would cost a packet.
            self.wfile.write(head + response.body)
        except ConnectionError:
            self.close_connection = True


@contextmanager
def serving(app: SandboxApp, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` on a background thread; yields the base URL and shuts down on exit."""
    server = SandboxServer(app, host, port)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": _POLL_SECONDS},
        name=f"okta-sandbox-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.close_connections()
        server.server_close()
        thread.join()
