"""The portfolio as a PDF brief: filters, counts by status, every agreement, meetings ahead.

fpdf2 builds the whole document in memory; the agreements reach it one by one from the
batched query, so only the PDF itself, never the rows read for it, is held at once.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from tracker.models import Status
from tracker.portfolio.queries import PortfolioRow, StatusCount, Summary, UpcomingMeeting
from tracker.render.chart import status_chart
from tracker.render.dates import format_date, format_local_datetime
from tracker.render.pdf import FAMILY, Cell, ReportPDF

TITLE = "Portfolio of agreements"
# Landscape A4 leaves 261 mm between the margins.
AGREEMENT_COLUMNS = (
    ("Agreement", 69),
    ("Parties", 38),
    ("Status", 26),
    ("Since", 22),
    ("Days in status", 14),
    ("Last meeting", 22),
    ("Next meeting", 22),
    ("Open points", 14),
    ("Overdue actions", 16),
    ("Attention", 18),
)
MEETING_COLUMNS = (("When (local time)", 42), ("Meeting", 80), ("Place", 45), ("Agreements", 94))
STALLED = Cell("Stalled", bold=True, color=(154, 61, 0))
CHART_WIDTH = 130  # mm


def _agreement_cells(row: PortfolioRow) -> tuple[str | Cell, ...]:
    last, upcoming = row.last_meeting, row.next_meeting
    return (
        f"{row.title} ({row.short_name})" if row.short_name else row.title,
        ", ".join(row.parties),
        row.status.label,
        format_date(row.status_since),
        "" if row.days_in_status is None else str(row.days_in_status),
        format_date(last.local_day) if last else "",
        format_date(upcoming.local_day) if upcoming else "",
        str(row.open_points),
        str(row.overdue_actions),
        STALLED if row.stalled else "",
    )


def portfolio_pdf(
    *,
    rows: Iterable[PortfolioRow],
    counts: Sequence[StatusCount],
    summary: Summary,
    meetings: Sequence[UpcomingMeeting],
    filters_text: str,
    status_filter: Status | None,
    stalled_after: int,
    upcoming_days: int,
    today: date,
    generated_at: datetime,
    marking: str = "",
) -> bytes:
    """The brief; ``marking`` (the highest of what it shows) heads and foots every page."""
    pdf = ReportPDF(
        title=TITLE, generated_at=generated_at, orientation="landscape", marking=marking
    )
    pdf.add_page()
    pdf.heading(TITLE)
    pdf.paragraph(f"As of {format_date(today)}. Filters: {filters_text}.")
    stalled = "1 is stalled" if summary.stalled == 1 else f"{summary.stalled} are stalled"
    count = "1 agreement" if summary.agreements == 1 else f"{summary.agreements} agreements"
    pdf.paragraph(
        f"{count} listed, of which {stalled}: recorded as stalled, or open with no meeting "
        f"and no status change in the last {stalled_after} days."
    )

    pdf.heading("Agreements by status", level=2)
    chart = status_chart(counts, font_family=FAMILY).encode("utf-8")
    pdf.image(io.BytesIO(chart), w=CHART_WIDTH)
    if status_filter:
        pdf.paragraph(
            f"The chart counts every status; the table lists only “{status_filter.label}”.",
            size=8,
        )

    pdf.heading("Agreements", level=2)
    if summary.agreements:
        pdf.grid(
            [name for name, _ in AGREEMENT_COLUMNS],
            (_agreement_cells(row) for row in rows),
            [width for _, width in AGREEMENT_COLUMNS],
            size=8,
        )
    else:
        pdf.paragraph("No agreements match these filters.")

    pdf.heading(f"Meetings in the next {upcoming_days} days", level=2)
    if meetings:
        pdf.grid(
            [name for name, _ in MEETING_COLUMNS],
            (
                (
                    format_local_datetime(entry.meeting.starts_at, entry.meeting.timezone),
                    entry.meeting.title,
                    entry.meeting.place,
                    "; ".join(a.short_name or a.title for a in entry.agreements),
                )
                for entry in meetings
            ),
            [width for _, width in MEETING_COLUMNS],
            size=8,
        )
    else:
        pdf.paragraph(f"No meetings in the next {upcoming_days} days.")
    return pdf.output_bytes()
