"""The committed fixtures are what `scripts/make_fixtures.py` makes from Okta's reference data.

The reference data lives in `../shared`, beside the repository, and is not part of it: a clone
has only the committed fixtures, so this one check skips there.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED = REPOSITORY.parent / "shared"
FIXTURES = REPOSITORY / "tests" / "fixtures" / "okta"


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_fixtures", REPOSITORY / "scripts" / "make_fixtures.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(
    not (SHARED / "okta-openapi").is_dir() or not (SHARED / "okta-recordings").is_dir(),
    reason=f"Okta's reference data is not at {SHARED}: nothing to compare the fixtures with",
)
def test_committed_fixtures_are_what_the_script_makes_from_the_reference_data() -> None:
    built = _builder().build(SHARED)

    committed = {path.name: path.read_bytes() for path in FIXTURES.iterdir()}
    stale = sorted(
        name for name in built.keys() | committed.keys() if built.get(name) != committed.get(name)
    )
    assert stale == [], f"run `make fixtures`: these differ from what the script makes: {stale}"
