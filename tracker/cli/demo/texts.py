"""The demo world's negotiating texts (``[[text]]`` in world.toml), made through the same
services as the pages: each revision after the first starts as a copy of the one before,
then the changes the file lists are made to it, and it is issued."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.markings.services import MarkingChoice
from tracker.models import (
    Agreement,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    Party,
    Provision,
)
from tracker.models import text_document as doc
from tracker.texts import services


def load_texts(
    rows: list[dict],
    agreements: dict[str, Agreement],
    parties: dict[str, Party],
    meetings: dict[str, Meeting],
    value_of,
    marking_of,
) -> int:
    """Make the texts not there yet; returns how many were made. ``value_of(spec, parent)``
    turns a marking in the file into a value (``parent`` when none is given);
    ``marking_of(record)`` is a record's marking."""
    made = 0
    for row in rows:
        agreement = agreements[row["agreement"]]
        exists = db.session.scalar(
            sa.select(NegotiatingText.id).where(
                NegotiatingText.agreement_id == agreement.id,
                NegotiatingText.title == row["title"],
            )
        )
        if exists is None:
            _Loader(parties, meetings, value_of).text(agreement, marking_of(agreement), row)
            made += 1
    return made


class _Loader:
    def __init__(self, parties, meetings, value_of) -> None:
        self.parties = parties
        self.meetings = meetings
        self.value_of = value_of
        self.provisions: dict[str, int] = {}  # the file's keys -> provision ids
        self.proposals: dict[str, int] = {}  # the file's keys -> proposal ids

    def text(self, agreement: Agreement, parent, row: dict) -> None:
        revisions = row["revision"]
        value = self.value_of(row.get("marking"), parent)
        text = services.create_text(
            agreement,
            title=row["title"],
            first_label=revisions[0]["label"],
            marking=MarkingChoice(value),
        )
        for index, spec in enumerate(revisions):
            if index == 0:
                revision = text.revisions[0]
            else:
                revision = services.start_revision(text, label=spec["label"])
            self.changes(revision, spec)
            services.update_revision(
                revision, label=spec["label"], details=self.issue(spec), note=spec.get("note", "")
            )
            services.issue(revision, self.issue(spec))
        for note in row.get("internal", []):
            services.add_internal_note(
                text,
                kind=doc.InternalKind(note["kind"]),
                body=note["body"],
                author_id=None,
                provision_id=self.provisions.get(note.get("provision", "")),
                marking=MarkingChoice(self.value_of(note.get("marking"), value)),
            )
        # The agreement's points that name provisions of this text (``points``: [subject, key]).
        for subject, key in row.get("points", []):
            point = db.session.scalar(
                sa.select(NegotiationPoint).where(
                    NegotiationPoint.agreement_id == agreement.id,
                    NegotiationPoint.subject == subject,
                )
            )
            provision = db.session.get(Provision, self.provisions[key])
            if point is not None and provision not in point.provisions:
                point.provisions.append(provision)

    def issue(self, spec: dict) -> services.Issue:
        by = spec.get("issued_by", "joint")
        party = self.parties.get(by)
        return services.Issue(
            issued_by=doc.IssuedBy.PARTY if party else doc.IssuedBy(by),
            issuing_party_id=party.id if party else None,
            issued_on=date.fromisoformat(spec["issued_on"]),
            meeting_id=self.meetings[spec["meeting"]].id if "meeting" in spec else None,
        )

    def row(self, revision, key: str):
        provision_id = self.provisions[key]
        return next(r for r in revision.provisions if r.provision_id == provision_id)

    def changes(self, revision, spec: dict) -> None:
        for provision in spec.get("provision", []):
            value = self.provision(provision)
            if provision["key"] in self.provisions:
                row = self.row(revision, provision["key"])
                services.save_provision(row, value)
            else:
                before = provision.get("before")
                row = services.add_provision(
                    revision, value, before=self.row(revision, before) if before else None
                )
                self.provisions[provision["key"]] = row.provision_id
            self.remember(row, provision)
        for key, winner in spec.get("clean", []):
            row = self.row(revision, key)
            proposal = self.proposals[winner]
            segment = next(
                s for s in row.segments if any(a.proposal_id == proposal for a in s.alternatives)
            )
            services.clean_bracket(row, segment.position, proposal)
        for key, status in spec.get("status", []):
            services.set_status(self.row(revision, key), doc.ProvisionStatus(status))

    def remember(self, row, spec: dict) -> None:
        """The proposal ids the file's alternative keys became."""
        brackets = [s for s in spec["segments"] if isinstance(s, dict)]
        stored = [s for s in row.segments if s.is_bracket]
        for bracket, segment in zip(brackets, stored, strict=True):
            for option, alternative in zip(bracket["bracket"], segment.alternatives, strict=True):
                self.proposals[option["key"]] = alternative.proposal_id

    def codes(self, names) -> tuple[str, ...]:
        return tuple(self.parties[name].code or name for name in names)

    def provision(self, spec: dict) -> doc.Provision:
        segments = []
        for part in spec["segments"]:
            if isinstance(part, str):
                segments.append(doc.Segment(text=part))
                continue
            segments.append(
                doc.Segment(
                    alternatives=tuple(
                        doc.Alternative(
                            wording=option["wording"],
                            proposed_by=self.codes(option.get("by", ())),
                            supported_by=self.codes(option.get("supports", ())),
                            opposed_by=self.codes(option.get("opposes", ())),
                            key=self.proposals.get(option["key"]),
                        )
                        for option in part["bracket"]
                    )
                )
            )
        notes = tuple(
            doc.Note(
                kind=doc.NoteKind(note["kind"]),
                body=note["body"],
                party=self.codes([note["party"]])[0] if "party" in note else None,
            )
            for note in spec.get("notes", [])
        )
        return doc.Provision(
            label=spec["label"],
            kind=doc.ProvisionKind(spec.get("kind", "article")),
            heading=spec.get("heading", ""),
            status=doc.ProvisionStatus(spec.get("status", "open")),
            segments=tuple(segments),
            notes=notes,
        )
