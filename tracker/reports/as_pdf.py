"""The status report as an A4 PDF, laid out with fpdf2 tables (headings repeat on new pages)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from itertools import groupby

from fpdf.errors import FPDFUnicodeEncodingException

from tracker.render.pdf import Cell, ReportPDF
from tracker.reports.content import AgreementReport
from tracker.reports.outline import (
    Block,
    Entry,
    Figure,
    Inline,
    Outline,
    Paragraph,
    Table,
    outline,
)

ALERT = (176, 42, 55)  # the red of an overdue action


@dataclass(frozen=True)
class Pictures:
    """The report's pictures as SVG with their descriptions in words."""

    timeline: tuple[str, str] | None
    burn_downs: dict[int, tuple[str, str]]

    def of(self, figure: Figure) -> tuple[str, str] | None:
        if figure.picture == "burn_down":
            return self.burn_downs.get(figure.key) if figure.key is not None else None
        return self.timeline


def render_pdf(
    report: AgreementReport,
    timeline: tuple[str, str] | None = None,
    burn_downs: dict[int, tuple[str, str]] | None = None,
) -> bytes:
    """The report on A4; ``timeline`` is the picture's SVG and its description in words,
    ``burn_downs`` the same for each negotiating text's burn-down, by the text's id.

    Set in the PDF's built-in Helvetica when every character is in Windows-1252 (most
    reports: loading, subsetting and embedding a font file is half the time of a long
    one); a name such as Tōkyō or Αθήνα sets the whole report in the embedded DejaVu Sans.
    """
    shape = outline(report)
    pictures = Pictures(timeline, burn_downs or {})
    if not _fits_windows_1252(report, shape, pictures):
        return _render_pdf(report, shape, pictures, unicode=True)
    try:
        return _render_pdf(report, shape, pictures, unicode=False)
    except FPDFUnicodeEncodingException:  # a character the check above did not see
        return _render_pdf(report, shape, pictures, unicode=True)


def _fits_windows_1252(report: AgreementReport, shape: Outline, pictures: Pictures) -> bool:
    """Whether every word the PDF sets is in Windows-1252, found before drawing: a long
    report that fails on its last page would otherwise be laid out twice."""
    words = [report.name, shape.marking, *_strings(shape)]
    drawn = [pictures.timeline, *pictures.burn_downs.values()]
    words += [description for _, description in filter(None, drawn)]
    try:
        "\n".join(words).encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def _strings(value: object) -> Iterator[str]:
    """Every string in an outline: its dataclasses, tuples and spans, walked through."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, tuple):
        for item in value:
            yield from _strings(item)
    elif is_dataclass(value):
        for field in fields(value):
            yield from _strings(getattr(value, field.name))


def _render_pdf(
    report: AgreementReport, shape: Outline, pictures: Pictures, *, unicode: bool
) -> bytes:
    pdf = ReportPDF(
        title=f"{report.name}: status report",
        generated_at=report.generated_at,
        unicode=unicode,
        marking=shape.marking,
    )
    pdf.add_page()
    pdf.heading(text(shape.title))
    pdf.paragraph(shape.subtitle, style="I")
    pdf.ln(2)
    for number, line in enumerate(shape.facts):
        facts = " · ".join(f"{fact.label}: {text(fact.value)}" for fact in line)
        if number == 0:  # the status: the headline
            pdf.paragraph(facts, size=12, style="B")
        else:
            pdf.paragraph(facts)
    for section in shape.sections:
        pdf.heading(section.heading, 2)
        for block in section.blocks:
            _block(pdf, block, pictures)
        if not section.blocks:
            pdf.paragraph(section.empty)
    return pdf.output_bytes()


def _block(pdf: ReportPDF, block: Block, pictures: Pictures) -> None:
    if isinstance(block, Paragraph):
        if block.note:
            pdf.paragraph(block.text, size=9, style="I")
        else:
            pdf.paragraph(block.text)
    elif isinstance(block, Table):
        pdf.grid(
            [column.heading for column in block.columns],
            ([cell(spans) for spans in row] for row in block.rows),
            [column.width for column in block.columns],
        )
    elif isinstance(block, Entry):
        pdf.heading(text(block.heading), 3)
        for inner in block.blocks:
            _block(pdf, inner, pictures)
    elif isinstance(block, Figure) and (picture := pictures.of(block)):
        svg, description = picture
        pdf.image(io.BytesIO(svg.encode()), w=pdf.epw, alt_text=description)
        pdf.ln(2)


def text(spans: Inline) -> str:
    """Spans as one plain text, a span on a new line on its own line."""
    if isinstance(spans, str):
        return spans
    return "".join(("\n" if span.new_line else "") + span.text for span in spans)


def cell(spans: Inline) -> str | list[Cell]:
    """A table cell; an alert ("Overdue") stands on a line of its own, in bold red."""
    if isinstance(spans, str) or not any(span.style == "alert" for span in spans):
        return text(spans)
    parts = []
    for alert, run in groupby(spans, key=lambda span: span.style == "alert"):
        content = text(tuple(run)).strip(" ")
        if content:
            parts.append(Cell(content, bold=True, color=ALERT) if alert else Cell(content))
    return parts or [Cell("")]
