"""Action items on the API: list, one, create, change, done and reopen, delete, through the
same services and rules as the agreement page's forms and buttons."""

from __future__ import annotations

import marshmallow as ma
import sqlalchemy as sa
from flask import url_for
from flask_smorest import abort

from tracker.actions import queries, services
from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import Change, Flag, Link, record_id, text
from tracker.api.pagination import PageArgs, link_header, page, page_schema
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, require_version, tagged
from tracker.markings.queries import at_or_above
from tracker.markings.schemas import Level, Marking
from tracker.models import ActionItem, Role, clock

blp = Blueprint(
    "api_actions",
    __name__,
    url_prefix="/api/v1/actions",
    description="What someone has to do next for an agreement.",
)


class ActionSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    agreement_id = record_id(
        required=True, metadata={"description": "The agreement the action is for."}
    )
    description = text(
        required=True,
        max_length=500,
        metadata={"description": "What has to be done.", "example": "Send the revised draft"},
    )
    owner_id = record_id(
        allow_none=True, load_default=None, metadata={"description": "The person who does it."}
    )
    due_on = ma.fields.Date(
        allow_none=True, load_default=None, metadata={"description": "When it is due."}
    )
    meeting_id = record_id(
        allow_none=True,
        load_default=None,
        metadata={"description": "The meeting where it was agreed."},
    )
    done = Flag(
        load_default=False,
        metadata={"description": "Whether it is done; marking it done records today."},
    )
    done_on = ma.fields.Date(
        dump_only=True,
        allow_none=True,
        metadata={"description": "The day it was marked done; null while open."},
    )
    marking = Marking(load_default=None)
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link("api_actions.one", {"action_id": "id"}, dump_only=True)


class ActionChangeSchema(Change, ActionSchema):
    """A change: only the fields sent are changed; the agreement stays."""

    class Meta:
        exclude = ("agreement_id",)


class ActionListArgs(PageArgs):
    agreement = record_id(strict=False, metadata={"description": "Only this agreement's items."})
    done = ma.fields.Boolean(
        metadata={"description": "true: only the items done; false: only the open ones."}
    )
    owner = record_id(strict=False, metadata={"description": "Only this person's items."})
    due_before = ma.fields.Date(
        metadata={
            "description": "Only the items due before this day (with done=false and today: "
            "the overdue ones)."
        }
    )
    due_from = ma.fields.Date(metadata={"description": "Only the items due on or after this day."})
    classification = Level(
        metadata={"description": "Only those marked at this level (by name) or higher."}
    )


ActionPage = page_schema(ActionSchema, "ActionPage")


def _action(action_id: int) -> ActionItem:
    action = queries.action_for_form(action_id)
    if action is None:
        abort(404, message=f"There is no action item {action_id}.")
    return action


def _check(action: ActionItem) -> None:
    """Refuse a change made from an older version of the action item (If-Match)."""
    require_version(action, url_for("api_actions.one", action_id=action.id))


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(ActionListArgs, location="query")
@blp.response(200, ActionPage)
def list_actions(args):
    """The action items, oldest first."""
    stmt = sa.select(ActionItem)
    filters = {
        "agreement": lambda value: ActionItem.agreement_id == value,
        "done": lambda value: ActionItem.done.is_(value),
        "owner": lambda value: ActionItem.owner_id == value,
        "due_before": lambda value: ActionItem.due_on < value,
        "due_from": lambda value: ActionItem.due_on >= value,
        "classification": lambda value: at_or_above(ActionItem.marking_id, value),
    }
    for name, condition in filters.items():
        if args.get(name) is not None:
            stmt = stmt.where(condition(args[name]))
    scope = "actions:" + ":".join(str(args.get(name)) for name in filters)
    found = page(
        stmt, (ActionItem.id,), scope=scope, cursor=args.get("cursor"), limit=args["limit"]
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_actions.list"),
    )


@blp.route("/", endpoint="create", methods=["POST"])
@requires(Role.EDITOR)
@blp.alt_response(422, description="Refused input, or a broken rule, by field.")
@blp.arguments(ActionSchema)
@blp.response(201, ActionSchema)
def create_action(data):
    """Add an action item to an agreement."""
    agreement = queries.agreement_for_form(data["agreement_id"])
    if agreement is None:
        message = "There is no such agreement."
        abort(422, message=message, errors={"json": {"agreement_id": [message]}})

    def add() -> ActionItem:
        action = services.create_action(
            agreement,
            description=data["description"],
            owner_id=data["owner_id"],
            due_on=data["due_on"],
            meeting_id=data["meeting_id"],
            marking=data["marking_id"],
        )
        if data["done"]:
            services.set_done(action, True, clock.today())
        return action

    action = save(add)
    return tagged(action, 201, Location=url_for("api_actions.one", action_id=action.id))


@blp.route("/<int:action_id>", endpoint="one", methods=["GET"])
@requires(Role.VIEWER)
@blp.alt_response(404, description="There is no such action item.")
@blp.response(200, ActionSchema)
def get_action(action_id: int):
    """One action item, with its ETag."""
    return tagged(_action(action_id))


@blp.route("/<int:action_id>", endpoint="change", methods=["PATCH"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such action item.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(422, description="Refused input, or a broken rule, by field.")
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.arguments(ActionChangeSchema)
@blp.response(200, ActionSchema)
def change_action(data, action_id: int):
    """Change an action item.

    Send the ETag you read it with as If-Match; only the fields sent change.
    """
    action = _action(action_id)
    _check(action)
    save(
        lambda: services.update_action(
            action,
            description=data.get("description", action.description),
            owner_id=data.get("owner_id", action.owner_id),
            due_on=data.get("due_on", action.due_on),
            meeting_id=data.get("meeting_id", action.meeting_id),
            done=data.get("done", action.done),
            marking=data.get("marking_id"),
        )
    )
    return tagged(action)


def _mark(action_id: int, done: bool):
    action = _action(action_id)
    # As the page's buttons: the call says which state it wants, so repeating it, or making
    # it after someone else did, changes nothing; no If-Match needed.
    if action.done != done:
        save(lambda: services.set_done(action, done, clock.today()))
    return tagged(action)


@blp.route("/<int:action_id>/done", endpoint="done", methods=["POST"])
@requires(Role.EDITOR)
@blp.alt_response(404, description="There is no such action item.")
@blp.response(200, ActionSchema)
def mark_done(action_id: int):
    """Mark an action item done today; one already done stays as it is."""
    return _mark(action_id, True)


@blp.route("/<int:action_id>/reopen", endpoint="reopen", methods=["POST"])
@requires(Role.EDITOR)
@blp.alt_response(404, description="There is no such action item.")
@blp.response(200, ActionSchema)
def reopen(action_id: int):
    """Reopen an action item that was done; an open one stays as it is."""
    return _mark(action_id, False)


@blp.route("/<int:action_id>", endpoint="delete", methods=["DELETE"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such action item.")
@blp.alt_response(412, description=CHANGE_RESPONSES[412]["description"])
@blp.alt_response(428, description=CHANGE_RESPONSES[428]["description"])
@blp.response(204)
def delete_action(action_id: int):
    """Delete an action item."""
    action = _action(action_id)
    _check(action)
    save(lambda: services.delete_action(action))
    return None
