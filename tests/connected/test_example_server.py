"""The example app served by a real LangGraph server (`langgraph dev`, in memory) on loopback:
two people at once, each authenticated by the app's auth handler, each acting with their own
Okta credential; the read-only one is refused a write. Needs `langgraph-cli[inmem]`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("langgraph_api", reason="needs langgraph-cli[inmem]")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "connected_agent"
ALICE, BOB = "alice-session-7f3a", "bob-session-c81d"
QUESTION = "Who am I? Then add Ada Byron."


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    langgraph = shutil.which("langgraph", path=str(Path(sys.executable).parent))
    assert langgraph is not None
    port = _free_port()
    env = {**os.environ, "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGSMITH_TRACING": "false"}
    for name in ("OKTA_ORG_URL", "OKTA_API_TOKEN", "EXAMPLE_MODEL"):
        env.pop(name, None)
    process = subprocess.Popen(  # noqa: S603 - the CLI installed beside this interpreter
        [langgraph, "dev", "--no-browser", "--no-reload", "--port", str(port)],
        cwd=EXAMPLE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/ok", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, "langgraph dev exited"
            assert time.monotonic() < deadline, "langgraph dev did not start in 60 s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ask(url: str, session: str) -> httpx.Response:
    body = {"assistant_id": "okta", "input": {"messages": [{"role": "user", "content": QUESTION}]}}
    headers = {"Authorization": f"Bearer {session}"}
    return httpx.post(f"{url}/runs/wait", json=body, headers=headers, timeout=60)


def _tool_results(response: httpx.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return [m for m in response.json()["messages"] if m["type"] == "tool"]


def _expected_ids() -> tuple[str, str]:
    """alice's and bob's user ids: the demo orgs are the same in every process."""
    sys.path.insert(0, str(EXAMPLE))
    try:
        from credentials import demo_orgs

        orgs = demo_orgs()
        bob = orgs.globex.admin["id"]
        for user in orgs.globex.users:
            if user["id"] != bob and user["status"] == "ACTIVE":
                bob = user["id"]
                break
        return orgs.acme.admin["id"], bob
    finally:
        sys.path.remove(str(EXAMPLE))
        sys.modules.pop("credentials", None)


def test_two_people_at_once_each_act_with_their_own_okta_credential(server: str) -> None:
    with ThreadPoolExecutor(2) as pool:
        alice, bob = pool.map(lambda session: _ask(server, session), [ALICE, BOB])
    alice_id, bob_id = _expected_ids()

    alice_me, alice_add = _tool_results(alice)
    bob_me, bob_add = _tool_results(bob)
    assert json.loads(alice_me["content"])["user"]["id"] == alice_id
    assert json.loads(bob_me["content"])["user"]["id"] == bob_id
    assert json.loads(alice_add["content"])["user"]["login"] == "ada.byron@example.com"
    assert bob_add["status"] == "error"
    assert "may only read" in bob_add["content"]


def test_a_request_without_the_apps_session_is_refused(server: str) -> None:
    assert _ask(server, "not-a-session").status_code == 401
