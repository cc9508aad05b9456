"""The README's examples run as pasted: its sandbox snippets are extracted and run here, each
block imports what it uses, the prose before a block names the packages it needs, and its
links work on a package index page too."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.DOTALL)
# Sections whose blocks are whole programs (the others show a fragment inside a program).
STANDALONE = ("Quickstart", "Async apps", "Approvals", "Testing your agent offline")
# Distribution names of the modules a README example may import.
DISTRIBUTION = {"langchain": "langchain", "langchain_okta": "langchain-okta"}
PROVIDER_PACKAGE = {"openai": "langchain-openai", "anthropic": "langchain-anthropic"}


def _section(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


def _blocks(heading: str, language: str) -> list[str]:
    return [code for lang, code in BLOCK.findall(_section(heading)) if lang == language]


def _python_example_under(heading: str) -> str:
    return _blocks(heading, "python")[0]


def _sandbox_examples() -> list[str]:
    return [code for code in _blocks("Quickstart", "python") if "langchain_okta.sandbox" in code]


def test_the_offline_testing_example_runs_and_its_assertion_holds() -> None:
    example = _python_example_under("Testing your agent offline")

    exec(compile(example, str(README), "exec"), {})  # noqa: S102 - the README's own example


def test_the_offline_testing_example_is_ten_lines() -> None:
    example = _python_example_under("Testing your agent offline")

    assert len([line for line in example.splitlines() if line.strip()]) <= 10


def test_the_approvals_example_runs_and_prints_the_preview_the_readme_shows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    example = _python_example_under("Approvals")
    shown = _blocks("Approvals", "text")[0]

    exec(compile(example, str(README), "exec"), {})  # noqa: S102 - the README's own example

    assert capsys.readouterr().out == shown


def test_the_quickstart_has_a_sandbox_example() -> None:
    assert _sandbox_examples()


@pytest.mark.parametrize("example", _sandbox_examples())
def test_the_quickstarts_sandbox_example_runs_as_pasted(
    example: str, capsys: pytest.CaptureFixture[str]
) -> None:
    exec(compile(example, str(README), "exec"), {})  # noqa: S102 - the README's own example

    assert '"STAGED"' in capsys.readouterr().out


@pytest.mark.parametrize("heading", STANDALONE)
def test_each_python_block_imports_every_name_it_uses(heading: str, tmp_path: Path) -> None:
    for number, example in enumerate(_blocks(heading, "python")):
        pasted = tmp_path / f"block_{number}.py"
        pasted.write_text(example, encoding="utf-8")

        checked = subprocess.run(  # noqa: S603 - ruff on the README's own example
            [
                sys.executable,
                "-m",
                "ruff",
                "check",
                "--no-cache",
                "--isolated",
                "--select",
                "F821,F401",
                str(pasted),
            ],
            capture_output=True,
            text=True,
            check=False,
        )

        assert checked.returncode == 0, f"{heading} block {number}:\n{checked.stdout}"


def _needed_distributions(example: str) -> set[str]:
    """What `pip install` must have added for the example: its imports' distributions, and the
    provider package of a `provider:model` string handed to create_agent."""
    needed = set()
    for node in ast.walk(ast.parse(example)):
        if isinstance(node, ast.ImportFrom) and node.module:
            needed.add(DISTRIBUTION.get(node.module.split(".")[0], node.module.split(".")[0]))
        elif isinstance(node, ast.Import):
            needed.update(DISTRIBUTION.get(alias.name.split(".")[0], "") for alias in node.names)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            provider = node.value.split(":", 1)[0]
            if ":" in node.value and provider in PROVIDER_PACKAGE:
                needed.add(PROVIDER_PACKAGE[provider])
    return needed - {"", "langchain-okta"}


def test_the_quickstart_says_which_packages_each_block_needs() -> None:
    section = _section("Quickstart")
    for match in BLOCK.finditer(section):
        if match.group(1) != "python":
            continue
        prose = section[: match.start()].rsplit("```", 1)[-1]
        named = set(re.findall(r"pip install ([\w\- ]+)`", prose))
        installed = {word for words in named for word in words.split()}

        missing = _needed_distributions(match.group(2)) - installed

        assert not missing, f"the prose before this block does not name {missing}"


def test_the_quickstarts_shell_example_waits_for_the_sandbox_and_sources_its_settings(
    tmp_path: Path,
) -> None:
    (example,) = _blocks("Quickstart", "bash")
    # As pasted, on a port nobody else on this machine holds.
    script = example.replace("--port 8765", "--port 0") + (
        'python -c "from langchain_okta import OktaToolkit; print(OktaToolkit().admin.login)"\n'
        "kill $!\nwait\n"
    )
    bin_folder = str(Path(sys.executable).parent)
    environment = {**os.environ, "PATH": bin_folder + os.pathsep + os.environ["PATH"]}
    for name in ("OKTA_ORG_URL", "OKTA_API_TOKEN"):
        environment.pop(name, None)

    ran = subprocess.run(  # noqa: S603 - the README's own shell example
        ["/bin/sh", "-e", "-c", script],
        cwd=tmp_path,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == "admin@example.com"
    assert not (tmp_path / "sandbox.env").exists()


def test_the_install_section_installs_from_a_clone_until_the_package_is_published() -> None:
    commands = _blocks("Install", "bash")[0]

    assert commands.startswith("git clone https://")
    assert "pip install ./langchain-okta" in commands


def _links() -> list[str]:
    return re.findall(r"\]\(([^)\s]+)\)", README.read_text(encoding="utf-8"))


def test_every_link_is_absolute_so_it_works_on_a_package_index_page() -> None:
    relative = [link for link in _links() if not link.startswith(("https://", "#"))]

    assert relative == []


def test_links_into_the_repository_name_files_that_exist() -> None:
    from importlib.metadata import metadata

    urls = dict(
        entry.split(", ", 1) for entry in metadata("langchain-okta").get_all("Project-URL") or []
    )
    blob = urls["Source"] + "/blob/main/"

    files = [link.removeprefix(blob) for link in _links() if link.startswith(blob)]

    assert files
    assert [name for name in files if not (ROOT / name).exists()] == []
