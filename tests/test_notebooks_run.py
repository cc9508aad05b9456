"""The notebooks as committed (executed, deterministic, clean) and `notebooks/run.py`."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
COMMITTED = sorted([*NOTEBOOKS.glob("*.ipynb"), *(ROOT / "docs").glob("*.ipynb")])
# Cells the runners leave alone (nbclient's default tag), e.g. a `%pip install`.
SKIPPED = "skip-execution"
# What must not be in a committed output: it would differ between machines or runs.
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:home|Users|tmp|var|work|root|opt)/")
MEMORY_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+|\b0x[0-9a-fA-F]{8,}\b")


def _load_run() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_run", NOTEBOOKS / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


run = _load_run()


def _output_text(output: Any) -> str:
    if output.output_type == "stream":
        return str(output.text)
    return "\n".join(str(value) for value in output.get("data", {}).values())


def test_the_notebooks_are_there() -> None:
    assert {"agent_walkthrough.ipynb", "quickstart.ipynb", "okta.ipynb"} <= {
        path.name for path in COMMITTED
    }


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_committed_notebook_is_executed_in_order_without_errors(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    code_cells = [
        cell
        for cell in nb.cells
        if cell.cell_type == "code" and SKIPPED not in cell.metadata.get("tags", [])
    ]
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))
    for cell in code_cells:
        kinds = [output.output_type for output in cell.outputs]
        assert "error" not in kinds, cell.source
        streams = [output.name for output in cell.outputs if output.output_type == "stream"]
        assert "stderr" not in streams, cell.source
        # One stream per name: how the output was flushed must not show in the file.
        assert len(streams) == len(set(streams)), cell.source


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_committed_notebook_has_nothing_run_specific(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    assert "version" not in nb.metadata.get("language_info", {})
    for cell in nb.cells:
        assert "execution" not in cell.metadata
        for output in cell.get("outputs", []):
            text = _output_text(output)
            assert not ABSOLUTE_PATH.search(text), text
            assert not MEMORY_ADDRESS.search(text), text


def test_flow_shows_headings_and_printed_text_trimmed() -> None:
    long_output = "".join(f"line {number}\n" for number in range(run.MAX_LINES + 3))
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Title\n\nSome prose that stays out of the terminal."),
            new_markdown_cell("## Section"),
            new_code_cell("x", outputs=[new_output("stream", name="stdout", text=long_output)]),
            new_code_cell("y", outputs=[new_output("execute_result", data={"text/plain": "42"})]),
            new_code_cell("z", outputs=[]),
        ]
    )

    lines = list(run.flow(nb))

    assert "Title\n=====" in lines
    assert lines[lines.index("Section") + 1] == "-------"
    assert not any("prose" in line for line in lines)
    assert "    line 0" in lines
    assert f"    line {run.MAX_LINES}" not in lines
    assert "    … (3 more lines)" in lines
    assert "    42" in lines


def test_flow_wraps_a_long_line_under_its_speaker_keeping_every_word() -> None:
    answer = "model    > " + " ".join(f"word{number}" for number in range(40))
    output = new_output("stream", name="stdout", text=answer + "\n")
    nb = new_notebook(cells=[new_code_cell("x", outputs=[output])])

    lines = [line for line in run.flow(nb) if line and not line.startswith("  In [")]

    assert len(lines) > 1
    assert all(len(line) <= run.MAX_WIDTH for line in lines)
    assert " ".join(line.strip() for line in lines) == answer
    under_the_text = " " * len("    model    > ")
    assert all(line.startswith(under_the_text + "word") for line in lines[1:])


def test_clean_metadata_drops_run_specific_fields() -> None:
    nb = new_notebook(cells=[new_code_cell("1")])
    nb.metadata["language_info"] = {"name": "python", "version": "3.11.7"}
    nb.cells[0].metadata["execution"] = {"iopub.execute_input": "2026-01-01T00:00:00Z"}

    run.clean_metadata(nb)

    assert nb.metadata["language_info"] == {"name": "python"}
    assert nb.cells[0].metadata == {}


def test_in_place_refuses_a_real_org(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OKTA_ORG_URL", "https://example.okta.com")

    assert run.main(["--in-place"]) == 2
    assert "OKTA_ORG_URL" in capsys.readouterr().err


def test_run_saves_executed_copies_and_fails_on_a_failing_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, source in [("good.ipynb", "print('hello from the kernel')"), ("bad.ipynb", "1 / 0")]:
        notebook = new_notebook(cells=[new_markdown_cell("# Tiny"), new_code_cell(source)])
        notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        nbformat.write(notebook, tmp_path / name)
    out = tmp_path / "executed"

    code = run.main([str(tmp_path / "good.ipynb"), str(tmp_path / "bad.ipynb"), "-o", str(out)])

    printed = capsys.readouterr().out
    assert code == 1
    assert "1 of 2 notebooks ran" in printed
    assert "ZeroDivisionError" in printed
    assert "    hello from the kernel" in printed.splitlines()
    good = nbformat.read(out / "good.ipynb", as_version=4)
    assert good.cells[1].outputs[0].text == "hello from the kernel\n"
    bad = nbformat.read(out / "bad.ipynb", as_version=4)
    assert bad.cells[1].outputs[0].output_type == "error"


def test_the_demo_runs_the_quickstart_before_the_walkthrough() -> None:
    found = [NOTEBOOKS / "agent_walkthrough.ipynb", NOTEBOOKS / "quickstart.ipynb"]

    assert [path.name for path in run.in_demo_order(found)] == [
        "quickstart.ipynb",
        "agent_walkthrough.ipynb",
    ]


def test_the_demo_runs_other_notebooks_after_those_two_by_name() -> None:
    found = [NOTEBOOKS / name for name in ("zeta.ipynb", "agent_walkthrough.ipynb", "alpha.ipynb")]

    assert [path.name for path in run.in_demo_order(found)][1:] == ["alpha.ipynb", "zeta.ipynb"]


def test_flow_labels_each_output_with_its_cell_and_the_statement_that_printed_it() -> None:
    printed = new_output("stream", name="stdout", text="2 found\n")
    shown = new_output("execute_result", data={"text/plain": "42"})
    nb = new_notebook(
        cells=[
            new_code_cell("import os", outputs=[]),
            new_code_cell(
                "tools = 1\nprint(call('okta_list_users',\n    limit=2))", outputs=[printed]
            ),
            new_code_cell("answer = await compute()\nanswer", outputs=[shown], execution_count=7),
            new_code_cell("rows = 3\nfor row in range(rows):\n    show(row)", outputs=[printed]),
        ]
    )

    lines = [line for line in run.flow(nb) if line]

    assert lines == [
        "  In [2]: print(call('okta_list_users', limit=2))",
        "    2 found",
        "  In [7]: answer",
        "    42",
        "  In [4]: for row in range(rows): show(row)",
        "    2 found",
    ]


def test_a_label_names_the_first_bare_expression_of_the_cell() -> None:
    source = "import json\nprint('Admin:', admin)\nprint('Roles:', roles)\nprint('done')"
    nb = new_notebook(cells=[new_code_cell(source, outputs=[new_output("stream", text="x\n")])])

    assert next(line for line in run.flow(nb) if line) == "  In [1]: print('Admin:', admin)"


def test_a_long_label_is_cut_to_one_line() -> None:
    source = "print(" + " + ".join(f"part_{number}" for number in range(40)) + ")"
    nb = new_notebook(cells=[new_code_cell(source, outputs=[new_output("stream", text="x\n")])])

    label = next(line for line in run.flow(nb) if line.startswith("  In ["))

    assert len(label) <= len("  In [1]: ") + run.LABEL_WIDTH
    assert label.endswith("…")


@pytest.mark.parametrize("path", COMMITTED, ids=lambda path: path.name)
def test_every_approval_preview_a_notebook_prints_comes_under_a_label(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        text = "".join(run._output_text(output) for output in cell.get("outputs", []))
        lines = text.splitlines()
        for number, line in enumerate(lines):
            if line.startswith(("Update the Okta user", "Create an Okta user")):
                assert number > 0, f"an unlabelled preview in {path.name}: {line}"
                assert "review" in lines[number - 1] or "preview" in lines[number - 1], line
