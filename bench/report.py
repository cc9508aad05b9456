"""RESULTS.md (for people) and a JSON twin (for the smoke test and for diffing runs)."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path
from typing import Any

from harness import Figure, Section, cpu_count, versions

PACKAGES = (
    "langchain-okta",
    "langchain-core",
    "langsmith",
    "httpx",
    "pydantic",
    "okta",
    "aiohttp",
    "httpx-aiohttp",
)


def environment() -> dict[str, Any]:
    return {
        "cpus": cpu_count(),
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "platform": platform.platform(),
        "executable": sys.executable,
        "packages": versions(PACKAGES),
    }


def write(
    sections: list[Section],
    *,
    markdown: Path,
    json_path: Path,
    mode: str,
    seconds: float,
    command: str,
    started: str,
) -> None:
    env = environment()
    markdown.parent.mkdir(parents=True, exist_ok=True)
    markdown.write_text(_markdown(sections, env, mode, seconds, command, started))
    document = {
        "mode": mode,
        "started": started,
        "seconds": seconds,
        "command": command,
        "environment": env,
        "sections": [
            {
                "key": section.key,
                "title": section.title,
                "skipped": section.skipped,
                "figures": [figure.to_dict() for figure in section.figures],
                "data": section.data,
            }
            for section in sections
        ],
    }
    json_path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n")


def _markdown(
    sections: list[Section],
    env: dict[str, Any],
    mode: str,
    seconds: float,
    command: str,
    started: str,
) -> str:
    packages = ", ".join(f"{name} {version}" for name, version in env["packages"].items())
    lines = [
        "# Benchmark results",
        "",
        f"`{command}` ({mode} mode), started {started}, took {seconds:,.0f} s.",
        "The sandbox org runs as `python -m langchain_okta.sandbox` in its own process, on "
        "loopback; everything measured runs in the bench's process.",
        "",
        "| machine | |",
        "| --- | --- |",
        f"| CPUs | {env['cpus']} |",
        f"| Python | {env['python']} |",
        f"| platform | {env['platform']} |",
        f"| packages | {packages} |",
        "",
        "## Figures",
        "",
        "Ratios are the headline: they compare two things measured side by side in the same "
        "run, so they carry over between machines far better than the absolute values.",
        "",
        "| # | measurement | ratio | ratio of | goal | met | value | baseline |",
        "| --- | --- | ---: | --- | --- | :---: | ---: | --- |",
    ]
    for section in sections:
        for figure in section.figures:
            lines.append(_row(figure))
    goals = [figure for section in sections for figure in section.figures if figure.met is not None]
    missed = [figure for figure in goals if not figure.met]
    lines += [
        "",
        f"Goals: {len(goals) - len(missed)} of {len(goals)} met."
        + (" Missed: " + "; ".join(f"{f.key} {f.name}" for f in missed) + "." if missed else ""),
    ]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        if section.skipped:
            lines += [f"Skipped in part: {section.skipped}.", ""]
        for figure in section.figures:
            if figure.note:
                lines.append(f"- {figure.key} {figure.name}: {figure.note}")
        if any(figure.note for figure in section.figures):
            lines.append("")
        lines += section.details
    return "\n".join(lines).rstrip() + "\n"


def _row(figure: Figure) -> str:
    met = "" if figure.met is None else ("yes" if figure.met else "**no**")
    baseline = (
        f"{_value(figure.baseline, figure.unit)} ({figure.baseline_name})"
        if figure.baseline is not None
        else figure.baseline_name
    )
    return (
        f"| {figure.key} | {figure.name} | {_ratio(figure)} | {figure.ratio_label} | "
        f"{figure.goal} | {met} | {_value(figure.value, figure.unit)} | {baseline} |"
    )


def _ratio(figure: Figure) -> str:
    if figure.ratio is None:
        return "—"
    if figure.percent:
        return f"**{figure.ratio:.0%}**"
    return f"**{figure.ratio:.2f}x**"


def _value(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:,.2f} s"
    if unit in ("requests", "bytes"):
        return f"{value:,.0f} {unit}"
    if unit in ("bytes/user", "µs/call", "ms", "KiB", "calls/s"):
        return f"{value:,.0f} {unit}"
    if unit == "% of limit":
        return f"{value:.0f}% of limit"
    return f"{value:,.3g} {unit}"
