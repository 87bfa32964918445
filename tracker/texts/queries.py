"""Reading negotiating texts: a revision as plain values (tracker/models/text_document.py),
in a fixed number of queries however long the text."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from tracker.data import access_log, cache, markings, outgoing
from tracker.extensions import db
from tracker.models import (
    Alternative,
    AlternativeStance,
    InternalNote,
    NegotiatingText,
    Party,
    Provision,
    ProvisionRevision,
    Revision,
    Segment,
    TextNote,
)
from tracker.models import text_document as doc
from tracker.models.clock import today
from tracker.texts.progress import BurnDownPoint


def issued_by(revisions: Iterable[Revision], day: date) -> list[Revision]:
    """Those of ``revisions`` issued on or before ``day``, in their order."""
    return [r for r in revisions if r.is_issued and r.issued_on <= day]


def latest(issued: Iterable[Revision]) -> Revision | None:
    """The latest of ``issued`` (issued revisions): the one that stands."""
    return max(issued, key=lambda r: (r.issued_on, r.id), default=None)


def revision_on(text: NegotiatingText, day: date) -> Revision | None:
    """The revision that stood on ``day``: the latest issued on or before it."""
    return latest(issued_by(text.revisions, day))


def _proposers(proposal_ids: set[int]) -> dict[int, list[int]]:
    """The parties that proposed each proposal, as the last revision it was bracketed in
    says (a cleaned bracket's winner is no longer an alternative)."""
    if not proposal_ids:
        return {}
    last = (
        sa.select(sa.func.max(Alternative.id))
        .where(Alternative.proposal_id.in_(proposal_ids))
        .group_by(Alternative.proposal_id)
    )
    rows = db.session.execute(
        sa.select(Alternative.proposal_id, AlternativeStance.party_id)
        .join(AlternativeStance, AlternativeStance.alternative_id == Alternative.id)
        .where(Alternative.id.in_(last), AlternativeStance.stance == doc.Stance.PROPOSES)
        .order_by(AlternativeStance.party_id)
    )
    found: dict[int, list[int]] = {}
    for proposal_id, party_id in rows:
        found.setdefault(proposal_id, []).append(party_id)
    return found


def party_refs() -> dict[int, tuple[str, str]]:
    """Every party's id: (the code plain values name it by, its name)."""
    rows = db.session.execute(sa.select(Party.id, Party.code, Party.name))
    return {id_: (code or name, name) for id_, code, name in rows}


def _grouped(rows, key: int) -> dict[int, list]:
    found: dict[int, list] = {}
    for row in rows:
        found.setdefault(row[key], []).append(row)
    return found


# An issued revision is frozen, so what its own rows say is kept between requests (until
# the data changes, per reader's access: tracker/data/cache.py). A handful: each is large.
_ISSUED = cache.Shelf("tracker.texts.issued", size=16)


@dataclass(frozen=True)
class _Read:
    """What a revision's own rows say: its provisions and whom they name, as read."""

    provisions: tuple[doc.Provision, ...]
    parties: dict[int, tuple[str, str]]  # the parties named: id -> (code, name)
    issuing_party: str | None
    marked: frozenset[int]  # the markings of the revision, its alternatives and notes
    # (table, id, marking id) of the alternatives and notes marked apart from the revision,
    # read as plain rows: the access log names each (data/access_log.py).
    apart: tuple[tuple[str, int, int], ...]
    alternatives_marked: frozenset[int]  # the markings of its alternatives alone
    # Each proposal a segment was cleaned from, with the proposers read for it: they come
    # from the last revision that bracketed it, which may be a later draft.
    winners: tuple[tuple[int, tuple[int, ...]], ...]


def _issued_key(revision: Revision) -> tuple | None:
    if not revision.is_issued:
        return None  # a draft changes under the same version (its provisions are records)
    return ("revision", revision.id, revision.version, revision.issued_at, revision.marking_id)


def document(revision: Revision, *, internal: bool = False) -> doc.Document:
    """``revision`` as plain values; with our side's internal notes only if ``internal``."""
    return documents_of([revision], internal=internal)[0]


def documents_of(revisions: Sequence[Revision], *, internal: bool = False) -> list[doc.Document]:
    """Each of ``revisions`` as plain values, read together in one pass (a fixed number of
    queries however many and however long); with our side's internal notes if ``internal``.

    What an issued revision's rows say is kept and reused while the data stands still, for
    readers who see the same records (the proposers of its cleaned brackets are read again
    and must be unchanged); the markings of what it shows are noted as a read would."""
    return _documents(revisions, internal=internal)[0]


def documents_and_alternative_markings(
    revisions: Sequence[Revision],
) -> tuple[list[doc.Document], set[int]]:
    """documents_of's, and the markings of the alternatives of ``revisions`` the reader sees
    (what the documents show of them), without a query of their own."""
    made, reads = _documents(revisions, internal=False)
    return made, {m for r in revisions for m in reads[r.id].alternatives_marked}


def _documents(
    revisions: Sequence[Revision], *, internal: bool
) -> tuple[list[doc.Document], dict[int, _Read]]:
    reads: dict[int, _Read] = {}
    for revision in revisions:
        key = _issued_key(revision)
        found = _ISSUED.get(key) if key is not None else None
        if found is not None:
            reads[revision.id] = found
    missing = [r for r in dict.fromkeys(revisions) if r.id not in reads]
    reads.update(_read(missing))
    # Reused reads: their proposers as they are now, in the query that also notes them.
    kept = [r for r in dict.fromkeys(revisions) if r not in missing]
    if kept:
        now = _proposers({p for r in kept for p, _ in reads[r.id].winners})
        stale = [r for r in kept if _winners(reads[r.id].winners, now) != reads[r.id].winners]
        reads.update(_read(stale))
        for revision in kept:
            if revision not in stale:
                outgoing.note_markings(db.session, reads[revision.id].marked, "text_revision")
    for revision in missing:
        key = _issued_key(revision)
        if key is not None:
            _ISSUED.put(key, reads[revision.id])
    for revision in dict.fromkeys(revisions):
        access_log.note_rows(db.session, reads[revision.id].apart)

    notes: dict[int, list[doc.InternalNote]] = {}
    internal_marked: dict[int, set[int]] = {}
    if internal:
        for n in db.session.scalars(
            sa.select(InternalNote)
            .where(InternalNote.text_id.in_({r.text_id for r in revisions}))
            .order_by(InternalNote.id)
        ):
            internal_marked.setdefault(n.text_id, set()).add(n.marking_id)
            notes.setdefault(n.text_id, []).append(
                doc.InternalNote(
                    kind=n.kind,
                    body=n.body,
                    provision_key=n.provision_id,
                    proposal_key=n.proposal_id,
                )
            )
    day = today()
    made = []
    for revision in revisions:
        read = reads[revision.id]
        # The marking of everything the document holds, not only of the revision.
        marked = read.marked | internal_marked.get(revision.text_id, set())
        marking = markings.describe(db.session, markings.combined_id(db.session, marked, day))
        made.append(
            doc.Document(
                title=revision.text.title,
                label=revision.label,
                issued_by=revision.issued_by,
                issuing_party=read.issuing_party,
                issued_on=revision.issued_on,
                provisions=read.provisions,
                marking=marking,
                internal=tuple(notes.get(revision.text_id, ())),
                is_internal_copy=internal,
                parties=dict(read.parties.values()),
            )
        )
    return made, reads


def _winners(
    winners: tuple[tuple[int, tuple[int, ...]], ...], proposers: dict[int, list[int]]
) -> tuple[tuple[int, tuple[int, ...]], ...]:
    return tuple((p, tuple(proposers.get(p, ()))) for p, _ in winners)


def _read(revisions: Sequence[Revision]) -> dict[int, _Read]:
    """What the rows of ``revisions`` say, read as plain rows in one pass: one query per
    kind of part (a long text has thousands of parts, and making an object of each costs
    more than reading it)."""
    if not revisions:
        return {}
    parties = party_refs()
    ids = [r.id for r in revisions]

    rows = _grouped(
        db.session.execute(
            sa.select(
                ProvisionRevision.revision_id,
                ProvisionRevision.id,
                ProvisionRevision.provision_id,
                ProvisionRevision.label,
                ProvisionRevision.heading,
                ProvisionRevision.status,
                ProvisionRevision.depth,
                Provision.kind,
            )
            .join(Provision, Provision.id == ProvisionRevision.provision_id)
            .where(ProvisionRevision.revision_id.in_(ids))
            .order_by(ProvisionRevision.position, ProvisionRevision.id)
        ).all(),
        0,
    )
    segments = _grouped(
        db.session.execute(
            sa.select(
                Segment.provision_revision_id,
                Segment.id,
                Segment.text,
                Segment.won_proposal_id,
            )
            .where(Segment.revision_id.in_(ids))
            .order_by(Segment.provision_revision_id, Segment.position, Segment.id)
        ).all(),
        0,
    )
    alternatives = _grouped(
        db.session.execute(
            sa.select(
                Alternative.segment_id,
                Alternative.id,
                Alternative.proposal_id,
                Alternative.label,
                Alternative.wording,
                Alternative.marking_id,
            )
            .where(Alternative.revision_id.in_(ids))
            .order_by(Alternative.segment_id, Alternative.position, Alternative.id)
        ).all(),
        0,
    )
    stances = _grouped(
        db.session.execute(
            sa.select(
                AlternativeStance.alternative_id,
                AlternativeStance.party_id,
                AlternativeStance.stance,
            )
            .join(Alternative, Alternative.id == AlternativeStance.alternative_id)
            .where(Alternative.revision_id.in_(ids))
        ).all(),
        0,
    )
    notes = _grouped(
        db.session.execute(
            sa.select(
                TextNote.provision_revision_id,
                TextNote.alternative_id,
                TextNote.kind,
                TextNote.body,
                TextNote.party_id,
                TextNote.marking_id,
                TextNote.id,
            )
            .where(TextNote.revision_id.in_(ids))
            .order_by(TextNote.provision_revision_id, TextNote.position, TextNote.id)
        ).all(),
        0,
    )
    winners = _proposers(
        {s.won_proposal_id for parts in segments.values() for s in parts if s.won_proposal_id}
    )
    return {
        r.id: _one(r, rows.get(r.id, ()), segments, alternatives, stances, notes, winners, parties)
        for r in revisions
    }


def _one(revision, rows, segments, alternatives, stances, notes, winners, parties) -> _Read:
    """One revision's provisions from the rows read for it (and the others read with it).

    Rows are unpacked rather than read by name: a long text has thousands."""
    used: set[int] = set()
    marked = {revision.marking_id}
    apart: list[tuple[str, int, int]] = []
    alternatives_marked: set[int] = set()
    won: dict[int, tuple[int, ...]] = {}

    def ref(party_id: int | None) -> str | None:
        if party_id is None:
            return None
        used.add(party_id)
        return parties.get(party_id, (str(party_id), ""))[0]

    provisions = []
    for _, row_id, provision_id, label, heading, status, depth, kind in rows:
        own, by_alternative = [], {}
        for _, alternative_id, note_kind, body, party_id, marking_id, note_id in notes.get(
            row_id, ()
        ):
            marked.add(marking_id)
            if marking_id != revision.marking_id:
                apart.append(("text_note", note_id, marking_id))
            value = doc.Note(kind=note_kind, body=body, party=ref(party_id))
            if alternative_id is None:
                own.append(value)
            else:
                by_alternative.setdefault(alternative_id, []).append(value)
        parts = []
        for _, segment_id, text, won_id in segments.get(row_id, ()):
            options = []
            for (
                _,
                alternative_id,
                proposal_id,
                option_label,
                wording,
                marking_id,
            ) in alternatives.get(segment_id, ()):
                marked.add(marking_id)
                if marking_id != revision.marking_id:
                    apart.append(("text_alternative", alternative_id, marking_id))
                alternatives_marked.add(marking_id)
                by_stance: tuple[list, list, list] = ([], [], [])
                named = sorted(
                    (ref(party_id) or "", stance)
                    for _, party_id, stance in stances.get(alternative_id, ())
                )
                for code, stance in named:
                    by_stance[_STANCES[stance]].append(code)
                options.append(
                    doc.Alternative(
                        wording=wording,
                        proposed_by=tuple(by_stance[0]),
                        supported_by=tuple(by_stance[1]),
                        opposed_by=tuple(by_stance[2]),
                        label=option_label,
                        notes=tuple(by_alternative.get(alternative_id, ())),
                        key=proposal_id,
                    )
                )
            proposers = ()
            if won_id is not None:
                proposers = won[won_id] = tuple(winners.get(won_id, ()))
            parts.append(
                doc.Segment(
                    text=text,
                    alternatives=tuple(options),
                    won=won_id,
                    won_by=tuple(ref(p) for p in proposers),
                )
            )
        provisions.append(
            doc.Provision(
                label=label,
                kind=kind,
                heading=heading,
                status=status,
                segments=tuple(parts),
                notes=tuple(own),
                depth=depth,
                key=provision_id,
            )
        )
    issuing_party = ref(revision.issuing_party_id)
    return _Read(
        provisions=tuple(provisions),
        parties={i: parties[i] for i in used if i in parties},
        issuing_party=issuing_party,
        marked=frozenset(marked),
        apart=tuple(apart),
        alternatives_marked=frozenset(alternatives_marked),
        winners=tuple(sorted(won.items())),
    )


# Where each stance's parties go in an alternative: proposed, supported, opposed by.
_STANCES = {doc.Stance.PROPOSES: 0, doc.Stance.SUPPORTS: 1, doc.Stance.OPPOSES: 2}


def documents(text: NegotiatingText) -> list[tuple[Revision, doc.Document]]:
    """Every revision of ``text`` the reader sees, oldest first, as plain values."""
    return list(zip(text.revisions, documents_of(text.revisions), strict=True))


def as_of(text: NegotiatingText, day: date | None = None) -> Revision | None:
    return revision_on(text, day or today())


# -- What the API reads (tracker/texts/api.py) ------------------------------------------


def text_for_api(text_id: int) -> NegotiatingText | None:
    """One text with its revisions, or None if there is none the reader sees."""
    return db.session.scalar(
        sa.select(NegotiatingText)
        .where(NegotiatingText.id == text_id)
        .options(selectinload(NegotiatingText.revisions))
    )


def revision_of(text: NegotiatingText, revision_id: int) -> Revision | None:
    """``text``'s revision ``revision_id``, or None (another text's, or one not seen)."""
    return next((r for r in text.revisions if r.id == revision_id), None)


def provision_row(revision: Revision, row_id: int) -> ProvisionRevision | None:
    """The provision ``row_id`` of ``revision`` with its wording, or None."""
    return db.session.scalar(
        sa.select(ProvisionRevision)
        .where(ProvisionRevision.id == row_id, ProvisionRevision.revision_id == revision.id)
        .options(
            selectinload(ProvisionRevision.segments)
            .selectinload(Segment.alternatives)
            .selectinload(Alternative.stances),
            selectinload(ProvisionRevision.notes),
            selectinload(ProvisionRevision.provision),
        )
    )


@dataclass(frozen=True)
class RowRef:
    """Where a provision of a revision is edited: its row's id and version."""

    id: int
    version: int


def rows_by_key(revision_id: int) -> dict[int, RowRef]:
    """The provision rows of a revision by provision key (id and version)."""
    rows = db.session.execute(
        sa.select(
            ProvisionRevision.provision_id, ProvisionRevision.id, ProvisionRevision.version
        ).where(ProvisionRevision.revision_id == revision_id)
    )
    return {key: RowRef(id_, version) for key, id_, version in rows}


def alternative_markings(revision_id: int) -> dict[int, int]:
    """The marking id of each alternative of a revision the reader sees, by proposal key."""
    rows = db.session.execute(
        sa.select(Alternative.proposal_id, Alternative.marking_id).where(
            Alternative.revision_id == revision_id
        )
    )
    return dict(rows.all())


def internal_note(text_id: int, note_id: int) -> InternalNote | None:
    return db.session.scalar(
        sa.select(InternalNote).where(InternalNote.id == note_id, InternalNote.text_id == text_id)
    )


# -- For the pages (tracker/texts/views.py) ----------------------------------------------


def get_text(text_id: int) -> NegotiatingText | None:
    return db.session.scalar(
        sa.select(NegotiatingText)
        .where(NegotiatingText.id == text_id)
        .options(
            selectinload(NegotiatingText.revisions).selectinload(Revision.issuing_party),
            selectinload(NegotiatingText.revisions).selectinload(Revision.meeting),
            selectinload(NegotiatingText.agreement),
        )
    )


def get_revision(revision_id: int) -> Revision | None:
    revision = db.session.scalar(sa.select(Revision).where(Revision.id == revision_id))
    # Its text through the same narrowed query: a revision is never seen without it.
    if revision is None or get_text(revision.text_id) is None:
        return None
    return revision


def get_provision_row(row_id: int) -> ProvisionRevision | None:
    row = db.session.scalar(
        sa.select(ProvisionRevision)
        .where(ProvisionRevision.id == row_id)
        .options(
            selectinload(ProvisionRevision.segments)
            .selectinload(Segment.alternatives)
            .selectinload(Alternative.stances),
            selectinload(ProvisionRevision.notes),
            selectinload(ProvisionRevision.provision),
        )
    )
    if row is None or get_revision(row.revision_id) is None:
        return None
    return row


def get_segment(segment_id: int) -> Segment | None:
    segment = db.session.scalar(sa.select(Segment).where(Segment.id == segment_id))
    if segment is None or get_provision_row(segment.provision_revision_id) is None:
        return None
    return segment


def get_internal_note(note_id: int) -> InternalNote | None:
    note = db.session.scalar(sa.select(InternalNote).where(InternalNote.id == note_id))
    if note is None or get_text(note.text_id) is None:
        return None
    return note


def internal_notes_of(text: NegotiatingText) -> Sequence[InternalNote]:
    return db.session.scalars(
        sa.select(InternalNote)
        .where(InternalNote.text_id == text.id)
        .order_by(InternalNote.id)
        .options(selectinload(InternalNote.author))
    ).all()


def agreement_parties(agreement_id: int) -> list[tuple[str, str]]:
    """The agreement's parties as (the code plain values name them by, the label to show)."""
    from tracker.models import AgreementParty  # noqa: PLC0415  (only the pages need it)

    rows = db.session.execute(
        sa.select(Party.code, Party.name)
        .join(AgreementParty, AgreementParty.party_id == Party.id)
        .where(AgreementParty.agreement_id == agreement_id)
        .order_by(sa.func.coalesce(Party.code, Party.name))
    )
    return [(code or name, f"{code} — {name}" if code else name) for code, name in rows]


def provision_rows(revision: Revision) -> Sequence[ProvisionRevision]:
    """The revision's provisions in order, with their segments: the rows a draft's page
    links its edits to."""
    return db.session.scalars(
        sa.select(ProvisionRevision)
        .where(ProvisionRevision.revision_id == revision.id)
        .order_by(ProvisionRevision.position)
        .options(selectinload(ProvisionRevision.segments))
    ).all()


@dataclass(frozen=True)
class TextSummary:
    """A text on its agreement's page: its latest revision and how far it has come."""

    text: NegotiatingText
    latest: Revision | None
    agreed: int
    total: int
    open_brackets: int
    burn_down: tuple[BurnDownPoint, ...] = ()


def _counted(revision) -> tuple[sa.ScalarSelect, sa.ScalarSelect, sa.ScalarSelect]:
    """(provisions agreed, provisions, open brackets) of ``revision`` (an entity or alias),
    as scalar subqueries to select alongside it; deleted provisions do not count."""
    live = ProvisionRevision.status != doc.ProvisionStatus.DELETED
    agreed = ProvisionRevision.status.in_(
        [doc.ProvisionStatus.AGREED, doc.ProvisionStatus.AGREED_AD_REF]
    )

    def provisions(*conditions) -> sa.ScalarSelect:
        return (
            sa.select(sa.func.count())
            .where(ProvisionRevision.revision_id == revision.id, *conditions)
            .scalar_subquery()
        )

    brackets = (
        sa.select(sa.func.count())
        .select_from(Segment)
        .join(ProvisionRevision, Segment.provision_revision_id == ProvisionRevision.id)
        .where(Segment.revision_id == revision.id, Segment.is_bracket, live)
        .scalar_subquery()
    )
    return provisions(agreed), provisions(live), brackets


def counted_revisions(
    agreement_id: int,
) -> list[tuple[NegotiatingText, list[tuple[Revision, int, int, int]]]]:
    """Each text of the agreement the reader sees, with each of its revisions (oldest first,
    their issuers loaded) and the revision's provisions agreed, provisions and open brackets,
    in one statement however many texts, revisions and provisions there are."""
    rows = db.session.execute(
        sa.select(NegotiatingText, Revision, *_counted(Revision))
        .outerjoin(Revision, Revision.text_id == NegotiatingText.id)
        .where(NegotiatingText.agreement_id == agreement_id)
        .order_by(NegotiatingText.id, Revision.id)
        .options(joinedload(Revision.issuing_party))
    ).all()
    return [
        (
            text,
            [
                (revision, done or 0, total or 0, brackets or 0)
                for _, revision, done, total, brackets in revisions
                if revision is not None
            ],
        )
        for text, revisions in itertools.groupby(rows, key=lambda row: row[0])
    ]


def text_summaries(agreement_id: int) -> list[TextSummary]:
    """Each text of the agreement with its latest revision the reader sees, how far that has
    come and the burn-down of its issued revisions, in one statement however many texts,
    revisions and provisions there are (the agreement's page stays within its bound)."""
    summaries: list[TextSummary] = []
    for text, counted in counted_revisions(agreement_id):
        if not counted:
            summaries.append(TextSummary(text, None, 0, 0, 0))
            continue
        latest, done, total, open_brackets = counted[-1]
        burn_down = tuple(burn_down_point(*row) for row in counted if row[0].is_issued)
        summaries.append(TextSummary(text, latest, done, total, open_brackets, burn_down))
    return summaries


def burn_down_point(
    revision: Revision, agreed: int, total: int, open_brackets: int
) -> BurnDownPoint:
    """A revision's point of its text's burn-down, from its counts (counted_revisions')."""
    if revision.issued_by == doc.IssuedBy.PARTY and revision.issuing_party is not None:
        issuer = revision.issuing_party.name
    else:
        issuer = revision.issued_by.value.capitalize()
    return BurnDownPoint(
        label=revision.label,
        issued_on=revision.issued_on,
        issued_by=issuer,
        open_brackets=open_brackets,
        agreed=agreed,
        total=total,
    )


def burn_down(text: NegotiatingText) -> tuple[BurnDownPoint, ...]:
    """Each issued revision's open brackets and provisions agreed, counted in one query
    however many revisions (the picture on the text's page)."""
    revisions = [r for r in text.revisions if r.is_issued]
    ids = [r.id for r in revisions] or [0]
    counts = {
        revision_id: (done or 0, total or 0, open_brackets or 0)
        for revision_id, done, total, open_brackets in db.session.execute(
            sa.select(Revision.id, *_counted(Revision)).where(Revision.id.in_(ids))
        )
    }
    return tuple(
        burn_down_point(revision, *counts.get(revision.id, (0, 0, 0))) for revision in revisions
    )


# -- Provisions as other pages name them (a negotiation point's) --------------------------


@dataclass(frozen=True)
class ProvisionName:
    """A provision as the reader may see it named: its number and heading in the latest
    revision of its text they see that holds it."""

    provision_id: int
    text_id: int
    text_title: str
    revision_id: int
    revision_label: str
    label: str
    heading: str
    position: int  # its place in that revision
    # Deleted in the text's latest revision the reader sees, or gone from it.
    deleted: bool
    # The markings of what the name shows (its text's and its revision's).
    marking_ids: frozenset[int]

    @property
    def name(self) -> str:
        """E.g. “Main text: Article 5 Access to facilities (deleted)”."""
        words = f"{self.text_title}: {self.label}"
        if self.heading:
            words += f" {self.heading}"
        return words + (" (deleted)" if self.deleted else "")

    def order(self) -> tuple:
        """Where it is listed: by text, in the order of the text, deleted ones last."""
        return (self.text_id, self.deleted, self.position, self.provision_id)


def _names(where) -> dict[int, ProvisionName]:
    """The names of the provisions ``where`` picks, by provision id, each from the latest
    revision the reader sees that holds it (a provision in none they see has no name)."""
    # The texts the reader sees with their latest revision they see.
    latest = (
        sa.select(Revision.text_id, sa.func.max(Revision.id).label("id"))
        .group_by(Revision.text_id)
        .subquery()
    )
    shown = (
        sa.select(
            ProvisionRevision.provision_id, sa.func.max(ProvisionRevision.revision_id).label("id")
        )
        .where(where)
        .group_by(ProvisionRevision.provision_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            ProvisionRevision.provision_id,
            NegotiatingText.id,
            NegotiatingText.title,
            NegotiatingText.marking_id,
            Revision.id,
            Revision.label,
            Revision.marking_id,
            ProvisionRevision.label,
            ProvisionRevision.heading,
            ProvisionRevision.status,
            ProvisionRevision.position,
            latest.c.id,
        )
        .join(
            shown,
            sa.and_(
                shown.c.provision_id == ProvisionRevision.provision_id,
                shown.c.id == ProvisionRevision.revision_id,
            ),
        )
        .join(Revision, Revision.id == ProvisionRevision.revision_id)
        .join(NegotiatingText, NegotiatingText.id == Revision.text_id)
        .join(latest, latest.c.text_id == NegotiatingText.id)
    ).all()
    return {
        row[0]: ProvisionName(
            provision_id=row[0],
            text_id=row[1],
            text_title=row[2],
            revision_id=row[4],
            revision_label=row[5],
            label=row[7],
            heading=row[8],
            position=row[10],
            deleted=row[9] == doc.ProvisionStatus.DELETED or row[4] != row[11],
            marking_ids=frozenset({row[3], row[6]}),
        )
        for row in rows
    }


def provision_names(provision_ids: Collection[int]) -> dict[int, ProvisionName]:
    """The names of ``provision_ids`` the reader may see, by id (see :class:`ProvisionName`)."""
    if not provision_ids:
        return {}
    return _names(ProvisionRevision.provision_id.in_(sorted(set(provision_ids))))


def provision_choices(agreement_id: int, kept: Collection[int] = ()) -> list[ProvisionName]:
    """The provisions of the agreement's texts a point may name: those in each text's latest
    revision the reader sees, and the ``kept`` ones already named; by text, then in the
    order of the text."""
    latest = (
        sa.select(sa.func.max(Revision.id))
        .where(Revision.agreement_id == agreement_id)
        .group_by(Revision.text_id)
    )
    picked = ProvisionRevision.revision_id.in_(latest)
    if kept:
        picked = sa.or_(picked, ProvisionRevision.provision_id.in_(sorted(set(kept))))
    names = _names(sa.and_(ProvisionRevision.agreement_id == agreement_id, picked))
    return sorted(names.values(), key=lambda n: (n.text_id, n.deleted, n.position, n.provision_id))
