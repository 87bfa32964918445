"""Reads for the account pages and the command line: API tokens as lists show them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from tracker.accounts import tokens
from tracker.extensions import db
from tracker.models import ApiToken, Party, User, clock, utcnow


@dataclass(frozen=True)
class TokenRow:
    """A token as a list shows it; never its secret, which is not kept."""

    id: int
    username: str
    name: str
    hint: str  # the secret's first characters after the prefix
    read_only: bool
    created_at: datetime
    last_used_at: datetime | None
    # The last day it works on the deployment's calendar (the day given when it was made).
    last_day: date | None
    expired: bool
    revoked_at: datetime | None

    @property
    def shown_hint(self) -> str:
        return f"{tokens.PREFIX}{self.hint}…"


def last_day(expires_at: datetime | None) -> date | None:
    """The day a token expiring at ``expires_at`` (the end of a day) works through."""
    if expires_at is None:
        return None
    return (expires_at.astimezone(clock.deployment_zone()) - timedelta(microseconds=1)).date()


def _row(token: ApiToken, now: datetime) -> TokenRow:
    return TokenRow(
        id=token.id,
        username=token.user.username,
        name=token.name,
        hint=token.hint,
        read_only=token.read_only,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        last_day=last_day(token.expires_at),
        expired=token.expires_at is not None and token.expires_at <= now,
        revoked_at=token.revoked_at,
    )


def token_rows(user: User | None = None, *, revoked: bool = False) -> list[TokenRow]:
    """The tokens of ``user`` (of everyone if None), newest first; revoked ones if asked."""
    stmt = sa.select(ApiToken).join(ApiToken.user).options(contains_eager(ApiToken.user))
    if user is not None:
        stmt = stmt.where(ApiToken.user_id == user.id)
    else:
        stmt = stmt.order_by(User.username)
    if not revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    stmt = stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    now = utcnow()
    return [_row(token, now) for token in db.session.scalars(stmt)]


def token_of(user: User, token_id: int) -> ApiToken | None:
    """``user``'s token ``token_id``; None for another's, as for a token that does not exist."""
    token = tokens.get_token(token_id)
    return token if token is not None and token.user_id == user.id else None


def party_choices() -> list[tuple[int, str]]:
    """(id, "Name (CODE)") of every party, by name: a user's nationality or organisation."""
    rows = db.session.execute(sa.select(Party.id, Party.name, Party.code).order_by(Party.name))
    return [(id_, f"{name} ({code})" if code else name) for id_, name, code in rows]
