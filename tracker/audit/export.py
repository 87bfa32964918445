"""CSV export of the audit trail, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator

from tracker.models import AuditRecord

HEADER = ["recorded_at_utc", "user", "action", "record_type", "record_id", "summary", "changes"]
# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell's text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def csv_rows(records: Iterable[AuditRecord]) -> Iterator[str]:
    """The CSV text, one line at a time, header first (UTF-8 with BOM for spreadsheets)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: list) -> str:
        writer.writerow([neutralise(cell) for cell in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield "\ufeff" + line(HEADER)
    for record in records:
        yield line(
            [
                record.recorded_at.isoformat(timespec="seconds"),
                record.user.username if record.user else "system",
                record.action.value,
                record.record_type,
                record.record_id,
                record.summary,
                json.dumps(record.changes, ensure_ascii=False),
            ]
        )
