"""The preview benchmark still runs: `bench/preview_latency.py --quick`, checked for structure.

No timing is asserted (quick mode's numbers mean nothing); what is checked is exact: every
description, wherever the org is, took one request.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from bench_runs import run_quick


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("bench") / "previews.json"
    printed = run_quick("preview_latency.py", output)
    document: dict[str, Any] = json.loads(output.read_text())
    document["printed"] = printed
    return document


def test_every_description_took_one_request_in_process_and_over_loopback(
    results: dict[str, Any],
) -> None:
    assert set(results["latency"]) == {"in process", "loopback", "loopback+rtt"}
    for data in results["latency"].values():
        assert data["requests_per_description"] == {"update": 1, "create": 1}


def test_the_report_has_each_figure(results: dict[str, Any]) -> None:
    for name, data in results["latency"].items():
        assert f"| {name} |" in results["printed"]
        assert data["update_ratio"] > 0
        assert data["create_ratio"] > 0
    assert results["stall"]["agent_pause_ms"] > 0
    assert "Longest event-loop stall" in results["printed"]
