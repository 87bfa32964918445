"""The agreements resource's schemas: what the API takes and gives of an agreement, its
parties, its list rows and its status history; flask-smorest describes them in the OpenAPI
document."""

from __future__ import annotations

import marshmallow as ma

from tracker.agreements import filters
from tracker.agreements.services import MAX_PARTIES
from tracker.api.fields import Change, Link, Text, record_id, text
from tracker.api.pagination import PageArgs, page_schema
from tracker.markings.schemas import Marking
from tracker.models import Category, PartyRole, Priority, Status


class PartyLinkSchema(ma.Schema):
    party = record_id(
        attribute="party_id",
        required=True,
        metadata={"description": "The party's id (see /api/v1/parties/)."},
    )
    role = ma.fields.Enum(
        PartyRole,
        by_value=True,
        load_default=PartyRole.PARTY,
        metadata={"description": "Its part in the agreement; `party` if not given."},
    )
    name = ma.fields.String(attribute="party_name", dump_only=True)


class PartyLinks(ma.fields.List):
    """An agreement's parties: read as a list of PartyLinkSchema, and written as its dump
    would be, without a schema's dump per party (a list page has hundreds of them)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return [
            {"party": link.party_id, "role": link.role.value, "name": link.party_name}
            for link in value
        ]


class AgreementSchema(ma.Schema):
    """An agreement as the API shows it, and as it is created."""

    id = ma.fields.Integer(dump_only=True)
    title = Text(
        required=True,
        validate=ma.validate.Length(min=1, max=300),
        metadata={"example": "Reciprocal Provision of Supplies and Services"},
    )
    short_name = Text(
        allow_none=True,
        validate=ma.validate.Length(max=40),
        metadata={"description": "The name staff use, e.g. RPSS; unique.", "example": "RPSS"},
    )
    category = ma.fields.Enum(Category, by_value=True, required=True)
    priority = ma.fields.Enum(Priority, by_value=True, load_default=Priority.NORMAL)
    summary = text(20_000, load_default="")
    lead = record_id(
        attribute="lead_id",
        allow_none=True,
        load_default=None,
        metadata={"description": "The id of the staff member who leads it (an active user)."},
    )
    lead_name = ma.fields.Function(
        lambda agreement: agreement.lead.display_name if agreement.lead else None,
        dump_only=True,
    )
    opened_on = ma.fields.Date(allow_none=True, metadata={"description": "Negotiations opened."})
    target_on = ma.fields.Date(allow_none=True, metadata={"description": "The target date."})
    signed_on = ma.fields.Date(
        allow_none=True, metadata={"description": "Signed; not before `opened_on`."}
    )
    in_force_on = ma.fields.Date(
        allow_none=True,
        metadata={"description": "Entered into force; needs `signed_on`, not before it."},
    )
    status = ma.fields.Enum(
        Status,
        by_value=True,
        load_default=Status.PROPOSED,
        metadata={
            "description": "Now. On creation, where the negotiation stands (not `abandoned`); "
            "afterwards it moves only through POST …/status."
        },
    )
    status_on = ma.fields.Date(
        attribute="status_changed_on",
        metadata={
            "description": "Since when it has had its status; on creation, today if not given."
        },
    )
    last_activity_on = ma.fields.Date(
        dump_only=True,
        metadata={"description": "The later of the last status change and the last meeting."},
    )
    parties = PartyLinks(
        ma.fields.Nested(PartyLinkSchema),
        attribute="party_links",
        load_default=list,
        validate=ma.validate.Length(max=MAX_PARTIES),
        metadata={"description": "Its parties with their roles, each party once."},
    )
    archived = ma.fields.Function(
        lambda agreement: agreement.archived_at is not None, dump_only=True
    )
    marking = Marking()
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link("api_agreements.one", {"agreement_id": "id"}, dump_only=True)


class AgreementChangeSchema(Change, AgreementSchema):
    """A change: only the fields sent are changed; `parties`, when sent, is the whole list.
    The status moves through POST …/status."""

    class Meta:
        exclude = ("status", "status_on")


class AgreementListArgs(PageArgs):
    q = ma.fields.String(
        metadata={
            "description": "Words found in the agreement, its meetings' minutes and outcomes, "
            "or its points (the last word also as a prefix)."
        }
    )
    status = ma.fields.String(validate=ma.validate.OneOf(["", *(s.value for s in Status)]))
    category = ma.fields.String(validate=ma.validate.OneOf(["", *(c.value for c in Category)]))
    party = ma.fields.Integer(metadata={"description": "Only the agreements of this party."})
    lead = ma.fields.Integer(metadata={"description": "Only those this staff member leads."})
    classification = ma.fields.String(
        metadata={"description": "Only those marked at this level (by name) or higher."}
    )
    sort = ma.fields.String(
        metadata={
            "enum": list(filters.SORTS),
            "description": "`title` (the default), `status` (then title) or `activity` "
            "(latest first, then title). A search is listed in this order too.",
        }
    )
    archived = ma.fields.Boolean(
        load_default=False, metadata={"description": "List the archived agreements instead."}
    )


class StatusChangeSchema(ma.Schema):
    """One step of the status history."""

    from_status = ma.fields.Enum(Status, by_value=True, allow_none=True)
    to_status = ma.fields.Enum(Status, by_value=True)
    effective_on = ma.fields.Date()
    note = ma.fields.String()
    meeting = ma.fields.Integer(attribute="meeting_id", allow_none=True)
    meeting_title = ma.fields.Function(
        lambda change: change.meeting.title if change.meeting else None
    )
    recorded_by = ma.fields.Function(
        lambda change: change.recorded_by.display_name if change.recorded_by else None
    )
    recorded_at = ma.fields.DateTime()
    marking = Marking(dump_only=True)


class StatusHistorySchema(ma.Schema):
    status = ma.fields.Enum(Status, by_value=True, metadata={"description": "Now."})
    allowed = ma.fields.List(
        ma.fields.Enum(Status, by_value=True),
        metadata={"description": "Where it may move next."},
    )
    items = ma.fields.List(
        ma.fields.Nested(StatusChangeSchema),
        metadata={"description": "The history, oldest first; the last step is the status."},
    )


class StatusMoveSchema(ma.Schema):
    status = ma.fields.Enum(
        Status, by_value=True, required=True, metadata={"description": "The new status."}
    )
    effective_on = ma.fields.Date(
        required=True,
        metadata={"description": "The day it took effect; not before the last change."},
    )
    note = text(5_000, load_default="")
    meeting = record_id(
        allow_none=True,
        load_default=None,
        metadata={"description": "The meeting that decided it: one that discussed the agreement."},
    )
    marking = Marking(load_default=None)


class AgreementRowSchema(AgreementSchema):
    """An agreement as a row of the list, as the agreements page shows it; its summary, lead
    and key dates are in the agreement itself (its `url`)."""

    class Meta:
        exclude = (
            "summary",
            "lead",
            "lead_name",
            "opened_on",
            "target_on",
            "signed_on",
            "in_force_on",
        )


AgreementPage = page_schema(AgreementRowSchema, "AgreementPage")
