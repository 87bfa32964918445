"""Named groups and agreements' access lists on the API, through the same queries, services
and rules as the pages: groups are read by every user and changed by admins; an
agreement's list is read and changed by those who manage it (its lead, and admins who can
see it), a 404 for anyone who cannot see the agreement."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy.orm import selectinload

from tracker.access import queries, services
from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import Change, Flag, Link, Text, record_id
from tracker.api.pagination import PageArgs, link_header, page, page_schema
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, etag, require_version, tagged
from tracker.models import AccessGroup, Agreement, Role
from tracker.web.arguments import clean_search
from tracker.web.security import log_refusal

blp = Blueprint(
    "api_access",
    __name__,
    url_prefix="/api/v1",
    description="Need-to-know: named groups of users, and the access lists of agreements "
    "(who besides their lead sees a need-to-know agreement and everything under it).",
)

STALE = CHANGE_RESPONSES[412]["description"]
NO_VERSION = CHANGE_RESPONSES[428]["description"]
REFUSED = "Refused input or a broken rule; `errors` names the field."
MAX_IDS = 1000


class MemberSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    username = ma.fields.String(dump_only=True)
    display_name = ma.fields.String(dump_only=True)


def _ids(description: str):
    return ma.fields.List(
        record_id(),
        validate=ma.validate.Length(max=MAX_IDS),
        metadata={"description": description},
    )


class GroupSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = Text(
        required=True,
        validate=ma.validate.Length(min=1, max=services.NAME_LENGTH),
        metadata={"example": "East Asia desk"},
    )
    description = Text(validate=ma.validate.Length(max=services.DESCRIPTION_LENGTH))
    member_ids = _ids("The members' user ids; a change sends them all.")
    members = ma.fields.List(ma.fields.Nested(MemberSchema), dump_only=True)
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link(
        "api_access.group",
        {"group_id": "id"},
        dump_only=True,
        metadata={"type": "string", "description": "Where to read and change the group."},
    )

    @ma.post_dump(pass_original=True)
    def _member_ids(self, data, group, **_kwargs):
        data["member_ids"] = [member.id for member in group.members]
        return data


class GroupChangeSchema(Change, GroupSchema):
    """A change: only the fields sent are changed."""


class GroupListArgs(PageArgs):
    q = ma.fields.String(
        validate=ma.validate.Length(max=200), metadata={"description": "Part of the name."}
    )


GroupPage = page_schema(GroupSchema, "GroupPage")


class EntrySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    user = ma.fields.Nested(MemberSchema, dump_only=True, allow_none=True)
    group = ma.fields.Function(
        lambda entry: (
            {"id": entry.group.id, "name": entry.group.name} if entry.group is not None else None
        ),
        dump_only=True,
        metadata={
            "type": ["object", "null"],
            "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
        },
    )


class AccessListSchema(ma.Schema):
    need_to_know = Flag(
        metadata={"description": "On: only the lead and those on the list see the agreement."}
    )
    user_ids = _ids("The users on the list; a change sends them all (omit: as they are).")
    group_ids = _ids("The groups on the list; a change sends them all (omit: as they are).")
    lead = ma.fields.Nested(MemberSchema, dump_only=True, allow_none=True)
    entries = ma.fields.List(ma.fields.Nested(EntrySchema), dump_only=True)
    warning = ma.fields.String(
        dump_only=True,
        allow_none=True,
        metadata={"description": "Set when need-to-know is on with nobody on the list."},
    )
    version = ma.fields.Integer(
        dump_only=True, metadata={"description": "The agreement's version (its ETag)."}
    )


class AccessListChangeSchema(Change, AccessListSchema):
    """A change: only the fields sent are changed."""


def _group(group_id: int) -> AccessGroup:
    group = queries.get_group(group_id)
    if group is None:
        abort(404, message=f"There is no group {group_id}.")
    return group


# -- Groups ------------------------------------------------------------------------------


@blp.route("/groups/", endpoint="groups", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(GroupListArgs, location="query")
@blp.response(200, GroupPage)
def list_groups(args):
    """The groups, by name, with their members."""
    stmt = sa.select(AccessGroup).options(selectinload(AccessGroup.members))
    search = clean_search(args.get("q"))
    if search:
        stmt = stmt.where(AccessGroup.name.icontains(search, autoescape=True))
    found = page(
        stmt,
        (AccessGroup.name, AccessGroup.id),
        scope=f"groups:{search}",
        cursor=args.get("cursor"),
        limit=args["limit"],
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_access.groups"),
    )


@blp.route("/groups/", endpoint="create_group", methods=["POST"])
@requires(Role.ADMIN)
@blp.arguments(GroupSchema)
@blp.alt_response(422, description=REFUSED)
@blp.response(201, GroupSchema)
def create_group(data):
    """Create a group (admins)."""
    group = save(
        lambda: services.create_group(
            data["name"], data.get("description", ""), data.get("member_ids", [])
        )
    )
    return tagged(group, 201, Location=url_for("api_access.group", group_id=group.id))


@blp.route("/groups/<int:group_id>", endpoint="group", methods=["GET"])
@requires(Role.VIEWER)
@blp.response(200, GroupSchema)
def get_group(group_id: int):
    """One group with its members, and its ETag."""
    return tagged(_group(group_id))


@blp.route("/groups/<int:group_id>", endpoint="change_group", methods=["PATCH"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.arguments(GroupChangeSchema)
@blp.response(200, GroupSchema)
def change_group(data, group_id: int):
    """Rename a group or set its members (admins); a member taken off loses what its lists
    gave them from their next request. Send the ETag you read it with as If-Match."""
    group = _group(group_id)
    require_version(group, url_for("api_access.group", group_id=group.id))
    save(
        lambda: services.update_group(
            group,
            data.get("name", group.name),
            data.get("description", group.description),
            data.get("member_ids", [member.id for member in group.members]),
        )
    )
    return tagged(group)


@blp.route("/groups/<int:group_id>", endpoint="delete_group", methods=["DELETE"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(412, description=STALE)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(204)
def delete_group(group_id: int):
    """Delete a group (admins); the access lists that named it lose it."""
    group = _group(group_id)
    require_version(group, url_for("api_access.group", group_id=group.id))
    save(lambda: services.delete_group(group))
    return None


# -- An agreement's access list ---------------------------------------------------------


def _managed(agreement_id: int) -> Agreement:
    agreement = queries.agreement_with_list(agreement_id)
    if agreement is None:
        abort(404, message=f"There is no agreement {agreement_id}.")
    if not services.manages(current_user, agreement):
        log_refusal()
        abort(403, message="Only the agreement's lead and admins manage its access list.")
    return agreement


def _access_list(agreement: Agreement) -> tuple:
    entries = queries.entries_in_order(agreement)
    answer = {
        "need_to_know": agreement.need_to_know,
        "user_ids": sorted(e.user_id for e in entries if e.user_id is not None),
        "group_ids": sorted(e.group_id for e in entries if e.group_id is not None),
        "lead": agreement.lead,
        "entries": entries,
        "warning": (
            "Nobody is on the list: only the lead sees this agreement."
            if services.only_the_lead(agreement)
            else None
        ),
        "version": agreement.version,
    }
    return answer, 200, {"ETag": etag(agreement)}


@blp.route("/agreements/<int:agreement_id>/access", endpoint="agreement_access", methods=["GET"])
@requires(Role.VIEWER)
@blp.response(200, AccessListSchema)
def agreement_access(agreement_id: int):
    """An agreement's need-to-know switch and access list, for its lead and admins; the
    ETag is the agreement's, to send with a change."""
    return _access_list(_managed(agreement_id))


@blp.route(
    "/agreements/<int:agreement_id>/access", endpoint="change_agreement_access", methods=["PATCH"]
)
@requires(Role.VIEWER)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.arguments(AccessListChangeSchema)
@blp.response(200, AccessListSchema)
def change_agreement_access(data, agreement_id: int):
    """Switch need-to-know and set who is on the list (users and groups, each sent whole);
    for its lead and admins. Send the agreement's ETag as If-Match."""
    agreement = _managed(agreement_id)
    require_version(agreement, url_for("api_access.agreement_access", agreement_id=agreement.id))
    save(
        lambda: services.replace_list(
            agreement,
            user_ids=data.get("user_ids"),
            group_ids=data.get("group_ids"),
            need_to_know=data.get("need_to_know"),
        )
    )
    return _access_list(agreement)
