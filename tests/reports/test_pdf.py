"""The report PDF's page: Unicode text, and tables that never lose a word."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pypdf

from tracker.render.pdf import Cell, ReportPDF


def pages_text(pdf: ReportPDF) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf.output_bytes()))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def new_pdf() -> ReportPDF:
    pdf = ReportPDF(title="Test", generated_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    pdf.add_page()
    return pdf


def test_names_in_other_scripts_survive():
    pdf = new_pdf()
    pdf.paragraph("Tōkyō, Ağrı, Ślęża, Αθήνα, Москва — “quoted” …")

    assert "Tōkyō, Ağrı, Ślęża, Αθήνα, Москва — “quoted” …" in pages_text(pdf)[0]


def test_long_tables_repeat_their_header_on_every_page():
    pdf = new_pdf()
    rows = [
        (f"Round {n}", f"Outcome of round {n}, with enough words to wrap once.") for n in range(150)
    ]
    pdf.grid(("Meeting", "Outcome"), rows, (1, 2))

    pages = pages_text(pdf)
    assert len(pages) > 2
    assert all("Meeting Outcome" in text for text in pages)
    everything = " ".join(pages)
    assert all(f"Outcome of round {n}," in everything for n in range(150))


def test_a_cell_longer_than_a_page_continues_on_the_next():
    pdf = new_pdf()
    words = " ".join(f"word{n}" for n in range(1500))
    pdf.grid(("Note", "Flag"), [(words, Cell("Overdue", bold=True, color=(176, 42, 55)))], (4, 1))

    everything = " ".join(pages_text(pdf))
    assert "word0 " in everything and "word1499" in everything
    assert "Overdue" in everything


def test_a_word_wider_than_its_column_is_cut_not_lost():
    pdf = new_pdf()
    pdf.grid(("A", "B"), [("x" * 300, "short")], (1, 10))

    assert "".join(" ".join(pages_text(pdf)).split()).count("x") == 300


def test_a_paragraph_longer_than_a_page_flows_onto_the_next_in_order():
    pdf = new_pdf()
    pdf.heading("Summary", 2)
    pdf.paragraph("\n".join(f"Line {n} of the minutes." for n in range(200)))
    pdf.paragraph("After the minutes.")

    pages = pages_text(pdf)
    assert len(pages) >= 3
    everything = " ".join(pages)
    positions = [everything.index(f"Line {n} of the minutes.") for n in range(200)]
    assert positions == sorted(positions)
    assert everything.index("Line 199 of") < everything.index("After the minutes.")
    assert everything.index("Summary") < positions[0]


def test_a_character_outside_windows_1252_is_found_before_drawing():
    """The font is chosen before the report is laid out (a long report laid out in
    Helvetica up to its first "→" would be laid out twice): any string at any depth of
    the outline, or in a picture's description, decides it."""
    from types import SimpleNamespace

    from tracker.reports.as_pdf import Pictures, _fits_windows_1252
    from tracker.reports.outline import Column, Entry, Outline, Section, Span, Table

    report = SimpleNamespace(name="RPSS")

    def shape(cell) -> Outline:
        table = Table(columns=(Column("Change", 1),), rows=((cell,),))
        entry = Entry(heading="Article 5", blocks=(table,))
        return Outline(
            title="RPSS",
            subtitle="Status report",
            facts=(),
            sections=(Section("texts", "Texts", (entry,)),),
        )

    nothing = Pictures(None, {})
    assert _fits_windows_1252(report, shape("open – agreed, “quoted” …"), nothing)
    assert not _fits_windows_1252(report, shape((Span("open "), Span("→ agreed"))), nothing)
    assert not _fits_windows_1252(report, shape("Tōkyō"), nothing)
    timeline = Pictures(("<svg/>", "Talks moved to Αθήνα"), {})
    assert not _fits_windows_1252(report, shape("plain"), timeline)
