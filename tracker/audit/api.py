"""The audit history of one record on the API: who changed it, when, and what, newest first,
readable as the record's history page is (a user's history by admins only)."""

from __future__ import annotations

import marshmallow as ma
from flask_login import current_user
from flask_smorest import abort

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.pagination import PageArgs, link_header, page, page_schema
from tracker.audit import queries
from tracker.models import AuditAction, Role
from tracker.web.security import log_refusal

blp = Blueprint(
    "api_audit",
    __name__,
    url_prefix="/api/v1/audit",
    description="The audit trail: every change to a record, by whom and when, written in the "
    "same transaction as the change.",
)


class ChangeSchema(ma.Schema):
    field = ma.fields.String(required=True, metadata={"description": "The field's name."})
    old = ma.fields.Raw(
        allow_none=True,
        required=True,
        metadata={"description": "Its value before (a JSON scalar); null when created."},
    )
    new = ma.fields.Raw(
        allow_none=True,
        required=True,
        metadata={"description": "Its value after (a JSON scalar); secrets read “(changed)”."},
    )


class AuthorSchema(ma.Schema):
    display_name = ma.fields.String(required=True)


class AuditEntrySchema(ma.Schema):
    """One change to one record: who made it (``user``) and, through the API, with which of
    their tokens (``token``)."""

    id = ma.fields.Integer(required=True)
    recorded_at = ma.fields.AwareDateTime(
        required=True, metadata={"description": "When it was recorded, in UTC."}
    )
    user = ma.fields.Pluck(
        "AuthorSchema",
        "display_name",
        allow_none=True,
        required=True,
        metadata={"description": "Who made it (display name); null for the command line."},
    )
    token = ma.fields.String(
        attribute="token_name",
        allow_none=True,
        required=True,
        metadata={"description": "The name of the API token it came through; null otherwise."},
    )
    action = ma.fields.Enum(AuditAction, by_value=True, required=True)
    record_type = ma.fields.String(required=True)
    record_id = ma.fields.Integer(required=True)
    summary = ma.fields.String(
        required=True, metadata={"description": "The record's name when it was changed."}
    )
    changes = ma.fields.List(
        ma.fields.Nested(ChangeSchema),
        required=True,
        metadata={"description": "Each field changed, with its old and new value."},
    )


AuditPage = page_schema(AuditEntrySchema, "AuditPage")


@blp.route(
    f"/<any({', '.join(queries.RECORD_TYPES)}):record_type>/<int:record_id>",
    endpoint="history",
    methods=["GET"],
)
@requires(Role.VIEWER)
@blp.arguments(PageArgs, location="query")
@blp.response(200, AuditPage)
@blp.alt_response(403, description="A user's history is for admins only.")
@blp.alt_response(404, description="There is no such record, and no history of one.")
def history(args, record_type: str, record_id: int):
    """The history of one record, newest first: kept after the record is deleted."""
    if record_type in queries.ADMIN_HISTORIES and not current_user.can(Role.ADMIN):
        log_refusal()
        abort(403, message="A user's history is for admins only.")
    found = page(
        queries.history_select(record_type, record_id),
        queries.HISTORY_ORDER,
        scope=f"audit:{record_type}:{record_id}",
        cursor=args.get("cursor"),
        limit=args["limit"],
        descending=True,
    )
    # A deleted record keeps its history; only a record that never had one is missing.
    first_page = not args.get("cursor")
    if first_page and not found.items and not queries.record_exists(record_type, record_id):
        abort(404, message=f"There is no {record_type} {record_id}, and no history of one.")
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_audit.history", record_type=record_type, record_id=record_id),
    )
