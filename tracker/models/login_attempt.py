"""Login attempts, kept for a few minutes so that every app server counts them alike."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, str_enum
from tracker.models.clock import utcnow


class LoginOutcome(enum.StrEnum):
    # Let through by the address's limit; no password was checked (a client or username
    # limit refused it), or not yet.
    UNCHECKED = "unchecked"
    # Counted as a failure from the moment the password is about to be checked, so that
    # attempts checked at the same time on other servers count each other.
    FAILURE = "failure"
    # A failure followed by a successful login from the same client: no longer held against
    # that client, still counted for the username.
    CLEARED = "cleared"
    SUCCESS = "success"


class LoginAttempt(Base):
    """One login attempt (or wrong current password) the throttle let through the address
    limit: tracker/accounts/throttle.py counts these rows and deletes them once no limit
    looks back that far, so the table holds a few minutes of attempts."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index("ix_login_attempt_address_at", "address", "at"),
        sa.Index("ix_login_attempt_username_at", "username", "at"),
    )

    # Ids are never reused; a flood of attempts over the years outgrows 32 bits.
    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The address as counted: an IPv4 address, or the /64 network of an IPv6 address.
    address: Mapped[str] = mapped_column(sa.String(64))
    # As typed and normalised, whether or not such a user exists.
    username: Mapped[str] = mapped_column(sa.String(80))
    # Who tried: a browser that has logged in as this username before, else the address.
    client: Mapped[str] = mapped_column(sa.String(80))
    outcome: Mapped[LoginOutcome] = mapped_column(str_enum(LoginOutcome, "outcome"))

    def __repr__(self) -> str:
        return f"<LoginAttempt {self.username!r} {self.client} {self.outcome}>"
