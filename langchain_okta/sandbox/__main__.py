"""Run a sandbox org on loopback: `python -m langchain_okta.sandbox [--port 8765] ...`.

Prints the org URL and a fresh API token as `export` lines a shell can source, then serves
until SIGINT or SIGTERM. With `--env-file PATH` the lines go to that file instead, written in
one step (a new file renamed into place) once the server listens, and removed when it stops; so
a shell can wait for the file and source it:

    rm -f sandbox.env
    python -m langchain_okta.sandbox --env-file sandbox.env &
    until [ -f sandbox.env ] || ! kill -0 $! 2>/dev/null; do sleep 0.1; done
    . ./sandbox.env

A port that cannot be bound (taken, or not ours to use) is one line on stderr and exit status 1.

The org is a writable fake admin API, so it listens on loopback only unless
--expose-writable-admin-api says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import secrets
import shlex
import signal
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
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
        "--env-file",
        type=Path,
        help="write the export lines to this file once listening (not to stdout), atomically, "
        "and remove it on exit",
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
    if args.env_file is not None and not args.env_file.resolve().parent.is_dir():
        parser.error(f"--env-file {args.env_file}: no such folder {args.env_file.parent}")
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
    with contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(
                org.serve(args.host, args.port, expose_to_network=args.expose_writable_admin_api)
            )
        except OSError as error:
            print(_bind_failure(args.host, args.port, error), file=sys.stderr, flush=True)
            return 1
        exports = (
            f"export OKTA_ORG_URL={shlex.quote(_local_url(url))}\n"
            f"export OKTA_API_TOKEN={shlex.quote(org.token)}\n"
        )
        if args.env_file is None:
            print(exports, end="", flush=True)
        else:
            write_atomically(args.env_file, exports)
            # A file left behind would hand the next reader a token no server accepts.
            stack.callback(args.env_file.unlink, missing_ok=True)
            print(
                f"Serving the sandbox org on {_local_url(url)}; its settings are in "
                f"{args.env_file}.",
                file=sys.stderr,
                flush=True,
            )
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


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` so that a reader sees either no file or all of it: a new file
    beside it (owner-only, since it holds the token), renamed into place."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _bind_failure(host: str, port: int, error: OSError) -> str:
    where = f"{host}:{port}" if ":" not in host else f"[{host}]:{port}"
    if error.errno == errno.EADDRINUSE:
        return (
            f"Port {port} is already in use on {host}: stop what holds it, or pass another "
            "--port (--port 0 picks a free one)."
        )
    if error.errno == errno.EACCES:
        return f"Not allowed to listen on {where}: pass a --port above 1023."
    return f"Cannot listen on {where}: {error.strerror or error}."


def _local_url(url: str) -> str:
    """A URL the toolkit accepts on this machine: a wildcard bind is reached on loopback."""
    for wildcard, loopback in (("//0.0.0.0:", "//127.0.0.1:"), ("//[::]:", "//[::1]:")):
        url = url.replace(wildcard, loopback)
    return url


if __name__ == "__main__":
    sys.exit(main())
