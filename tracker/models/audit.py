"""The audit trail: who changed which record, when, and each field's old and new value."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime, str_enum
from tracker.models.clock import utcnow
from tracker.models.marking import UNMARKED_ID
from tracker.models.user import User


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    ARCHIVE = "archive"
    RESTORE = "restore"
    DELETE = "delete"
    STATUS_CHANGE = "status_change"

    @property
    def label(self) -> str:
        return "Status change" if self is AuditAction.STATUS_CHANGE else self.value.capitalize()


class AuditRecord(Base):
    """One change to one record. Written in the transaction of the change; never edited."""

    __tablename__ = "audit_record"
    __table_args__ = (sa.Index("ix_audit_record_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # No ON DELETE: users are deactivated, never removed, so the trail keeps its authors.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"), index=True)
    # The name of the API token the user made the change through (as it was then); None
    # for a change made on the pages or the command line.
    token_name: Mapped[str | None] = mapped_column(sa.String(80))
    action: Mapped[AuditAction] = mapped_column(str_enum(AuditAction, "action"))
    record_type: Mapped[str] = mapped_column(sa.String(40))
    record_id: Mapped[int]
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    # [{"field": name, "old": value, "new": value}, …] with values as JSON scalars.
    changes: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    # The marking of what the entry shows, and the agreement it belongs to (no foreign key:
    # the entry outlives the record), so it is seen by exactly who may see that record.
    marking_id: Mapped[int] = mapped_column(
        default=UNMARKED_ID, server_default=sa.text(str(UNMARKED_ID))
    )
    agreement_id: Mapped[int | None]

    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<AuditRecord {self.action} {self.record_type}#{self.record_id}>"
