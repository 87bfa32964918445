"""Parties on the API: list, one, create, change, archive, restore, delete, through the same
services and rules as the pages."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from flask_smorest import abort

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import Change, Link, Text
from tracker.api.pagination import PageArgs, link_header, page, page_schema
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, require_version, tagged
from tracker.models import Party, PartyKind, Role
from tracker.parties import queries, services
from tracker.web.archiving import archive, restore
from tracker.web.arguments import clean_search

blp = Blueprint(
    "api_parties",
    __name__,
    url_prefix="/api/v1/parties",
    description="States, international organisations and groupings that take part in agreements.",
)


class PartySchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = Text(
        required=True, validate=ma.validate.Length(min=1, max=200), metadata={"example": "India"}
    )
    kind = ma.fields.Enum(PartyKind, by_value=True, required=True)
    code = Text(
        allow_none=True,
        validate=ma.validate.Length(max=16),
        metadata={"description": "States: the ISO 3166-1 alpha-3 code (IND). Others: optional."},
    )
    archived = ma.fields.Function(
        lambda party: party.archived_at is not None,
        dump_only=True,
        metadata={"type": "boolean", "description": "Hidden from lists and choices."},
    )
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link(
        "api_parties.one",
        {"party_id": "id"},
        dump_only=True,
        metadata={"type": "string", "description": "Where to read and change the party."},
    )


class PartyChangeSchema(Change, PartySchema):
    """A change: only the fields sent are changed."""


class PartyListArgs(PageArgs):
    q = ma.fields.String(
        validate=ma.validate.Length(max=200),
        metadata={"description": "Part of the name or code."},
    )
    archived = ma.fields.Boolean(
        load_default=False, metadata={"description": "List the archived parties instead."}
    )


PartyPage = page_schema(PartySchema, "PartyPage")


def _party(party_id: int) -> Party:
    party = queries.get_party(party_id)
    if party is None:
        abort(404, message=f"There is no party {party_id}.")
    return party


def _check(party: Party) -> None:
    """Refuse a change made from an older version of the party (If-Match)."""
    require_version(party, url_for("api_parties.one", party_id=party.id))


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(PartyListArgs, location="query")
@blp.response(200, PartyPage)
def list_parties(args):
    """The parties, by name."""
    stmt = sa.select(Party).where(
        Party.archived_at.is_not(None) if args["archived"] else Party.archived_at.is_(None)
    )
    search = clean_search(args.get("q"))
    if search:
        stmt = stmt.where(
            sa.or_(
                Party.name.icontains(search, autoescape=True),
                Party.code.icontains(search, autoescape=True),
            )
        )
    scope = f"parties:{args['archived']}:{search}"
    found = page(
        stmt, (Party.name, Party.id), scope=scope, cursor=args.get("cursor"), limit=args["limit"]
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_parties.list"),
    )


@blp.route("/", endpoint="create", methods=["POST"])
@requires(Role.EDITOR)
@blp.arguments(PartySchema)
@blp.response(201, PartySchema)
def create_party(data):
    """Create a party."""
    party = save(lambda: services.create_party(data["name"], data["kind"], data.get("code")))
    return tagged(party, 201, Location=url_for("api_parties.one", party_id=party.id))


@blp.route("/<int:party_id>", endpoint="one", methods=["GET"])
@requires(Role.VIEWER)
@blp.response(200, PartySchema)
def get_party(party_id: int):
    """One party, with its ETag."""
    return tagged(_party(party_id))


@blp.route("/<int:party_id>", endpoint="change", methods=["PATCH"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.arguments(PartyChangeSchema)
@blp.response(200, PartySchema)
def change_party(data, party_id: int):
    """Change a party's name, kind or code; send the ETag you read it with as If-Match."""
    party = _party(party_id)
    _check(party)
    save(
        lambda: services.update_party(
            party,
            data.get("name", party.name),
            data.get("kind", party.kind),
            data.get("code", party.code),
        )
    )
    return tagged(party)


@blp.route("/<int:party_id>/archive", endpoint="archive", methods=["POST"])
@requires(Role.EDITOR)
@blp.response(200, PartySchema)
def archive_party(party_id: int):
    """Archive a party: hidden from lists and choices, kept with its history."""
    party = _party(party_id)
    save(lambda: archive(party))
    return tagged(party)


@blp.route("/<int:party_id>/restore", endpoint="restore", methods=["POST"])
@requires(Role.ADMIN)
@blp.response(200, PartySchema)
def restore_party(party_id: int):
    """Restore an archived party."""
    party = _party(party_id)
    save(lambda: restore(party))
    return tagged(party)


@blp.route("/<int:party_id>", endpoint="delete", methods=["DELETE"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.response(204)
def delete_party(party_id: int):
    """Delete a party for good; refused (422) while records refer to it: archive it instead."""
    party = _party(party_id)
    _check(party)
    save(lambda: services.delete_party(party))
    return None
