"""CSV export of the access log, safe to open in a spreadsheet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from tracker.access_log.queries import level_name
from tracker.models import AccessLogEntry
from tracker.render import csvfile

HEADER = [
    "at_utc",
    "user",
    "address",
    "outcome",
    "record_type",
    "record_id",
    "part_id",  # the second id of a record keyed by two: a position's party, an outcome's agreement
    "level",
    "title",  # only of records the exporting officer may see
    "path",
]


def _cells(entry: AccessLogEntry, title: str | None) -> list:
    return [
        entry.at.isoformat(timespec="seconds"),
        entry.user.username if entry.user else "",
        entry.address,
        entry.outcome.value,
        entry.record_type,
        entry.record_id,
        "" if entry.part_id is None else entry.part_id,
        level_name(entry.level),
        title or "",
        entry.path,
    ]


def csv_rows(entries: Iterable[tuple[AccessLogEntry, str | None]]) -> Iterator[str]:
    """The CSV text, one line at a time, header first (UTF-8 with BOM for spreadsheets)."""
    return csvfile.lines(HEADER, (_cells(entry, title) for entry, title in entries))
