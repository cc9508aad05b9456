"""A sync call made on the thread of a running event loop, while that loop's own call renews
the service app's token: the renewal cannot finish while the thread waits for it, so the
sync call renews for itself."""

from __future__ import annotations

import asyncio

from loopback_okta import wait_until
from oauth_support import MovableClock

from langchain_okta import OktaToolkit, RetrySettings
from langchain_okta.sandbox import IN_PROCESS_URL, Fault, SandboxOrg


def test_a_sync_call_on_a_running_loops_thread_does_not_wait_for_that_loops_token_renewal(
    org: SandboxOrg, clock: MovableClock
) -> None:
    toolkit = OktaToolkit(
        IN_PROCESS_URL,
        auth=org.service_app.auth(),
        transport=org.transport(),
        retries=RetrySettings(max_wait=1.0),
    )
    session = toolkit.client.oauth_session
    assert session is not None
    session.clock = clock
    user_id = org.users[0]["id"]
    clock.advance(3601)  # the token has expired: the next call renews it
    org.inject(Fault("latency", path="/oauth2/v1/token", seconds=0.2, times=1))

    async def both() -> None:
        renewing = asyncio.create_task(toolkit.client.aget_user(user_id))
        await asyncio.to_thread(wait_until, lambda: org.in_flight == 1)
        got = toolkit.client.get_user(user_id)  # e.g. a sync tool invoked inside the loop
        assert got.id == user_id
        assert (await renewing).id == user_id

    try:
        asyncio.run(both())
    finally:
        toolkit.close()
