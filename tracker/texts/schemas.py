"""Negotiating texts on the API: a text with its revisions, a revision as the document it is
(provisions, segments, brackets, alternatives with their proposal keys and each party's
stance by code, notes), what a change sends, and our side's internal notes, kept apart so
that nothing of the internal layer is in a shared answer."""

from __future__ import annotations

import marshmallow as ma
from flask import g

from tracker.api.fields import Link, Text, record_id, text
from tracker.api.pagination import PageArgs, page_schema
from tracker.markings.schemas import Marking, PartyCode
from tracker.models import TextKind
from tracker.models import text_document as doc
from tracker.models.clock import today
from tracker.texts import queries
from tracker.texts.services import MAX_HEADING, MAX_LABEL, MAX_WORDING

# What a provision's answer says that is only read: sent back with a change, it is ignored,
# so that what was read can be changed and sent as it is.
READ_ONLY = {"id", "key", "version", "url"}
# Likewise in an alternative's marking: how banners write it.
READ_ONLY_IN_MARKING = {"text"}

PARTY_REF = "A party by its code (`IND`), or by its name for a party without one."


# -- Texts and revisions -----------------------------------------------------------------


class RevisionSchema(ma.Schema):
    """A revision as its text lists it."""

    id = ma.fields.Integer(dump_only=True)
    text_id = ma.fields.Integer(dump_only=True)
    label = ma.fields.String(dump_only=True, metadata={"example": "Rev.1"})
    issued = ma.fields.Boolean(
        attribute="is_issued",
        dump_only=True,
        metadata={"description": "Issued and frozen; false for the draft being worked on."},
    )
    issued_by = ma.fields.Enum(doc.IssuedBy, by_value=True, dump_only=True)
    issuing_party = ma.fields.Function(
        lambda revision: (
            revision.issuing_party.code or revision.issuing_party.name
            if revision.issuing_party is not None
            else None
        ),
        dump_only=True,
        metadata={"type": ["string", "null"], "description": "When issued by one party."},
    )
    issued_on = ma.fields.Date(dump_only=True, allow_none=True)
    issued_at = ma.fields.AwareDateTime(dump_only=True, allow_none=True)
    meeting_id = ma.fields.Integer(
        dump_only=True, allow_none=True, metadata={"description": "The round it came from."}
    )
    based_on_id = ma.fields.Integer(dump_only=True, allow_none=True)
    note = ma.fields.String(dump_only=True)
    marking = Marking(dump_only=True)
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link(
        "api_texts.revision",
        {"text_id": "text_id", "revision_id": "id"},
        dump_only=True,
        metadata={"type": "string"},
    )


def _standing(text):
    """The revision that stood on the day asked for (``?on=``, today by default)."""
    return queries.revision_on(text, g.get("texts_on") or today())


class TextSchema(ma.Schema):
    id = ma.fields.Integer(dump_only=True)
    agreement_id = ma.fields.Integer(dump_only=True)
    title = Text(
        required=True,
        validate=ma.validate.Length(min=1, max=200),
        metadata={"example": "Main text"},
    )
    kind = ma.fields.Enum(TextKind, by_value=True, load_default=TextKind.MAIN)
    first_label = Text(
        load_only=True,
        load_default="Draft 1",
        validate=ma.validate.Length(min=1, max=100),
        metadata={"description": "The label of its first draft."},
    )
    marking = Marking(load_default=None)
    revisions = ma.fields.List(
        ma.fields.Nested(RevisionSchema), dump_only=True, metadata={"description": "Oldest first."}
    )
    standing = ma.fields.Function(
        lambda text: RevisionSchema().dump(r) if (r := _standing(text)) is not None else None,
        dump_only=True,
        metadata={
            "type": ["object", "null"],
            "description": "The revision that stood on `on` (today if not asked): the latest "
            "issued on or before it; null if none was.",
        },
    )
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link(
        "api_texts.one",
        {"text_id": "id"},
        dump_only=True,
        metadata={"type": "string"},
    )


TextPage = page_schema(TextSchema, "TextPage")


class TextArgs(ma.Schema):
    on = ma.fields.Date(
        metadata={"description": "Which revision stood on this day (`standing`), YYYY-MM-DD."}
    )


class RevisionArgs(ma.Schema):
    internal = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "Add our side's internal notes (`internal_notes`): editors only."},
    )


class StartSchema(ma.Schema):
    label = Text(required=True, validate=ma.validate.Length(min=1, max=100))
    based_on_id = record_id(
        allow_none=True,
        load_default=None,
        metadata={"description": "The revision it copies; by default the latest issued."},
    )
    marking = Marking(load_default=None)


class IssueSchema(ma.Schema):
    issued_on = ma.fields.Date(required=True)
    issued_by = ma.fields.Enum(doc.IssuedBy, by_value=True, load_default=doc.IssuedBy.JOINT)
    issuing_party = PartyCode(
        allow_none=True,
        load_default=None,
        metadata={"description": "The party's code, when `issued_by` is `party`."},
    )
    meeting_id = record_id(
        allow_none=True, load_default=None, metadata={"description": "The round it came from."}
    )


# -- A revision's content ------------------------------------------------------------------


def _without(data, names: set[str]):
    if isinstance(data, dict):
        return {name: value for name, value in data.items() if name not in names}
    return data


def _party_list(description: str):
    return ma.fields.List(
        text(max_length=200), load_default=list, metadata={"description": description}
    )


class NoteSchema(ma.Schema):
    """A footnote or a reservation: part of the shared text."""

    kind = ma.fields.Enum(doc.NoteKind, by_value=True, required=True)
    body = text(required=True, max_length=MAX_WORDING)
    party = text(
        max_length=200,
        allow_none=True,
        load_default=None,
        metadata={"description": f"Who reserves. {PARTY_REF}"},
    )


class AlternativeSchema(ma.Schema):
    key = record_id(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Its proposal: the same in every revision. Send it back to keep "
            "the proposal; leave it out (null) to table a new one."
        },
    )
    label = text(max_length=MAX_LABEL, load_default="", metadata={"example": "Option 1"})
    wording = text(
        required=True,
        max_length=MAX_WORDING,
        metadata={"description": "Empty: the proposal is to delete the bracketed passage."},
    )
    proposed_by = _party_list(f"Parties proposing it. {PARTY_REF}")
    supported_by = _party_list(f"Parties supporting it. {PARTY_REF}")
    opposed_by = _party_list(f"Parties opposing it. {PARTY_REF}")
    notes = ma.fields.List(ma.fields.Nested(NoteSchema), load_default=list)
    marking = Marking(
        allow_none=True,
        load_default=None,
        metadata={
            "description": "Its classification: its revision's unless marked higher. Sent, "
            "it is what the alternative is marked: never lower than its revision, nor than "
            "it was, without `downgrade_reason` (recorded in the revision's history). Sent "
            "back as read, or left out (null), it changes nothing; a new alternative then "
            "takes its revision's."
        },
    )

    @ma.pre_load
    def _ignore_read_only(self, data, **kwargs):
        if isinstance(data, dict) and isinstance(data.get("marking"), dict):
            return {**data, "marking": _without(data["marking"], READ_ONLY_IN_MARKING)}
        return data


class SegmentSchema(ma.Schema):
    text = text(
        max_length=MAX_WORDING,
        load_default="",
        metadata={"description": "Agreed text; empty in a bracket."},
    )
    alternatives = ma.fields.List(
        ma.fields.Nested(AlternativeSchema),
        load_default=list,
        metadata={"description": "Not empty: the segment is a bracket of these alternatives."},
    )
    won = record_id(
        allow_none=True,
        load_default=None,
        metadata={"description": "The proposal this agreed text was cleaned from."},
    )

    @ma.validates_schema
    def _bracket_or_text(self, data, **kwargs):
        if data.get("alternatives") and data.get("text"):
            raise ma.ValidationError("A bracket holds alternatives, not text of its own.", "text")


class ProvisionSchema(ma.Schema):
    """A provision as it stands in one revision, as read and as sent back."""

    id = ma.fields.Integer(
        dump_only=True,
        metadata={"description": "This provision in this revision: where it is changed."},
    )
    key = ma.fields.Integer(
        dump_only=True,
        metadata={"description": "The provision's identity, the same in every revision."},
    )
    label = Text(
        required=True,
        validate=ma.validate.Length(min=1, max=MAX_LABEL),
        metadata={"example": "Article 5(2)"},
    )
    kind = ma.fields.Enum(doc.ProvisionKind, by_value=True, load_default=doc.ProvisionKind.ARTICLE)
    heading = Text(validate=ma.validate.Length(max=MAX_HEADING), load_default="")
    status = ma.fields.Enum(
        doc.ProvisionStatus, by_value=True, load_default=doc.ProvisionStatus.OPEN
    )
    depth = ma.fields.Integer(
        load_default=0,
        strict=True,
        validate=ma.validate.Range(min=0, max=3),
        metadata={"description": "0 for an article or preamble paragraph, 1 for its paragraphs…"},
    )
    segments = ma.fields.List(ma.fields.Nested(SegmentSchema), load_default=list)
    notes = ma.fields.List(
        ma.fields.Nested(NoteSchema),
        load_default=list,
        metadata={"description": "The provision's own notes (an alternative's are its own)."},
    )
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = ma.fields.String(dump_only=True)

    @ma.pre_load
    def _ignore_read_only(self, data, **kwargs):
        return _without(data, READ_ONLY)


class NewProvisionSchema(ProvisionSchema):
    before = record_id(
        load_only=True,
        allow_none=True,
        load_default=None,
        metadata={"description": "The `id` of the provision to put it before; last if not sent."},
    )


class CleanSchema(ma.Schema):
    segment = ma.fields.Integer(
        required=True,
        strict=True,
        validate=ma.validate.Range(min=0),
        metadata={"description": "The bracket's place among the provision's segments, from 0."},
    )
    proposal = record_id(
        required=True, metadata={"description": "The `key` of the alternative that won."}
    )


# -- Internal notes ----------------------------------------------------------------------------


class InternalNoteSchema(ma.Schema):
    """Our side's note, fallback position or instruction: never in the shared text."""

    id = ma.fields.Integer(dump_only=True)
    text_id = ma.fields.Integer(dump_only=True)
    kind = ma.fields.Enum(doc.InternalKind, by_value=True, load_default=doc.InternalKind.NOTE)
    body = text(required=True, max_length=MAX_WORDING)
    provision_key = record_id(
        attribute="provision_id",
        allow_none=True,
        load_default=None,
        metadata={"description": "The provision it is about (its `key`); null: the whole text."},
    )
    proposal_key = record_id(
        attribute="proposal_id",
        allow_none=True,
        load_default=None,
        metadata={"description": "The alternative it is about (its `key`)."},
    )
    author = ma.fields.String(attribute="author.display_name", dump_only=True, allow_none=True)
    created_at = ma.fields.AwareDateTime(dump_only=True)
    marking = Marking(load_default=None)
    version = ma.fields.Integer(dump_only=True, metadata={"description": "Raised by every save."})
    url = Link(
        "api_texts.internal_note",
        {"text_id": "text_id", "note_id": "id"},
        dump_only=True,
        metadata={"type": "string"},
    )


InternalNotePage = page_schema(InternalNoteSchema, "InternalNotePage")


class DocumentSchema(RevisionSchema):
    """A revision as the document it is: its provisions in order, with our side's internal
    notes only when asked for (and never otherwise, not even empty)."""

    title = ma.fields.String(dump_only=True, metadata={"description": "The text's title."})
    provisions = ma.fields.List(ma.fields.Nested(ProvisionSchema), dump_only=True)
    open_brackets = ma.fields.Integer(dump_only=True)
    parties = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        dump_only=True,
        metadata={"description": "The parties it names: code to name."},
    )
    internal_notes = ma.fields.List(
        ma.fields.Nested(InternalNoteSchema),
        dump_only=True,
        metadata={"description": "Only with `?internal=true`."},
    )
    classification = ma.fields.String(
        dump_only=True,
        metadata={
            "description": "The highest marking of everything it holds (its alternatives and "
            "notes too), e.g. `RESTRICTED // REL TO IND, JPN`."
        },
    )


class InternalNoteArgs(PageArgs):
    pass
