"""Negotiating texts: what the parties are negotiating, revision by revision.

An agreement has **texts** (its main text, annexes, an implementing arrangement). A text is
issued in **revisions**; an issued revision is frozen and work goes on in a new draft based
on it. A **provision** is an article or paragraph with one identity across revisions; how it
stands in one revision (number, heading, status, wording) is a **provision revision**, whose
wording is **segments**: agreed text, or a bracket of **alternatives**. An alternative's
identity across revisions is its **proposal**, so a proposal can be followed from the round
that tabled it to the one that accepted or dropped it. Footnotes and reservations are
**notes** of the shared text; **internal notes** are our side's only.
``tracker/models/text_document.py`` has the same things as plain values.

Every row carries its agreement's id (and rows inside a revision the revision's), so the
need-to-know rule (tracker/data/access.py) tests each row without walking up the tree.
Revisions, alternatives, notes and internal notes have markings of their own; a text's
structure (provisions, segments) is seen with its revision.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, str_enum
from tracker.models.clock import utcnow
from tracker.models.marking import Marked
from tracker.models.record_version import Versioned
from tracker.models.text_document import (
    InternalKind,
    IssuedBy,
    NoteKind,
    ProvisionKind,
    ProvisionStatus,
    Stance,
)

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.meeting import Meeting
    from tracker.models.party import Party
    from tracker.models.user import User


class TextKind(enum.StrEnum):
    MAIN = "main"
    ANNEX = "annex"
    ARRANGEMENT = "arrangement"

    @property
    def label(self) -> str:
        return {"main": "Main text", "arrangement": "Implementing arrangement"}.get(
            self.value, self.value.capitalize()
        )


def _agreement_id() -> Mapped[int]:
    return mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True)


def _revision_id() -> Mapped[int]:
    return mapped_column(sa.ForeignKey("text_revision.id", ondelete="CASCADE"), index=True)


class NegotiatingText(Marked, Versioned, Base):
    __tablename__ = "negotiating_text"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = _agreement_id()
    title: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[TextKind] = mapped_column(str_enum(TextKind, "text_kind"), default=TextKind.MAIN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="texts")
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="text",
        order_by="Revision.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<NegotiatingText {self.title!r}>"


class Revision(Marked, Versioned, Base):
    """One revision of a text: a draft being worked on, or issued and frozen."""

    __tablename__ = "text_revision"
    __table_args__ = (
        sa.UniqueConstraint("text_id", "label"),
        sa.CheckConstraint(
            "(issued_by = 'party') = (issuing_party_id IS NOT NULL)", name="party_names_issuer"
        ),
        sa.CheckConstraint("issued_at IS NULL OR issued_on IS NOT NULL", name="issued_dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    text_id: Mapped[int] = mapped_column(
        sa.ForeignKey("negotiating_text.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = _agreement_id()
    label: Mapped[str] = mapped_column(sa.String(100))
    issued_by: Mapped[IssuedBy] = mapped_column(
        str_enum(IssuedBy, "issued_by"), default=IssuedBy.JOINT
    )
    issuing_party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("party.id"), index=True)
    # The date on the revision; set when it is issued (a draft may carry a planned one).
    issued_on: Mapped[date | None]
    # When it was issued and frozen; None while it is a draft.
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    based_on_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("text_revision.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    text: Mapped[NegotiatingText] = relationship(back_populates="revisions")
    issuing_party: Mapped[Party | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    based_on: Mapped[Revision | None] = relationship(remote_side=[id])
    provisions: Mapped[list[ProvisionRevision]] = relationship(
        back_populates="revision",
        order_by="ProvisionRevision.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def is_issued(self) -> bool:
        return self.issued_at is not None

    def __repr__(self) -> str:
        return f"<Revision {self.label!r}{' issued' if self.is_issued else ''}>"


class Provision(Base):
    """An article, paragraph or preamble paragraph: the same provision in every revision,
    whatever its number there."""

    __tablename__ = "provision"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_id: Mapped[int] = mapped_column(
        sa.ForeignKey("negotiating_text.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = _agreement_id()
    kind: Mapped[ProvisionKind] = mapped_column(
        str_enum(ProvisionKind, "provision_kind"), default=ProvisionKind.ARTICLE
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ProvisionRevision(Versioned, Base):
    """A provision as it stands in one revision: the unit staff edit, one at a time."""

    __tablename__ = "provision_revision"
    __table_args__ = (
        sa.UniqueConstraint("revision_id", "provision_id"),
        sa.Index("ix_provision_revision_order", "revision_id", "position"),
        sa.CheckConstraint("depth BETWEEN 0 AND 3", name="depth_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision_id: Mapped[int] = _revision_id()
    provision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("provision.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = _agreement_id()
    position: Mapped[int] = mapped_column(default=0)
    depth: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(60))
    heading: Mapped[str] = mapped_column(sa.String(300), default="")
    status: Mapped[ProvisionStatus] = mapped_column(
        str_enum(ProvisionStatus, "provision_status"), default=ProvisionStatus.OPEN
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    revision: Mapped[Revision] = relationship(back_populates="provisions")
    provision: Mapped[Provision] = relationship()
    segments: Mapped[list[Segment]] = relationship(
        back_populates="provision",
        order_by="Segment.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    # Its notes and its alternatives' (``TextNote.alternative`` says which).
    notes: Mapped[list[TextNote]] = relationship(
        back_populates="provision",
        order_by="TextNote.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Segment(Base):
    """A run of a provision's wording: agreed text, or a bracket of alternatives."""

    __tablename__ = "text_segment"
    __table_args__ = (sa.Index("ix_text_segment_order", "provision_revision_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provision_revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("provision_revision.id", ondelete="CASCADE")
    )
    revision_id: Mapped[int] = _revision_id()
    agreement_id: Mapped[int] = _agreement_id()
    position: Mapped[int] = mapped_column(default=0)
    is_bracket: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    # Agreed text a bracket was cleaned into: the proposal that won.
    won_proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="SET NULL"), index=True
    )

    provision: Mapped[ProvisionRevision] = relationship(back_populates="segments")
    alternatives: Mapped[list[Alternative]] = relationship(
        back_populates="segment",
        order_by="Alternative.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Proposal(Base):
    """An alternative's identity across revisions."""

    __tablename__ = "proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    provision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("provision.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = _agreement_id()
    tabled_in_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("text_revision.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Alternative(Marked, Base):
    """One wording inside a bracket; an empty wording proposes to delete the passage."""

    __tablename__ = "text_alternative"
    __table_args__ = (sa.Index("ix_text_alternative_order", "segment_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(sa.ForeignKey("text_segment.id", ondelete="CASCADE"))
    revision_id: Mapped[int] = _revision_id()
    agreement_id: Mapped[int] = _agreement_id()
    proposal_id: Mapped[int] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(60), default="")
    wording: Mapped[str] = mapped_column(sa.Text, default="")

    segment: Mapped[Segment] = relationship(back_populates="alternatives")
    proposal: Mapped[Proposal] = relationship()
    stances: Mapped[list[AlternativeStance]] = relationship(
        back_populates="alternative",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="AlternativeStance.party_id",
    )
    # Read only: a note is written through its provision's ``notes``.
    notes: Mapped[list[TextNote]] = relationship(order_by="TextNote.position", viewonly=True)


class AlternativeStance(Base):
    """Whether a party proposes, supports or opposes an alternative."""

    __tablename__ = "alternative_stance"

    alternative_id: Mapped[int] = mapped_column(
        sa.ForeignKey("text_alternative.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("party.id"), primary_key=True, index=True)
    stance: Mapped[Stance] = mapped_column(str_enum(Stance, "stance"))

    alternative: Mapped[Alternative] = relationship(back_populates="stances")
    party: Mapped[Party] = relationship()


class TextNote(Marked, Base):
    """A footnote or a party's reservation, on a provision or on one of its alternatives:
    part of the shared text."""

    __tablename__ = "text_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    provision_revision_id: Mapped[int] = mapped_column(
        sa.ForeignKey("provision_revision.id", ondelete="CASCADE"), index=True
    )
    alternative_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("text_alternative.id", ondelete="CASCADE"), index=True
    )
    revision_id: Mapped[int] = _revision_id()
    agreement_id: Mapped[int] = _agreement_id()
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[NoteKind] = mapped_column(str_enum(NoteKind, "note_kind"))
    party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("party.id"), index=True)
    body: Mapped[str] = mapped_column(sa.Text)

    provision: Mapped[ProvisionRevision] = relationship(back_populates="notes")
    alternative: Mapped[Alternative | None] = relationship()
    party: Mapped[Party | None] = relationship()


class InternalNote(Marked, Versioned, Base):
    """Our side's note, fallback position or instruction on a text, a provision (in every
    revision) or a proposal: never part of the shared text."""

    __tablename__ = "internal_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    text_id: Mapped[int] = mapped_column(
        sa.ForeignKey("negotiating_text.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int] = _agreement_id()
    provision_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("provision.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[InternalKind] = mapped_column(
        str_enum(InternalKind, "internal_kind"), default=InternalKind.NOTE
    )
    body: Mapped[str] = mapped_column(sa.Text)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    provision: Mapped[Provision | None] = relationship()
    author: Mapped[User | None] = relationship()


point_provision = sa.Table(
    "point_provision",
    Base.metadata,
    sa.Column(
        "point_id",
        sa.ForeignKey("negotiation_point.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "provision_id",
        sa.ForeignKey("provision.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)
