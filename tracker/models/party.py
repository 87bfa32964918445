"""Parties to agreements (states, organisations, groupings) and the people who speak for them."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, str_enum
from tracker.models.clock import utcnow
from tracker.models.record_version import Versioned

if TYPE_CHECKING:
    from tracker.models.agreement import AgreementParty
    from tracker.models.meeting import Meeting


class PartyKind(enum.StrEnum):
    STATE = "state"
    ORGANISATION = "organisation"
    GROUPING = "grouping"

    @property
    def label(self) -> str:
        return {"state": "State", "organisation": "International organisation"}.get(
            self.value, "Grouping"
        )


class Party(Versioned, Base):
    __tablename__ = "party"
    __table_args__ = (
        # States carry their ISO 3166-1 alpha-3 code.
        sa.CheckConstraint(
            "kind != 'state' OR (code IS NOT NULL AND length(code) = 3 AND code = upper(code))",
            name="state_iso_code",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    kind: Mapped[PartyKind] = mapped_column(str_enum(PartyKind, "kind"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    people: Mapped[list[Person]] = relationship(
        back_populates="party", order_by="(Person.name, Person.id)"
    )
    agreement_links: Mapped[list[AgreementParty]] = relationship(
        back_populates="party", order_by="AgreementParty.agreement_id"
    )

    def __repr__(self) -> str:
        return f"<Party {self.name}>"


class Person(Versioned, Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[str] = mapped_column(sa.String(200), default="")
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("party.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    party: Mapped[Party] = relationship(back_populates="people")
    meetings: Mapped[list[Meeting]] = relationship(
        secondary="meeting_participant",
        back_populates="participants",
        order_by="(Meeting.starts_at, Meeting.id)",
    )

    def __repr__(self) -> str:
        return f"<Person {self.name}>"
