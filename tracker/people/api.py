"""People on the API: list, one, create, change, archive, restore, delete, through the same
services and rules as the pages."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from flask_smorest import abort

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import Change, Link, record_id, text
from tracker.api.pagination import PageArgs, link_header, page, page_schema
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, require_version, tagged
from tracker.models import Person, Role
from tracker.people import queries, services
from tracker.web.archiving import archive, restore

blp = Blueprint(
    "api_people",
    __name__,
    url_prefix="/api/v1/people",
    description="The officials and negotiators of each party.",
)


class PersonSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    name = text(
        required=True,
        min_length=1,
        max_length=200,
        metadata={"description": "Full name.", "example": "Rajnath Singh"},
    )
    position = text(
        max_length=200,
        load_default="",
        metadata={"description": "Their post, if known.", "example": "Defence Minister"},
    )
    party_id = record_id(
        required=True,
        metadata={"description": "The party they belong to (an active one, for a change)."},
    )
    archived = ma.fields.Function(lambda person: person.archived_at is not None, dump_only=True)
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link("api_people.one", {"person_id": "id"}, dump_only=True)


class PersonChangeSchema(Change, PersonSchema):
    """A change: only the fields sent are changed."""


class PersonListArgs(PageArgs):
    q = text(max_length=200, metadata={"description": "Part of the name or position."})
    party = record_id(strict=False, metadata={"description": "Only the people of this party."})
    archived = ma.fields.Boolean(
        load_default=False, metadata={"description": "List the archived people instead."}
    )


PersonPage = page_schema(PersonSchema, "PersonPage")


def _person(person_id: int) -> Person:
    person = queries.get_person(person_id)
    if person is None:
        abort(404, message=f"There is no person {person_id}.")
    return person


def _check(person: Person) -> None:
    """Refuse a change made from an older version of the person (If-Match)."""
    require_version(person, url_for("api_people.one", person_id=person.id))


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(PersonListArgs, location="query")
@blp.response(200, PersonPage)
def list_people(args):
    """The people, by name."""
    stmt = sa.select(Person).where(
        Person.archived_at.is_not(None) if args["archived"] else Person.archived_at.is_(None)
    )
    search = (args.get("q") or "").strip()
    if search:
        stmt = stmt.where(
            sa.or_(
                Person.name.icontains(search, autoescape=True),
                Person.position.icontains(search, autoescape=True),
            )
        )
    party_id = args.get("party")
    if party_id is not None:
        stmt = stmt.where(Person.party_id == party_id)
    scope = f"people:{args['archived']}:{party_id}:{search}"
    found = page(
        stmt, (Person.name, Person.id), scope=scope, cursor=args.get("cursor"), limit=args["limit"]
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_people.list"),
    )


@blp.route("/", endpoint="create", methods=["POST"])
@requires(Role.EDITOR)
@blp.arguments(PersonSchema)
@blp.response(201, PersonSchema)
def create_person(data):
    """Add a person to a party."""
    person = save(lambda: services.create_person(data["name"], data["position"], data["party_id"]))
    return tagged(person, 201, Location=url_for("api_people.one", person_id=person.id))


@blp.route("/<int:person_id>", endpoint="one", methods=["GET"])
@requires(Role.VIEWER)
@blp.alt_response(404, description="There is no such person.")
@blp.response(200, PersonSchema)
def get_person(person_id: int):
    """One person, archived or not, with their ETag."""
    return tagged(_person(person_id))


@blp.route("/<int:person_id>", endpoint="change", methods=["PATCH"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such person.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.arguments(PersonChangeSchema)
@blp.response(200, PersonSchema)
def change_person(data, person_id: int):
    """Change a person's name, position or party.

    Send the ETag you read them with as If-Match; only the fields sent change.
    """
    person = _person(person_id)
    _check(person)
    save(
        lambda: services.update_person(
            person,
            data.get("name", person.name),
            data.get("position", person.position),
            data.get("party_id", person.party_id),
        )
    )
    return tagged(person)


@blp.route("/<int:person_id>/archive", endpoint="archive", methods=["POST"])
@requires(Role.EDITOR)
@blp.alt_response(404, description="There is no such person.")
@blp.response(200, PersonSchema)
def archive_person(person_id: int):
    """Archive a person: hidden from lists and choices, kept with their history."""
    person = _person(person_id)
    save(lambda: archive(person))
    return tagged(person)


@blp.route("/<int:person_id>/restore", endpoint="restore", methods=["POST"])
@requires(Role.ADMIN)
@blp.alt_response(404, description="There is no such person.")
@blp.response(200, PersonSchema)
def restore_person(person_id: int):
    """Restore an archived person."""
    person = _person(person_id)
    save(lambda: restore(person))
    return tagged(person)


@blp.route("/<int:person_id>", endpoint="delete", methods=["DELETE"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such person.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(422, description="They attended meetings or own action items: archive them.")
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.response(204)
def delete_person(person_id: int):
    """Delete a person for good.

    Refused (422) while meetings or action items refer to them: archive them instead.
    """
    person = _person(person_id)
    _check(person)
    save(lambda: services.delete_person(person))
    return None
