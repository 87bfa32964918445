"""Staff accounts: creating, authenticating and changing them. Callers commit."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

import sqlalchemy as sa

from tracker.data import markings
from tracker.extensions import db
from tracker.models import Party, Role, User, utcnow
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
    username: str,
    password: str,
    role: Role | str = Role.VIEWER,
    display_name: str = "",
    *,
    clearance: int = 0,
    party_id: int | None = None,
    caveats: Iterable[str] = (),
    security_officer: bool = False,
) -> User:
    """A new active user; what they may read (see set_clearance) is the least by default."""
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
    set_clearance(
        user,
        clearance=clearance,
        party_id=party_id,
        caveats=caveats,
        security_officer=security_officer,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def rename(user: User, display_name: str) -> None:
    name = display_name.strip()
    if not name or len(name) > 120:
        raise AccountError("A display name is 1–120 characters.", "display_name")
    if user.display_name != name:
        user.display_name = name
        user.version += 1
    db.session.flush()


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


# -- What a user may read: clearance, party, caveats (tracker/models/marking.py) -----------


def _plain_name(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name).strip().casefold()


def level_named(name: str) -> int:
    """The rank of the level called ``name`` (any case; "top-secret" is "Top Secret")."""
    names = markings.levels()
    for rank, level in enumerate(names):
        if _plain_name(level) == _plain_name(name):
            return rank
    raise AccountError(
        f"There is no clearance level “{name}”; the levels are: {', '.join(names)}.", "clearance"
    )


def caveat_named(name: str) -> str:
    """The configured caveat called ``name`` (any case)."""
    known = markings.caveats()
    for caveat in known:
        if _plain_name(caveat) == _plain_name(name):
            return caveat
    listed = ", ".join(known) or "none are configured"
    raise AccountError(f"There is no caveat “{name}”; the caveats are: {listed}.", "caveats")


def party_coded(code: str) -> Party:
    """The party whose ISO code (or, failing that, name) is ``code``, in any case."""
    wanted = code.strip().casefold()
    found = db.session.scalars(
        sa.select(Party).where(
            sa.or_(sa.func.lower(Party.code) == wanted, sa.func.lower(Party.name) == wanted)
        )
    ).all()
    coded = [party for party in found if (party.code or "").casefold() == wanted]
    if coded or len(found) == 1:
        return (coded or found)[0]
    codes = db.session.scalars(
        sa.select(Party.code).where(Party.code.is_not(None)).order_by(Party.code)
    ).all()
    hint = f" Known codes: {', '.join(codes)}." if codes else " No party has a code yet."
    raise AccountError(f"There is no party with the code “{code.strip()}”.{hint}", "party")


def set_clearance(
    user: User,
    *,
    clearance: int,
    party_id: int | None,
    caveats: Iterable[str],
    security_officer: bool,
) -> None:
    """Set what ``user`` may read: the highest level, the party whose releases they receive
    (their nationality or organisation), the caveats they hold; and whether they read the
    access log. Being an admin grants none of it."""
    if not 0 <= clearance < len(markings.levels()):
        raise AccountError("Choose one of the clearance levels.", "clearance")
    if party_id is not None and db.session.get(Party, party_id) is None:
        raise AccountError(f"There is no party {party_id}.", "party")
    held = sorted({caveat_named(name) for name in caveats})
    values = {
        "clearance": clearance,
        "party_id": party_id,
        "caveats": ",".join(held),
        "security_officer": bool(security_officer),
    }
    if any(getattr(user, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(user, name, value)
        if user.id is not None:
            user.version += 1  # see User.version: only the admin's changes raise it
    db.session.flush()


def describe_clearance(user: User, party_codes: dict[int, str] | None = None) -> str:
    """What ``user`` may read, in a line: ``Secret, IND, CABINET`` (for lists)."""
    names = markings.levels()
    parts = [names[min(user.clearance, len(names) - 1)]]
    if user.party_id is not None:
        parts.append((party_codes or {}).get(user.party_id, f"party {user.party_id}"))
    parts += sorted(user.caveat_set)
    return ", ".join(parts)


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
