"""Negotiation points on the API, with each party's position: list, one, create, change,
delete, through the same services and rules as the agreement page's forms."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import g, url_for
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy.orm import selectinload

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import MAX_ID, Change, Link, record_id, text
from tracker.api.pagination import PageArgs, link_header, page, page_schema
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, require_version, tagged
from tracker.markings.queries import at_or_above
from tracker.markings.schemas import Level, Marking
from tracker.models import NegotiationPoint, PartyPosition, PointStatus, Role
from tracker.points import queries, services
from tracker.texts import queries as text_queries

blp = Blueprint(
    "api_points",
    __name__,
    url_prefix="/api/v1/points",
    description="The open questions of an agreement on which the parties differ, with what "
    "each party holds.",
)

# As the point form's fields (tracker/points/forms.py).
LONG_TEXT = 20_000


class PositionSchema(ma.Schema):
    party_id = record_id(
        required=True, metadata={"description": "A party of the point's agreement."}
    )
    name = ma.fields.String(
        attribute="party.name", dump_only=True, metadata={"description": "The party's name."}
    )
    position = text(
        required=True,
        max_length=LONG_TEXT,
        metadata={"description": "What the party holds; empty to hold none."},
    )
    marking = Marking(load_default=None)


_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
# What is read of a provision beside its id, and ignored when sent back.
_PROVISION_READ = {"label": {"type": "string"}, "revision_id": _ID}


class ProvisionRef(ma.fields.Field):
    """A provision a point concerns: sent as its id (or as it was read), read with the
    name it has in the latest revision of its text the reader sees."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "metadata",
            {
                "oneOf": [
                    {**_ID, "description": "The provision's id (its `key` in a revision)."},
                    {
                        "type": "object",
                        "description": "The provision as read: `label`, its number and heading "
                        "in the latest revision of its text you see, e.g. `Main text: Article 5 "
                        "Access to facilities`, and `revision_id`, that revision's; both only "
                        "read (ignored when sent back).",
                        "properties": {"id": _ID, **_PROVISION_READ},
                        "required": ["id"],
                        "additionalProperties": False,
                    },
                ]
            },
        )
        super().__init__(**kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return {"id": value.provision_id, "label": value.name, "revision_id": value.revision_id}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            unknown = set(value) - {"id", *_PROVISION_READ}
            if unknown:
                raise ma.ValidationError(f"Unknown field: {sorted(unknown)[0][:40]}.")
            if not isinstance(value.get("label", ""), str) or not _is_id(
                value.get("revision_id", 1)
            ):
                raise ma.ValidationError("Send a provision as its id, or as it was read.")
            value = value.get("id")
        if not _is_id(value):
            raise ma.ValidationError(f"A provision's id: a whole number from 1 to {MAX_ID}.")
        return value


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class ProvisionLinks(ma.fields.List):
    """A point's ``provisions``: those the reader sees named, by text and in its order."""

    def __init__(self, **kwargs):
        super().__init__(ProvisionRef(), **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        ids = [provision.id for provision in value or ()]
        known = g.get("provision_names")
        names = (
            known
            if known is not None and known.keys() >= set(ids)
            else text_queries.provision_names(ids)
        )
        shown = sorted((names[i] for i in ids if i in names), key=text_queries.ProvisionName.order)
        return [self.inner._serialize(name, None, None) for name in shown]


def _one_per_party(positions: list[dict]) -> None:
    parties = [position["party_id"] for position in positions]
    if len(parties) != len(set(parties)):
        raise ma.ValidationError("Give each party at most one position.")


class PointSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    agreement_id = record_id(
        required=True, metadata={"description": "The agreement the point is part of."}
    )
    subject = text(
        required=True,
        max_length=200,
        metadata={"description": "What the point is about.", "example": "Scope of services"},
    )
    details = text(max_length=LONG_TEXT, load_default="")
    status = ma.fields.Enum(
        PointStatus,
        by_value=True,
        load_default=PointStatus.OPEN,
        metadata={"description": "Agreed and dropped points are settled."},
    )
    raised_at_id = record_id(
        allow_none=True,
        load_default=None,
        metadata={"description": "The meeting where the point came up."},
    )
    settled_at_id = record_id(
        allow_none=True,
        load_default=None,
        metadata={"description": "The meeting where it was agreed or dropped; settled only."},
    )
    positions = ma.fields.List(
        ma.fields.Nested(PositionSchema),
        load_default=list,
        validate=_one_per_party,
        metadata={
            "description": "Each party's position, by party; the whole set when sent (a "
            "party left out, or given an empty position, holds none)."
        },
    )
    provisions = ProvisionLinks(
        load_default=list,
        validate=ma.validate.Length(max=services.MAX_PROVISIONS),
        metadata={
            "description": "The provisions of the agreement's texts the point concerns; the "
            "whole set when sent (as ids), of those you see: one you may not see (in no "
            "revision you may read) stays as it is."
        },
    )
    marking = Marking(load_default=None)
    positions_stated_on = ma.fields.Date(
        load_only=True,
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The day the positions this change adds, rewords or empties were "
            "stated (their history's step): not in the future, nor before "
            "`positions_stated_at_id`'s meeting; by default that meeting's day, else today."
        },
    )
    positions_stated_at_id = record_id(
        load_only=True,
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The meeting where they were stated: one that discussed the "
            "point's agreement."
        },
    )
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link("api_points.one", {"point_id": "id"}, dump_only=True)


class PositionChangeSchema(ma.Schema):
    """One step of a party's position on a point."""

    party_id = ma.fields.Integer(required=True)
    name = ma.fields.String(
        attribute="party.name", required=True, metadata={"description": "The party's name."}
    )
    position = ma.fields.String(
        required=True,
        metadata={"description": "What the party held from then on; empty: it held none."},
    )
    stated_on = ma.fields.Date(required=True)
    stated_at_id = ma.fields.Integer(
        attribute="meeting_id",
        allow_none=True,
        required=True,
        metadata={"description": "The meeting where it was stated."},
    )
    meeting_title = ma.fields.Function(
        lambda change: change.meeting.title if change.meeting else None,
        required=True,
        metadata={"type": "string", "nullable": True},
    )
    recorded_at = ma.fields.AwareDateTime(required=True, metadata={"description": "In UTC."})
    recorded_by = ma.fields.Function(
        lambda change: change.recorded_by.display_name if change.recorded_by else None,
        required=True,
        metadata={
            "type": "string",
            "nullable": True,
            "description": "Who recorded it (display name); null if not known.",
        },
    )
    marking = Marking(dump_only=True)


class PositionHistoryArgs(PageArgs):
    party = record_id(strict=False, metadata={"description": "Only this party's steps."})


PositionHistoryPage = page_schema(PositionChangeSchema, "PositionHistoryPage")


class PointChangeSchema(Change, PointSchema):
    """A change: only the fields sent are changed; the agreement stays."""

    class Meta:
        exclude = ("agreement_id",)


class PointListArgs(PageArgs):
    agreement = record_id(strict=False, metadata={"description": "Only this agreement's points."})
    status = ma.fields.Enum(
        PointStatus, by_value=True, metadata={"description": "Only the points in this status."}
    )
    classification = Level(
        metadata={"description": "Only those marked at this level (by name) or higher."}
    )


PointPage = page_schema(PointSchema, "PointPage")


def _point(point_id: int) -> NegotiationPoint:
    point = queries.point_for_form(point_id)
    if point is None:
        abort(404, message=f"There is no negotiation point {point_id}.")
    return point


def _check(point: NegotiationPoint) -> None:
    """Refuse a change made from an older version of the point (If-Match)."""
    require_version(point, url_for("api_points.one", point_id=point.id))


def _positions(data: dict) -> dict[int, str]:
    return {row["party_id"]: row["position"] for row in data["positions"]}


def _position_markings(data: dict) -> dict:
    return {
        row["party_id"]: row["marking_id"]
        for row in data.get("positions", ())
        if row.get("marking_id") is not None
    }


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(PointListArgs, location="query")
@blp.response(200, PointPage)
def list_points(args):
    """The negotiation points, oldest first."""
    stmt = sa.select(NegotiationPoint).options(
        selectinload(NegotiationPoint.positions).joinedload(PartyPosition.party),
        selectinload(NegotiationPoint.provisions),
    )
    agreement_id, status = args.get("agreement"), args.get("status")
    if agreement_id is not None:
        stmt = stmt.where(NegotiationPoint.agreement_id == agreement_id)
    if status is not None:
        stmt = stmt.where(NegotiationPoint.status == status)
    level = args.get("classification")
    if level is not None:
        stmt = stmt.where(at_or_above(NegotiationPoint.marking_id, level))
    scope = f"points:{agreement_id}:{status}:{level}"
    found = page(
        stmt, (NegotiationPoint.id,), scope=scope, cursor=args.get("cursor"), limit=args["limit"]
    )
    # The page's provisions named in one query, not one per point.
    g.provision_names = text_queries.provision_names(
        {provision.id for point in found.items for provision in point.provisions}
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_points.list"),
    )


@blp.route("/", endpoint="create", methods=["POST"])
@requires(Role.EDITOR)
@blp.alt_response(422, description="Refused input, or a broken rule, by field.")
@blp.arguments(PointSchema)
@blp.response(201, PointSchema)
def create_point(data):
    """Add a negotiation point to an agreement."""
    agreement = queries.agreement_for_form(data["agreement_id"])
    if agreement is None:
        message = "There is no such agreement."
        abort(422, message=message, errors={"json": {"agreement_id": [message]}})
    point = save(
        lambda: services.create_point(
            agreement,
            subject=data["subject"],
            details=data["details"],
            status=data["status"],
            raised_at_id=data["raised_at_id"],
            settled_at_id=data["settled_at_id"],
            positions=_positions(data),
            marking=data["marking_id"],
            position_markings=_position_markings(data),
            positions_stated_on=data["positions_stated_on"],
            positions_stated_at_id=data["positions_stated_at_id"],
            recorded_by=current_user,
            provisions=data["provisions"],
        )
    )
    return tagged(point, 201, Location=url_for("api_points.one", point_id=point.id))


@blp.route("/<int:point_id>", endpoint="one", methods=["GET"])
@requires(Role.VIEWER)
@blp.alt_response(404, description="There is no such point.")
@blp.response(200, PointSchema)
def get_point(point_id: int):
    """One negotiation point with its positions and its ETag."""
    return tagged(_point(point_id))


@blp.route("/<int:point_id>", endpoint="change", methods=["PATCH"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such point.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(422, description="Refused input, or a broken rule, by field.")
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.arguments(PointChangeSchema)
@blp.response(200, PointSchema)
def change_point(data, point_id: int):
    """Change a negotiation point or the parties' positions on it.

    Send the ETag you read it with as If-Match; only the fields sent change, and
    `positions`, when sent, is the whole set.
    """
    point = _point(point_id)
    _check(point)
    positions = (
        _positions(data)
        if "positions" in data
        else {row.party_id: row.position for row in point.positions}
    )
    save(
        lambda: services.update_point(
            point,
            subject=data.get("subject", point.subject),
            details=data.get("details", point.details),
            status=data.get("status", point.status),
            raised_at_id=data.get("raised_at_id", point.raised_at_id),
            settled_at_id=data.get("settled_at_id", point.settled_at_id),
            positions=positions,
            marking=data.get("marking_id"),
            position_markings=_position_markings(data),
            positions_stated_on=data.get("positions_stated_on"),
            positions_stated_at_id=data.get("positions_stated_at_id"),
            recorded_by=current_user,
            provisions=data.get("provisions"),
        )
    )
    return tagged(point)


@blp.route("/<int:point_id>/positions/history", endpoint="history", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(PositionHistoryArgs, location="query")
@blp.response(200, PositionHistoryPage)
@blp.alt_response(404, description="There is no such point.")
def position_history(args, point_id: int):
    """The history of the parties' positions on a point, newest first: each step with the
    day it was stated and the meeting where."""
    if not queries.point_exists(point_id):
        abort(404, message=f"There is no negotiation point {point_id}.")
    party_id = args.get("party")
    found = page(
        queries.history_select(point_id, party_id),
        queries.HISTORY_ORDER,
        scope=f"position_history:{point_id}:{party_id}",
        cursor=args.get("cursor"),
        limit=args["limit"],
        descending=True,
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_points.history", point_id=point_id),
    )


@blp.route("/<int:point_id>", endpoint="delete", methods=["DELETE"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such point.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.response(204)
def delete_point(point_id: int):
    """Delete a negotiation point and the positions on it."""
    point = _point(point_id)
    _check(point)
    save(lambda: services.delete_point(point))
    return None
