"""One format for dates and times in every page, file and report."""

from __future__ import annotations

from datetime import date, datetime

from tracker.models.clock import get_zone

DATE_FORMAT = "%-d %b %Y"  # 25 Nov 2026: unambiguous for every reader


def format_date(value: date | datetime | None) -> str:
    return "" if value is None else value.strftime(DATE_FORMAT)


def format_local_datetime(value: datetime | None, zone: str = "UTC") -> str:
    """A time on the clock of ``zone``, with the zone named (25 Nov 2026 14:30 IST)."""
    if value is None:
        return ""
    local = value.astimezone(get_zone(zone))
    name = local.tzname() or ""
    if name[:1] in "+-":  # zones without an abbreviation are named by their offset
        name = f"UTC{name}"
    return f"{local.strftime(DATE_FORMAT)} {local:%H:%M} {name}"
