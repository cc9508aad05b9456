"""The Makefile explains itself: `make help` lists every target, and the fast unit target
leaves out the notebook plugin."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")


def _phony_targets() -> list[str]:
    declared = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", MAKEFILE, re.MULTILINE)
    assert declared is not None
    return declared.group(1).replace("\\\n", " ").split()


def _recipe(target: str) -> str:
    found = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", MAKEFILE, re.MULTILINE)
    assert found is not None, target
    return found.group(1)


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_target_with_a_description() -> None:
    shown = subprocess.run(  # noqa: S603 - make, fixed arguments
        ["make", "--no-print-directory", "-C", str(ROOT), "help"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    listed = dict(re.findall(r"^  make (\S+)\s+(.+)$", shown, re.MULTILINE))
    assert set(listed) == set(_phony_targets()) - {"help"}
    assert all(description.strip() for description in listed.values())


def test_help_is_what_a_bare_make_does() -> None:
    assert ".DEFAULT_GOAL := help" in MAKEFILE


def test_the_fast_target_skips_the_notebook_plugin_and_stops_at_the_first_failure() -> None:
    recipe = _recipe("fast")

    assert "pytest -p no:nbmake -x" in recipe
