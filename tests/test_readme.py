"""The README's "Testing your agent offline" example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def _python_example_under(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None, f"no python example under {heading!r}"
    return found.group(1)


def test_the_offline_testing_example_runs_and_its_assertion_holds() -> None:
    example = _python_example_under("Testing your agent offline")

    exec(compile(example, str(README), "exec"), {})  # noqa: S102 - the README's own example


def test_the_offline_testing_example_is_ten_lines() -> None:
    example = _python_example_under("Testing your agent offline")

    assert len([line for line in example.splitlines() if line.strip()]) <= 10
