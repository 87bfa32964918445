"""The portfolio as CSV: UTF-8 with BOM, a header row, ISO dates, safe in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.portfolio.queries import MeetingDay, PortfolioRow
from tracker.render import csvfile

HEADER = [
    "id",
    "title",
    "short_name",
    "category",
    "parties",
    "status",
    "status_since",
    "days_in_status",
    "last_meeting",
    "next_meeting",
    "open_points",
    "overdue_actions",
    "stalled",
]


def _day(meeting: MeetingDay | None) -> str:
    """The meeting's day on its own clock, as an ISO date."""
    return meeting.local_day.isoformat() if meeting else ""


def _cells(row: PortfolioRow) -> list:
    return [
        row.id,
        row.title,
        row.short_name or "",
        row.category.label,
        "; ".join(row.parties),
        row.status.label,
        row.status_since.isoformat() if row.status_since else "",
        "" if row.days_in_status is None else row.days_in_status,
        _day(row.last_meeting),
        _day(row.next_meeting),
        row.open_points,
        row.overdue_actions,
        "yes" if row.stalled else "no",
    ]


def csv_lines(rows: Iterable[PortfolioRow], marking: str | None = None) -> Iterator[str]:
    """The CSV text one line at a time, header first (after the ``marking``, which is the
    last line too), so it can be streamed as it is read."""
    # Only text can be taken for a formula; numbers (a negative count of days) stay numbers.
    return csvfile.lines(HEADER, map(_cells, rows), cell=csvfile.neutralise_text, marking=marking)


def _safe_cells(row: PortfolioRow) -> list:
    """:func:`_cells` with the text neutralised: the cells typed in (the labels and dates
    are ours, and never start as a formula does)."""
    neutralise = csvfile.neutralise
    last, upcoming = row.last_meeting, row.next_meeting
    return [
        row.id,
        neutralise(row.title),
        neutralise(row.short_name or ""),
        row.category.label,
        neutralise("; ".join(row.parties)),
        row.status.label,
        row.status_since.isoformat() if row.status_since else "",
        "" if row.days_in_status is None else row.days_in_status,
        last.local_day.isoformat() if last else "",
        upcoming.local_day.isoformat() if upcoming else "",
        row.open_points,
        row.overdue_actions,
        "yes" if row.stalled else "no",
    ]


def csv_chunks(rows: Iterable[PortfolioRow], marking: str | None = None) -> Iterator[str]:
    """The text of :func:`csv_lines`, a few hundred rows to a piece, for streaming the
    whole portfolio (250,000 rows as 500 pieces rather than 250,000)."""
    return csvfile.chunks(HEADER, map(_safe_cells, rows), cell=None, marking=marking)
