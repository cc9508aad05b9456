"""The MCP overhead benchmark still runs: `bench/mcp_overhead.py --quick`, checked for
structure. No timing is asserted; what is checked is exact: every path was measured, and a
confirmed update sent the requests it must."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "mcp_overhead.py"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("bench") / "mcp.md"
    done = subprocess.run(  # noqa: S603 - our own script, no shell
        [sys.executable, str(SCRIPT), "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    document: dict[str, Any] = json.loads(output.with_suffix(".json").read_text())
    document["printed"] = output.read_text()
    return document


def test_every_path_is_measured_against_the_direct_call(results: dict[str, Any]) -> None:
    assert set(results["reads"]) == {
        "direct",
        "mcp in memory",
        "mcp stdio",
        "mcp stdio 2025-11-25",
        "mcp http",
        "mcp http 2025-11-25",
    }
    for name, figure in results["reads"].items():
        assert figure["ms"] > 0
        assert f"| {name} |" in results["printed"]


def test_a_confirmed_update_costs_one_request_more_than_the_direct_one(
    results: dict[str, Any],
) -> None:
    """The preview's read; the approved write reads and writes as the direct call does."""
    assert results["requests_per_update"] == {
        "direct": 2,
        "mcp in memory": 3,
        "mcp in memory 2025-11-25": 3,
    }
