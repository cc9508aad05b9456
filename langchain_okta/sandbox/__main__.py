"""Run a sandbox org on loopback: `python -m langchain_okta.sandbox [--port 8765] ...`.

Prints the org URL and a fresh API token as `export` lines a shell can source, then serves
until SIGINT or SIGTERM:

    python -m langchain_okta.sandbox > sandbox.env &
    sleep 2; . ./sandbox.env

The org is a writable fake admin API, so it listens on loopback only unless
--expose-writable-admin-api says otherwise.
"""

from __future__ import annotations

import argparse
import secrets
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType

from langchain_okta.sandbox.org import SandboxOrg, is_loopback_host
from langchain_okta.sandbox.rate_limits import OKTA_CONCURRENT_LIMIT, RateLimit

EXPOSE_FLAG = "--expose-writable-admin-api"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m langchain_okta.sandbox",
        description="Serve an in-memory Okta org (Users API) over HTTP on loopback.",
    )
    parser.add_argument("--host", default="127.0.0.1", help=f"loopback, unless {EXPOSE_FLAG}")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--users", type=int, default=40, help="people besides the admin")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--roles", default="SUPER_ADMIN", help="comma-separated admin roles of the token's admin"
    )
    parser.add_argument(
        "--token", help="the API token to accept (default: a new random one for each run)"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=None,
        help="requests per window for every endpoint (default: Okta's per-endpoint limits)",
    )
    parser.add_argument("--window", type=float, default=60.0, help="rate-limit window, seconds")
    parser.add_argument(
        "--concurrent-limit",
        type=int,
        default=OKTA_CONCURRENT_LIMIT,
        help="requests in flight before 429s (default: %(default)s, as Okta)",
    )
    parser.add_argument(
        EXPOSE_FLAG,
        action="store_true",
        help="allow a --host that is not loopback: anyone who can reach it and learns the "
        "token can read, create and change the fake org's users",
    )
    args = parser.parse_args(argv)

    if not args.expose_writable_admin_api and not is_loopback_host(args.host):
        parser.error(
            f"--host {args.host} is not loopback: it would serve a writable admin API to the "
            f"network. Pass {EXPOSE_FLAG} if that is what you mean."
        )
    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    token = args.token if args.token is not None else "00" + secrets.token_urlsafe(30)
    try:
        org = SandboxOrg(
            users=args.users,
            seed=args.seed,
            admin_roles=roles,
            token=token,
            rate_limit=RateLimit(args.rate_limit, args.window, concurrent=args.concurrent_limit),
        )
    except ValueError as error:
        parser.error(str(error))

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    with org.serve(args.host, args.port, expose_to_network=args.expose_writable_admin_api) as url:
        print(f"export OKTA_ORG_URL={shlex.quote(_local_url(url))}", flush=True)
        print(f"export OKTA_API_TOKEN={shlex.quote(org.token)}", flush=True)
        if not is_loopback_host(args.host):
            print(
                f"Serving a writable fake admin API on {url} to the network. The toolkit takes "
                "http:// only on loopback: from another machine, reach it through HTTPS.",
                file=sys.stderr,
                flush=True,
            )
        # A timed wait keeps the main thread responsive to signals on every platform.
        while not stop.wait(0.5):
            pass
    return 0


def _local_url(url: str) -> str:
    """A URL the toolkit accepts on this machine: a wildcard bind is reached on loopback."""
    for wildcard, loopback in (("//0.0.0.0:", "//127.0.0.1:"), ("//[::]:", "//[::1]:")):
        url = url.replace(wildcard, loopback)
    return url


if __name__ == "__main__":
    sys.exit(main())
