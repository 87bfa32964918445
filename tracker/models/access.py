"""Need-to-know: named groups of users, the access lists of agreements, and the access log."""

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
    from tracker.models.agreement import Agreement
    from tracker.models.user import User


group_member = sa.Table(
    "access_group_member",
    Base.metadata,
    sa.Column("group_id", sa.ForeignKey("access_group.id", ondelete="CASCADE"), primary_key=True),
    sa.Column(
        "user_id", sa.ForeignKey("user.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class AccessGroup(Versioned, Base):
    """A named set of users (a desk, a delegation) that access lists can name at once."""

    __tablename__ = "access_group"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    members: Mapped[list[User]] = relationship(secondary=group_member, order_by="User.username")

    def __repr__(self) -> str:
        return f"<AccessGroup {self.name!r}>"


class AccessEntry(Base):
    """One line of a need-to-know agreement's access list: a user or a group."""

    __tablename__ = "agreement_access"
    part_of = "agreement"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) != (group_id IS NULL)", name="user_or_group"),
        sa.UniqueConstraint("agreement_id", "user_id", "group_id"),
        sa.Index("ix_agreement_access_user_id", "user_id", "agreement_id"),
        sa.Index("ix_agreement_access_group_id", "group_id", "agreement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("access_group.id", ondelete="CASCADE")
    )

    agreement: Mapped[Agreement] = relationship(back_populates="access_entries")
    user: Mapped[User | None] = relationship()
    group: Mapped[AccessGroup | None] = relationship()

    @property
    def name(self) -> str:
        if self.user is not None:
            return self.user.display_name
        return f"{self.group.name} (group)" if self.group is not None else ""


class AccessOutcome(enum.StrEnum):
    READ = "read"
    REFUSED = "refused"


class AccessLogEntry(Base):
    """A marked record read (or refused) by someone: written after the request, never edited."""

    __tablename__ = "access_log"
    __table_args__ = (sa.Index("ix_access_log_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The record's table (agreement, negotiation_point, party_position...) and its id; a
    # record keyed by two ids (a position: point and party; an outcome: meeting and
    # agreement) has the second in part_id.
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    part_id: Mapped[int | None]
    level: Mapped[int]
    outcome: Mapped[AccessOutcome] = mapped_column(str_enum(AccessOutcome, "outcome"))
    address: Mapped[str] = mapped_column(sa.String(64), default="")
    path: Mapped[str] = mapped_column(sa.String(300), default="")

    user: Mapped[User | None] = relationship()
