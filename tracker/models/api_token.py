"""Personal API tokens: how programs act as a staff member through the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.models.base import Base, UTCDateTime
from tracker.models.clock import utcnow

if TYPE_CHECKING:
    from tracker.models.user import User


class ApiToken(Base):
    """A named token of one user. Only a hash of its secret is kept: the secret is shown
    once, when the token is made. A token acts with its user's role of the moment, and not
    at all once the user is deactivated, the token revoked or past its expiry."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(80))
    # SHA-256 of the secret, hex: the secret has 256 random bits, so a fast hash is enough
    # and a request is looked up by it.
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The secret's first characters, shown in lists to tell tokens apart.
    hint: Mapped[str] = mapped_column(sa.String(16))
    read_only: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    def usable(self, now: datetime) -> bool:
        """Whether the token may be used at ``now`` (its user's state aside)."""
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)

    def __repr__(self) -> str:
        return f"<ApiToken {self.name!r} of user {self.user_id}>"


class ApiCallCount(Base):
    """How many calls a token made in one window of the API's rate limit (TRACKER_API_RATE),
    counted in the database every app server shares: tracker/accounts/api_rate.py adds one
    per call and deletes a token's older windows when it opens a new one, so the table holds
    a row per token at most."""

    __tablename__ = "api_call_count"

    token_id: Mapped[int] = mapped_column(
        sa.ForeignKey("api_token.id", ondelete="CASCADE"), primary_key=True
    )
    # The window's number: seconds since the epoch divided by the window's length.
    window_number: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True, autoincrement=False)
    calls: Mapped[int]

    def __repr__(self) -> str:
        return f"<ApiCallCount token {self.token_id} window {self.window_number}: {self.calls}>"
