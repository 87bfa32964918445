"""The portfolio as CSV: UTF-8 with BOM, a header row, ISO dates, safe in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from tracker.models import Category, Status
from tracker.portfolio import queries
from tracker.portfolio.queries import MeetingDay, PortfolioRow
from tracker.render import csvfile
from tracker.render.csvfile import neutralise

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


_CATEGORY_LABELS = {category.value: category.label for category in Category}
_STATUS_LABELS = {status.value: status.label for status in Status}


def _record_cells(record, today: date) -> list:
    """:func:`_cells` of a row as the database gives it (``queries.iter_records``), with the
    text neutralised, written without a PortfolioRow and its meetings: the export writes
    250,000 of them. The labels and dates are ours and never start as a formula does."""
    (
        id_,
        title,
        short_name,
        category,
        status,
        parties,
        status_since,
        last_id,
        last_starts_at,
        last_timezone,
        next_id,
        next_starts_at,
        next_timezone,
        open_points,
        overdue_actions,
        stalled,
    ) = record
    since = queries.stored_day(status_since)
    names = "; ".join(sorted(parties.split(queries.SEPARATOR))) if parties else ""
    return [
        id_,
        neutralise(title),
        neutralise(short_name or ""),
        _CATEGORY_LABELS[category],
        neutralise(names),
        _STATUS_LABELS[status],
        since.isoformat() if since else "",
        (today - since).days if since else "",
        ""
        if last_id is None
        else queries.stored_local_day(last_starts_at, last_timezone).isoformat(),
        ""
        if next_id is None
        else queries.stored_local_day(next_starts_at, next_timezone).isoformat(),
        open_points,
        overdue_actions,
        "yes" if stalled else "no",
    ]


def csv_chunks(records: Iterable, today: date, marking: str | None = None) -> Iterator[str]:
    """The text of :func:`csv_lines` for the rows of ``queries.iter_records``, a few hundred
    rows to a piece, for streaming the whole portfolio (250,000 rows as 500 pieces rather
    than 250,000)."""
    cells = (_record_cells(record, today) for record in records)
    return csvfile.chunks(HEADER, cells, cell=None, marking=marking)
