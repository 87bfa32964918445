"""Negotiating texts on the API: an agreement's texts, a text's revisions, a revision read as
the document it is, its provisions added, replaced, removed and their brackets cleaned, and
our side's internal notes, through the same queries, services and rules as the pages.

A provision is the unit of change: it carries its own ETag, so two people editing different
articles of one draft never refuse each other, and two editing the same one never lose each
other's work (the second gets 412). A revision's ETag guards issuing and deleting it.
"""

from __future__ import annotations

import dataclasses
import re
from types import SimpleNamespace

import sqlalchemy as sa
from flask import g, url_for
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy.orm import joinedload, selectinload

from tracker.agreements.queries import agreement_for_api
from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.pagination import PageArgs, link_header, page
from tracker.api.saving import save
from tracker.api.versions import CHANGE_RESPONSES, IF_MATCH, require_version, tagged
from tracker.models import (
    InternalNote,
    NegotiatingText,
    ProvisionRevision,
    Revision,
    Role,
    RuleError,
)
from tracker.models import text_document as doc
from tracker.texts import queries, services
from tracker.texts.schemas import (
    CleanSchema,
    DocumentSchema,
    InternalNotePage,
    InternalNoteSchema,
    IssueSchema,
    NewProvisionSchema,
    ProvisionSchema,
    RevisionArgs,
    StartSchema,
    TextArgs,
    TextPage,
    TextSchema,
)

blp = Blueprint(
    "api_texts",
    __name__,
    url_prefix="/api/v1",
    description="Negotiating texts: an agreement's main text and annexes, revision by "
    "revision; provisions with their brackets, each party's proposals and stances, and "
    "our side's internal notes, which are never part of the shared text.",
)

STALE = CHANGE_RESPONSES[412]["description"]
NO_VERSION = CHANGE_RESPONSES[428]["description"]
REFUSED = (
    "Refused input or a broken rule (an issued revision is frozen, a party code no party "
    "has, an alternative of another provision); `errors` names the field."
)


# -- Loading, or 404 ---------------------------------------------------------------------------


def _text(text_id: int) -> NegotiatingText:
    text = queries.text_for_api(text_id)
    if text is None:
        abort(404, message=f"There is no text {text_id}.")
    return text


def _revision(text: NegotiatingText, revision_id: int) -> Revision:
    revision = queries.revision_of(text, revision_id)
    if revision is None:
        abort(404, message=f"{text.title} has no revision {revision_id}.")
    return revision


def _row(revision: Revision, provision_id: int) -> ProvisionRevision:
    row = queries.provision_row(revision, provision_id)
    if row is None:
        abort(404, message=f"{revision.label} has no provision {provision_id}.")
    return row


def _revision_url(revision: Revision) -> str:
    return url_for("api_texts.revision", text_id=revision.text_id, revision_id=revision.id)


def _provision_url(revision: Revision, row_id: int) -> str:
    return url_for(
        "api_texts.provision",
        text_id=revision.text_id,
        revision_id=revision.id,
        provision_id=row_id,
    )


# -- Where a broken rule is in the body ----------------------------------------------------


def _where(renames: dict[str, str] | None = None):
    """Place a TextError's field in the body as marshmallow nests it: the services' form-style
    names (``segments-0-alternatives-1``) by index, their keywords by the API's names, and a
    rule about the whole record (``revision``: it is frozen) on ``_schema``."""
    renames = {"revision": "_schema", **(renames or {})}

    def where(error: RuleError) -> dict:
        field = error.field or "_schema"
        field = renames.get(field, field)
        *outer, last = re.split(r"[.-]", field)
        placed: dict = {last: [str(error)]}
        for part in reversed(outer):
            placed = {part: placed}
        return placed

    return where


# -- A revision as the API shows it ------------------------------------------------------------


class _Document(SimpleNamespace):
    """A revision and what it holds: the revision's own fields, and the document's."""

    def __init__(self, revision: Revision, **values) -> None:
        super().__init__(**values)
        self._revision = revision

    def __getattr__(self, name: str):
        return getattr(self.__dict__["_revision"], name)


def _provision(revision: Revision, value: doc.Provision, ref, markings: dict[int, int]) -> dict:
    shown = dataclasses.asdict(value)
    for segment in shown["segments"]:
        for alternative in segment["alternatives"]:
            alternative["marking_id"] = markings.get(alternative["key"])
    shown.update(id=ref.id, version=ref.version, url=_provision_url(revision, ref.id))
    return shown


def _provisions(revision: Revision, value: doc.Document) -> list[dict]:
    refs = queries.rows_by_key(revision.id)
    markings = queries.alternative_markings(revision.id)
    return [_provision(revision, p, refs[p.key], markings) for p in value.provisions]


def _document(revision: Revision, *, internal: bool = False) -> _Document:
    value = queries.document(revision, internal=internal)
    shown = {
        "title": value.title,
        "provisions": _provisions(revision, value),
        "open_brackets": value.open_brackets,
        "parties": value.parties,
        "classification": value.marking,
    }
    if internal:
        shown["internal_notes"] = queries.internal_notes_of(revision.text)
    return _Document(revision, **shown)


def _one_provision(revision: Revision, row_id: int, status: int = 200, **headers) -> tuple:
    value = queries.document(revision)
    found = next(p for p in _provisions(revision, value) if p["id"] == row_id)
    return tagged(SimpleNamespace(**found), status, **headers)


def _markings(data: dict) -> services.AlternativeMarkings:
    """The markings sent for a provision's alternatives, by (segment, alternative) place."""
    return {
        (index, position): sent["marking_id"]
        for index, segment in enumerate(data["segments"])
        for position, sent in enumerate(segment["alternatives"])
        if sent["marking_id"] is not None
    }


def _value(data: dict) -> doc.Provision:
    """A provision sent as the API takes it, as the services take it."""

    def note(sent: dict) -> doc.Note:
        return doc.Note(kind=sent["kind"], body=sent["body"], party=sent["party"])

    def alternative(sent: dict) -> doc.Alternative:
        return doc.Alternative(
            wording=sent["wording"],
            proposed_by=tuple(sent["proposed_by"]),
            supported_by=tuple(sent["supported_by"]),
            opposed_by=tuple(sent["opposed_by"]),
            label=sent["label"],
            notes=tuple(note(n) for n in sent["notes"]),
            key=sent["key"],
        )

    return doc.Provision(
        label=data["label"],
        kind=data["kind"],
        heading=data["heading"],
        status=data["status"],
        depth=data["depth"],
        segments=tuple(
            doc.Segment(
                text=s["text"],
                alternatives=tuple(alternative(a) for a in s["alternatives"]),
                won=s["won"],
            )
            for s in data["segments"]
        ),
        notes=tuple(note(n) for n in data["notes"]),
    )


# -- Texts -------------------------------------------------------------------------------------


@blp.route("/agreements/<int:agreement_id>/texts", endpoint="texts", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(PageArgs, location="query")
@blp.alt_response(404, description="There is no such agreement.")
@blp.response(200, TextPage)
def list_texts(args, agreement_id: int):
    """An agreement's texts (main text, annexes...), oldest first, each with its revisions."""
    if agreement_for_api(agreement_id) is None:
        abort(404, message=f"There is no agreement {agreement_id}.")
    stmt = (
        sa.select(NegotiatingText)
        .where(NegotiatingText.agreement_id == agreement_id)
        .options(selectinload(NegotiatingText.revisions).joinedload(Revision.issuing_party))
    )
    found = page(
        stmt,
        (NegotiatingText.id,),
        scope=f"texts:{agreement_id}",
        cursor=args.get("cursor"),
        limit=args["limit"],
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_texts.texts", agreement_id=agreement_id),
    )


@blp.route("/agreements/<int:agreement_id>/texts", endpoint="create", methods=["POST"])
@requires(Role.EDITOR)
@blp.arguments(TextSchema)
@blp.alt_response(404, description="There is no such agreement.")
@blp.alt_response(422, description=REFUSED)
@blp.response(201, TextSchema)
def create_text(data, agreement_id: int):
    """Add a text to an agreement, with an empty first draft (`first_label`)."""
    agreement = agreement_for_api(agreement_id)
    if agreement is None:
        abort(404, message=f"There is no agreement {agreement_id}.")
    text = save(
        lambda: services.create_text(
            agreement,
            title=data["title"],
            kind=data["kind"],
            first_label=data["first_label"],
            marking=data["marking_id"],
        ),
        where=_where({"label": "first_label"}),
    )
    return tagged(text, 201, Location=url_for("api_texts.one", text_id=text.id))


@blp.route("/texts/<int:text_id>", endpoint="one", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(TextArgs, location="query")
@blp.alt_response(404, description="There is no such text.")
@blp.response(200, TextSchema)
def get_text(args, text_id: int):
    """One text with its revisions, and the one that stood on a day (`?on=`, today if not
    given) as `standing`."""
    text = _text(text_id)
    g.texts_on = args.get("on")
    return tagged(text)


# -- Revisions ---------------------------------------------------------------------------------


@blp.route("/texts/<int:text_id>/revisions/<int:revision_id>", endpoint="revision", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(RevisionArgs, location="query")
@blp.alt_response(404, description="There is no such text or revision.")
@blp.response(200, DocumentSchema)
def get_revision(args, text_id: int, revision_id: int):
    """A revision as the document it is: its provisions in order, each with its segments,
    brackets, alternatives (their proposal `key`, each party's stance by code) and notes.
    `?internal=true` adds our side's internal notes (those the reader's clearance allows);
    they are never in the answer otherwise. The ETag is the revision's, to issue or delete
    it."""
    revision = _revision(_text(text_id), revision_id)
    return tagged(_document(revision, internal=args["internal"]))


@blp.route("/texts/<int:text_id>/revisions", endpoint="start", methods=["POST"])
@requires(Role.EDITOR)
@blp.arguments(StartSchema)
@blp.alt_response(404, description="There is no such text.")
@blp.alt_response(422, description=REFUSED + " A text has one draft at a time.")
@blp.response(201, DocumentSchema)
def start_revision(data, text_id: int):
    """Start a draft: a copy of `based_on_id` (by default the latest issued revision), with
    the same provisions and proposals."""
    text = _text(text_id)
    based_on = None
    if data["based_on_id"] is not None:
        based_on = queries.revision_of(text, data["based_on_id"])
        if based_on is None:
            message = "Base the revision on one of this text's revisions."
            abort(422, message=message, errors={"json": {"based_on_id": [message]}})
    revision = save(
        lambda: services.start_revision(
            text, label=data["label"], based_on=based_on, marking=data["marking_id"]
        )
    )
    return tagged(_document(revision), 201, Location=_revision_url(revision))


@blp.route(
    "/texts/<int:text_id>/revisions/<int:revision_id>/issue", endpoint="issue", methods=["POST"]
)
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.arguments(IssueSchema)
@blp.alt_response(404, description="There is no such text or revision.")
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(200, DocumentSchema)
def issue_revision(data, text_id: int, revision_id: int):
    """Issue the draft: from now on it is frozen, and work goes on in a new draft. Send the
    revision's ETag as If-Match."""
    revision = _revision(_text(text_id), revision_id)
    require_version(revision, _revision_url(revision))
    details = services.Issue(
        issued_by=data["issued_by"],
        issuing_party_id=data["issuing_party"],
        issued_on=data["issued_on"],
        meeting_id=data["meeting_id"],
    )
    save(
        lambda: services.issue(revision, details),
        where=_where({"issuing_party_id": "issuing_party"}),
    )
    return tagged(_document(revision))


@blp.route(
    "/texts/<int:text_id>/revisions/<int:revision_id>", endpoint="delete_draft", methods=["DELETE"]
)
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such text or revision.")
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description="An issued revision is frozen: only a draft is deleted.")
@blp.alt_response(428, description=NO_VERSION)
@blp.response(204)
def delete_draft(text_id: int, revision_id: int):
    """Delete a draft and everything in it (an issued revision stays)."""
    revision = _revision(_text(text_id), revision_id)
    require_version(revision, _revision_url(revision))
    save(lambda: services.delete_draft(revision), where=_where())
    return None


# -- Provisions --------------------------------------------------------------------------------


def _change(row: ProvisionRevision, change, *args) -> None:
    """``change(row, *args)``; the services refuse (422) a change that would drop parts the
    caller may not see."""
    change(row, *args)


PROVISION = "/texts/<int:text_id>/revisions/<int:revision_id>/provisions/<int:provision_id>"


@blp.route(
    "/texts/<int:text_id>/revisions/<int:revision_id>/provisions",
    endpoint="add_provision",
    methods=["POST"],
)
@requires(Role.EDITOR)
@blp.arguments(NewProvisionSchema)
@blp.alt_response(404, description="There is no such text or revision.")
@blp.alt_response(422, description=REFUSED)
@blp.response(201, ProvisionSchema)
def add_provision(data, text_id: int, revision_id: int):
    """Add a provision to a draft, last or `before` another."""
    revision = _revision(_text(text_id), revision_id)
    before = None
    if data["before"] is not None:
        before = queries.provision_row(revision, data["before"])
        if before is None:
            message = f"{revision.label} has no provision {data['before']}."
            abort(422, message=message, errors={"json": {"before": [message]}})
    row = save(
        lambda: services.add_provision(
            revision, _value(data), before=before, markings=_markings(data)
        ),
        where=_where(),
    )
    return _one_provision(revision, row.id, 201, Location=_provision_url(revision, row.id))


@blp.route(PROVISION, endpoint="provision", methods=["GET"])
@requires(Role.VIEWER)
@blp.alt_response(404, description="There is no such text, revision or provision.")
@blp.response(200, ProvisionSchema)
def get_provision(text_id: int, revision_id: int, provision_id: int):
    """One provision of a revision, with its ETag to change it."""
    revision = _revision(_text(text_id), revision_id)
    _row(revision, provision_id)
    return _one_provision(revision, provision_id)


@blp.route(PROVISION, endpoint="save_provision", methods=["PUT"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.arguments(ProvisionSchema)
@blp.alt_response(404, description="There is no such text, revision or provision.")
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(200, ProvisionSchema)
def save_provision(data, text_id: int, revision_id: int, provision_id: int):
    """Replace a provision of a draft with what is sent: the shape it is read in (what is
    only read, such as `id` and `version`, may be sent back and is ignored). An alternative
    sent with its `key` keeps its proposal; one without tables a new one. An alternative's
    `marking` sent back as read changes nothing; a higher one raises it, a lower one needs
    `downgrade_reason`. Send the provision's ETag as If-Match."""
    revision = _revision(_text(text_id), revision_id)
    row = _row(revision, provision_id)
    require_version(row, _provision_url(revision, row.id))
    save(
        lambda: services.save_provision(row, _value(data), markings=_markings(data)),
        where=_where(),
    )
    return _one_provision(revision, row.id)


@blp.route(PROVISION, endpoint="remove_provision", methods=["DELETE"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such text, revision or provision.")
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(204)
def remove_provision(text_id: int, revision_id: int, provision_id: int):
    """Take a provision out of a draft: one its base revision had stays, marked deleted (the
    comparison shows it struck through); one new in this draft goes."""
    revision = _revision(_text(text_id), revision_id)
    row = _row(revision, provision_id)
    require_version(row, _provision_url(revision, row.id))
    save(lambda: _change(row, services.remove_provision), where=_where())
    return None


@blp.route(PROVISION + "/clean", endpoint="clean", methods=["POST"])
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.arguments(CleanSchema)
@blp.alt_response(404, description="There is no such text, revision or provision.")
@blp.alt_response(412, description=STALE)
@blp.alt_response(422, description=REFUSED)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(200, ProvisionSchema)
def clean_bracket(data, text_id: int, revision_id: int, provision_id: int):
    """Clean a bracket: the parties agreed the alternative `proposal`, whose wording becomes
    agreed text naming it. Send the provision's ETag as If-Match."""
    revision = _revision(_text(text_id), revision_id)
    row = _row(revision, provision_id)
    require_version(row, _provision_url(revision, row.id))
    save(
        lambda: _change(row, services.clean_bracket, data["segment"], data["proposal"]),
        where=_where({"proposal_id": "proposal"}),
    )
    return _one_provision(revision, row.id)


# -- Internal notes ----------------------------------------------------------------------------


def _internal_note_url(note: InternalNote) -> str:
    return url_for("api_texts.internal_note", text_id=note.text_id, note_id=note.id)


@blp.route("/texts/<int:text_id>/internal-notes", endpoint="internal_notes", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(PageArgs, location="query")
@blp.alt_response(404, description="There is no such text.")
@blp.response(200, InternalNotePage)
def list_internal_notes(args, text_id: int):
    """Our side's notes, fallback positions and instructions on a text, oldest first (those
    the reader's clearance allows): never part of the shared text."""
    text = _text(text_id)
    stmt = (
        sa.select(InternalNote)
        .where(InternalNote.text_id == text.id)
        .options(joinedload(InternalNote.author))
    )
    found = page(
        stmt,
        (InternalNote.id,),
        scope=f"internal-notes:{text.id}",
        cursor=args.get("cursor"),
        limit=args["limit"],
    )
    return (
        {"items": found.items, "next": found.next},
        200,
        link_header(found.next, "api_texts.internal_notes", text_id=text.id),
    )


@blp.route("/texts/<int:text_id>/internal-notes", endpoint="add_internal_note", methods=["POST"])
@requires(Role.EDITOR)
@blp.arguments(InternalNoteSchema)
@blp.alt_response(404, description="There is no such text.")
@blp.alt_response(422, description=REFUSED)
@blp.response(201, InternalNoteSchema)
def add_internal_note(data, text_id: int):
    """Add our side's note on the text, one of its provisions (`provision_key`) or one of
    its alternatives (`proposal_key`)."""
    text = _text(text_id)
    note = save(
        lambda: services.add_internal_note(
            text,
            kind=data["kind"],
            body=data["body"],
            author_id=current_user.id,
            provision_id=data["provision_id"],
            proposal_id=data["proposal_id"],
            marking=data["marking_id"],
        ),
        where=_where({"provision_id": "provision_key", "proposal_id": "proposal_key"}),
    )
    return tagged(note, 201, Location=_internal_note_url(note))


def _internal_note(text_id: int, note_id: int) -> InternalNote:
    note = queries.internal_note(_text(text_id).id, note_id)
    if note is None:
        abort(404, message=f"There is no internal note {note_id} on this text.")
    return note


@blp.route(
    "/texts/<int:text_id>/internal-notes/<int:note_id>", endpoint="internal_note", methods=["GET"]
)
@requires(Role.VIEWER)
@blp.alt_response(404, description="There is no such text or note.")
@blp.response(200, InternalNoteSchema)
def get_internal_note(text_id: int, note_id: int):
    """One internal note with its ETag."""
    return tagged(_internal_note(text_id, note_id))


@blp.route(
    "/texts/<int:text_id>/internal-notes/<int:note_id>",
    endpoint="delete_internal_note",
    methods=["DELETE"],
)
@requires(Role.EDITOR)
@blp.doc(parameters=[IF_MATCH])
@blp.alt_response(404, description="There is no such text or note.")
@blp.alt_response(412, description=STALE)
@blp.alt_response(428, description=NO_VERSION)
@blp.response(204)
def delete_internal_note(text_id: int, note_id: int):
    """Delete an internal note. Send its ETag as If-Match."""
    note = _internal_note(text_id, note_id)
    require_version(note, _internal_note_url(note))
    save(lambda: services.delete_internal_note(note))
    return None
