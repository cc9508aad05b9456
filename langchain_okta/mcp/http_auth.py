"""A bearer token in front of the streamable HTTP endpoint.

Loopback is not private: every process of every user on the machine can reach it, and the
server holds an Okta admin's credentials. Each request must carry
`Authorization: Bearer <token>`, the token the operator set in TOKEN_VARIABLE.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

TOKEN_VARIABLE = "LANGCHAIN_OKTA_MCP_TOKEN"  # noqa: S105 - the name of the variable
# Short tokens can be guessed by whoever can try them at loopback speed.
MIN_TOKEN_LENGTH = 32


class BearerToken:
    """ASGI middleware: HTTP requests without the token get 401 and reach nothing else."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        if len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"{TOKEN_VARIABLE} must be at least {MIN_TOKEN_LENGTH} characters; "
                'make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"'
            )
        self._app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._allowed(scope):
            await self._app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"www-authenticate", b'Bearer realm="langchain-okta-mcp"'),
                    (b"content-type", b"text/plain; charset=utf-8"),
                ],
            }
        )
        await send(
            {
                "type": "http.response.body",
                "body": f"Send Authorization: Bearer <the {TOKEN_VARIABLE} token>.\n".encode(),
            }
        )

    def _allowed(self, scope: Scope) -> bool:
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        given = [value for name, value in headers if name == b"authorization"]
        # Constant time, so the token cannot be learnt a byte at a time.
        return len(given) == 1 and hmac.compare_digest(given[0], self._expected)

    def __repr__(self) -> str:
        return "BearerToken(<hidden>)"
