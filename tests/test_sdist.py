"""The sdist ships the whole test suite with everything it reads, so that a packager can run
it from the unpacked sdist; the wheel ships the package alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What the tests read beside tests/: the notebooks and docs page they execute, the bench and
# fixture scripts they run, the README, changelog and workflow they check.
SUITE_FOLDERS = ("tests", "notebooks", "docs", "bench", "scripts", ".github")
SUITE_FILES = ("README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml", "Makefile")
# Made by runs, never part of the source.
RUN_OUTPUT = {"__pycache__", ".hypothesis", ".pytest_cache", "executed"}
NOT_SOURCE = (*RUN_OUTPUT, ".venv", ".git", "*.egg-info", "build", "dist", ".mypy_cache", "*.pyc")


@pytest.fixture(scope="module")
def sdist_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The sdist's files, relative to its top folder, built as `python -m build --sdist` does
    (without isolation: the tests run offline), from a copy of the source as a fresh clone
    has it: setuptools would otherwise add what an earlier build's egg-info lists."""
    source = tmp_path_factory.mktemp("source") / "langchain-okta"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    out = tmp_path_factory.mktemp("sdist")
    subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "build", "--sdist", "--no-isolation", "--outdir", str(out), "."],
        cwd=source,
        check=True,
        capture_output=True,
    )
    (archive,) = out.glob("*.tar.gz")
    with tarfile.open(archive) as sdist:
        return {member.name.split("/", 1)[1] for member in sdist.getmembers() if member.isfile()}


def _source_files(folder: str) -> set[str]:
    return {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / folder).rglob("*")
        if path.is_file()
        and not RUN_OUTPUT.intersection(path.relative_to(ROOT).parts)
        and path.suffix != ".pyc"
    }


@pytest.mark.parametrize("folder", SUITE_FOLDERS)
def test_the_sdist_holds_every_file_of(sdist_files: set[str], folder: str) -> None:
    missing = _source_files(folder) - sdist_files

    assert not missing, f"left out of the sdist: {sorted(missing)}"


def test_the_sdist_holds_the_suites_conftests_fixtures_and_top_level_files(
    sdist_files: set[str],
) -> None:
    assert {
        "tests/conftest.py",
        "tests/contract/conftest.py",
        "tests/fixtures/okta/spec.json",
        *SUITE_FILES,
    } <= sdist_files


def test_the_sdist_holds_no_run_output(sdist_files: set[str]) -> None:
    assert not [name for name in sdist_files if RUN_OUTPUT.intersection(name.split("/"))]
