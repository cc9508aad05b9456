"""A client we did not write: the MCP Inspector's CLI (npm), against `--sandbox` on stdio and
on loopback HTTP. `make install` (or `make inspector`) puts it in .inspector/; without node or
that folder the tests skip and say why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from mcp_support import SERVER, HttpServer

INSPECTOR = Path(__file__).resolve().parents[2] / ".inspector/node_modules/.bin/mcp-inspector"

pytestmark = [
    pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    pytest.mark.skipif(
        not INSPECTOR.exists(),
        reason="the MCP Inspector CLI is not installed: run `make inspector` (needs npm)",
    ),
]


def _inspector(tmp_path: Path, target: list[str], *method: str) -> tuple[int, Any, str]:
    finished = subprocess.run(  # noqa: S603 - the pinned Inspector from .inspector/
        [str(INSPECTOR), "--cli", *target, *method],
        capture_output=True,
        text=True,
        timeout=120,
        # Its server catalogue in the test's folder, not the home directory; this
        # interpreter first on PATH for the server it starts.
        env={
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
            "MCP_CATALOG_PATH": str(tmp_path / "catalog.json"),
        },
        check=False,
    )
    output = json.loads(finished.stdout) if finished.stdout.strip() else None
    return finished.returncode, output, finished.stderr


def test_the_inspector_lists_the_four_tools_and_finds_their_schemas_portable(
    tmp_path: Path,
) -> None:
    code, listed, stderr = _inspector(tmp_path, SERVER, "--method", "tools/list", "--strict")

    assert code == 0, stderr
    assert [tool["name"] for tool in listed["tools"]] == [
        "okta_list_users",
        "okta_get_user",
        "okta_create_user",
        "okta_update_user",
    ]
    # --strict prints each portability error or warning, with a count; none here.
    assert "Schema portability" not in stderr
    assert "warning" not in stderr.lower()


def test_the_inspector_gets_a_summary_as_text_and_structured_content(tmp_path: Path) -> None:
    code, result, stderr = _inspector(
        tmp_path,
        SERVER,
        *("--method", "tools/call", "--tool-name", "okta_list_users"),
        *("--tool-arg", "summary=true"),
    )

    assert code == 0, stderr
    assert result.get("isError") is not True
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]
    assert result["structuredContent"]["complete"] is True


def test_the_inspector_which_cannot_elicit_is_refused_a_write(tmp_path: Path) -> None:
    code, result, stderr = _inspector(
        tmp_path,
        SERVER,
        *("--method", "tools/call", "--tool-name", "okta_update_user"),
        *("--tool-arg", "user_id=admin@example.com", "first_name=Unasked"),
    )

    # The Inspector prints the result and exits non-zero for a tool error.
    assert code != 0
    assert "returned isError:true" in stderr
    assert result["isError"] is True
    assert "does not support MCP elicitation" in result["content"][0]["text"]


def test_the_inspector_reaches_the_http_server(tmp_path: Path, http_server: HttpServer) -> None:
    authorization = f"Authorization: {http_server.headers['Authorization']}"
    code, listed, stderr = _inspector(
        tmp_path, [http_server.url], "--header", authorization, "--method", "tools/list"
    )

    assert code == 0, stderr
    assert len(listed["tools"]) == 4
