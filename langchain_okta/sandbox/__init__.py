"""An in-memory Okta org that answers the Users API as Okta does, for demos, tests and benchmarks.

Reach it in process with an httpx transport (no sockets)::

    org = SandboxOrg()
    client = httpx.Client(transport=org.transport(), base_url=IN_PROCESS_URL)

or over loopback HTTP::

    with org.serve() as base_url:
        ...

or from a shell: ``python -m langchain_okta.sandbox --port 8765``.
"""

from langchain_okta.sandbox.faults import Fault
from langchain_okta.sandbox.org import IN_PROCESS_URL, SandboxOrg
from langchain_okta.sandbox.rate_limits import RateLimit

__all__ = ["IN_PROCESS_URL", "Fault", "RateLimit", "SandboxOrg"]
