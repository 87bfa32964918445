"""The status report as JSON, in the shape documented by docs/agreement-report.schema.json."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from tracker.reports.content import (
    KEY_DATE_LABELS,
    AgreementReport,
    MeetingLine,
)

# 2: the top-level ``marking`` (the highest marking of what the report shows) was added.
FORMAT_VERSION = 2


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _meeting(meeting: MeetingLine | None) -> dict[str, Any] | None:
    if meeting is None:
        return None
    return {
        "id": meeting.id,
        "title": meeting.title,
        "date": meeting.day.isoformat(),
        "starts_at": meeting.starts_at.isoformat(),
        "timezone": meeting.timezone,
        "place": meeting.place,
        "level": meeting.level,
        "outcome": meeting.outcome,
    }


def report_dict(report: AgreementReport) -> dict[str, Any]:
    """Plain JSON-ready data: dates as ISO dates, times as ISO instants in UTC."""
    return {
        "marking": report.marking,
        "format_version": FORMAT_VERSION,
        "as_of": report.as_of.isoformat(),
        "generated_at": report.generated_at.isoformat(),
        "agreement": {
            "id": report.id,
            "title": report.title,
            "short_name": report.short_name,
            "category": report.category,
            "priority": report.priority,
            "summary": report.summary,
            "lead": report.lead,
            "key_dates": {key: _day(report.key_dates.get(key)) for key in KEY_DATE_LABELS},
        },
        "status": {
            "status": report.status.value if report.status else None,
            "label": report.status.label if report.status else None,
            "since": _day(report.status_since),
            "days": report.days_in_status,
        },
        "parties": [
            {"name": p.name, "code": p.code, "kind": p.kind, "role": p.role} for p in report.parties
        ],
        "status_history": [
            {
                "status": step.status.value,
                "label": step.status.label,
                "effective_on": step.effective_on.isoformat(),
                "previous": step.previous.value if step.previous else None,
                "note": step.note,
                "meeting": step.meeting,
                "recorded_by": step.recorded_by,
            }
            for step in report.history
        ],
        "meetings": [_meeting(meeting) for meeting in report.meetings],
        "next_meeting": _meeting(report.next_meeting),
        "open_points": [
            {
                "id": point.id,
                "subject": point.subject,
                "details": point.details,
                "status": point.status.value,
                "raised_at": point.raised_at,
                "positions": [
                    {"party": position.party, "position": position.position}
                    for position in point.positions
                ],
            }
            for point in report.open_points
        ],
        "open_actions": [
            {
                "id": action.id,
                "description": action.description,
                "owner": action.owner,
                "due_on": _day(action.due_on),
                "overdue": action.overdue,
            }
            for action in report.open_actions
        ],
        "latest_updates": [
            {
                "recorded_at": update.recorded_at.isoformat(),
                "user": update.user,
                "action": update.action,
                "record_type": update.record_type,
                "record": update.record,
                "fields": list(update.fields),
            }
            for update in report.latest_updates
        ],
        "notes": [report.positions_note],
    }


def _default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def render_json(report: AgreementReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, default=_default) + "\n"
