"""The README's connected-toolkit example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
HEADING = "One agent, each person's own Okta credentials"


def test_the_connected_toolkit_example_runs_and_its_assertion_holds() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"\n## {HEADING}\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None

    exec(compile(found.group(1), str(README), "exec"), {})  # noqa: S102 - the README's example
