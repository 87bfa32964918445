"""Template filters: one format for dates and times everywhere."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import url_for
from markupsafe import Markup, escape

DATE_FORMAT = "%-d %b %Y"  # 25 Nov 2026: unambiguous for every reader


@functools.cache
def get_zone(name: str) -> ZoneInfo:
    """The zone called ``name``, read once per process: ZoneInfo's own cache keeps only a
    few zones, so pages listing meetings in many places would read zone files again."""
    return ZoneInfo(name)


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


def label(value) -> str:
    """The human label of an enum value, or the value itself."""
    return getattr(value, "label", str(value or ""))


def status_badge(status) -> Markup:
    # Both parts escaped here; an f-string because lists render this for every row and
    # Markup.format costs several times more.
    css, text = escape(str(status)), escape(label(status))
    return Markup(f'<span class="badge status status-{css}">{text}</span>')  # noqa: S704


def stored_value(value) -> str:
    """A value as kept in the audit trail (JSON), shown in the app's formats."""
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(stored_value(item) for item in value) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if len(text) == 10 and text[4:5] == "-" and text[7:8] == "-":
        try:
            return format_date(date.fromisoformat(text))
        except ValueError:
            return text
    if len(text) >= 19 and text[10:11] == "T":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return format_local_datetime(moment) if moment.tzinfo else format_date(moment)
    return text


def id_urls(endpoint: str, argument: str) -> Callable[[int], str]:
    """``url_for(endpoint, argument=id)`` for many ids at the cost of one call: long lists
    build the URL once, with a marker id, and put each id in its place."""
    marker = "987654321"
    head, tail = url_for(endpoint, **{argument: int(marker)}).split(marker)
    return lambda id_: f"{head}{int(id_)}{tail}"


GLOBALS = {"id_urls": id_urls}

FILTERS = {
    "date": format_date,
    "local_datetime": format_local_datetime,
    "label": label,
    "status_badge": status_badge,
    "stored_value": stored_value,
}
