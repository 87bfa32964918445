"""Negotiation points: the questions on which the parties still differ."""

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

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.meeting import Meeting
    from tracker.models.party import Party
    from tracker.models.text import Provision
    from tracker.models.user import User


class PointStatus(enum.StrEnum):
    OPEN = "open"
    CONVERGING = "converging"
    AGREED = "agreed"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def is_settled(self) -> bool:
        return self in (PointStatus.AGREED, PointStatus.DROPPED)


class NegotiationPoint(Marked, Versioned, Base):
    __tablename__ = "negotiation_point"
    version_parts = ("positions", "provisions")
    __table_args__ = (
        sa.CheckConstraint(
            "settled_at_id IS NULL OR status IN ('agreed', 'dropped')",
            name="settled_only_when_closed",
        ),
        # An agreement's open points counted from the index alone: the portfolio's rows.
        sa.Index("ix_negotiation_point_agreement_status", "agreement_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    subject: Mapped[str] = mapped_column(sa.String(200))
    details: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[PointStatus] = mapped_column(
        str_enum(PointStatus, "status"), default=PointStatus.OPEN
    )
    raised_at_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    settled_at_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="points")
    raised_at: Mapped[Meeting | None] = relationship(foreign_keys=[raised_at_id])
    settled_at: Mapped[Meeting | None] = relationship(foreign_keys=[settled_at_id])
    positions: Mapped[list[PartyPosition]] = relationship(
        back_populates="point", cascade="all, delete-orphan", order_by="PartyPosition.party_id"
    )
    # The provisions of the agreement's texts the point is about.
    provisions: Mapped[list[Provision]] = relationship(
        secondary="point_provision", order_by="Provision.id"
    )
    # Oldest first: the order positions were stated in, then recorded in.
    position_changes: Mapped[list[PositionChange]] = relationship(
        back_populates="point",
        cascade="all, delete-orphan",
        order_by="(PositionChange.stated_on, PositionChange.recorded_at, PositionChange.id)",
    )

    def __repr__(self) -> str:
        return f"<NegotiationPoint {self.subject!r} [{self.status}]>"


class PartyPosition(Marked, Base):
    """What one party holds on a negotiation point."""

    __tablename__ = "party_position"
    part_of = "point"

    point_id: Mapped[int] = mapped_column(
        sa.ForeignKey("negotiation_point.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("party.id"), primary_key=True, index=True)
    position: Mapped[str] = mapped_column(sa.Text)

    point: Mapped[NegotiationPoint] = relationship(back_populates="positions")
    party: Mapped[Party] = relationship()


class PositionChange(Marked, Base):
    """One step of a party's position on a point: what it held from ``stated_on`` on
    (empty: it no longer held one), and where it said so. Appended by the points service
    whenever a position changes; never changed afterwards."""

    __tablename__ = "position_change"
    __table_args__ = (
        # A point's history, or one party's, read in the order it was stated.
        sa.Index("ix_position_change_point", "point_id", "party_id", "stated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(sa.ForeignKey("negotiation_point.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("party.id"), index=True)
    position: Mapped[str] = mapped_column(sa.Text, default="")
    stated_on: Mapped[date]
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )

    point: Mapped[NegotiationPoint] = relationship(back_populates="position_changes")
    party: Mapped[Party] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def removed(self) -> bool:
        """Whether this step took the party's position away."""
        return not self.position
