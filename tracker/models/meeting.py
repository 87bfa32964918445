"""Meetings, who attended, and what they said about each agreement."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import ACTIVE, Base, UTCDateTime, str_enum
from tracker.models.clock import get_zone, local_day, utcnow
from tracker.models.marking import Marked
from tracker.models.record_version import Versioned

if TYPE_CHECKING:
    from tracker.models.action import ActionItem
    from tracker.models.agreement import Agreement, StatusChange
    from tracker.models.party import Person


class MeetingLevel(enum.StrEnum):
    SUMMIT = "summit"
    MINISTERIAL = "ministerial"
    SENIOR_OFFICIALS = "senior_officials"
    WORKING_GROUP = "working_group"
    VIRTUAL = "virtual"
    MULTILATERAL = "multilateral"

    @property
    def label(self) -> str:
        return {
            "senior_officials": "Senior officials",
            "working_group": "Working group",
            "multilateral": "Multilateral gathering",
        }.get(self.value, self.value.capitalize())


meeting_participant = sa.Table(
    "meeting_participant",
    Base.metadata,
    sa.Column("meeting_id", sa.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("person_id", sa.ForeignKey("person.id"), primary_key=True, index=True),
)


class Meeting(Marked, Versioned, Base):
    __tablename__ = "meeting"
    version_parts = ("participants", "agenda_items")
    __table_args__ = (
        sa.CheckConstraint("ends_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
        sa.CheckConstraint("parent_id IS NULL OR parent_id != id", name="not_own_parent"),
        # Active meetings by date: the list, the dashboard's next meetings. The list's search
        # tests title, city and setting in the index, not in rows that carry the minutes.
        sa.Index(
            "ix_meeting_list_starts_at", "starts_at", "id", "title", "city", "setting", **ACTIVE
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # IANA name of the zone the meeting is held in; times are shown in it.
    timezone: Mapped[str] = mapped_column(sa.String(64), default="UTC")
    city: Mapped[str] = mapped_column(sa.String(120), default="")
    country: Mapped[str] = mapped_column(sa.String(120), default="")
    setting: Mapped[str] = mapped_column(sa.String(300), default="")
    level: Mapped[MeetingLevel] = mapped_column(str_enum(MeetingLevel, "level"))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    parent: Mapped[Meeting | None] = relationship(
        back_populates="side_meetings", remote_side=lambda: [Meeting.id]
    )
    side_meetings: Mapped[list[Meeting]] = relationship(
        back_populates="parent", order_by=lambda: [Meeting.starts_at, Meeting.id]
    )
    participants: Mapped[list[Person]] = relationship(
        secondary=meeting_participant, back_populates="meetings", order_by="Person.name"
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.agreement_id"
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="meeting", order_by="StatusChange.id"
    )
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="meeting", order_by="ActionItem.id"
    )

    @property
    def zone(self) -> ZoneInfo:
        return get_zone(self.timezone)

    @property
    def local_starts_at(self) -> datetime:
        """The start time on the clock of the place the meeting is held."""
        return self.starts_at.astimezone(self.zone)

    @property
    def local_day(self) -> date:
        """The day the meeting starts, on the calendar of the place it is held."""
        return local_day(self.starts_at, self.timezone)

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.city, self.country) if part)

    def __repr__(self) -> str:
        return f"<Meeting {self.title!r} {self.starts_at:%Y-%m-%d}>"


class AgendaItem(Marked, Base):
    """An agreement discussed at a meeting, with what came out of it for that agreement."""

    __tablename__ = "agenda_item"
    part_of = "meeting"
    # An agreement's meetings without visiting the table.
    __table_args__ = (sa.Index("ix_agenda_item_agreement_id", "agreement_id", "meeting_id"),)

    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    outcome: Mapped[str] = mapped_column(sa.Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    agreement: Mapped[Agreement] = relationship(back_populates="agenda_items")
