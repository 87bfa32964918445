"""`tracker report AGREEMENT --format … [--as-of DATE] -o FILE`."""

from __future__ import annotations

import io
import json

import pypdf
import pytest


@pytest.mark.parametrize("reference", ["UNICORN", "unicorn", "id"])
def test_report_by_id_or_short_name_to_a_file(runner, negotiation, tmp_path, reference):
    if reference == "id":
        reference = str(negotiation.agreement.id)
    out = tmp_path / "report.json"

    result = runner.invoke(args=["report", reference, "--format", "json", "-o", str(out)])

    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["agreement"]["short_name"] == "UNICORN"


def test_pdf_as_of_a_day(runner, negotiation, tmp_path):
    out = tmp_path / "unicorn.pdf"

    result = runner.invoke(
        args=["report", "UNICORN", "--format", "pdf", "--as-of", "2022-01-01", "-o", str(out)]
    )

    assert result.exit_code == 0, result.output
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(out.read_bytes())).pages)
        .split()
    )
    assert "Status report as of 1 Jan 2022" in text
    assert "Under negotiation since 1 Mar 2021" in text


def test_markdown_and_html_to_standard_output(runner, negotiation):
    markdown = runner.invoke(args=["report", "UNICORN", "--format", "md"])
    assert markdown.exit_code == 0
    # The marking first and last, the report between.
    assert markdown.output.startswith(
        "**UNCLASSIFIED**\n\n# Joint development of stealth radio antenna equipment"
    )
    assert markdown.output.endswith("\n**UNCLASSIFIED**\n")

    html = runner.invoke(args=["report", "UNICORN"])
    assert html.exit_code == 0
    assert html.output.startswith("<!doctype html>")
    assert "Export to third countries" in html.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "NOPE"], "No agreement has the id or short name 'NOPE'"),
        (["report", "UNICORN", "--as-of", "1 May"], "is not a date; write it as YYYY-MM-DD"),
        (["report", "UNICORN", "--as-of", "2999-01-01"], "only describe today"),
        (["report", "UNICORN", "--format", "docx"], "'docx' is not one of"),
    ],
)
def test_mistakes_get_a_clear_message(runner, negotiation, args, message):
    result = runner.invoke(args=args)

    assert result.exit_code != 0
    assert message in result.output
