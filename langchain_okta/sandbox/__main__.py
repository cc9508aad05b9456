"""Run a sandbox org on loopback: `python -m langchain_okta.sandbox [--port 8765] ...`.

Prints the org URL and token as environment assignments, then serves until SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from langchain_okta.sandbox.org import SandboxOrg
from langchain_okta.sandbox.rate_limits import RateLimit


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m langchain_okta.sandbox",
        description="Serve an in-memory Okta org (Users API) over HTTP on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--users", type=int, default=40, help="people besides the admin")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--roles", default="SUPER_ADMIN", help="comma-separated admin roles of the token's admin"
    )
    parser.add_argument("--rate-limit", type=int, default=600, help="requests per window")
    parser.add_argument("--window", type=float, default=60.0, help="rate-limit window, seconds")
    args = parser.parse_args(argv)

    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    try:
        org = SandboxOrg(
            users=args.users,
            seed=args.seed,
            admin_roles=roles,
            rate_limit=RateLimit(args.rate_limit, args.window),
        )
    except ValueError as error:
        parser.error(str(error))

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with org.serve(args.host, args.port) as base_url:
        print(f"OKTA_ORG_URL={base_url}", flush=True)
        print(f"OKTA_API_TOKEN={org.token}", flush=True)
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
