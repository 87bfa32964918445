"""Staff accounts: creating, authenticating and changing them. Callers commit."""

from __future__ import annotations

import re
import secrets

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Role, User, utcnow
from tracker.models.errors import RuleError
from tracker.models.user import dummy_password_check

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
MIN_PASSWORD_LENGTH = 10


class AccountError(RuleError):
    """A request about an account that cannot be carried out."""


def normalise_username(username: str) -> str:
    return username.strip().lower()


def check_username(username: str) -> str:
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise AccountError(
            "Usernames are 2–80 characters: letters, digits, dots, dashes and underscores, "
            "starting with a letter or digit.",
            "username",
        )
    return username


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"Passwords must be at least {MIN_PASSWORD_LENGTH} characters long.", "password"
        )
    if password.strip() != password:
        raise AccountError("Passwords cannot begin or end with spaces.", "password")


def generate_password() -> str:
    """A random password that is easy to type once: 4 groups of 5 characters."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))


def get_user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == normalise_username(username)))


def require_user(username: str) -> User:
    user = get_user(username)
    if user is None:
        raise AccountError(f"There is no user called “{normalise_username(username)}”.")
    return user


def create_user(
    username: str, password: str, role: Role | str = Role.VIEWER, display_name: str = ""
) -> User:
    username = check_username(username)
    check_password_strength(password)
    if get_user(username) is not None:
        raise AccountError(f"A user called “{username}” already exists.", "username")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        role=Role(role),
        active=True,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    """Change the password and end every session of the user (callers log the current one
    back in when the user changed their own)."""
    check_password_strength(password)
    user.set_password(password)
    user.end_sessions()
    db.session.flush()


def _other_active_admins(user: User) -> int:
    """Active admins other than ``user``; locks their rows where the database can."""
    query = (
        sa.select(User.id)
        .where(User.role == Role.ADMIN, User.active.is_(True), User.id != user.id)
        .with_for_update()
    )
    return len(db.session.scalars(query).all())


def _is_last_admin(user: User) -> bool:
    return user.role == Role.ADMIN and user.active and _other_active_admins(user) == 0


def change_role(user: User, role: Role | str) -> None:
    role = Role(role)
    if role != Role.ADMIN and _is_last_admin(user):
        raise AccountError(
            f"“{user.username}” is the last active admin; make another admin first.", "role"
        )
    if user.role != role:
        user.role = role
        user.version += 1  # see User.version: only the admin's changes raise it
    db.session.flush()


def deactivate(user: User, by: User | None) -> None:
    """Stop ``user`` from logging in and end their sessions; records and history stay.

    ``by`` is the admin doing it (None at the command line), who cannot deactivate
    themselves; nobody can deactivate the last active admin.
    """
    if by is not None and user.id == by.id:
        raise AccountError("You cannot deactivate your own account.")
    if _is_last_admin(user):
        raise AccountError(f"“{user.username}” is the last active admin and cannot be deactivated.")
    user.active = False
    user.end_sessions()
    db.session.flush()


def reactivate(user: User) -> None:
    # A new session version: sessions from before the deactivation stay ended.
    user.active = True
    user.end_sessions()
    db.session.flush()


def log_out(user: User) -> None:
    """End the user's sessions, so a copy of the session cookie stops working too."""
    user.end_sessions()
    db.session.flush()


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None; unknown names cost the same time."""
    user = get_user(username)
    if user is None:
        dummy_password_check(password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    return user


def count_users() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(User)) or 0


def get_user_by_id(user_id: int) -> User | None:
    return db.session.get(User, user_id)


def list_users() -> list[User]:
    return list(db.session.scalars(sa.select(User).order_by(User.username)))
