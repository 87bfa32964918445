"""Changes to negotiating texts, the rules in one place. Plain values in
(tracker/models/text_document.py); services add and flush, the view commits once.

The rules:

- A text has at most one **draft** revision at a time; an **issued** revision is frozen, and
  work goes on in a new draft based on it, which starts as a copy of it (the same provisions
  and proposals, so each can be followed across revisions).
- A provision that the revision's base had is never dropped from a draft: removing it marks
  it deleted (it stays in the text, struck through) until it is restored or the parties
  issue a revision without it... and even then comparison shows it deleted. A provision new
  in the draft may be removed outright.
- An alternative keeps its proposal when it is carried over or reworded; a new one tables a
  new proposal in this revision. A proposal belongs to one provision.
- Cleaning a bracket replaces it with the winning alternative's wording as agreed text that
  names the proposal that won.
- Revisions, alternatives, notes and internal notes take their parent's marking unless given
  a higher one (tracker/markings/services.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.data import access, audit_trail
from tracker.data import markings as marking_data
from tracker.extensions import db
from tracker.markings.services import MarkingChoice, set_marking
from tracker.models import (
    Agreement,
    Alternative,
    AlternativeStance,
    InternalNote,
    Meeting,
    NegotiatingText,
    Party,
    Proposal,
    Provision,
    ProvisionRevision,
    Revision,
    Segment,
    TextKind,
    TextNote,
    utcnow,
)
from tracker.models import text_document as doc
from tracker.models.errors import RuleError

# What one text may hold: each costs the server work to check, store and draw.
MAX_PROVISIONS = 500
MAX_SEGMENTS = 60  # in one provision
MAX_ALTERNATIVES = 12  # in one bracket
MAX_NOTES = 30  # on one provision
MAX_WORDING = 20_000  # characters of one segment or alternative
MAX_LABEL = 60
MAX_HEADING = 300


class TextError(RuleError):
    """A change to a negotiating text that the rules refuse."""


# The markings asked for a provision's alternatives, by (segment, alternative) position.
AlternativeMarkings = dict[tuple[int, int], MarkingChoice]


# -- Texts and revisions ---------------------------------------------------------------


def create_text(
    agreement: Agreement,
    *,
    title: str,
    kind: TextKind = TextKind.MAIN,
    first_label: str = "Draft 1",
    marking: MarkingChoice | None = None,
) -> NegotiatingText:
    """A new text of ``agreement`` with an empty first draft."""
    title = title.strip()
    if not title:
        raise TextError("Give the text a title.", "title")
    taken = db.session.scalar(
        sa.select(NegotiatingText.id).where(
            NegotiatingText.agreement_id == agreement.id, NegotiatingText.title == title
        )
    )
    if taken is not None:
        raise TextError("This agreement already has a text with this title.", "title")
    text = NegotiatingText(agreement_id=agreement.id, title=title, kind=kind)
    db.session.add(text)
    set_marking(text, marking, parents=[agreement])
    draft = Revision(text=text, agreement_id=agreement.id, label=_label(first_label))
    set_marking(draft, None, parents=[text])
    db.session.add(draft)
    db.session.flush()
    return text


def draft_of(text: NegotiatingText) -> Revision | None:
    return next((r for r in text.revisions if not r.is_issued), None)


@dataclass(frozen=True)
class Issue:
    """Who issued a revision, when, and at which round."""

    issued_by: doc.IssuedBy = doc.IssuedBy.JOINT
    issuing_party_id: int | None = None
    issued_on: date | None = None
    meeting_id: int | None = None


def _issuer(revision: Revision, issue: Issue) -> None:
    if issue.issued_by == doc.IssuedBy.PARTY:
        if issue.issuing_party_id is None:
            raise TextError("Choose the party that issued it.", "issuing_party_id")
        if db.session.get(Party, issue.issuing_party_id) is None:
            raise TextError("Choose a party from the list.", "issuing_party_id")
        revision.issuing_party_id = issue.issuing_party_id
    else:
        revision.issuing_party_id = None
    revision.issued_by = issue.issued_by
    if issue.meeting_id is not None:
        meeting = db.session.get(Meeting, issue.meeting_id)
        if meeting is None:
            raise TextError("Choose a meeting from the list.", "meeting_id")
    revision.meeting_id = issue.meeting_id
    revision.issued_on = issue.issued_on


def start_revision(
    text: NegotiatingText,
    *,
    label: str,
    based_on: Revision | None = None,
    marking: MarkingChoice | None = None,
) -> Revision:
    """A new draft of ``text``: a copy of ``based_on`` (by default its latest issued
    revision), or empty when the text has none."""
    current = draft_of(text)
    if current is not None:
        raise TextError(
            f"{current.label} is still a draft: issue it or delete it before starting another.",
            "label",
        )
    _unique_label(text, label)
    if based_on is None:
        issued = [r for r in text.revisions if r.is_issued]
        based_on = issued[-1] if issued else None
    elif based_on.text_id != text.id:
        raise TextError("Base the revision on one of this text's revisions.", "based_on_id")
    revision = Revision(
        text=text, agreement_id=text.agreement_id, label=_label(label), based_on=based_on
    )
    set_marking(revision, marking, parents=[based_on or text])
    db.session.add(revision)
    db.session.flush()
    if based_on is not None:
        _copy(based_on, revision)
    return revision


def _copy(source: Revision, target: Revision) -> None:
    for old in source.provisions:
        new = ProvisionRevision(
            revision_id=target.id,
            provision_id=old.provision_id,
            agreement_id=target.agreement_id,
            position=old.position,
            depth=old.depth,
            label=old.label,
            heading=old.heading,
            status=old.status,
        )
        for old_segment in old.segments:
            segment = Segment(
                revision_id=target.id,
                agreement_id=target.agreement_id,
                position=old_segment.position,
                is_bracket=old_segment.is_bracket,
                text=old_segment.text,
                won_proposal_id=old_segment.won_proposal_id,
            )
            new.segments.append(segment)
            for old_alternative in old_segment.alternatives:
                alternative = Alternative(
                    revision_id=target.id,
                    agreement_id=target.agreement_id,
                    proposal_id=old_alternative.proposal_id,
                    position=old_alternative.position,
                    label=old_alternative.label,
                    wording=old_alternative.wording,
                    marking_id=old_alternative.marking_id,
                    stances=[
                        AlternativeStance(party_id=s.party_id, stance=s.stance)
                        for s in old_alternative.stances
                    ],
                )
                segment.alternatives.append(alternative)
        target.provisions.append(new)
        for old_note in old.notes:
            new.notes.append(
                TextNote(
                    revision_id=target.id,
                    agreement_id=target.agreement_id,
                    position=old_note.position,
                    kind=old_note.kind,
                    party_id=old_note.party_id,
                    body=old_note.body,
                    marking_id=old_note.marking_id,
                    # Re-pointed at the copied alternative once ids exist (below).
                    alternative_id=None,
                )
            )
    db.session.flush()
    # Notes on alternatives: the copy's alternative of the same proposal.
    copied = {
        a.proposal_id: a for p in target.provisions for s in p.segments for a in s.alternatives
    }
    for old, new in zip(source.provisions, target.provisions, strict=True):
        for old_note, new_note in zip(old.notes, new.notes, strict=True):
            if old_note.alternative is not None:
                new_note.alternative = copied.get(old_note.alternative.proposal_id)


def issue(revision: Revision, details: Issue) -> None:
    """Issue the draft ``revision``: from now on it is frozen."""
    _editable(revision)
    if details.issued_on is None:
        raise TextError("Give the date it was issued.", "issued_on")
    _issuer(revision, details)
    revision.issued_at = utcnow()
    db.session.flush()


def update_revision(revision: Revision, *, label: str, details: Issue, note: str = "") -> None:
    """A draft's label, who it is from and its note (an issued revision is frozen)."""
    _editable(revision)
    if _label(label) != revision.label:
        _unique_label(revision.text, label)
    revision.label = _label(label)
    _issuer(revision, details)
    revision.note = note.strip()
    db.session.flush()


def delete_draft(revision: Revision) -> None:
    _editable(revision)
    _check_revision_whole(revision)
    revision.text.revisions.remove(revision)  # and so deleted (delete-orphan)
    db.session.flush()


def _label(label: str) -> str:
    label = (label or "").strip()
    if not label:
        raise TextError("Give the revision a label, such as Rev.2.", "label")
    if len(label) > 100:
        raise TextError("A label can be at most 100 characters.", "label")
    return label


def _unique_label(text: NegotiatingText, label: str) -> None:
    if any(r.label == _label(label) for r in text.revisions):
        raise TextError(f"{text.title} already has a revision labelled {label}.", "label")


def _editable(revision: Revision) -> None:
    if revision.is_issued:
        raise TextError(
            f"{revision.label} was issued and is frozen: start a new draft to change it.",
            "revision",
        )


# -- Provisions -------------------------------------------------------------------------


class Parties:
    """Parties by the codes plain values name them with (a party without a code by its
    name), and back."""

    def __init__(self, parties: Sequence[Party]) -> None:
        self._by_ref = {}
        self._refs = {}
        for party in parties:
            ref = party.code or party.name
            self._by_ref[ref.casefold()] = party.id
            self._by_ref.setdefault(party.name.casefold(), party.id)
            self._refs[party.id] = ref

    @classmethod
    def load(cls) -> Parties:
        return cls(db.session.scalars(sa.select(Party)).all())

    def id_of(self, ref: str, field: str) -> int:
        found = self._by_ref.get(ref.strip().casefold())
        if found is None:
            raise TextError(f"No party with the code or name {ref!r}.", field)
        return found

    def ref(self, party_id: int) -> str:
        return self._refs.get(party_id, str(party_id))


def add_provision(
    revision: Revision,
    value: doc.Provision,
    *,
    before: ProvisionRevision | None = None,
    parties: Parties | None = None,
    markings: AlternativeMarkings | None = None,
) -> ProvisionRevision:
    """A new provision in the draft ``revision``, at the end or before ``before``;
    ``markings``: a marking asked for some of its alternatives (see :func:`save_provision`)."""
    _editable(revision)
    if len(revision.provisions) >= MAX_PROVISIONS:
        raise TextError(f"A text can have at most {MAX_PROVISIONS} provisions.", "label")
    provision = Provision(
        text_id=revision.text_id, agreement_id=revision.agreement_id, kind=value.kind
    )
    db.session.add(provision)
    db.session.flush()
    row = ProvisionRevision(
        revision_id=revision.id,
        provision=provision,
        provision_id=provision.id,
        agreement_id=revision.agreement_id,
    )
    _write(row, revision, value, parties or Parties.load(), markings or {})
    index = revision.provisions.index(before) if before is not None else len(revision.provisions)
    revision.provisions.insert(index, row)
    _renumber_positions(revision)
    db.session.flush()
    return row


def _renumber_positions(revision: Revision) -> None:
    for position, row in enumerate(revision.provisions):
        row.position = position


def save_provision(
    row: ProvisionRevision,
    value: doc.Provision,
    *,
    parties: Parties | None = None,
    markings: AlternativeMarkings | None = None,
) -> None:
    """Replace what ``row`` says (label, heading, status, wording, notes) with ``value``.

    ``markings`` gives a marking to the alternatives it names by where they are in
    ``value`` ((segment, alternative), from 0); the others keep theirs, or a new one takes
    its revision's. None is marked lower than its revision, or than it was, without a
    downgrade (tracker/markings/services.py)."""
    _editable(row.revision)
    check_nothing_hidden(row)
    before = _summary(row)
    row.provision.kind = value.kind
    changes = _write(row, row.revision, value, parties or Parties.load(), markings or {})
    after = _summary(row)
    if before != after:
        changes.insert(0, {"field": f"provision {row.label}", "old": before, "new": after})
    if changes:
        audit_trail.note(db.session, row.revision, changes)
    row.updated_at = utcnow()  # raises its version: a save from an older form is refused
    db.session.flush()


def _summary(row: ProvisionRevision) -> str:
    return f"{row.label} {row.heading} [{row.status}] " + "".join(
        s.text if not s.is_bracket else "[" + " / ".join(a.wording for a in s.alternatives) + "]"
        for s in row.segments
    )


def _write(
    row: ProvisionRevision,
    revision: Revision,
    value: doc.Provision,
    parties: Parties,
    markings: AlternativeMarkings,
) -> list[dict]:
    """Write ``value`` into ``row``; the changes of its alternatives' markings, for the
    revision's audit trail."""
    label = value.label.strip()
    if not label:
        raise TextError("Give the provision its number, such as Article 5.", "label")
    if len(label) > MAX_LABEL:
        raise TextError(f"A number can be at most {MAX_LABEL} characters.", "label")
    if len(value.heading) > MAX_HEADING:
        raise TextError(f"A heading can be at most {MAX_HEADING} characters.", "heading")
    if len(value.segments) > MAX_SEGMENTS:
        raise TextError(f"A provision can have at most {MAX_SEGMENTS} parts.", "segments")
    if not 0 <= value.depth <= 3:
        raise TextError("A provision's level is 0 to 3.", "depth")
    row.label = label
    row.heading = value.heading.strip()
    row.status = value.status
    row.depth = value.depth
    proposals = _proposals_of(row.provision_id)
    old_alternatives = {a.proposal_id: a for s in row.segments for a in s.alternatives}
    segments = []
    notes = []
    changes: list[dict] = []
    seen: set[int] = set()
    for index, part in enumerate(value.segments):
        field = f"segments-{index}"
        segment = Segment(
            revision_id=revision.id,
            agreement_id=revision.agreement_id,
            position=index,
            is_bracket=part.is_bracket,
            text="" if part.is_bracket else part.text,
        )
        if len(segment.text) > MAX_WORDING:
            raise TextError(f"A passage can be at most {MAX_WORDING} characters.", field)
        if part.won is not None:
            if part.won not in proposals:
                raise TextError("The winning alternative is not one of this provision's.", field)
            segment.won_proposal_id = part.won
        if len(part.alternatives) > MAX_ALTERNATIVES:
            raise TextError(f"A bracket can hold at most {MAX_ALTERNATIVES} alternatives.", field)
        for position, option in enumerate(part.alternatives):
            where = f"{field}-alternatives-{position}"
            alternative = _alternative(
                row, revision, option, position, proposals, old_alternatives, seen, parties, where
            )
            marked = _mark(
                alternative,
                markings.get((index, position)),
                revision,
                old_alternatives.get(alternative.proposal_id),
                field=f"{where}-marking",
                label=option.label.strip() or f"Option {position + 1}",
            )
            if marked is not None:
                changes.append({**marked, "field": f"{marked['field']} in {label}"})
            segment.alternatives.append(alternative)
            for note in option.notes:
                made = _note(row, revision, note, len(notes), parties, f"{where}-notes")
                made.alternative = alternative
                notes.append(made)
        segments.append(segment)
    if len(value.notes) + len(notes) > MAX_NOTES:
        raise TextError(f"A provision can have at most {MAX_NOTES} notes.", "notes")
    for note in value.notes:
        notes.append(_note(row, revision, note, len(notes), parties, f"notes-{len(notes)}"))
    row.segments = segments
    row.notes = notes
    return changes


def _mark(
    alternative: Alternative,
    choice: MarkingChoice | None,
    revision: Revision,
    previous: Alternative | None,
    *,
    field: str,
    label: str,
) -> dict | None:
    """Give ``alternative`` the marking ``choice`` asks for, under the rule for markings:
    a carried-over alternative is the one it replaces (``previous``), so the rule is
    applied to that one (never lower than it was without a downgrade) and its marking
    moves over. The change for the audit trail, or None."""
    if choice is None:
        return None
    holder = previous if previous is not None else alternative
    old = holder.marking_id
    set_marking(holder, choice, parents=[revision], field=field, label=label)
    alternative.marking_id = holder.marking_id
    if old == alternative.marking_id:
        return None
    return {
        "field": f"marking of {label}",
        "old": None if old is None else marking_data.describe(db.session, old),
        "new": marking_data.describe(db.session, alternative.marking_id),
    }


def _proposals_of(provision_id: int) -> set[int]:
    return set(
        db.session.scalars(sa.select(Proposal.id).where(Proposal.provision_id == provision_id))
    )


def _alternative(
    row: ProvisionRevision,
    revision: Revision,
    option: doc.Alternative,
    position: int,
    proposals: set[int],
    old: dict[int, Alternative],
    seen: set[int],
    parties: Parties,
    field: str,
) -> Alternative:
    if len(option.wording) > MAX_WORDING:
        raise TextError(f"A wording can be at most {MAX_WORDING} characters.", field)
    if option.key is not None:
        if option.key not in proposals:
            raise TextError("This alternative belongs to another provision.", field)
        if option.key in seen:
            raise TextError("The same proposal appears twice.", field)
        proposal_id = option.key
    else:
        proposal = Proposal(
            provision_id=row.provision_id,
            agreement_id=row.agreement_id,
            tabled_in_id=row.revision_id,
        )
        db.session.add(proposal)
        db.session.flush()
        proposals.add(proposal.id)
        proposal_id = proposal.id
    seen.add(proposal_id)
    alternative = Alternative(
        revision_id=row.revision_id,
        agreement_id=row.agreement_id,
        proposal_id=proposal_id,
        position=position,
        label=option.label.strip()[:MAX_LABEL],
        wording=option.wording,
    )
    previous = old.get(proposal_id)
    # Keeps its marking when carried over; a new one takes its revision's.
    if previous is not None:
        alternative.marking_id = previous.marking_id
    else:
        set_marking(alternative, None, parents=[revision])
    stances: dict[int, doc.Stance] = {}
    for stance, refs in (
        (doc.Stance.PROPOSES, option.proposed_by),
        (doc.Stance.SUPPORTS, option.supported_by),
        (doc.Stance.OPPOSES, option.opposed_by),
    ):
        for ref in refs:
            party_id = parties.id_of(ref, field)
            if party_id in stances and stances[party_id] != stance:
                raise TextError(
                    f"{ref} cannot both {stances[party_id]} and {stance} one alternative.", field
                )
            stances[party_id] = stance
    alternative.stances = [AlternativeStance(party_id=p, stance=s) for p, s in stances.items()]
    return alternative


def _note(
    row: ProvisionRevision,
    revision: Revision,
    note: doc.Note,
    position: int,
    parties: Parties,
    field: str,
) -> TextNote:
    body = note.body.strip()
    if not body:
        raise TextError("A note needs its text.", field)
    if len(body) > MAX_WORDING:
        raise TextError(f"A note can be at most {MAX_WORDING} characters.", field)
    made = TextNote(
        revision_id=row.revision_id,
        agreement_id=row.agreement_id,
        position=position,
        kind=note.kind,
        party_id=parties.id_of(note.party, field) if note.party else None,
        body=body,
    )
    set_marking(made, None, parents=[revision])
    return made


def remove_provision(row: ProvisionRevision) -> None:
    """Take a provision out of a draft: one its base had is marked deleted (and stays, struck
    through); one new in this draft goes."""
    revision = row.revision
    _editable(revision)
    in_base = revision.based_on_id is not None and db.session.scalar(
        sa.select(ProvisionRevision.id).where(
            ProvisionRevision.revision_id == revision.based_on_id,
            ProvisionRevision.provision_id == row.provision_id,
        )
    )
    if in_base:
        row.status = doc.ProvisionStatus.DELETED
        row.updated_at = utcnow()
    else:
        check_nothing_hidden(row)
        revision.provisions.remove(row)
        db.session.delete(row)
        _renumber_positions(revision)
    db.session.flush()


def move_provision(row: ProvisionRevision, to: int) -> None:
    revision = row.revision
    _editable(revision)
    rows = list(revision.provisions)
    rows.remove(row)
    rows.insert(max(0, min(to, len(rows))), row)
    for position, each in enumerate(rows):
        each.position = position
    db.session.flush()


def clean_bracket(row: ProvisionRevision, segment_position: int, proposal_id: int) -> None:
    """The parties agreed ``proposal_id``'s wording for the bracket at ``segment_position``:
    it becomes agreed text naming the proposal that won."""
    _editable(row.revision)
    check_nothing_hidden(row)
    segment = next((s for s in row.segments if s.position == segment_position), None)
    if segment is None or not segment.is_bracket:
        raise TextError("There is no such bracket in this provision.", "segment")
    winner = next((a for a in segment.alternatives if a.proposal_id == proposal_id), None)
    if winner is None:
        raise TextError("Choose one of the bracket's alternatives.", "proposal_id")
    before = _summary(row)
    segment.alternatives = []
    segment.is_bracket = False
    segment.text = winner.wording
    segment.won_proposal_id = proposal_id
    audit_trail.note(
        db.session,
        row.revision,
        [{"field": f"bracket cleaned in {row.label}", "old": before, "new": _summary(row)}],
    )
    row.updated_at = utcnow()
    db.session.flush()


# -- Internal notes ---------------------------------------------------------------------


def add_internal_note(
    text: NegotiatingText,
    *,
    kind: doc.InternalKind,
    body: str,
    author_id: int | None,
    provision_id: int | None = None,
    proposal_id: int | None = None,
    marking: MarkingChoice | None = None,
) -> InternalNote:
    body = body.strip()
    if not body:
        raise TextError("Write the note.", "body")
    if len(body) > MAX_WORDING:
        raise TextError(f"A note can be at most {MAX_WORDING} characters.", "body")
    if provision_id is not None:
        provision = db.session.get(Provision, provision_id)
        if provision is None or provision.text_id != text.id:
            raise TextError("Choose a provision of this text.", "provision_id")
    if proposal_id is not None:
        proposal = db.session.get(Proposal, proposal_id)
        if proposal is None or proposal.agreement_id != text.agreement_id:
            raise TextError("Choose an alternative of this text.", "proposal_id")
    note = InternalNote(
        text_id=text.id,
        agreement_id=text.agreement_id,
        kind=kind,
        body=body,
        author_id=author_id,
        provision_id=provision_id,
        proposal_id=proposal_id,
    )
    set_marking(note, marking, parents=[text])
    db.session.add(note)
    db.session.flush()
    return note


def delete_internal_note(note: InternalNote) -> None:
    db.session.delete(note)
    db.session.flush()


def set_status(row: ProvisionRevision, status: doc.ProvisionStatus) -> None:
    """Mark a provision agreed, open... in a draft, leaving its wording as it is."""
    _editable(row.revision)
    row.status = doc.ProvisionStatus(status)
    row.updated_at = utcnow()
    db.session.flush()


# -- Parts a reader may not see ----------------------------------------------------------


def check_nothing_hidden(row: ProvisionRevision) -> None:
    """Refuse a change to ``row`` by a reader who does not see all of it: saving it replaces
    its alternatives and notes with what they sent, and cleaning or removing it drops them,
    so one marked above them would be lost without their knowing it was there."""
    if _hidden_parts(
        Segment.provision_revision_id == row.id, TextNote.provision_revision_id == row.id
    ):
        raise TextError(
            f"{row.label} holds alternatives or notes marked above what you may read: someone "
            "cleared for them must change it.",
            "revision",
        )


def _check_revision_whole(revision: Revision) -> None:
    """The same for a whole draft about to be deleted."""
    if _hidden_parts(Segment.revision_id == revision.id, TextNote.revision_id == revision.id):
        raise TextError(
            f"{revision.label} holds alternatives or notes marked above what you may read: "
            "someone cleared for them must delete it.",
            "revision",
        )


def _hidden_parts(segments, notes) -> bool:
    """Whether some alternatives (of ``segments``) or notes are stored that the session's
    reader may not see."""
    if access.current(db.session).everything:
        return False

    def count() -> int:
        alternatives = db.session.scalar(
            sa.select(sa.func.count(Alternative.id))
            .join(Segment, Alternative.segment_id == Segment.id)
            .where(segments)
        )
        return alternatives + db.session.scalar(sa.select(sa.func.count(TextNote.id)).where(notes))

    seen = count()
    with access.reading_whole(db.session):
        return count() > seen
