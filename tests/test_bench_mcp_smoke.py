"""The MCP overhead benchmark still runs: `bench/mcp_overhead.py --quick`, checked for
structure. No timing is asserted; what is checked is exact: every path was measured, and a
confirmed update sent the requests it must."""

from __future__ import annotations

import json
from typing import Any

import pytest
from bench_runs import run_quick


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("bench") / "mcp.md"
    run_quick("mcp_overhead.py", output)
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
