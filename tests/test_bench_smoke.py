"""The benchmark still runs: `bench/run.py --quick` end to end, checked for structure only.

No timing is asserted (quick mode's numbers mean nothing); what is checked is exact: the
report is written, every request count is what it must be, every byte count is positive.
The Okta SDK parts must be there when `okta` is installed, and cleanly absent otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import math
from typing import Any

import pytest
from bench_runs import run_quick

SDK = importlib.util.find_spec("okta") is not None
SECTIONS = [
    "latency",
    "listing",
    "imports",
    "context",
    "concurrency",
    "rate_limit",
    "summary",
    "oauth",
    "connected",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench")
    run_quick("run.py", out / "RESULTS.md")
    document: dict[str, Any] = json.loads((out / "RESULTS.json").read_text())
    document["markdown"] = (out / "RESULTS.md").read_text()
    return document


def section(results: dict[str, Any], key: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in results["sections"] if s["key"] == key)
    return found


def figure_keys(results: dict[str, Any], key: str) -> set[str]:
    return {figure["key"] for figure in section(results, key)["figures"]}


def test_report_is_written_with_machine_and_figures(results: dict[str, Any]) -> None:
    markdown = results["markdown"]
    assert results["mode"] == "quick"
    assert [s["key"] for s in results["sections"]] == SECTIONS
    assert f"| CPUs | {results['environment']['cpus']} |" in markdown
    assert f"| Python | {results['environment']['python']} |" in markdown
    assert "| # | measurement | ratio |" in markdown
    for s in results["sections"]:
        assert s["figures"], s["key"]
        for figure in s["figures"]:
            assert figure["key"] in markdown
            assert figure["value"] >= 0


def test_latency_every_call_sent_one_request(results: dict[str, Any]) -> None:
    latency = section(results, "latency")["data"]
    assert latency["server_requests"] == latency["expected_requests"]
    plan = latency["plan"]
    for mode in ("sync", "asynchronous"):
        for name, samples in latency[mode].items():
            assert len(samples["wall"]) == plan["rounds"], name
            assert all(value > 0 for value in samples["wall"]), name
    assert {"httpx", "client", "tool", "noop"} <= set(latency["sync"])
    assert {"httpx", "client", "tool", "noop"} <= set(latency["asynchronous"])
    assert {"1s.client", "1s.tool", "1a.client", "1a.tool"} <= figure_keys(results, "latency")


def test_latency_compares_with_the_okta_sdk_when_installed(results: dict[str, Any]) -> None:
    latency = section(results, "latency")["data"]
    if SDK:
        assert {"sdk", "sdk_session"} <= set(latency["asynchronous"])
        assert latency["sdk_check"]["requests"] == latency["sdk_check"]["calls"]
    else:
        assert not {"sdk", "sdk_session"} & set(latency["asynchronous"])
        assert latency["sdk_check"] == {}


def test_listing_sends_exactly_one_request_per_page(results: dict[str, Any]) -> None:
    sizes = section(results, "listing")["data"]["sizes"]
    assert len(sizes) >= 2
    for size in sizes:
        assert size["pages"] == math.ceil(size["listed"] / 200)
        assert size["requests"] == size["pages"]
        assert size["peak_bytes"] > 0
    assert any(size["pages"] > 1 for size in sizes)


def test_summary_counts_every_size_in_one_request_per_page_under_400_bytes(
    results: dict[str, Any],
) -> None:
    sizes = section(results, "summary")["data"]["sizes"]
    assert len(sizes) >= 2
    for size in sizes:
        summary, paging = size["summary"], size["paging"]
        assert summary["matched"] == paging["matched"] == size["listed"]
        assert sum(size["by_status"].values()) == size["listed"]
        assert summary["requests"] == paging["requests"] == size["pages"]
        assert 0 < summary["output_bytes"] < 400 < paging["output_bytes"]
        assert summary["calls"] == 1
        assert paging["calls"] == size["pages"]


def test_import_cost_measured_for_both_when_the_sdk_is_installed(
    results: dict[str, Any],
) -> None:
    imports = section(results, "imports")["data"]
    assert imports["ms"]["cold:ours"] > 0
    assert imports["modules"]["cold:ours"] > 0
    assert ("cold:sdk" in imports["ms"]) is SDK


def test_context_cost_counts_bytes(results: dict[str, Any]) -> None:
    context = section(results, "context")["data"]
    assert len(context["schema_bytes"]) == 4
    assert all(size > 0 for size in context["schema_bytes"].values())
    assert context["users"] > 0
    for name in ("raw_get_bytes", "ours_get_bytes", "raw_list_bytes", "ours_list_bytes"):
        assert context[name] > 0, name


def test_concurrency_stays_within_the_bound(results: dict[str, Any]) -> None:
    data = section(results, "concurrency")["data"]
    for run in (data["tool"], data["client"], data["httpx"], data["tool_rtt"]):
        assert 1 <= run["peak_in_flight"] <= run["max_concurrency"]
        assert all(seconds > 0 for seconds in run["sequential"] + run["concurrent"])


def test_rate_limit_runs_account_for_every_call(results: dict[str, Any]) -> None:
    rate = section(results, "rate_limit")
    runs = {run["who"]: run for run in rate["data"]["runs"]}
    assert ("sdk" in runs) is SDK
    assert bool(rate["skipped"]) is not SDK
    for run in runs.values():
        assert run["ok"] + sum(run["failures"].values()) == run["calls"]
        answered = sum(run["statuses"].values())
        assert answered >= run["ok"]
        assert run["statuses"].get("200", 0) == run["ok"]


def test_oauth_counts_one_token_per_renewal_and_measures_dpop(results: dict[str, Any]) -> None:
    oauth = section(results, "oauth")["data"]
    # Quick mode: two hours of a call a minute; renewed 60 s before each hour is out.
    assert oauth["calls"] == 120
    assert oauth["tokens_issued"] == 3
    assert oauth["token_posts"] == 4  # the first token's nonce challenge, then one per token
    assert all(value > 0 for value in oauth["plain_seconds"] + oauth["dpop_seconds"])
    assert {"8.dpop", "8.proof", "8.tokens"} <= figure_keys(results, "oauth")


def test_connected_toolkit_checks_rights_once_and_measures_memory(results: dict[str, Any]) -> None:
    data = section(results, "connected")["data"]
    assert data["role_checks"] == 1
    assert len(data["pooled_seconds"]) == len(data["plain_seconds"]) > 0
    assert len(data["pooled_async_seconds"]) == len(data["plain_async_seconds"]) > 0
    assert data["bytes_per_connection"] > 0
    assert {"9.call", "9.acall", "9.memory", "9.tls"} == figure_keys(results, "connected")
