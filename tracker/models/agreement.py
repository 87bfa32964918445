"""Agreements, the parties to them, and their status history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from tracker.models import clock
from tracker.models.base import ACTIVE, Base, UTCDateTime, str_enum
from tracker.models.clock import utcnow
from tracker.models.marking import Marked
from tracker.models.record_version import Versioned
from tracker.models.status import Status, TransitionError, check_transition

if TYPE_CHECKING:
    from tracker.models.access import AccessEntry
    from tracker.models.action import ActionItem
    from tracker.models.meeting import AgendaItem, Meeting
    from tracker.models.negotiation import NegotiationPoint
    from tracker.models.party import Party
    from tracker.models.text import NegotiatingText
    from tracker.models.user import User


class Category(enum.StrEnum):
    LOGISTICS = "logistics"
    DEFENCE_INDUSTRIAL = "defence_industrial"
    TECHNOLOGY = "technology"
    SECURITY_DIALOGUE = "security_dialogue"
    EXERCISES_TRAINING = "exercises_training"
    INFORMATION_SHARING = "information_sharing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.LOGISTICS: "Logistics",
    Category.DEFENCE_INDUSTRIAL: "Defence-industrial co-development and co-production",
    Category.TECHNOLOGY: "Technology co-development",
    Category.SECURITY_DIALOGUE: "Security dialogue",
    Category.EXERCISES_TRAINING: "Exercises and training",
    Category.INFORMATION_SHARING: "Information sharing",
    Category.OTHER: "Other",
}


class Priority(enum.StrEnum):
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PartyRole(enum.StrEnum):
    PARTY = "party"
    OBSERVER = "observer"
    FACILITATOR = "facilitator"

    @property
    def label(self) -> str:
        return self.value.capitalize()


# What the need-to-know rule tests of an agreement (tracker/data/access.py), at the end of
# the list's indexes.
RULED = ("marking_id", "need_to_know")


class Agreement(Marked, Versioned, Base):
    __tablename__ = "agreement"
    version_parts = ("party_links",)
    __table_args__ = (
        sa.CheckConstraint(
            "signed_on IS NULL OR opened_on IS NULL OR signed_on >= opened_on",
            name="signed_after_opened",
        ),
        sa.CheckConstraint(
            "in_force_on IS NULL OR signed_on IS NULL OR in_force_on >= signed_on",
            name="in_force_after_signed",
        ),
        # The list: active agreements by title, status or last activity (latest first),
        # narrowed by nothing, status, category or lead; one index for each filter and
        # order, so a page reads its rows in order and never sorts the filter's matches.
        # Partial, so PostgreSQL too reads them in order (it does not treat IS NULL on a
        # leading column as fixing that column). Each ends with what the need-to-know rule
        # tests (RULED), so SQLite tests the rows a reader may not see in the index,
        # without reading them. The orders by activity are indexed below the class, where
        # the column can be named in descending order.
        sa.Index("ix_agreement_list_title", "title", "id", *RULED, **ACTIVE),
        sa.Index("ix_agreement_list_status", "status", "title", "id", *RULED, **ACTIVE),
        sa.Index("ix_agreement_list_category", "category", "title", "id", *RULED, **ACTIVE),
        sa.Index(
            "ix_agreement_list_category_status",
            "category",
            "status",
            "title",
            "id",
            *RULED,
            **ACTIVE,
        ),
        sa.Index("ix_agreement_list_lead", "lead_id", "title", "id", *RULED, **ACTIVE),
        sa.Index(
            "ix_agreement_list_lead_status", "lead_id", "status", "title", "id", *RULED, **ACTIVE
        ),
        # No index on status or category alone: SQLite would count by status through it,
        # visiting every row, instead of through the list's index of active agreements.
        # The dashboard's recently changed agreements; the few archived agreements.
        sa.Index("ix_agreement_recent", "updated_at", "id", **ACTIVE),
        sa.Index(
            "ix_agreement_archived",
            "archived_at",
            "id",
            sqlite_where=sa.text("archived_at IS NOT NULL"),
            postgresql_where=sa.text("archived_at IS NOT NULL"),
        ),
        # The need-to-know agreements, to ask once a request whether any leaves its reader
        # off its list (tracker/data/access.py) without reading the others.
        sa.Index(
            "ix_agreement_need_to_know",
            "id",
            sqlite_where=sa.text("need_to_know = 1"),
            postgresql_where=sa.text("need_to_know"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    short_name: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    # Only ever set through change_status(); the history is the source of truth.
    status: Mapped[Status] = mapped_column(str_enum(Status, "status"))
    priority: Mapped[Priority] = mapped_column(
        str_enum(Priority, "priority"), default=Priority.NORMAL
    )
    opened_on: Mapped[date | None]
    target_on: Mapped[date | None]
    signed_on: Mapped[date | None]
    in_force_on: Mapped[date | None]
    lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Need-to-know: only the users on its access list (besides being cleared) see it and
    # everything under it.
    need_to_know: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # Kept by database triggers (see the "agreement activity" migration) whoever writes the
    # history or the meetings; the app never sets them. They let the list sort by activity.
    status_changed_on: Mapped[date | None]
    last_meeting_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_on: Mapped[date | None]

    lead: Mapped[User | None] = relationship()
    # Every collection has an order: PostgreSQL returns rows in no order of their own, so
    # without one a page, form or API answer would list them differently after an edit.
    # Parties by name, as the database orders names (its collation), as the list does.
    party_links: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by=lambda: [_party_name(), AgreementParty.party_id],
    )
    status_changes: Mapped[list[StatusChange]] = relationship(
        back_populates="agreement",
        cascade="all, delete-orphan",
        order_by=lambda: [StatusChange.effective_on, StatusChange.id],
    )
    agenda_items: Mapped[list[AgendaItem]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgendaItem.meeting_id"
    )
    points: Mapped[list[NegotiationPoint]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="NegotiationPoint.id"
    )
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="ActionItem.id"
    )
    access_entries: Mapped[list[AccessEntry]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AccessEntry.id"
    )
    texts: Mapped[list[NegotiatingText]] = relationship(
        back_populates="agreement",
        order_by="NegotiatingText.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __init__(
        self,
        *,
        status: Status | str = Status.PROPOSED,
        status_on: date | None = None,
        recorded_by: User | None = None,
        **kwargs,
    ) -> None:
        """Create an agreement with its first status-history record."""
        super().__init__(**kwargs)
        self.change_status(
            status,
            effective_on=status_on or clock.today(),
            recorded_by=recorded_by,
            note="Recorded in the tracker",
        )

    @property
    def parties(self) -> list[Party]:
        return [link.party for link in self.party_links]

    def change_status(
        self,
        new: Status | str,
        *,
        effective_on: date,
        note: str = "",
        meeting: Meeting | None = None,
        recorded_by: User | None = None,
    ) -> StatusChange:
        """Move to ``new`` and record it in the history; the only way status changes."""
        new = Status(new)
        current = self.status if self.status_changes else None
        check_transition(current, new)
        if self.status_changes and effective_on < self.status_changes[-1].effective_on:
            last = self.status_changes[-1].effective_on
            raise TransitionError(
                f"The change cannot take effect before the previous one ({last:%d %b %Y})."
            )
        change = StatusChange(
            from_status=current,
            to_status=new,
            effective_on=effective_on,
            note=note,
            meeting=meeting,
            recorded_by=recorded_by,
        )
        self.status_changes.append(change)
        self.status = new
        self._fill_key_date(new, effective_on)
        return change

    def _fill_key_date(self, status: Status, on: date) -> None:
        if status == Status.UNDER_NEGOTIATION and self.opened_on is None:
            self.opened_on = on
        elif status == Status.SIGNED and self.signed_on is None:
            self.signed_on = on
        elif status == Status.IN_FORCE and self.in_force_on is None:
            self.in_force_on = on

    @property
    def status_since(self) -> date | None:
        return self.status_changes[-1].effective_on if self.status_changes else None

    def __repr__(self) -> str:
        return f"<Agreement {self.short_name or self.title!r} [{self.status}]>"


# The list by last activity, latest first, alone or within a status, category or lead.
for _name, _leading in {
    "ix_agreement_list_activity": (),
    "ix_agreement_list_status_activity": (Agreement.status,),
    "ix_agreement_list_category_activity": (Agreement.category,),
    "ix_agreement_list_lead_activity": (Agreement.lead_id,),
}.items():
    sa.Index(
        _name,
        *_leading,
        Agreement.last_activity_on.desc(),
        Agreement.title,
        Agreement.id,
        Agreement.marking_id,
        Agreement.need_to_know,
        **ACTIVE,
    )


def _party_name() -> sa.ScalarSelect:
    """A party link's party's name, to order an agreement's parties by."""
    from tracker.models.party import Party

    return (
        sa.select(Party.name)
        .where(Party.id == AgreementParty.party_id)
        .correlate(AgreementParty)
        .scalar_subquery()
    )


class AgreementParty(Base):
    """A party's part in an agreement, with its role."""

    __tablename__ = "agreement_party"
    part_of = "agreement"
    # A party's agreements without visiting the table (the list's party filter).
    __table_args__ = (sa.Index("ix_agreement_party_party_id", "party_id", "agreement_id"),)

    agreement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("party.id"), primary_key=True)
    role: Mapped[PartyRole] = mapped_column(str_enum(PartyRole, "role"), default=PartyRole.PARTY)

    agreement: Mapped[Agreement] = relationship(back_populates="party_links")
    party: Mapped[Party] = relationship(back_populates="agreement_links")

    @property
    def party_name(self) -> str:
        return self.party.name


class StatusChange(Marked, Base):
    """One step of an agreement's status history."""

    __tablename__ = "status_change"
    __table_args__ = (
        sa.CheckConstraint(
            "from_status IS NULL OR from_status != to_status", name="changes_status"
        ),
        sa.Index("ix_status_change_agreement_id", "agreement_id", "effective_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("agreement.id", ondelete="CASCADE"))
    from_status: Mapped[Status | None] = mapped_column(str_enum(Status, "from_status"))
    to_status: Mapped[Status] = mapped_column(str_enum(Status, "to_status"))
    effective_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    meeting_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    recorded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    agreement: Mapped[Agreement] = relationship(back_populates="status_changes")
    meeting: Mapped[Meeting | None] = relationship(back_populates="status_changes")
    recorded_by: Mapped[User | None] = relationship()


class StatusHistoryError(RuntimeError):
    """The current status and the recorded history disagree: a programming error."""


@event.listens_for(Session, "before_flush")
def _status_agrees_with_history(session: Session, _context, _instances) -> None:
    """Refuse to write an agreement whose status is not the last step of its history."""
    touched = {obj for obj in session.new if isinstance(obj, StatusChange) and obj.agreement}
    agreements = {change.agreement for change in touched}
    for obj in session.new | session.dirty:
        if isinstance(obj, Agreement) and (
            obj in session.new or sa.inspect(obj).attrs.status.history.has_changes()
        ):
            agreements.add(obj)
    for agreement in agreements:
        history = agreement.status_changes
        if not history or history[-1].to_status != agreement.status:
            raise StatusHistoryError(
                f"{agreement!r}: status {agreement.status!r} does not match its history; "
                "use Agreement.change_status()"
            )
        for before, after in zip(history, history[1:], strict=False):
            if after.from_status != before.to_status:
                raise StatusHistoryError(f"{agreement!r}: status history is not a chain")
