"""CSV export of the audit trail, safe to open in a spreadsheet."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator

from tracker.models import AuditRecord
from tracker.render import csvfile

HEADER = [
    "recorded_at_utc",
    "user",
    "token",  # the API token's name, for a change made through the API
    "action",
    "record_type",
    "record_id",
    "summary",
    "changes",
]


def _cells(record: AuditRecord) -> list:
    return [
        record.recorded_at.isoformat(timespec="seconds"),
        record.user.username if record.user else "system",
        record.token_name or "",
        record.action.value,
        record.record_type,
        record.record_id,
        record.summary,
        json.dumps(record.changes, ensure_ascii=False),
    ]


def csv_rows(
    records: Iterable[AuditRecord],
    marking: str | None = None,
    last_marking: Callable[[], str] | None = None,
) -> Iterator[str]:
    """The CSV text, one line at a time, header first (UTF-8 with BOM for spreadsheets);
    with a ``marking``, it is the first line, and the last (``last_marking()`` once every
    entry is read, if given)."""
    return csvfile.lines(HEADER, map(_cells, records), marking=marking, last_marking=last_marking)
