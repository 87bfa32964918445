"""The status report of one agreement on the API: the same content as the report's JSON
download (``report_dict``, docs/agreement-report.schema.json), described field by field."""

from __future__ import annotations

import marshmallow as ma
from flask import jsonify, request
from flask_smorest import abort

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.models import Role, Status
from tracker.models.negotiation import PointStatus
from tracker.models.text_document import ProvisionStatus
from tracker.reports import queries
from tracker.reports.as_json import FORMAT_VERSION, report_dict
from tracker.reports.content import LATEST_UPDATES
from tracker.reports.forms import AsOfForm
from tracker.web.outgoing import mark

blp = Blueprint(
    "api_reports",
    __name__,
    url_prefix="/api/v1",
    description="The status report of an agreement as it stood on a day: what the report "
    "page and its JSON download show.",
)

STATUSES = [status.value for status in Status]


def _text(description: str, **kwargs) -> ma.fields.String:
    """A text that may be missing (null)."""
    return ma.fields.String(
        allow_none=True, required=True, metadata={"description": description}, **kwargs
    )


def _day(description: str) -> ma.fields.Date:
    """A day that may be unknown (null)."""
    return ma.fields.Date(allow_none=True, required=True, metadata={"description": description})


class ReportArgs(ma.Schema):
    as_of = ma.fields.Date(
        metadata={
            "description": "The day the report describes, as YYYY-MM-DD: today or a day in "
            "the past; today if left out. The report shows what was recorded by its end."
        }
    )


class KeyDatesSchema(ma.Schema):
    opened_on = _day("When negotiations opened.")
    target_on = _day("The target date.")
    signed_on = _day("When it was signed.")
    in_force_on = _day("When it entered into force.")


class ReportAgreementSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    short_name = _text("The short name, e.g. RPSS.")
    category = ma.fields.String(required=True, metadata={"description": "Its label."})
    priority = ma.fields.String(required=True, metadata={"description": "Its label."})
    summary = ma.fields.String(required=True)
    lead = _text("The lead negotiator's name.")
    key_dates = ma.fields.Nested(
        KeyDatesSchema, required=True, metadata={"description": "Known by the as-of day."}
    )


class ReportStatusSchema(ma.Schema):
    """All null when the agreement had no recorded status yet on the as-of day."""

    status = ma.fields.String(allow_none=True, required=True, validate=ma.validate.OneOf(STATUSES))
    label = _text("The status in words.")
    since = _day("When the status took effect.")
    days = ma.fields.Integer(
        allow_none=True,
        required=True,
        validate=ma.validate.Range(min=0),
        metadata={"description": "Days in the status by the as-of day."},
    )


class ReportPartySchema(ma.Schema):
    name = ma.fields.String(required=True)
    code = _text("States: the ISO 3166-1 alpha-3 code.")
    kind = ma.fields.String(required=True, metadata={"description": "Its label."})
    role = ma.fields.String(required=True, metadata={"description": "Its role in the agreement."})


class StatusStepSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    label = ma.fields.String(required=True)
    effective_on = ma.fields.Date(required=True)
    previous = ma.fields.String(
        allow_none=True, required=True, validate=ma.validate.OneOf(STATUSES)
    )
    note = ma.fields.String(required=True)
    meeting = _text("The meeting at which it was decided.")
    recorded_by = _text("Who recorded it (display name).")


class ReportMeetingSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    date = ma.fields.Date(
        required=True, metadata={"description": "The day in the meeting's own time zone."}
    )
    starts_at = ma.fields.AwareDateTime(required=True, metadata={"description": "In UTC."})
    timezone = ma.fields.String(
        required=True, metadata={"description": "IANA time zone name, e.g. Asia/Kolkata."}
    )
    place = ma.fields.String(required=True)
    level = ma.fields.String(required=True)
    outcome = ma.fields.String(
        required=True,
        metadata={"description": "What came of it for this agreement; empty for the next one."},
    )


class ReportPositionSchema(ma.Schema):
    party = ma.fields.String(required=True)
    position = ma.fields.String(required=True)


class OpenPointSchema(ma.Schema):
    open_statuses = [PointStatus.OPEN.value, PointStatus.CONVERGING.value]

    id = ma.fields.Integer(required=True)
    subject = ma.fields.String(required=True)
    details = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(open_statuses))
    raised_at = _text("The meeting at which it was raised.")
    positions = ma.fields.List(
        ma.fields.Nested(ReportPositionSchema),
        required=True,
        metadata={
            "description": "Each party's position as it stood at the end of the as-of day: "
            "the last it stated by then."
        },
    )


class OpenActionSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    description = ma.fields.String(required=True)
    owner = _text("Who owns it.")
    due_on = _day("When it is due.")
    overdue = ma.fields.Boolean(
        required=True, metadata={"description": "Due before the as-of day."}
    )


class UpdateSchema(ma.Schema):
    record_types = ["agreement", "point", "action"]

    recorded_at = ma.fields.AwareDateTime(required=True, metadata={"description": "In UTC."})
    user = _text("Who made it (display name); null for the command line.")
    action = ma.fields.String(required=True, metadata={"description": "What was done, in words."})
    record_type = ma.fields.String(required=True, validate=ma.validate.OneOf(record_types))
    record = ma.fields.String(required=True, metadata={"description": "The record's name."})
    fields = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "The fields changed."}
    )


class ReportRevisionSchema(ma.Schema):
    label = ma.fields.String(required=True, metadata={"description": "Such as Rev.2."})
    issued_on = _day("The date on the revision.")
    issued_by = ma.fields.String(
        required=True, metadata={"description": "The issuing party's name, Chair or Joint."}
    )


class TextCountsSchema(ma.Schema):
    provisions_agreed = ma.fields.Integer(required=True)
    provisions_total = ma.fields.Integer(required=True)
    open_brackets = ma.fields.Integer(required=True)


class TextChangeSchema(ma.Schema):
    provision = ma.fields.String(required=True, metadata={"description": "Its label now."})
    old_label = _text("Its label in the previous revision; null if it was not there.")
    what = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "The changes in words."}
    )


class BracketedSchema(ma.Schema):
    statuses = [status.value for status in ProvisionStatus]

    provision = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(statuses))
    open_brackets = ma.fields.Integer(required=True)
    proposed_by = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"description": "The names of the parties proposing its alternatives."},
    )


class PartyProposalsSchema(ma.Schema):
    party = ma.fields.String(
        required=True, metadata={"description": "Its name, or Not attributed."}
    )
    code = _text("The party's code; null for proposals nobody is recorded as making.")
    count = ma.fields.Integer(required=True, metadata={"description": "Open alternatives."})
    provisions = ma.fields.List(ma.fields.String(), required=True)


class BurnDownSchema(ma.Schema):
    revision = ma.fields.String(required=True)
    issued_on = _day("The date on the revision.")
    issued_by = ma.fields.String(required=True)
    open_brackets = ma.fields.Integer(required=True)
    provisions_agreed = ma.fields.Integer(required=True)
    provisions_total = ma.fields.Integer(required=True)


class ReportTextSchema(TextCountsSchema):
    """A negotiating text at the revision that stood on the as-of day."""

    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "Its label."})
    revision = ma.fields.Nested(
        ReportRevisionSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The latest issued on or before the day; null if none."},
    )
    previous = ma.fields.Nested(
        ReportRevisionSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The one it is compared with: its base, else the one before."},
    )
    before = ma.fields.Nested(
        TextCountsSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The counts in the previous revision."},
    )
    changed = ma.fields.List(ma.fields.Nested(TextChangeSchema), required=True)
    still_bracketed = ma.fields.List(ma.fields.Nested(BracketedSchema), required=True)
    open_proposals = ma.fields.List(
        ma.fields.Nested(PartyProposalsSchema),
        required=True,
        metadata={"description": "Most open proposals first."},
    )
    burn_down = ma.fields.List(
        ma.fields.Nested(BurnDownSchema),
        required=True,
        metadata={"description": "Each revision issued by the as-of day, oldest first."},
    )


class ReportSchema(ma.Schema):
    """The status report of one agreement as it stood at the end of ``as_of``."""

    marking = ma.fields.String(
        required=True,
        metadata={
            "description": "The highest classification marking of what the report shows, "
            "e.g. `SECRET // REL TO IND, JPN` (its X-Classification header says the same)."
        },
    )
    format_version = ma.fields.Integer(
        required=True,
        validate=ma.validate.Equal(FORMAT_VERSION),
        metadata={"description": "The shape of this report; raised if it ever changes."},
    )
    as_of = ma.fields.Date(required=True)
    generated_at = ma.fields.AwareDateTime(required=True, metadata={"description": "In UTC."})
    agreement = ma.fields.Nested(ReportAgreementSchema, required=True)
    status = ma.fields.Nested(ReportStatusSchema, required=True)
    parties = ma.fields.List(ma.fields.Nested(ReportPartySchema), required=True)
    status_history = ma.fields.List(
        ma.fields.Nested(StatusStepSchema),
        required=True,
        metadata={"description": "Oldest first, up to the as-of day."},
    )
    meetings = ma.fields.List(
        ma.fields.Nested(ReportMeetingSchema),
        required=True,
        metadata={"description": "Held on or before the as-of day, oldest first."},
    )
    next_meeting = ma.fields.Nested(
        ReportMeetingSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The first one after the as-of day entered by then."},
    )
    open_points = ma.fields.List(ma.fields.Nested(OpenPointSchema), required=True)
    open_actions = ma.fields.List(
        ma.fields.Nested(OpenActionSchema),
        required=True,
        metadata={"description": "Not done by the as-of day."},
    )
    latest_updates = ma.fields.List(
        ma.fields.Nested(UpdateSchema),
        required=True,
        validate=ma.validate.Length(max=LATEST_UPDATES),
        metadata={
            "description": "The newest audit-trail entries about the agreement, its points "
            "and its action items, newest first."
        },
    )
    texts = ma.fields.List(
        ma.fields.Nested(ReportTextSchema),
        required=True,
        metadata={
            "description": "The negotiating texts the reader may see; drafts are never "
            "part of the report."
        },
    )
    notes = ma.fields.List(ma.fields.String(), required=True)


@blp.route("/agreements/<int:agreement_id>/report", endpoint="report", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(ReportArgs, location="query")
@blp.response(200, ReportSchema)
@blp.alt_response(404, description="There is no such agreement.")
def agreement_report(args, agreement_id: int):
    """The status report of an agreement as it stood at the end of a day (today by default):
    the same content as the report's JSON download."""
    # The form holds the rule on the day (not in the future), as for the report's page.
    form = AsOfForm(request.args)
    if not form.validate():
        abort(422, message=" ".join(form.as_of.errors), errors={"query": form.errors})
    report = queries.agreement_report(agreement_id, as_of=args.get("as_of"))
    if report is None:
        abort(404, message=f"There is no agreement {agreement_id}.")
    # Already plain JSON values (ISO dates and instants), as the download writes them.
    # Marked as what the report shows, not all the request read (the as-of day leaves
    # some out).
    return mark(jsonify(report_dict(report)), report.marking)
