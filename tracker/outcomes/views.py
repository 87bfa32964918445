"""The meeting outcomes page: every agreement discussed, recorded in one pass."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.markings import forms as marking_forms
from tracker.markings import services as marking_services
from tracker.models import (
    AgendaItem,
    Agreement,
    NegotiationPoint,
    Role,
    allowed_transitions,
)
from tracker.outcomes import queries, services
from tracker.outcomes.forms import ACTION_ROWS, MAX_SETTLE_ROWS, NO_CHANGE, OutcomesForm
from tracker.web.arguments import record_id
from tracker.web.auth import role_required
from tracker.web.editing import Edit, field_at
from tracker.web.forms import NONE_CHOSEN
from tracker.web.records import or_404

bp = Blueprint("outcomes", __name__)


def _people_choices() -> list[SelectChoice]:
    return [NONE_CHOSEN] + [
        SelectChoice(
            person.id,
            f"{person.name}, {person.position}" if person.position else person.name,
            optgroup=person.party.name,
        )
        for person in queries.people()
    ]


def _open_points(agreement: Agreement) -> list[NegotiationPoint]:
    return sorted((p for p in agreement.points if not p.status.is_settled), key=lambda p: p.subject)


def _initial_data(items: list[AgendaItem]) -> dict:
    local_day = None
    entries = []
    for item in items:
        local_day = item.meeting.local_day
        entries.append(
            {
                "agreement_id": str(item.agreement_id),
                "outcome": item.outcome,
                "status": "",
                "status_on": local_day,
                "settle": [
                    {"point_id": str(p.id), "status": ""}
                    for p in _open_points(item.agreement)[:MAX_SETTLE_ROWS]
                ],
                "actions": [{}] * ACTION_ROWS,
            }
        )
    return {"agreements": entries}


def _prepare(form: OutcomesForm, items: dict[int, AgendaItem]) -> list[tuple]:
    """Fill each section's choices; returns (section, agenda item, open points) triples."""
    people = _people_choices()
    sections = []
    if len(form.agreements) != len(items):
        abort(400)
    for entry in form.agreements:
        agreement_id = entry.agreement_id.data
        item = items.get(record_id(agreement_id))
        if item is None:
            abort(400)
        entry.status.choices = [NO_CHANGE] + [
            SelectChoice(status.value, status.label)
            for status in allowed_transitions(item.agreement.status)
        ]
        open_points = {str(p.id): p for p in _open_points(item.agreement)}
        for row in entry.settle:
            if row.point_id.data not in open_points:
                abort(400)
        for row in entry.actions:
            row.owner.choices = people
        marking_forms.prepare(entry.marking, marking_services.value_of(item))
        sections.append((entry, item, open_points))
    return sections


def _outcomes(form: OutcomesForm) -> list[services.AgreementOutcome]:
    return [
        services.AgreementOutcome(
            agreement_id=int(entry.agreement_id.data),
            outcome=entry.outcome.data or "",
            status=entry.status.data or None,
            status_on=entry.status_on.data,
            status_note=entry.status_note.data or "",
            point_subject=entry.point_subject.data or "",
            point_details=entry.point_details.data or "",
            settle={
                int(row.point_id.data): row.status.data for row in entry.settle if row.status.data
            },
            new_actions=[
                services.NewAction(row.task.data, row.owner.data, row.due_on.data)
                for row in entry.actions
                if (row.task.data or "").strip()
            ],
            marking=entry.marking.choice(),
        )
        for entry in form.agreements
    ]


@bp.route("/meetings/<int:meeting_id>/outcomes", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def record(meeting_id: int):
    meeting = or_404(queries.meeting_for_outcomes(meeting_id))
    ordered = sorted(meeting.agenda_items, key=lambda item: item.agreement.title)
    items = {item.agreement_id: item for item in ordered}
    form = OutcomesForm(data=_initial_data(ordered))
    sections = _prepare(form, items)
    section_errors: dict[int, str] = {}

    def refused(error: services.OutcomeError) -> None:
        """Show what could not be recorded in its agreement's section, on the rolled-back
        meeting as it is now."""
        nonlocal meeting, sections
        meeting = or_404(queries.meeting_for_outcomes(meeting_id))
        sections = _prepare(form, {item.agreement_id: item for item in meeting.agenda_items})
        if error.field in ("settle", "actions"):
            section_errors[error.index] = str(error)
        else:
            field = field_at(form.agreements[error.index], error.field)
            if field is None:
                section_errors[error.index] = str(error)
            else:
                field.errors = [*field.errors, str(error)]

    # The meeting's version covers its outcomes; each section carries its agreement's.
    edit = Edit(
        form,
        meeting,
        parts=[(entry, item.agreement) for entry, item, _ in sections],
        noun="this meeting or the agreements discussed at it",
    )
    if edit.save(
        lambda: services.record_outcomes(meeting, _outcomes(form), current_user), refused=refused
    ):
        changes = edit.result
        flash(
            f"Recorded {changes} change{'' if changes == 1 else 's'} from “{meeting.title}”.",
            "success",
        )
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return edit.render(
        "outcomes/form.html", meeting=meeting, sections=sections, section_errors=section_errors
    )
