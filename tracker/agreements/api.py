"""Agreements on the API: the list (the agreements page's filters, orders and search), one,
create, change, archive, restore, delete, and the status history with its moves, through
the same queries, services and rules as the pages."""

from __future__ import annotations

from dataclasses import replace

from flask import url_for
from flask_login import current_user
from flask_smorest import abort

from tracker.agreements import filters, queries, services
from tracker.agreements.schemas import (
    AgreementChangeSchema,
    AgreementListArgs,
    AgreementPage,
    AgreementSchema,
    StatusHistorySchema,
    StatusMoveSchema,
)
from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.pagination import link_header, page
from tracker.api.rows import records
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, etag, require_version, tagged
from tracker.models import (
    Agreement,
    Role,
    allowed_transitions,
    clock,
)
from tracker.web.archiving import archive, restore

blp = Blueprint(
    "api_agreements",
    __name__,
    url_prefix="/api/v1/agreements",
    description="Agreements under negotiation: their parties and roles, key dates and status, "
    "and the status history, moved only along the negotiation's transitions.",
)

STALE = CHANGE_RESPONSES[412]["description"]
NO_VERSION = CHANGE_RESPONSES[428]["description"]
NOT_FOUND = "There is no such agreement."
REFUSED = "Refused input or a broken rule; `errors` names the field."


def _agreement(agreement_id: int) -> Agreement:
    agreement = queries.agreement_for_api(agreement_id)
    if agreement is None:
        abort(404, message=f"There is no agreement {agreement_id}.")
    return agreement


def _check(agreement: Agreement) -> None:
    """Refuse a change made from an older version of the agreement (If-Match)."""
    require_version(agreement, url_for("api_agreements.one", agreement_id=agreement.id))


FIELDS = (
    "title",
    "short_name",
    "category",
    "priority",
    "summary",
    "lead_id",
    "opened_on",
    "target_on",
    "signed_on",
    "in_force_on",
)


def _values(data: dict, agreement: Agreement | None = None) -> dict:
    """The service's values: those sent, the agreement's own for the others."""
    values = {
        name: data[name] if name in data else getattr(agreement, name, None) for name in FIELDS
    }
    values["short_name"] = values["short_name"] or None
    return values


def _party_rows(data: dict, agreement: Agreement | None = None) -> list[tuple[int, str]]:
    if "party_links" not in data and agreement is not None:
        return [(link.party_id, link.role) for link in agreement.party_links]
    return [(row["party_id"], row["role"].value) for row in data.get("party_links", [])]


def _location(agreement: Agreement) -> str:
    return url_for("api_agreements.one", agreement_id=agreement.id)


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(AgreementListArgs, location="query")
@blp.alt_response(422, description=REFUSED)
@blp.response(200, AgreementPage)
def list_agreements(args):
    """The agreements, as the agreements page lists them: by title unless `sort` says
    otherwise; a search (`q`) keeps the same order, it is not ranked by relevance."""
    raw = {name: str(value) for name, value in args.items() if name in filters.FILTER_ARGS}
    wanted, problems = filters.read_filters(raw)
    if problems:
        abort(
            422,
            message="Some of the list's arguments are not ones it takes.",
            errors={"query": {name: [message] for name, message in problems.items()}},
        )
    wanted = replace(wanted, archived=args["archived"])
    stmt, keys = queries.agreements_in_order(wanted, args["limit"] + 1)
    found = page(
        stmt,
        keys,
        scope=f"agreements:{wanted}",
        cursor=args.get("cursor"),
        limit=args["limit"],
        whole_rows=True,
    )
    parties = queries.party_links(found.items)
    rows = records(found.items, "party_links", [parties.get(row.id, []) for row in found.items])
    return (
        {"items": rows, "next": found.next},
        200,
        link_header(found.next, "api_agreements.list"),
    )


@blp.route("/", endpoint="create", methods=["POST"])
@requires(Role.EDITOR)
@blp.arguments(AgreementSchema)
@blp.alt_response(422, description=REFUSED)
@blp.response(201, AgreementSchema)
def create_agreement(data):
    """Create an agreement with its parties, and its status as it stands (its first step)."""
    agreement = save(
        lambda: services.create_agreement(
            values=_values(data),
            parties=_party_rows(data),
            status=data["status"],
            status_on=data.get("status_changed_on") or clock.today(),
            recorded_by=current_user,
            marking=data.get("marking_id"),
        )
    )
    return tagged(agreement, 201, Location=_location(agreement))


@blp.route("/<int:agreement_id>", endpoint="one", methods=["GET"])
@requires(Role.VIEWER)
@blp.alt_response(404, description=NOT_FOUND)
@blp.response(200, AgreementSchema)
def get_agreement(agreement_id: int):
    """One agreement (archived ones too), with its ETag."""
    return tagged(_agreement(agreement_id))


@blp.route("/<int:agreement_id>", endpoint="change", methods=["PATCH"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.arguments(AgreementChangeSchema)
@blp.alt_response(404, description=NOT_FOUND)
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(200, AgreementSchema)
def change_agreement(data, agreement_id: int):
    """Change an agreement's fields or parties; send the ETag you read it with as If-Match."""
    agreement = _agreement(agreement_id)
    _check(agreement)
    save(
        lambda: services.update_agreement(
            agreement,
            values=_values(data, agreement),
            parties=_party_rows(data, agreement),
            marking=data.get("marking_id"),
        )
    )
    return tagged(agreement)


@blp.route("/<int:agreement_id>/archive", endpoint="archive", methods=["POST"])
@requires(Role.EDITOR)
@blp.alt_response(404, description=NOT_FOUND)
@blp.response(200, AgreementSchema)
def archive_agreement(agreement_id: int):
    """Archive an agreement: hidden from lists, kept with its history."""
    agreement = _agreement(agreement_id)
    save(lambda: archive(agreement))
    return tagged(agreement)


@blp.route("/<int:agreement_id>/restore", endpoint="restore", methods=["POST"])
@requires(Role.ADMIN)
@blp.alt_response(404, description=NOT_FOUND)
@blp.response(200, AgreementSchema)
def restore_agreement(agreement_id: int):
    """Restore an archived agreement."""
    agreement = _agreement(agreement_id)
    save(lambda: restore(agreement))
    return tagged(agreement)


@blp.route("/<int:agreement_id>", endpoint="delete", methods=["DELETE"])
@requires(Role.ADMIN)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description=NOT_FOUND)
@blp.alt_response(412, description=STALE)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(204)
def delete_agreement(agreement_id: int):
    """Delete an agreement for good, with its history, points, actions and agenda entries."""
    agreement = _agreement(agreement_id)
    _check(agreement)
    save(lambda: services.delete(agreement))
    return None


@blp.route("/<int:agreement_id>/status", endpoint="status_history", methods=["GET"])
@requires(Role.VIEWER)
@blp.alt_response(404, description=NOT_FOUND)
@blp.response(200, StatusHistorySchema)
def status_history(agreement_id: int):
    """The agreement's status, where it may move next, and its history, oldest first; the
    ETag is the agreement's, to send with a move."""
    agreement = queries.agreement_with_history(agreement_id)
    if agreement is None:
        abort(404, message=f"There is no agreement {agreement_id}.")
    history = {
        "status": agreement.status,
        "allowed": allowed_transitions(agreement.status),
        "items": agreement.status_changes,
    }
    return history, 200, {"ETag": etag(agreement)}


@blp.route("/<int:agreement_id>/status", endpoint="change_status", methods=["POST"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.arguments(StatusMoveSchema)
@blp.alt_response(404, description=NOT_FOUND)
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(200, AgreementSchema)
def change_status(data, agreement_id: int):
    """Move the agreement to another status, recorded in its history; only the moves the
    negotiation rules allow (422 naming `status` otherwise). Send the agreement's ETag as
    If-Match: the move changes the agreement."""
    agreement = _agreement(agreement_id)
    _check(agreement)
    save(
        lambda: services.change_status(
            agreement,
            status=data["status"],
            effective_on=data["effective_on"],
            note=data["note"].strip(),
            meeting_id=data["meeting"],
            recorded_by=current_user,
            marking=data["marking_id"],
        )
    )
    return tagged(agreement)
