"""Runs of the bench scripts for their smoke tests. Imported by module name (pytest puts the
tests folder on sys.path)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_quick(script: str, output: Path) -> str:
    """Run `bench/<script> --quick --output <output>` as `make bench` would; its printout."""
    done = subprocess.run(  # noqa: S603 - our own script, no shell
        [sys.executable, str(ROOT / "bench" / script), "--quick", "--output", str(output)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout
