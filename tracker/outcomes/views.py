"""The meeting outcomes page: every agreement discussed, recorded in one pass."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from tracker.extensions import db
from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    Person,
    Role,
    allowed_transitions,
)
from tracker.outcomes import services
from tracker.outcomes.forms import ACTION_ROWS, NO_CHANGE, OutcomesForm
from tracker.web import conflicts
from tracker.web.arguments import record_id
from tracker.web.auth import role_required
from tracker.web.forms import NONE_CHOSEN

bp = Blueprint("outcomes", __name__)


def _load_meeting(meeting_id: int) -> Meeting:
    meeting = db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.agenda_items)
            .joinedload(AgendaItem.agreement)
            .options(
                selectinload(Agreement.status_changes),
                selectinload(Agreement.party_links).joinedload(AgreementParty.party),
                selectinload(Agreement.points).selectinload(NegotiationPoint.positions),
            )
        )
    )
    if meeting is None:
        abort(404)
    return meeting


def _people_choices() -> list[SelectChoice]:
    people = db.session.scalars(
        sa.select(Person)
        .join(Person.party)
        .where(Person.archived_at.is_(None))
        .options(joinedload(Person.party))
        .order_by(Party.name, Person.name)
    )
    return [NONE_CHOSEN] + [
        SelectChoice(
            person.id,
            f"{person.name}, {person.position}" if person.position else person.name,
            optgroup=person.party.name,
        )
        for person in people
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
                    {"point_id": str(p.id), "status": ""} for p in _open_points(item.agreement)
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
        )
        for entry in form.agreements
    ]


@bp.route("/meetings/<int:meeting_id>/outcomes", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def record(meeting_id: int):
    meeting = _load_meeting(meeting_id)
    ordered = sorted(meeting.agenda_items, key=lambda item: item.agreement.title)
    items = {item.agreement_id: item for item in ordered}
    form = OutcomesForm(data=_initial_data(ordered))
    sections = _prepare(form, items)
    section_errors: dict[int, str] = {}
    # The meeting's version covers its outcomes; each section carries its agreement's.
    versions = {
        "parts": [(entry, item.agreement) for entry, item, _ in sections],
        "noun": "this meeting or the agreements discussed at it",
    }
    conflict = conflicts.check(form, meeting, **versions)
    if form.validate_on_submit() and conflict is None:
        try:
            with conflicts.saving(form, meeting, **versions):
                changes = services.record_outcomes(meeting, _outcomes(form), current_user)
                db.session.commit()
        except conflicts.EditConflict as error:
            conflict = error.conflict
        except services.OutcomeError as error:
            db.session.rollback()
            meeting = _load_meeting(meeting_id)
            items = {item.agreement_id: item for item in meeting.agenda_items}
            sections = _prepare(form, items)
            field = getattr(form.agreements[error.index], error.field)
            if error.field in ("settle", "actions"):
                section_errors[error.index] = str(error)
            else:
                field.errors = [*field.errors, str(error)]
        else:
            flash(
                f"Recorded {changes} change{'' if changes == 1 else 's'} from “{meeting.title}”.",
                "success",
            )
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    page = render_template(
        "outcomes/form.html",
        meeting=meeting,
        form=form,
        sections=sections,
        section_errors=section_errors,
        conflict=conflict,
    )
    return page, conflicts.status(conflict)
