"""The status report as an A4 PDF, laid out with fpdf2 tables (headings repeat on new pages)."""

from __future__ import annotations

import io

from fpdf.errors import FPDFUnicodeEncodingException

from tracker.render.dates import format_date, format_local_datetime
from tracker.render.pdf import Cell, ReportPDF
from tracker.reports.content import KEY_DATE_LABELS, POSITIONS_NOTE, AgreementReport

OVERDUE = Cell("Overdue", bold=True, color=(176, 42, 55))


def render_pdf(report: AgreementReport, timeline: tuple[str, str] | None = None) -> bytes:
    """The report on A4; ``timeline`` is the picture's SVG and its description in words.

    Set in the PDF's built-in Helvetica when every character is in Windows-1252 (most
    reports: loading, subsetting and embedding a font file is half the time of a long
    one); a name such as Tōkyō or Αθήνα sets the whole report in the embedded DejaVu Sans.
    """
    try:
        return _render_pdf(report, timeline, unicode=False)
    except FPDFUnicodeEncodingException:
        return _render_pdf(report, timeline, unicode=True)


def _render_pdf(
    report: AgreementReport, timeline: tuple[str, str] | None, *, unicode: bool
) -> bytes:
    pdf = ReportPDF(
        title=f"{report.name}: status report", generated_at=report.generated_at, unicode=unicode
    )
    pdf.add_page()
    pdf.heading(report.title + (f" ({report.short_name})" if report.short_name else ""))
    pdf.paragraph(f"Status report as of {report.as_of_text}", style="I")
    pdf.ln(2)
    if report.recorded:
        status = (
            f"Status: {report.status.label} since {format_date(report.status_since)} "
            f"({report.days_in_status} days)"
        )
    else:
        status = "Status: not yet recorded on that date"
    pdf.paragraph(status, size=12, style="B")
    facts = [f"Category: {report.category}", f"Priority: {report.priority}"]
    if report.lead:
        facts.append(f"Lead: {report.lead}")
    pdf.paragraph(" · ".join(facts))
    if report.next_meeting:
        nxt = report.next_meeting
        when = format_local_datetime(nxt.starts_at, nxt.timezone)
        place = f", {nxt.place}" if nxt.place else ""
        pdf.paragraph(f"Next meeting: {when}, {nxt.title}{place}")
    else:
        pdf.paragraph("Next meeting: none scheduled")
    dates = [f"{KEY_DATE_LABELS[k]}: {format_date(v)}" for k, v in report.key_dates.items() if v]
    if dates:
        pdf.paragraph(" · ".join(dates))
    if report.summary:
        pdf.heading("Summary", 2)
        pdf.paragraph(report.summary)

    pdf.heading("Parties", 2)
    if report.parties:
        rows = [
            (p.name + (f" ({p.code})" if p.code else ""), p.kind, p.role) for p in report.parties
        ]
        pdf.grid(("Party", "Kind", "Role"), rows, (3, 2, 1))
    else:
        pdf.paragraph("No parties recorded.")

    if timeline:
        svg, description = timeline
        pdf.heading("Timeline", 2)
        pdf.image(io.BytesIO(svg.encode()), w=pdf.epw, alt_text=description)
        pdf.ln(2)

    pdf.heading("Status history", 2)
    if report.history:
        rows = [
            (format_date(s.effective_on), s.status.label, s.meeting or "", s.note)
            for s in report.history
        ]
        pdf.grid(("From", "Status", "Decided at", "Note"), rows, (2, 2, 3, 5))
    else:
        pdf.paragraph("No status recorded by that date.")

    pdf.heading("Meetings", 2)
    if report.meetings:
        rows = [
            (
                format_local_datetime(m.starts_at, m.timezone),
                m.title + (f"\n{m.place}" if m.place else ""),
                m.outcome,
            )
            for m in reversed(report.meetings)
        ]
        pdf.grid(("When", "Meeting", "Outcome for this agreement"), rows, (2, 3, 5))
    else:
        pdf.paragraph("No meeting had discussed this agreement by that date.")

    pdf.heading("Open negotiation points", 2)
    if report.open_points:
        for point in report.open_points:
            pdf.heading(f"{point.subject} ({point.status.label})", 3)
            if point.details:
                pdf.paragraph(point.details)
            if point.raised_at:
                pdf.paragraph(f"Raised at: {point.raised_at}", size=9, style="I")
            if point.positions:
                rows = [(p.party, p.position) for p in point.positions]
                pdf.grid(("Party", "Position"), rows, (1, 3))
        pdf.paragraph(POSITIONS_NOTE, size=8, style="I")
    else:
        pdf.paragraph("No open points.")

    pdf.heading("Open action items", 2)
    if report.open_actions:
        rows = [
            (
                action.description,
                action.owner or "—",
                format_date(action.due_on) or "—",
                OVERDUE if action.overdue else "",
            )
            for action in report.open_actions
        ]
        pdf.grid(("Action", "Owner", "Due", ""), rows, (4.5, 2, 2, 1.5))
    else:
        pdf.paragraph("No open action items.")

    pdf.heading("Latest updates", 2)
    if report.latest_updates:
        rows = [
            (
                format_local_datetime(u.recorded_at),
                u.user or "command line",
                f"{u.action}: {u.record_type} “{u.record}”",
                ", ".join(u.fields),
            )
            for u in report.latest_updates
        ]
        pdf.grid(("When (UTC)", "Who", "What", "Fields"), rows, (2, 2, 4, 3))
    else:
        pdf.paragraph("No recorded updates.")
    return pdf.output_bytes()
