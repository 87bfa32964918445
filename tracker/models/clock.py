"""The one clock: now in UTC, today in the deployment's zone, and a meeting's local day.

Times are stored in UTC. "Today" is the day on the deployment's clock (``TIMEZONE``, by
default the server's own), so a report or a due date turns over at the ministry's
midnight. A meeting's day is the day on the clock of the place it is held.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


@functools.cache
def get_zone(name: str) -> ZoneInfo:
    """The zone called ``name``, read once per process: ZoneInfo's own cache keeps only a
    few zones, so pages listing meetings in many places would read zone files again."""
    return ZoneInfo(name)


def deployment_zone() -> ZoneInfo | None:
    """The zone set as ``TIMEZONE``; None means the server's own local time."""
    name = current_app.config.get("TIMEZONE") if has_app_context() else None
    return get_zone(name) if name else None


def today() -> date:
    """Today on the deployment's clock."""
    return datetime.now(UTC).astimezone(deployment_zone()).date()


def local_day(moment: datetime, zone: str) -> date:
    """The day ``moment`` falls on at a place in ``zone`` (a meeting's own calendar)."""
    return moment.astimezone(get_zone(zone)).date()
