"""Action items: what someone has to do next for an agreement."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime
from tracker.models.clock import utcnow
from tracker.models.marking import Marked
from tracker.models.record_version import Versioned

if TYPE_CHECKING:
    from tracker.models.agreement import Agreement
    from tracker.models.meeting import Meeting
    from tracker.models.party import Person


class ActionItem(Marked, Versioned, Base):
    __tablename__ = "action_item"
    __table_args__ = (
        sa.CheckConstraint("done_on IS NULL OR done", name="done_on_only_when_done"),
        # Open items by due date: the dashboard's overdue list.
        sa.Index("ix_action_item_open", "done", "due_on", "id"),
        # An agreement's overdue items counted from the index alone: the portfolio's rows.
        sa.Index("ix_action_item_agreement_open", "agreement_id", "done", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(sa.String(500))
    owner_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(index=True)
    done: Mapped[bool] = mapped_column(default=False)
    done_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="action_items")
    meeting: Mapped[Meeting | None] = relationship(back_populates="action_items")
    owner: Mapped[Person | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return not self.done and self.due_on is not None and self.due_on < today

    def __repr__(self) -> str:
        return f"<ActionItem {self.description[:30]!r}>"
