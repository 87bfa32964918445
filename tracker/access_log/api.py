"""The access log on the API, for security officers only: who read (or was refused) which
marked record, when, from where, newest first, a page at a time."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import abort

from tracker.access_log import queries
from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.pagination import PageArgs, link_header
from tracker.models import Role
from tracker.web.security import log_refusal

blp = Blueprint(
    "api_access_log",
    __name__,
    url_prefix="/api/v1/access-log",
    description="The access log, for security officers: every read of a record marked at or "
    "above the deployment's ACCESS_LOG_LEVEL, and every request for a record its reader may "
    "not see.",
)


class AccessLogArgs(PageArgs):
    """The access log page's filters."""

    user = ma.fields.Integer(metadata={"description": "Only this user's entries (their id)."})
    record_type = ma.fields.String(
        validate=ma.validate.OneOf(["", *queries.RECORD_TYPES]),
        metadata={"description": "Only records of this kind (their table's name)."},
    )
    outcome = ma.fields.String(
        validate=ma.validate.OneOf(["", *queries.OUTCOMES]),
        metadata={"description": "Only reads, or only refusals."},
    )
    since = ma.fields.Date(metadata={"description": "From this day on (UTC)."})
    until = ma.fields.Date(metadata={"description": "Up to this day, included (UTC)."})


class AccessLogEntrySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    at = ma.fields.AwareDateTime(required=True, metadata={"description": "When, in UTC."})
    user_id = ma.fields.Integer(allow_none=True, required=True)
    username = ma.fields.String(allow_none=True, required=True)
    address = ma.fields.String(
        required=True, metadata={"description": "The address the request came from."}
    )
    path = ma.fields.String(required=True, metadata={"description": "The path it asked for."})
    outcome = ma.fields.String(
        required=True,
        metadata={"description": "read, or refused (the record exists; the reader got a 404)."},
    )
    record_type = ma.fields.String(
        required=True, metadata={"description": "The record's kind (its table's name)."}
    )
    record_id = ma.fields.Integer(required=True)
    part_id = ma.fields.Integer(
        allow_none=True,
        required=True,
        metadata={
            "description": "The second id of a record keyed by two (a position's party, an "
            "outcome's agreement); null otherwise."
        },
    )
    level = ma.fields.Integer(
        required=True, metadata={"description": "The record's level (0 is the lowest)."}
    )
    level_name = ma.fields.String(required=True)
    title = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The record's title; null unless the caller may see it."},
    )


class AccessLogPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(AccessLogEntrySchema), required=True)
    next = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The cursor of the next page; null on the last."},
    )


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(AccessLogArgs, location="query")
@blp.response(200, AccessLogPageSchema)
@blp.alt_response(403, description="The access log is for security officers only.")
def access_log(args):
    """The access log, newest first."""
    if not current_user.security_officer:
        log_refusal()
        abort(403, message="The access log is for security officers only.")
    filters = queries.LogFilters(
        user_id=args.get("user"),
        record_type=args.get("record_type", ""),
        outcome=args.get("outcome", ""),
        since=args.get("since"),
        until=args.get("until"),
    )
    found = queries.log_page(filters, args.get("cursor"), args["limit"])
    names = queries.titles(found.items)
    items = [
        {
            "id": entry.id,
            "at": entry.at,
            "user_id": entry.user_id,
            "username": entry.user.username if entry.user else None,
            "address": entry.address,
            "path": entry.path,
            "outcome": entry.outcome.value,
            "record_type": entry.record_type,
            "record_id": entry.record_id,
            "part_id": entry.part_id,
            "level": entry.level,
            "level_name": queries.level_name(entry.level),
            "title": names.get(queries.key_of(entry)),
        }
        for entry in found.items
    ]
    return {"items": items, "next": found.next}, 200, link_header(found.next, "api_access_log.list")
