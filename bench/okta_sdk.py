"""Okta's own Python SDK (`okta` on PyPI), set up for a fair comparison; optional.

Three things are needed to make it work against the loopback sandbox, and one to make sure
it really sends each request:

- `OKTA_TESTING_TESTINGDISABLEHTTPSCHECK=true`, or it refuses an `http://` org URL;
- the token with a leading space: the SDK's generated API layer builds the header as
  `authorizationMode + token`, i.e. `SSWS<token>` without a space (okta 3.4.6,
  `okta/configuration.py`, `auth_settings`), which overrides the correct default header and
  which the sandbox, as the spec, answers with 401;
- `cache.enabled = False` stated explicitly (the default, unless OKTA_CLIENT_CACHE_ENABLED
  or an okta.yaml turns it on): with the cache on, a repeated GET is answered from memory.
"""

from __future__ import annotations

import importlib.util
import os
from collections import Counter
from typing import Any

HTTPS_CHECK_VARIABLE = "OKTA_TESTING_TESTINGDISABLEHTTPSCHECK"


def available() -> bool:
    return importlib.util.find_spec("okta") is not None


def client(
    url: str, token: str, *, session: Any = None, counter: Counter[int | None] | None = None
) -> Any:
    """An `okta.client.Client` on `url`; with `session`, one shared aiohttp session.

    Without a session (outside `async with Client(...)`), the SDK opens a new
    `aiohttp.ClientSession`, and so a new connection, for every request. `counter`, if
    given, counts the responses by status. Call from a running event loop.
    """
    os.environ[HTTPS_CHECK_VARIABLE] = "true"
    import okta.client
    from okta.http_client import HTTPClient

    config: dict[str, Any] = {
        "orgUrl": url,
        "token": " " + token,
        "cache": {"enabled": False},
    }
    if counter is not None:

        class CountingHTTPClient(HTTPClient):  # type: ignore[misc]
            async def send_request(self, request: Any) -> Any:
                sent = await super().send_request(request)
                response = sent[1]
                counter[response.status if response is not None else None] += 1
                return sent

        config["httpClient"] = CountingHTTPClient
    sdk = okta.client.Client(config)
    if sdk._config["client"]["cache"]["enabled"]:
        raise RuntimeError("the Okta SDK's cache is on: it would not send repeated GETs")
    if session is not None:
        # What `async with Client(...) as sdk:` does.
        sdk.get_request_executor().set_session(session)
    return sdk


async def get_user(sdk: Any, user_id: str) -> Any:
    """One user through the SDK; raises what the SDK returns as an error."""
    user, _response, error = await sdk.get_user(user_id)
    if error is not None:
        raise RuntimeError(f"Okta SDK get_user failed: {error}")
    return user
