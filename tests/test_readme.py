"""README.md stays true: the quick start and the generated schema reference."""

from __future__ import annotations

from pathlib import Path

from optimizer.inputs.schema_doc import markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_schema_section_matches_the_code():
    text = README.read_text(encoding="utf-8")
    section = text.split("<!-- schema:start -->\n", 1)[1].split("<!-- schema:end -->", 1)[0]
    assert section == markdown(), (
        "README's schema section is stale: regenerate it from "
        "`python -m optimizer.inputs.schema_doc`"
    )


def test_quick_start_has_the_two_commands_ci_runs():
    text = README.read_text(encoding="utf-8")
    assert ".venv/bin/ore-optimizer solve" in text
    test_command = ".venv/bin/python -m pytest -q"
    assert test_command in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert test_command in ci, ".ci/run must run exactly the README test command"
