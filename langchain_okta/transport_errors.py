"""Why no response came from Okta, in words an admin can act on, without the token.

httpx reports a failed connection as `ConnectError` whatever the cause; the cause (a DNS
failure, a refused port, a TLS problem) sits deeper in the exception chain. The httpx
exception also holds the request, whose headers carry the token, so what is kept as the
cause is a copy without it.
"""

from __future__ import annotations

import socket
import ssl

import httpx

# Failures after which the request cannot have reached Okta; any other may have. httpx
# raises ProxyError only when the proxy refuses or fails the tunnel (CONNECT, SOCKS), before
# a byte of the request goes through it.
NOT_SENT = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)

_TIMEOUTS: dict[type[httpx.TimeoutException], str] = {
    httpx.ConnectTimeout: "timed out while connecting",
    httpx.ReadTimeout: "timed out waiting for the answer (the request may have reached Okta)",
    httpx.WriteTimeout: "timed out while sending the request",
    httpx.PoolTimeout: "timed out waiting for a free connection in this client",
}


def describe(exc: httpx.RequestError, host: str) -> str:
    """One sentence: where the request went, and why no answer came back."""
    return f"no response from {host}: {_why(exc)} ({type(exc).__name__})"


def without_request(exc: httpx.RequestError) -> httpx.RequestError:
    """A copy of `exc` that holds no request (and so no token), with the root cause kept."""
    copy = type(exc)(str(exc))
    copy.__cause__ = _root_cause(exc)
    return copy


def _why(exc: httpx.RequestError) -> str:
    for kind, words in _TIMEOUTS.items():
        if isinstance(exc, kind):
            return words
    root = _root_cause(exc)
    if isinstance(root, socket.gaierror) or _mentions(exc, "name or service not known"):
        return "the host name could not be resolved (DNS): check the org URL"
    if isinstance(root, ssl.SSLCertVerificationError):
        return f"its TLS certificate was not accepted ({root.verify_message or root.reason})"
    if isinstance(root, ssl.SSLError):
        return f"the TLS handshake failed ({root.reason or root})"
    if isinstance(root, ConnectionRefusedError) or _mentions(exc, "connection refused"):
        return "the connection was refused (nothing listens there): check the org URL and port"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the server closed the connection without a complete answer"
    if isinstance(root, ConnectionResetError) or isinstance(exc, httpx.ReadError):
        return "the connection was reset"
    if isinstance(exc, httpx.ProxyError):
        return "the proxy refused or failed the connection"
    detail = str(root or exc).strip()
    return detail or "the connection failed"


def _root_cause(exc: BaseException) -> BaseException | None:
    """The deepest exception below httpx and httpcore (an OSError, an SSLError...)."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    outside = [link for link in seen if not type(link).__module__.startswith(("httpx", "httpcore"))]
    return outside[-1] if outside else None


def _mentions(exc: BaseException, words: str) -> bool:
    return words in str(exc).lower()
