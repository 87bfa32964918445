"""A whole revision from plain values: a Word file read by docx_import, or any Document.

The new draft starts as a copy of its base (the text's latest issued revision), like any
draft, and then says what the document says. What the document calls the same provision or
alternative as the base keeps its identity, so comparisons follow it across the rounds:

- a provision is the base's provision with the same key (a Document read back from this app)
  or, failing that, with the same number (a Word file has no keys), else a new one;
- an alternative is the base provision's proposal with the same key, or failing that with
  the same wording, else a new proposal tabled in this revision;
- a base provision the document does not have is marked deleted, never dropped.

:func:`plan` says this for a review page before anything is stored; :func:`store` stores it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from tracker.extensions import db
from tracker.markings.services import MarkingChoice
from tracker.models import NegotiatingText, ProvisionRevision, Revision
from tracker.models import text_document as doc
from tracker.texts import services


@dataclass(frozen=True)
class Matched:
    """How one provision of the document is stored: as which provision of the base (None:
    a new one)."""

    provision: doc.Provision
    base: ProvisionRevision | None


@dataclass(frozen=True)
class Plan:
    matched: tuple[Matched, ...]
    deleted: tuple[ProvisionRevision, ...]  # the base's, not in the document

    @property
    def new(self) -> int:
        return sum(1 for m in self.matched if m.base is None)


def _base(text: NegotiatingText) -> Revision | None:
    issued = [r for r in text.revisions if r.is_issued]
    return issued[-1] if issued else None


def plan(
    text: NegotiatingText, document: doc.Document, keys: Mapping[int, int] | None = None
) -> Plan:
    """What storing ``document`` as ``text``'s next draft would do. ``keys`` maps the
    document's provision keys to provision ids when they are not the database's own."""
    base = _base(text)
    rows = list(base.provisions) if base is not None else []
    by_id = {r.provision_id: r for r in rows}
    by_label = {r.label.casefold(): r for r in rows}
    taken: set[int] = set()
    matched = []
    for provision in document.provisions:
        key = provision.key if keys is None else keys.get(provision.key or -1)
        row = by_id.get(key) if key is not None else None
        if row is None:
            row = by_label.get(provision.label.strip().casefold())
        if row is not None and row.provision_id in taken:
            row = None
        if row is not None:
            taken.add(row.provision_id)
        matched.append(Matched(provision, row))
    deleted = tuple(r for r in rows if r.provision_id not in taken)
    return Plan(tuple(matched), deleted)


def _with_proposals(
    provision: doc.Provision, row: ProvisionRevision | None, proposals: Mapping[int, int] | None
) -> doc.Provision:
    """``provision`` with each alternative's key the base's proposal it continues, or None."""
    known: dict[str, int] = {}
    ids: set[int] = set()
    if row is not None:
        for segment in row.segments:
            for alternative in segment.alternatives:
                known.setdefault(alternative.wording.strip(), alternative.proposal_id)
                ids.add(alternative.proposal_id)
        ids |= {s.won_proposal_id for s in row.segments if s.won_proposal_id}
    used: set[int] = set()

    def key_of(alternative: doc.Alternative) -> int | None:
        key = alternative.key
        if key is not None and proposals is not None:
            key = proposals.get(key)
        if key is None or key not in ids:
            key = known.get(alternative.wording.strip())
        if key is None or key in used:
            return None
        used.add(key)
        return key

    segments = []
    for segment in provision.segments:
        won = segment.won
        if won is not None and proposals is not None:
            won = proposals.get(won)
        segments.append(
            replace(
                segment,
                alternatives=tuple(replace(a, key=key_of(a)) for a in segment.alternatives),
                won=won if won in ids else None,
            )
        )
    return replace(provision, segments=tuple(segments))


def store(
    text: NegotiatingText,
    document: doc.Document,
    *,
    label: str,
    keys: dict[int, int] | None = None,
    proposals: dict[int, int] | None = None,
    marking: MarkingChoice | None = None,
) -> Revision:
    """``document`` as ``text``'s new draft labelled ``label``. ``keys`` and ``proposals``,
    when given, map the document's own keys to the database's and are filled in with the
    provisions and proposals this made (to store a series of documents)."""
    planned = plan(text, document, keys)
    revision = services.start_revision(text, label=label, marking=marking)
    rows = {r.provision_id: r for r in revision.provisions}
    parties = services.Parties.load()
    order = []
    for match in planned.matched:
        value = _with_proposals(match.provision, match.base, proposals)
        if match.base is None:
            row = services.add_provision(revision, value, parties=parties)
        else:
            row = rows[match.base.provision_id]
            services.save_provision(row, value, parties=parties)
        order.append(row)
        if keys is not None and match.provision.key is not None:
            keys[match.provision.key] = row.provision_id
        if proposals is not None:
            _note_proposals(match.provision, row, proposals)
    for gone in planned.deleted:  # where they were: after the base's provision before them
        row = rows[gone.provision_id]
        if row.status != doc.ProvisionStatus.DELETED:
            services.set_status(row, doc.ProvisionStatus.DELETED)
        earlier = [r.provision_id for r in planned_base(planned) if r.position < gone.position]
        at = max((i + 1 for i, r in enumerate(order) if r.provision_id in earlier), default=0)
        order.insert(at, row)
    for position, row in enumerate(order):
        row.position = position
    db.session.flush()
    return revision


def planned_base(planned: Plan) -> list[ProvisionRevision]:
    """The base's provisions a plan names, matched or deleted."""
    return [m.base for m in planned.matched if m.base is not None] + list(planned.deleted)


def _note_proposals(
    provision: doc.Provision, row: ProvisionRevision, proposals: dict[int, int]
) -> None:
    brackets = [s for s in provision.segments if s.is_bracket]
    stored = [s for s in row.segments if s.is_bracket]
    for segment, saved in zip(brackets, stored, strict=True):
        for alternative, made in zip(segment.alternatives, saved.alternatives, strict=True):
            if alternative.key is not None:
                proposals[alternative.key] = made.proposal_id
