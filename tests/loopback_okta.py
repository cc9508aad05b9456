"""A slow Okta on 127.0.0.1 that counts what a client does to it: requests in flight, and
connections open. Real sockets, so connections left open or bound to a finished event loop
show up (a mock transport sits below the connection pool, where they would go unnoticed).

Imported by module name (pytest puts this folder on sys.path; there is no package).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "LOOPBACK-TOKEN-123"
ADMIN_ID = "00uadmin"
_USER_PATH = re.compile(r"^/api/v1/users/(?P<id>[^/?]+)(?P<roles>/roles)?$")


def okta_user(user_id: str) -> dict[str, Any]:
    login = "admin@example.com" if user_id in ("me", ADMIN_ID) else f"{user_id}@example.com"
    return {
        "id": ADMIN_ID if user_id == "me" else user_id,
        "status": "ACTIVE",
        "profile": {"firstName": "Ada", "lastName": "Admin", "email": login, "login": login},
    }


class LoopbackOkta(ThreadingHTTPServer):
    """Answers `GET /api/v1/users/{id}` (and `me`) and the roles of a user, after `delay`."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, *, delay: float = 0.0, roles: tuple[str, ...] = ("SUPER_ADMIN",)) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.delay = delay
        self.roles = roles
        self.token = TOKEN
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self.in_flight = 0
        self.peak_in_flight = 0
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._sockets)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._sockets.discard(request)
        super().shutdown_request(request)

    def answered(self) -> Callable[[], None]:
        """Count one request in flight; call the result when its answer is written."""
        with self._lock:
            self.requests += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

        def done() -> None:
            with self._lock:
                self.in_flight -= 1

        return done

    def hang_up(self) -> None:
        """End the connections clients left open, so their handler threads exit."""
        with self._lock:
            sockets = list(self._sockets)
        for connection in sockets:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client hanging up mid-answer is part of what these tests do


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a pooled connection outlives a call
    server: LoopbackOkta

    def do_GET(self) -> None:
        done = self.server.answered()
        try:
            time.sleep(self.server.delay)
            self._answer()
        finally:
            done()

    def _answer(self) -> None:
        match = _USER_PATH.match(self.path)
        if self.headers.get("Authorization") != f"SSWS {self.server.token}":
            status, body = 401, {"errorCode": "E0000011", "errorSummary": "Invalid token"}
        elif match is None:
            status, body = 404, {"errorCode": "E0000007", "errorSummary": "Not found"}
        elif match["roles"]:
            status = 200
            body = [{"id": f"ra{n}", "type": role} for n, role in enumerate(self.server.roles)]
        else:
            status, body = 200, okta_user(match["id"])
        content = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def loopback_okta(**options: Any) -> Iterator[LoopbackOkta]:
    server = LoopbackOkta(**options)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.hang_up()
        server.server_close()
        thread.join()


def open_fds() -> int:
    """File descriptors this process has open (Linux)."""
    return len(os.listdir("/proc/self/fd"))


def settle(count: Callable[[], int], target: int, seconds: float = 3.0) -> int:
    """`count()` once it reaches `target`, or its value after `seconds`.

    A closed client connection is closed on the server's side by its handler thread, a
    moment later.
    """
    deadline = time.monotonic() + seconds
    value = count()
    while value > target and time.monotonic() < deadline:
        time.sleep(0.01)
        value = count()
    return value


def wait_until(condition: Callable[[], bool], seconds: float = 5.0) -> bool:
    """Whether `condition()` came true within `seconds`, polling."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.005)
    return True
