"""What a release carries: the license, the metadata PyPI shows, the changelog, and CI that
tests each Python version the package claims."""

from __future__ import annotations

from importlib.metadata import metadata
from pathlib import Path
from typing import Any

import yaml

import langchain_okta

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
PYTHON = "Programming Language :: Python :: "


def _workflow() -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return loaded


def _claimed_versions() -> list[str]:
    """The Python versions the classifiers name, e.g. ["3.10", "3.11"], in their order."""
    classifiers = metadata("langchain-okta").get_all("Classifier") or []
    return [c.removeprefix(PYTHON) for c in classifiers if c.startswith(PYTHON + "3.")]


def test_the_package_is_mit_licensed_with_the_license_text_alongside() -> None:
    package = metadata("langchain-okta")

    assert package["License-Expression"] == "MIT"
    assert package.get_all("License-File") == ["LICENSE"]
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")


def test_the_metadata_says_it_is_typed() -> None:
    assert "Typing :: Typed" in (metadata("langchain-okta").get_all("Classifier") or [])
    assert (Path(langchain_okta.__file__).parent / "py.typed").exists()


def test_the_classifiers_claim_each_version_from_requires_python_on() -> None:
    claimed = _claimed_versions()

    assert metadata("langchain-okta")["Requires-Python"] == f">={claimed[0]}"
    minors = [int(version.split(".")[1]) for version in claimed]
    assert minors == list(range(minors[0], minors[-1] + 1))


def test_ci_runs_make_test_on_each_claimed_python_version() -> None:
    job = _workflow()["jobs"]["test"]

    assert job["strategy"]["matrix"]["python-version"] == _claimed_versions()
    assert any("make test" in step.get("run", "") for step in job["steps"])


def test_ci_runs_on_every_push_and_pull_request() -> None:
    workflow = _workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true

    assert {"push", "pull_request"} <= set(triggers)


def test_ci_caches_pip() -> None:
    steps = _workflow()["jobs"]["test"]["steps"]

    setup = next(step for step in steps if step.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip"


def test_the_changelog_has_this_version_and_an_unreleased_section() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")

    assert "\n## [Unreleased]\n" in changelog
    assert f"\n## [{langchain_okta.__version__}] - " in changelog


def test_the_metadata_links_the_homepage_source_issues_and_changelog() -> None:
    urls = dict(
        entry.split(", ", 1) for entry in metadata("langchain-okta").get_all("Project-URL") or []
    )

    assert set(urls) == {"Homepage", "Source", "Issues", "Changelog"}
    assert all(url.startswith("https://") for url in urls.values())


def test_the_extras_offered_to_users_leave_out_the_benchmarks_baselines() -> None:
    extras = set(metadata("langchain-okta").get_all("Provides-Extra") or [])

    assert extras == {"oauth", "connected", "mcp", "test", "notebooks"}
    assert "okta" in (ROOT / "bench" / "requirements.txt").read_text(encoding="utf-8")
