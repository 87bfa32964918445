"""A meeting's outcomes on the API: what the record-outcomes page does in one submit (each
agreement's outcome, status change, settled points, new point and new actions, all citing
the meeting), as one call that records everything or nothing."""

from __future__ import annotations

import marshmallow as ma
from flask import url_for
from flask_login import current_user
from flask_smorest import abort

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import record_id, text
from tracker.api.saving import by_field, save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, etag, require_version
from tracker.markings.schemas import Marking
from tracker.models import Meeting, PointStatus, Role, RuleError, Status
from tracker.outcomes import queries, services
from tracker.outcomes.forms import MAX_SETTLE_ROWS

blp = Blueprint(
    "api_outcomes",
    __name__,
    url_prefix="/api/v1/meetings",
    description="Recording what a meeting produced for each agreement discussed, in one pass.",
)

# New action items per agreement in one call: each is checked and written in the request.
MAX_NEW_ACTIONS = 50
SETTLED = [status.value for status in PointStatus if status != PointStatus.OPEN]


class SettleSchema(ma.Schema):
    point_id = record_id(required=True, metadata={"description": "An open point of the agreement."})
    status = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(SETTLED),
        metadata={"description": "Its new status."},
    )


class NewActionSchema(ma.Schema):
    task = text(500, required=True, metadata={"description": "What has to be done."})
    owner_id = record_id(
        allow_none=True, load_default=None, metadata={"description": "Who does it: a person."}
    )
    due_on = ma.fields.Date(allow_none=True, load_default=None)


class AgreementOutcomeSchema(ma.Schema):
    agreement_id = record_id(
        required=True, metadata={"description": "An agreement discussed at the meeting."}
    )
    outcome = text(
        10_000,
        metadata={"description": "What came out for the agreement; left as it is if not sent."},
    )
    marking = Marking(load_default=None)
    status = ma.fields.Enum(
        Status,
        by_value=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "A new status, if the meeting moved the agreement on."},
    )
    status_on = ma.fields.Date(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "When the new status took effect; the meeting's local day if not sent."
        },
    )
    status_note = text(5_000, load_default="")
    point_subject = text(
        200, load_default="", metadata={"description": "A new negotiation point raised."}
    )
    point_details = text(10_000, load_default="")
    settle = ma.fields.List(
        ma.fields.Nested(SettleSchema),
        load_default=list,
        validate=ma.validate.Length(max=MAX_SETTLE_ROWS),
        metadata={"description": "Open points of the agreement the meeting settled."},
    )
    actions = ma.fields.List(
        ma.fields.Nested(NewActionSchema),
        load_default=list,
        validate=ma.validate.Length(max=MAX_NEW_ACTIONS),
        metadata={"description": "New action items, citing the meeting."},
    )


class OutcomesSchema(ma.Schema):
    outcomes = ma.fields.List(
        ma.fields.Nested(AgreementOutcomeSchema),
        required=True,
        metadata={
            "description": "One entry per agreement discussed that the meeting changed "
            "something for; agreements not listed are left as they are."
        },
    )


class AgendaOutcomeSchema(ma.Schema):
    agreement_id = ma.fields.Integer()
    outcome = ma.fields.String()
    status = ma.fields.String(metadata={"description": "The agreement's status now."})
    marking = Marking(dump_only=True)


class RecordedSchema(ma.Schema):
    """The meeting after recording: what each agreement discussed now stands at."""

    id = ma.fields.Integer(metadata={"description": "The meeting's id."})
    version = ma.fields.Integer(metadata={"description": "The meeting's version."})
    url = ma.fields.String(metadata={"description": "The meeting."})
    changes = ma.fields.Integer(metadata={"description": "How many changes were recorded."})
    agenda = ma.fields.List(ma.fields.Nested(AgendaOutcomeSchema))


def _where(error: RuleError) -> dict:
    """A refused part of the outcomes, at its entry and field: outcomes.<n>.<field>."""
    if isinstance(error, services.OutcomeError):
        return {"outcomes": {str(error.index): by_field(error)}}
    return by_field(error)


def _outcomes(meeting: Meeting, entries: list[dict]) -> list[services.AgreementOutcome]:
    current = {item.agreement_id: item.outcome for item in meeting.agenda_items}
    return [
        services.AgreementOutcome(
            agreement_id=entry["agreement_id"],
            outcome=entry.get("outcome", current.get(entry["agreement_id"], "")),
            status=entry["status"].value if entry["status"] else None,
            status_on=entry["status_on"] or meeting.local_day,
            status_note=entry["status_note"],
            point_subject=entry["point_subject"],
            point_details=entry["point_details"],
            settle={row["point_id"]: row["status"] for row in entry["settle"]},
            new_actions=[
                services.NewAction(row["task"], row["owner_id"], row["due_on"])
                for row in entry["actions"]
            ],
            marking=entry["marking_id"],
        )
        for entry in entries
    ]


@blp.route("/<int:meeting_id>/outcomes", endpoint="record", methods=["POST"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such meeting.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(
    422,
    description="Refused input or a broken rule, by entry and field "
    "(errors.json.outcomes.<n>.<field>); nothing was recorded.",
)
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.arguments(OutcomesSchema)
@blp.response(200, RecordedSchema)
def record(data, meeting_id: int):
    """Record what a meeting produced for the agreements discussed, all or nothing; send
    the meeting's ETag as If-Match."""
    meeting = queries.meeting_for_outcomes(meeting_id)
    if meeting is None:
        abort(404, message=f"There is no meeting {meeting_id}.")
    require_version(meeting, url_for("api_meetings.one", meeting_id=meeting.id))
    outcomes = _outcomes(meeting, data["outcomes"])
    changes = save(
        lambda: services.record_outcomes(meeting, outcomes, current_user._get_current_object()),
        where=_where,
    )
    recorded = {
        "id": meeting.id,
        "version": meeting.version,
        "url": url_for("api_meetings.one", meeting_id=meeting.id),
        "changes": changes,
        "agenda": [
            {
                "agreement_id": item.agreement_id,
                "outcome": item.outcome,
                "status": item.agreement.status.value,
                "marking_id": item.marking_id,
            }
            for item in sorted(meeting.agenda_items, key=lambda item: item.agreement_id)
        ],
    }
    return recorded, 200, {"ETag": etag(meeting)}
