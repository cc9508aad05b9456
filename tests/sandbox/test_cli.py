"""`python -m langchain_okta.sandbox`: prints the org URL and a fresh token as shell `export`
lines, serves on loopback only (unless told otherwise), stops on a signal."""

from __future__ import annotations

import shlex
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from langchain_okta.sandbox.__main__ import _local_url, main, write_atomically

COMMAND = [sys.executable, "-m", "langchain_okta.sandbox", "--port", "0", "--users", "12"]


@pytest.fixture(scope="module")
def started() -> Iterator[list[subprocess.Popen[str]]]:
    # Each process takes a second or two to import; starting them together saves the wait.
    processes = [
        subprocess.Popen(COMMAND, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(6)
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


def _lines(process: subprocess.Popen[str]) -> list[str]:
    assert process.stdout is not None
    return [process.stdout.readline().strip() for _ in range(2)]


def _settings(process: subprocess.Popen[str]) -> dict[str, str]:
    # What a shell makes of the lines: `export NAME=VALUE`, VALUE quoted as the shell reads it.
    settings = {}
    for line in _lines(process):
        words = shlex.split(line)
        assert words[0] == "export"
        name, _, value = words[1].partition("=")
        settings[name] = value
    return settings


def test_cli_prints_the_org_url_and_token_and_serves(sandbox_process: subprocess.Popen[str]):
    settings = _settings(sandbox_process)

    response = httpx.get(
        f"{settings['OKTA_ORG_URL']}/api/v1/users/me",
        headers={"Authorization": f"SSWS {settings['OKTA_API_TOKEN']}"},
    )

    assert settings["OKTA_ORG_URL"].startswith("http://127.0.0.1:")
    assert response.json()["profile"]["login"] == "admin@example.com"


def test_cli_prints_export_lines_a_shell_can_source(sandbox_process: subprocess.Popen[str]):
    script = "\n".join(
        [*_lines(sandbox_process), 'printf "%s %s" "$OKTA_ORG_URL" "$OKTA_API_TOKEN"']
    )

    sourced = subprocess.run(  # noqa: S603 - a fixed shell script, no user input
        ["/bin/sh", "-c", script], capture_output=True, text=True, check=True
    )

    url, token = sourced.stdout.split(" ")
    assert url.startswith("http://127.0.0.1:")
    assert token.startswith("00")


def test_each_run_gets_its_own_token(started: list[subprocess.Popen[str]]):
    first, second = started.pop(), started.pop()

    assert _settings(first)["OKTA_API_TOKEN"] != _settings(second)["OKTA_API_TOKEN"]
    for process in (first, second):
        _stop(process)


def test_a_token_given_with_token_is_the_one_printed_and_accepted():
    command = [*COMMAND, "--token", "00my-own-token"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    try:
        settings = _settings(process)
        response = httpx.get(
            f"{settings['OKTA_ORG_URL']}/api/v1/users/me",
            headers={"Authorization": "SSWS 00my-own-token"},
        )
    finally:
        _stop(process)

    assert settings["OKTA_API_TOKEN"] == "00my-own-token"
    assert response.status_code == 200


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "::"])  # noqa: S104 - refused
def test_cli_refuses_a_host_beyond_loopback_without_the_flag_that_says_so(
    capsys: pytest.CaptureFixture[str], host: str
):
    with pytest.raises(SystemExit) as exit_info:
        main(["--port", "0", "--host", host])

    assert exit_info.value.code == 2
    assert "--expose-writable-admin-api" in capsys.readouterr().err


def test_a_wildcard_bind_prints_a_loopback_url_the_toolkit_accepts():
    assert _local_url("http://0.0.0.0:8765") == "http://127.0.0.1:8765"
    assert _local_url("http://[::]:8765") == "http://[::1]:8765"


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


def _wait_for(path: Path, process: subprocess.Popen[str], timeout: float = 30.0) -> str:
    """The file's text as soon as it exists, read at once, as a shell loop polling it would."""
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no env file"
        time.sleep(0.01)
    return path.read_text(encoding="utf-8")


def _sourced(text: str) -> dict[str, str]:
    settings = {}
    for line in text.splitlines():
        words = shlex.split(line)
        assert words[0] == "export"
        name, _, value = words[1].partition("=")
        settings[name] = value
    return settings


def test_the_env_file_appears_whole_once_the_server_listens(tmp_path: Path):
    env_file = tmp_path / "sandbox.env"
    process = subprocess.Popen(  # noqa: S603
        [*COMMAND, "--env-file", str(env_file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Read and used the instant it exists: no retry, no sleep.
        settings = _sourced(_wait_for(env_file, process))
        response = httpx.get(
            f"{settings['OKTA_ORG_URL']}/api/v1/users/me",
            headers={"Authorization": f"SSWS {settings['OKTA_API_TOKEN']}"},
        )
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=10)

    assert set(settings) == {"OKTA_ORG_URL", "OKTA_API_TOKEN"}
    assert response.status_code == 200
    assert stdout == ""
    assert str(env_file) in stderr


def test_the_env_file_holding_the_token_is_readable_by_its_owner_only(tmp_path: Path):
    env_file = tmp_path / "sandbox.env"
    process = subprocess.Popen(  # noqa: S603
        [*COMMAND, "--env-file", str(env_file)], stderr=subprocess.DEVNULL, text=True
    )
    try:
        _wait_for(env_file, process)
        mode = stat.S_IMODE(env_file.stat().st_mode)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)

    assert mode == 0o600


def test_the_env_file_is_removed_when_the_server_stops(tmp_path: Path):
    env_file = tmp_path / "sandbox.env"
    process = subprocess.Popen(  # noqa: S603
        [*COMMAND, "--env-file", str(env_file)], stderr=subprocess.DEVNULL, text=True
    )
    _wait_for(env_file, process)

    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=10) == 0
    assert list(tmp_path.iterdir()) == []


def test_writing_the_env_file_replaces_an_old_one_and_leaves_no_temporary_file(tmp_path: Path):
    env_file = tmp_path / "sandbox.env"
    env_file.write_text("export OKTA_API_TOKEN=stale\n", encoding="utf-8")

    write_atomically(env_file, "export OKTA_API_TOKEN=fresh\n")

    assert env_file.read_text(encoding="utf-8") == "export OKTA_API_TOKEN=fresh\n"
    assert list(tmp_path.iterdir()) == [env_file]


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_taken_port_is_one_clear_line_and_a_failing_exit(taken_port: int, tmp_path: Path):
    env_file = tmp_path / "sandbox.env"
    command = [*COMMAND[:-4], "--port", str(taken_port), "--env-file", str(env_file)]

    finished = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)  # noqa: S603

    assert finished.returncode == 1
    assert finished.stdout == ""
    assert finished.stderr.splitlines() == [
        f"Port {taken_port} is already in use on 127.0.0.1: stop what holds it, or pass "
        "another --port (--port 0 picks a free one)."
    ]
    assert not env_file.exists()


def test_an_env_file_in_a_missing_folder_is_refused_before_serving(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
):
    with pytest.raises(SystemExit) as exit_info:
        main(["--port", "0", "--env-file", str(tmp_path / "nowhere" / "sandbox.env")])

    assert exit_info.value.code == 2
    assert "no such folder" in capsys.readouterr().err
