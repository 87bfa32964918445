"""The status report as JSON, in the shape documented by docs/agreement-report.schema.json."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from tracker.reports.content import (
    DRAFTS_NOTE,
    KEY_DATE_LABELS,
    AgreementReport,
    MeetingLine,
    RevisionLine,
    TextLine,
)

# 2: the top-level ``marking`` (the highest marking of what the report shows) was added.
# 3: ``texts``, the negotiating texts as they stood on the day, was added.
FORMAT_VERSION = 3


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


def _revision(revision: RevisionLine | None) -> dict[str, Any] | None:
    if revision is None:
        return None
    return {
        "label": revision.label,
        "issued_on": _day(revision.issued_on),
        "issued_by": revision.issued_by,
    }


def _text(text: TextLine) -> dict[str, Any]:
    summary = text.summary
    found: dict[str, Any] = {
        "id": text.id,
        "title": text.title,
        "kind": text.kind,
        "revision": _revision(text.revision),
        "previous": _revision(text.previous),
        "provisions_agreed": summary.agreed_now if summary else 0,
        "provisions_total": summary.total_now if summary else 0,
        "open_brackets": summary.brackets_now if summary else 0,
        "before": None,
        "changed": [],
        "still_bracketed": [],
        "open_proposals": [],
        "burn_down": [
            {
                "revision": point.label,
                "issued_on": _day(point.issued_on),
                "issued_by": point.issued_by,
                "open_brackets": point.open_brackets,
                "provisions_agreed": point.agreed,
                "provisions_total": point.total,
            }
            for point in text.burn_down
        ],
    }
    if summary is None:
        return found
    if text.previous is not None:
        found["before"] = {
            "provisions_agreed": summary.agreed_before,
            "provisions_total": summary.total_before,
            "open_brackets": summary.brackets_before,
        }
        found["changed"] = [
            {"provision": change.label, "old_label": change.old_label, "what": list(change.what)}
            for change in summary.changed
        ]
    found["still_bracketed"] = [
        {
            "provision": provision.label,
            "status": provision.status.value,
            "open_brackets": provision.brackets,
            "proposed_by": list(provision.parties),
        }
        for provision in summary.still_bracketed
    ]
    found["open_proposals"] = [
        {
            "party": party.name,
            "code": party.party,
            "count": party.count,
            "provisions": list(party.provisions),
        }
        for party in summary.open_proposals
    ]
    return found


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
        "texts": [_text(text) for text in report.texts],
        "notes": [report.positions_note] + ([DRAFTS_NOTE] if report.texts else []),
    }


def _default(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def render_json(report: AgreementReport) -> str:
    return json.dumps(report_dict(report), ensure_ascii=False, indent=2, default=_default) + "\n"
