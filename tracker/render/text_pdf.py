"""A revision of a negotiating text as an A4 PDF, on the reports' page (render/pdf.py).

The same words as the Word file (render/text_docx.py): brackets in square brackets with their
labelled options, "delete" for the alternative that deletes a passage, who supports and who
opposes each alternative under the provision, its footnotes and reservations, and the status
of each provision written in colour under its heading (a legend at the top says so); a deleted
provision is struck through, never dropped. The marking heads and foots every page; an internal
copy says so there too, and only an internal copy has the internal notes, in a section at the end.
"""

from __future__ import annotations

from datetime import datetime

from fpdf.errors import FPDFUnicodeEncodingException

from tracker.models.clock import utcnow
from tracker.models.text_document import Alternative, Document, Note, Provision, ProvisionStatus
from tracker.render.pdf import FAMILY, MARGIN, ReportPDF
from tracker.render.text_docx import (
    DELETE_WORD,
    INTERNAL_COPY,
    INTERNAL_HEADING,
    issued_line,
    note_line,
    option_label,
    party,
    where,
)

STATUS_COLOURS = {
    ProvisionStatus.AGREED: (33, 37, 41),
    ProvisionStatus.AGREED_AD_REF: (25, 135, 84),
    ProvisionStatus.OPEN: (166, 98, 0),
    ProvisionStatus.NOT_DISCUSSED: (108, 117, 125),
    ProvisionStatus.DELETED: (176, 42, 55),
}
ALERT = (176, 42, 55)
INDENT = 7  # mm per level of depth


def write(document: Document, generated_at: datetime | None = None) -> bytes:
    """``document`` on A4. Set in the PDF's built-in Helvetica when every character allows
    (no font file to embed), else in the embedded DejaVu Sans."""
    generated_at = generated_at or utcnow()
    try:
        return _write(document, generated_at, unicode=False)
    except FPDFUnicodeEncodingException:
        return _write(document, generated_at, unicode=True)


def wording(provision: Provision) -> tuple[str, list[Note], list[str]]:
    """A provision's wording with brackets and labelled options as negotiators read it; its
    notes in the order they are numbered; and one line per alternative with stances."""
    notes = list(provision.notes)
    stances: list[str] = []
    parts: list[str] = []
    brackets = 0
    for segment in provision.segments:
        if not segment.is_bracket:
            parts.append(segment.text)
            continue
        brackets += 1
        alone = len(segment.alternatives) == 1
        options = []
        for number, alternative in enumerate(segment.alternatives, 1):
            label = option_label(alternative, number, alone)
            text = label + (DELETE_WORD if alternative.is_deletion else alternative.wording)
            for note in alternative.notes:
                notes.append(note)
                text += f" (note {len(notes)})"
            options.append(text)
            if line := _stances(alternative):
                name = label.removesuffix(": ") or f"Option {number}"
                stances.append(f"Bracket {brackets}, {name}: {line}")
        parts.append("[" + " / ".join(options) + "]")
    return "".join(parts), notes, stances


def _stances(alternative: Alternative) -> str:
    said = []
    if alternative.supported_by:
        said.append("supported by " + ", ".join(alternative.supported_by))
    if alternative.opposed_by:
        said.append("opposed by " + ", ".join(alternative.opposed_by))
    return "; ".join(said)


def _write(document: Document, generated_at: datetime, *, unicode: bool) -> bytes:
    marking = document.marking.strip()
    if document.is_internal_copy:
        marking = f"{marking} · {INTERNAL_COPY}" if marking else INTERNAL_COPY
    title = document.title + (f" – {document.label}" if document.label else "")
    pdf = ReportPDF(title=title, generated_at=generated_at, unicode=unicode, marking=marking)
    pdf.add_page()
    pdf.heading(document.title)
    if document.label:
        pdf.paragraph(document.label, size=12, style="B")
    pdf.paragraph(issued_line(document), style="I")
    if document.parties:
        named = ", ".join(party(document, code) for code in sorted(document.parties))
        pdf.paragraph(f"Parties: {named}.", size=9)
    pdf.ln(2)
    _legend(pdf)
    for provision in document.provisions:
        _provision(pdf, provision)
    if document.is_internal_copy and document.internal:
        pdf.set_text_color(*ALERT)
        pdf.heading(INTERNAL_HEADING, 2)
        pdf.set_text_color(0)
        for note in document.internal:
            pdf.paragraph(f"{note.kind.label} – {where(document, note)}: {note.body}")
    return pdf.output_bytes()


def _legend(pdf: ReportPDF) -> None:
    pdf.set_font(FAMILY, "B", 9)
    pdf.flow("Status of each provision, under its heading:", 4.5)
    for status, colour in STATUS_COLOURS.items():
        pdf.set_text_color(*colour)
        pdf.set_font(FAMILY, "S" if status == ProvisionStatus.DELETED else "", 9)
        suffix = " (struck through)" if status == ProvisionStatus.DELETED else ""
        pdf.flow(f"   {status.label}{suffix}", 4.5)
    pdf.set_text_color(0)
    pdf.paragraph(
        "Square brackets mark text not agreed; each alternative is labelled with the parties "
        f"proposing it; “{DELETE_WORD}” proposes to delete the bracketed passage.",
        size=9,
    )
    pdf.ln(3)


def _provision(pdf: ReportPDF, provision: Provision) -> None:
    deleted = provision.status == ProvisionStatus.DELETED
    strike = "S" if deleted else ""
    pdf.set_left_margin(MARGIN + INDENT * min(provision.depth, 4))
    pdf.set_x(pdf.l_margin)
    size = 12 if provision.depth == 0 else 10.5
    if pdf.will_page_break(size * 2):
        pdf.add_page()
    pdf.ln(2 if provision.depth == 0 else 1)
    pdf.set_font(FAMILY, "B" + strike, size)
    title = provision.label + (f" – {provision.heading}" if provision.heading else "")
    pdf.flow(title, size * 0.5)
    pdf.set_font(FAMILY, "", 8)
    pdf.set_text_color(*STATUS_COLOURS[provision.status])
    pdf.flow(provision.status.label, 4)
    pdf.set_text_color(0)
    text, notes, stances = wording(provision)
    if text.strip():
        pdf.set_font(FAMILY, strike, 10)
        pdf.flow(text, 5)
    for line in stances:
        pdf.set_font(FAMILY, strike, 8.5)
        pdf.flow(line, 4.25)
    for number, note in enumerate(notes, 1):
        pdf.set_font(FAMILY, strike, 8.5)
        pdf.flow(note_line(note, number), 4.25)
    pdf.set_font(FAMILY, "", 10)
    pdf.set_left_margin(MARGIN)
    pdf.set_x(MARGIN)
