"""The preview benchmark still runs: `bench/preview_latency.py --quick`, checked for structure.

No timing is asserted (quick mode's numbers mean nothing); what is checked is exact: every
description, wherever the org is, took one request.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "bench" / "preview_latency.py"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    output = tmp_path_factory.mktemp("bench") / "previews.json"
    done = subprocess.run(  # noqa: S603 - our own script, no shell
        [sys.executable, str(SCRIPT), "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    document: dict[str, Any] = json.loads(output.read_text())
    document["printed"] = done.stdout
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
