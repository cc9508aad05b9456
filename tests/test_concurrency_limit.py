"""Okta's concurrent-request limit, as the sandbox answers it over loopback: 429s with
`X-Rate-Limit-Limit: 0` are backed off and retried, and never close the endpoint."""

from __future__ import annotations

import asyncio

from langchain_okta import OktaClient, OktaSettings, RetrySettings
from langchain_okta.sandbox import Fault, RateLimit, SandboxOrg


def test_calls_over_the_orgs_concurrent_limit_all_succeed_and_the_endpoint_stays_open() -> None:
    org = SandboxOrg(users=5, rate_limit=RateLimit(concurrent=2))
    ids = [user["id"] for user in org.users]
    # Slow answers keep requests in flight together, past the org's limit of two.
    org.inject(Fault(kind="latency", seconds=0.05, times=60))

    async def burst(client: OktaClient) -> list[str]:
        users = await asyncio.gather(*(client.aget_user(ids[n % len(ids)]) for n in range(24)))
        return [user.id for user in users]

    with org.serve() as base_url:
        settings = OktaSettings(
            org_url=base_url,
            api_token=org.token,
            max_concurrency=8,
            retries=RetrySettings(max_attempts=10, backoff_base=0.05, max_wait=20),
        )
        with OktaClient(settings) as client:
            got = asyncio.run(burst(client))
            concurrency_429s = [r for r in org.requests if r.status == 429]
            # Right after the burst, a call goes straight out: the 429s closed nothing.
            sent_before = len(org.requests)
            later = client.get_user(ids[0])

    assert got == [ids[n % len(ids)] for n in range(24)]
    assert concurrency_429s, "the burst never went over the org's concurrent limit"
    assert later.id == ids[0]
    assert len(org.requests) == sent_before + 1
