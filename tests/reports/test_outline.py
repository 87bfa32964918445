"""Every format says what the report's one outline says: its sections, columns and empty states."""

from __future__ import annotations

import html
import io
from datetime import date

import pypdf
import pytest
from markdown_it import MarkdownIt

from tests.helpers import log_in
from tracker.models import Role
from tracker.reports.outline import Figure, Table, outline
from tracker.reports.queries import agreement_report


@pytest.fixture
def viewer(client, make_user):
    log_in(client, make_user("minister.office", role=Role.VIEWER).username)
    return client


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def formats(viewer, negotiation, as_of: date) -> dict[str, str]:
    """The page, the standalone file, the Markdown rendered to HTML and the PDF's words."""
    base = f"/agreements/{negotiation.agreement.id}/report"
    query = f"?as_of={as_of.isoformat()}"
    markdown = viewer.get(f"{base}.md{query}").get_data(as_text=True)
    return {
        "page": html.unescape(viewer.get(base + query).get_data(as_text=True)),
        "file": html.unescape(viewer.get(f"{base}.html{query}").get_data(as_text=True)),
        "md": html.unescape(MarkdownIt("commonmark").enable("table").render(markdown)),
        "pdf": pdf_text(viewer.get(f"{base}.pdf{query}").data),
    }


@pytest.mark.parametrize(
    "as_of",
    [date(2022, 1, 1), date(2024, 3, 1), date(2019, 12, 31)],
    ids=["overdue-action", "settled-point", "before-any-status"],
)
def test_every_format_shows_every_section_column_and_empty_state(viewer, negotiation, as_of):
    shape = outline(agreement_report(negotiation.agreement.id, as_of=as_of))
    documents = formats(viewer, negotiation, as_of)

    for name, document in documents.items():
        for section in shape.sections:
            pictures_only = section.blocks and all(isinstance(b, Figure) for b in section.blocks)
            if name == "md" and pictures_only:
                continue  # Markdown has no pictures
            assert section.heading in document, (name, section.heading)
            if not section.blocks:
                assert section.empty in document, (name, section.empty)
            for table in (b for b in section.blocks if isinstance(b, Table)):
                for column in table.columns:
                    assert column.heading in document, (name, section.heading, column.heading)
        for line in shape.facts:
            for fact in line:
                assert fact.label in document, (name, fact.label)


def test_overdue_action_is_flagged_in_its_due_cell_in_every_format(viewer, negotiation):
    documents = formats(viewer, negotiation, date(2022, 1, 1))

    assert "1 Jun 2021 Overdue" in documents["pdf"]
    assert "<td>1 Jun 2021 <strong>Overdue</strong></td>" in documents["md"]
    assert '1 Jun 2021 <strong class="text-danger">Overdue</strong></td>' in documents["page"]
