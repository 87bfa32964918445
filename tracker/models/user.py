"""Staff accounts."""

from __future__ import annotations

import contextlib
import enum
import functools
from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from tracker.models.base import Base, UTCDateTime, str_enum
from tracker.models.clock import utcnow

DEFAULT_HASH_PROFILE = "RFC_9106_LOW_MEMORY"


def _profile() -> str:
    if has_app_context():
        return current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_HASH_PROFILE)
    return DEFAULT_HASH_PROFILE


@functools.cache
def _hasher_for(profile: str) -> PasswordHasher:
    return PasswordHasher.from_parameters(getattr(profiles, profile))


@functools.cache
def _dummy_hash(profile: str) -> str:
    return _hasher_for(profile).hash("not a real password")


def _hasher() -> PasswordHasher:
    """Argon2 with the configured cost profile (tests use argon2's CHEAPEST to stay fast)."""
    return _hasher_for(_profile())


class Role(enum.StrEnum):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)


class User(UserMixin, Base):
    __tablename__ = "user"
    __table_args__ = (sa.CheckConstraint("username = lower(username)", name="username_lower"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.VIEWER)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the session's login id: raising it ends every session of this user. (The
    # column keeps the name the first schema gave it.)
    session_generation: Mapped[int] = mapped_column(
        "session_version", default=1, server_default=sa.text("1")
    )
    # Counts the changes made on the admin's page of this user (the role) and is raised by
    # hand there, so that logins and ended sessions never make an admin's open form stale.
    # Every UPDATE still refuses to write over a version other than the one it loaded.
    version: Mapped[int] = mapped_column(default=1, server_default=sa.text("1"))
    # What this user may read (tracker/models/marking.py): the highest level, the party
    # whose releases they receive, and the caveats they hold (sorted, comma-separated).
    clearance: Mapped[int] = mapped_column(default=0, server_default=sa.text("0"))
    party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("party.id", ondelete="SET NULL"))
    caveats: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")
    # Reads and exports the access log; no reading rights of its own.
    security_officer: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    def set_password(self, password: str) -> None:
        """Store an Argon2 hash of ``password``; the password itself is never kept."""
        self.password_hash = _hasher().hash(password)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches; rehashes if the hashing parameters changed."""
        try:
            _hasher().verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if _hasher().check_needs_rehash(self.password_hash):
            self.set_password(password)
        return True

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: a session from an older generation is
        refused."""
        return f"{self.id}:{self.session_generation}"

    def end_sessions(self) -> None:
        """End every session of this user (in the database, so concurrent bumps all count)."""
        self.session_generation = User.session_generation + 1

    @property
    def caveat_set(self) -> frozenset[str]:
        return frozenset(c for c in (self.caveats or "").split(",") if c)

    def can(self, role: Role) -> bool:
        """Whether this user holds ``role`` or a higher one."""
        return self.active and Role(self.role).rank >= role.rank

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def __repr__(self) -> str:
        return f"<User {self.username} ({self.role})>"


def dummy_password_check(password: str) -> None:
    """Spend the time of a real check, so unknown usernames cannot be told apart by timing."""
    with contextlib.suppress(VerificationError):
        _hasher().verify(_dummy_hash(_profile()), password)
