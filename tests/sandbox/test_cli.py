"""`python -m langchain_okta.sandbox`: prints the org URL and token, serves, stops on a signal."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from langchain_okta.sandbox.__main__ import main

COMMAND = [sys.executable, "-m", "langchain_okta.sandbox", "--port", "0", "--users", "12"]


@pytest.fixture(scope="module")
def started() -> Iterator[list[subprocess.Popen[str]]]:
    # Each process takes a second or two to import; starting them together saves the wait.
    processes = [
        subprocess.Popen(COMMAND, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(3)
    ]
    yield list(processes)
    for process in processes:
        _stop(process)


@pytest.fixture
def sandbox_process(started: list[subprocess.Popen[str]]) -> Iterator[subprocess.Popen[str]]:
    process = started.pop()
    yield process
    _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    if process.stdout is not None and not process.stdout.closed:
        process.communicate()


def _settings(process: subprocess.Popen[str]) -> dict[str, str]:
    assert process.stdout is not None
    lines = [process.stdout.readline().strip() for _ in range(2)]
    return dict(line.split("=", 1) for line in lines)


def test_cli_prints_the_org_url_and_token_and_serves(sandbox_process: subprocess.Popen[str]):
    settings = _settings(sandbox_process)

    response = httpx.get(
        f"{settings['OKTA_ORG_URL']}/api/v1/users/me",
        headers={"Authorization": f"SSWS {settings['OKTA_API_TOKEN']}"},
    )

    assert settings["OKTA_ORG_URL"].startswith("http://127.0.0.1:")
    assert response.json()["profile"]["login"] == "admin@example.com"


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_cli_exits_cleanly_on_a_signal(sandbox_process: subprocess.Popen[str], stop: int):
    _settings(sandbox_process)

    sandbox_process.send_signal(stop)

    assert sandbox_process.wait(timeout=10) == 0


def test_cli_rejects_an_unknown_role(capsys: pytest.CaptureFixture[str]):
    with pytest.raises(SystemExit) as exit_info:
        main(["--port", "0", "--roles", "SUPER_ADMIN,NOPE"])

    assert exit_info.value.code == 2
    assert "NOPE" in capsys.readouterr().err
