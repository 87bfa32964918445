"""Meetings on the API: list, one, create, change, archive, restore, delete, with their
participants, agenda and outcomes and the gathering they were held during, through the same
services and rules as the pages."""

from __future__ import annotations

from datetime import UTC, datetime, time

import marshmallow as ma
from flask import url_for
from flask_smorest import abort

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import Change, Link, record_id, text
from tracker.api.pagination import PageArgs, link_header, page, page_schema
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, require_version, tagged
from tracker.markings.schemas import Level, Marking
from tracker.meetings import queries, services
from tracker.meetings.forms import EARLIEST_DAY, LATEST_DAY
from tracker.models import Meeting, MeetingLevel, Role
from tracker.web.archiving import archive, restore
from tracker.web.arguments import MAX_ID, clean_search

blp = Blueprint(
    "api_meetings",
    __name__,
    url_prefix="/api/v1/meetings",
    description="Meetings: who attended, the agreements discussed and what came out for "
    "each, and the larger gathering a meeting was held during.",
)

EARLIEST = datetime.combine(EARLIEST_DAY, time.min, tzinfo=UTC)
LATEST = datetime.combine(LATEST_DAY, time.max, tzinfo=UTC)


def moment(**kwargs) -> ma.fields.AwareDateTime:
    """A date and time with its UTC offset, between the years the meeting form accepts."""
    return ma.fields.AwareDateTime(
        validate=ma.validate.Range(
            min=EARLIEST,
            max=LATEST,
            error=f"Give a time between {EARLIEST_DAY.year} and {LATEST_DAY.year}.",
        ),
        **kwargs,
    )


def _meeting_url(meeting: Meeting) -> str:
    return url_for("api_meetings.one", meeting_id=meeting.id)


class ParticipantSchema(ma.Schema):
    id = ma.fields.Integer(metadata={"description": "The person's id."})
    name = ma.fields.String()


class GatheringSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    url = ma.fields.Function(_meeting_url)


class AgreementReferenceSchema(ma.Schema):
    id = ma.fields.Integer()
    title = ma.fields.String()
    short_name = ma.fields.String(allow_none=True)


class AgendaItemSchema(ma.Schema):
    agreement_id = record_id(
        required=True, metadata={"description": "An agreement discussed at the meeting."}
    )
    agreement = ma.fields.Nested(AgreementReferenceSchema, dump_only=True)
    outcome = text(
        20_000,
        metadata={
            "description": "What came out of the meeting for this agreement; if not sent, "
            "it stays as it is (empty for an agreement new to the agenda)."
        },
    )
    marking = Marking(load_default=None)


class MeetingSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    title = text(
        300,
        required=True,
        metadata={"example": "Defence Policy Dialogue"},
    )
    starts_at = moment(
        required=True,
        metadata={
            "description": "When it starts, with its UTC offset (2024-08-20T10:00:00+05:30); "
            "given back in UTC.",
        },
    )
    ends_at = moment(
        allow_none=True,
        load_default=None,
        metadata={"description": "When it ends, with its UTC offset; null if not known."},
    )
    timezone = text(
        64,
        required=True,
        metadata={
            "description": "The IANA zone of the place it is held in (Asia/Kolkata); pages "
            "show its times in it.",
        },
    )
    local_starts_at = ma.fields.Function(
        lambda meeting: meeting.local_starts_at.isoformat(),
        dump_only=True,
        metadata={"description": "The start on the clock of the place it is held."},
    )
    level = ma.fields.Enum(MeetingLevel, by_value=True, required=True)
    city = text(120, load_default="")
    country = text(120, load_default="")
    setting = text(
        300,
        load_default="",
        metadata={"description": "For example: on the sidelines of the ADMM-Plus."},
    )
    summary = text(load_default="", metadata={"description": "Summary and minutes."})
    parent_id = record_id(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "The larger gathering it was held during (on the sidelines of), "
            "if any: a meeting that is not archived, nor this one or one held during it.",
        },
    )
    parent = ma.fields.Nested(GatheringSchema, dump_only=True, allow_none=True)
    participant_ids = ma.fields.List(
        record_id(),
        load_only=True,
        load_default=list,
        metadata={"description": "Who attended: ids of people who are not archived."},
    )
    participants = ma.fields.List(
        ma.fields.Nested(ParticipantSchema),
        dump_only=True,
        metadata={"description": "Who attended."},
    )
    agenda = ma.fields.List(
        ma.fields.Nested(AgendaItemSchema),
        attribute="agenda_items",
        data_key="agenda",
        load_default=list,
        metadata={
            "description": f"The agreements discussed (each once, at most "
            f"{services.MAX_AGENDA}) and the outcome for each.",
        },
    )
    archived = ma.fields.Function(lambda meeting: meeting.archived_at is not None, dump_only=True)
    marking = Marking()
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link("api_meetings.one", {"meeting_id": "id"}, dump_only=True)


class MeetingChangeSchema(Change, MeetingSchema):
    """A change: only the fields sent are changed; a list sent replaces the whole list."""


class MeetingListArgs(PageArgs):
    archived = ma.fields.Boolean(
        load_default=False, metadata={"description": "List the archived meetings instead."}
    )
    when = ma.fields.String(
        validate=ma.validate.OneOf(["upcoming", "past"]),
        metadata={"description": "Only meetings starting after now (upcoming), or the others."},
    )
    level = ma.fields.Enum(MeetingLevel, by_value=True)
    classification = Level(
        metadata={"description": "Only those marked at this level (by name) or higher."}
    )
    agreement_id = ma.fields.Integer(
        validate=ma.validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only meetings that discussed it."},
    )
    q = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={
            "description": "Words of the title or minutes, or part of the title, city or setting."
        },
    )


MeetingPage = page_schema(MeetingSchema, "MeetingPage")


def _meeting(meeting_id: int) -> Meeting:
    meeting = queries.meeting(meeting_id)
    if meeting is None:
        abort(404, message=f"There is no meeting {meeting_id}.")
    return meeting


def _check(meeting: Meeting) -> None:
    """Refuse a change made from an older version of the meeting (If-Match)."""
    require_version(meeting, _meeting_url(meeting))


def _values(data: dict, meeting: Meeting | None = None) -> dict:
    """The service's values: those sent, the meeting's own for the others."""

    def given(name: str, current):
        return data.get(name, current)

    current = {item.agreement_id: item.outcome for item in meeting.agenda_items} if meeting else {}
    if "agenda_items" in data:
        # An outcome not sent stays as it is (none for an agreement new to the agenda).
        agenda = [
            (row["agreement_id"], row.get("outcome", current.get(row["agreement_id"], "")))
            for row in data["agenda_items"]
        ]
    else:
        agenda = list(current.items())
    return {
        "title": given("title", meeting and meeting.title),
        "starts_at": given("starts_at", meeting and meeting.starts_at),
        "ends_at": given("ends_at", meeting and meeting.ends_at),
        "timezone": given("timezone", meeting and meeting.timezone),
        "level": given("level", meeting and meeting.level),
        "city": given("city", meeting and meeting.city),
        "country": given("country", meeting and meeting.country),
        "setting": given("setting", meeting and meeting.setting),
        "summary": given("summary", meeting and meeting.summary),
        "parent_id": given("parent_id", meeting and meeting.parent_id),
        "participant_ids": given(
            "participant_ids", meeting and [person.id for person in meeting.participants]
        ),
        "agenda": agenda,
        "marking": data.get("marking_id"),
        "agenda_markings": {
            row["agreement_id"]: row["marking_id"]
            for row in data.get("agenda_items", ())
            if row.get("marking_id") is not None
        },
    }


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(MeetingListArgs, location="query")
@blp.response(200, MeetingPage)
def list_meetings(args):
    """The meetings, newest first (by start, then id)."""
    filters = queries.MeetingFilters(
        level=args.get("level"),
        agreement_id=args.get("agreement_id"),
        q=clean_search(args.get("q")),
        archived=args["archived"],
        when=args.get("when", ""),
        classification=args.get("classification"),
    )
    scope = (
        f"meetings:{filters.archived}:{filters.when}:{filters.level}:{filters.classification}:"
        f"{filters.agreement_id}:{filters.q}"
    )
    found = page(
        queries.meetings(filters),
        (Meeting.starts_at, Meeting.id),
        scope=scope,
        cursor=args.get("cursor"),
        limit=args["limit"],
        descending=True,
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_meetings.list"),
    )


@blp.route("/", endpoint="create", methods=["POST"])
@requires(Role.EDITOR)
@blp.arguments(MeetingSchema)
@blp.alt_response(422, description="Refused input or a broken rule, by field.")
@blp.response(201, MeetingSchema)
def create_meeting(data):
    """Record a meeting, with its participants, agenda and outcomes."""
    meeting = save(lambda: services.create_meeting(**_values(data)))
    return tagged(meeting, 201, Location=_meeting_url(meeting))


@blp.route("/<int:meeting_id>", endpoint="one", methods=["GET"])
@requires(Role.VIEWER)
@blp.alt_response(404, description="There is no such meeting.")
@blp.response(200, MeetingSchema)
def get_meeting(meeting_id: int):
    """One meeting, with its ETag."""
    return tagged(_meeting(meeting_id))


@blp.route("/<int:meeting_id>", endpoint="change", methods=["PATCH"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such meeting.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(422, description="Refused input or a broken rule, by field.")
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.arguments(MeetingChangeSchema)
@blp.response(200, MeetingSchema)
def change_meeting(data, meeting_id: int):
    """Change a meeting; a list sent (participants, agenda) replaces the whole list. Send the
    ETag you read it with as If-Match."""
    meeting = _meeting(meeting_id)
    _check(meeting)
    save(lambda: services.update_meeting(meeting, **_values(data, meeting)))
    return tagged(meeting)


@blp.route("/<int:meeting_id>/archive", endpoint="archive", methods=["POST"])
@requires(Role.EDITOR)
@blp.alt_response(404, description="There is no such meeting.")
@blp.response(200, MeetingSchema)
def archive_meeting(meeting_id: int):
    """Archive a meeting: hidden from lists and choices, kept with its history."""
    meeting = _meeting(meeting_id)
    save(lambda: archive(meeting))
    return tagged(meeting)


@blp.route("/<int:meeting_id>/restore", endpoint="restore", methods=["POST"])
@requires(Role.ADMIN)
@blp.alt_response(404, description="There is no such meeting.")
@blp.response(200, MeetingSchema)
def restore_meeting(meeting_id: int):
    """Restore an archived meeting."""
    meeting = _meeting(meeting_id)
    save(lambda: restore(meeting))
    return tagged(meeting)


@blp.route("/<int:meeting_id>", endpoint="delete", methods=["DELETE"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such meeting.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.response(204)
def delete_meeting(meeting_id: int):
    """Delete a meeting for good: its side meetings, status changes and actions lose the
    link, not their records."""
    meeting = _meeting(meeting_id)
    _check(meeting)
    save(lambda: services.delete_meeting(meeting))
    return None
