"""Personal API tokens: made, listed, revoked, and recognised on a request. Callers commit.

A token's secret is ``trk_`` and 43 characters of URL-safe randomness (256 bits), shown
once when the token is made; only its SHA-256 hash is stored, so a stolen database does
not hand out working tokens, and a request's token is found by that hash. A token acts as
its user, with the user's role at the time of each request: changing the role changes what
the token may do at once, deactivating the user stops every token of theirs, and a
read-only token may only read whatever the role.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

import sqlalchemy as sa
from flask import after_this_request, current_app, g
from sqlalchemy.orm import joinedload

from tracker.data import access, audit_trail
from tracker.data.database import apart
from tracker.extensions import db
from tracker.models import ApiToken, RuleError, User, clock, utcnow
from tracker.web.auth import is_api_request

PREFIX = "trk_"
HINT_LENGTH = 8  # characters of the secret after the prefix, shown in lists
MAX_NAME_LENGTH = 80
# How stale a token's "last used" may get before a request records it again: one write a
# minute at most per token, however busy a program is.
LAST_USED_STEP = timedelta(minutes=1)


class TokenError(RuleError):
    """A token that cannot be made or changed as asked."""


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _expiry(expires_on: date | None) -> datetime | None:
    """The end of ``expires_on`` on the deployment's calendar, as a UTC instant."""
    if expires_on is None:
        return None
    if expires_on <= clock.today():
        raise TokenError("A token must expire after today.", "expires_on")
    if expires_on >= date.max:  # its end would be past the last day a date can hold
        raise TokenError("Pick an earlier day, or none to have no expiry.", "expires_on")
    # Without a configured zone, a naive time is read as the server's local time.
    end = datetime.combine(expires_on + timedelta(days=1), time.min, tzinfo=clock.deployment_zone())
    return end.astimezone(UTC)


def create_token(
    user: User, name: str, *, read_only: bool = False, expires_on: date | None = None
) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its secret, which is not kept: show it once."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError("Give the token a name, such as the program that will use it.", "name")
    if len(name) > MAX_NAME_LENGTH:
        raise TokenError(f"Names are at most {MAX_NAME_LENGTH} characters.", "name")
    if not user.active:
        raise TokenError(f"“{user.username}” is deactivated and cannot have tokens.")
    taken = db.session.scalar(
        sa.select(ApiToken.id).where(
            ApiToken.user_id == user.id, ApiToken.name == name, ApiToken.revoked_at.is_(None)
        )
    )
    if taken:
        raise TokenError(f"There is already a token called “{name}”; revoke it first.", "name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        secret_hash=hash_secret(secret),
        hint=secret[len(PREFIX) : len(PREFIX) + HINT_LENGTH],
        read_only=read_only,
        expires_at=_expiry(expires_on),
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke(token: ApiToken) -> None:
    """Stop ``token`` from working; revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        db.session.flush()


def tokens_of(user: User, *, revoked: bool = False) -> list[ApiToken]:
    """``user``'s tokens, newest first; revoked ones only if asked for."""
    stmt = sa.select(ApiToken).where(ApiToken.user_id == user.id)
    if not revoked:
        stmt = stmt.where(ApiToken.revoked_at.is_(None))
    return list(db.session.scalars(stmt.order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def get_token(token_id: int) -> ApiToken | None:
    return db.session.get(ApiToken, token_id)


@cache
def _by_hash() -> sa.Select:
    """The token with the bound ``secret_hash``, its user loaded with it, and what the
    user's access is worked out from (tracker/data/access.py): built once (every API request
    runs it; SQLAlchemy works out a new statement's cache key each time)."""
    secret_hash = sa.bindparam("secret_hash", type_=sa.String)
    user_id = sa.select(ApiToken.user_id).where(ApiToken.secret_hash == secret_hash)
    return access.with_reader(
        sa.select(ApiToken)
        .where(ApiToken.secret_hash == secret_hash)
        .options(joinedload(ApiToken.user)),
        user_id.scalar_subquery(),
    )


def authenticate(secret: str | None) -> ApiToken | None:
    """The usable token whose secret this is, with its active user loaded; else None."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    # Tokens and users are not marked, and the reader is not known yet: the need-to-know
    # criteria have nothing to narrow here, so the load skips them.
    token = access.reading_with_user(
        db.session, _by_hash(), {"secret_hash": hash_secret(secret)}, lambda token: token.user
    )
    if token is None or not token.usable(utcnow()) or not token.user.active:
        return None
    return token


def record_use(token_id: int, at: datetime) -> None:
    """Note that a token was used ``at``, in a short transaction of its own (a request that
    only reads must not write, and one refused must not lose it). Bookkeeping no request
    decides on, so apart from the write lock: noting a use never waits for a save, nor makes
    a request that is saving run again (tracker/data/database.py)."""
    with apart(), db.engine.begin() as connection:
        connection.execute(
            sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=at)
        )


def bearer_secret(request) -> str | None:
    """The secret a request sends as ``Authorization: Bearer <secret>``, if it does."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def user_from_request(request) -> User | None:
    """Flask-Login's request loader: on the API, the user of the token a request carries
    as ``Authorization: Bearer <secret>`` (the token is kept in ``g.api_token``); anywhere
    else, nobody (pages are for logged-in sessions).

    The token's use is noted at most once a minute, once the response has gone: by then
    the request's own transaction is over, whatever it held."""
    if not is_api_request():
        return None
    token = authenticate(bearer_secret(request))
    if token is None:
        return None
    g.api_token = token
    # Changes made with it are audited as its user's, through it.
    audit_trail.acting_through_token(db.session(), token.name)
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_STEP:
        app, token_id = current_app._get_current_object(), token.id

        def note_use() -> None:
            with app.app_context():
                record_use(token_id, now)

        @after_this_request
        def when_sent(response):
            response.call_on_close(note_use)
            return response

    return token.user
