"""Who is logged in, how long a session lives, and the rule that every page needs a login."""

from __future__ import annotations

import logging
import time
from functools import cache, wraps
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    has_request_context,
    redirect,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from tracker.data import access
from tracker.extensions import db, login_manager
from tracker.models import Role, User, utcnow

# Endpoints anyone may reach; everything else requires a logged-in, active user.
PUBLIC_ENDPOINTS = frozenset({"accounts.login", "static", "bootstrap.static"})
# Requests for these do not count as activity and are never refused for an old session.
UNTRACKED_ENDPOINTS = frozenset({"static", "bootstrap.static"})

LOGIN_AT = "login_at"
SEEN_AT = "seen_at"
SEEN_AT_STEP = 60  # seconds
EXPIRED_MESSAGE = "Your session has expired; please log in again."

auth_log = logging.getLogger("tracker.auth")


def log_auth(event: str, username: str | None = None) -> None:
    """One line per authentication event: what, who (as tried), from where, when (UTC).

    Usernames are logged with repr so a hostile one cannot forge log lines. Outside a
    request (the ``tracker`` command) the address is ``command-line``.
    """
    auth_log.info(
        "%s username=%r address=%s time=%s",
        event,
        username,
        request.remote_addr if has_request_context() else "command-line",
        utcnow().isoformat(timespec="seconds"),
    )


# Where the JSON API lives: its callers authenticate with a token on each request, never
# with the browser's session (so a page elsewhere cannot make a browser call it: no CSRF).
API_PREFIX = "/api/"


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


@cache
def _user_with_reader() -> sa.Select:
    user_id = sa.bindparam("user_id", type_=sa.Integer)
    return access.with_reader(sa.select(User).where(User.id == user_id), user_id)


def load_user(login_id: str) -> User | None:
    """The active user whose id and session generation match the session's login id; for
    the API never (its requests carry a token instead)."""
    if is_api_request():
        return None
    user_id, _, generation = login_id.partition(":")
    if not (user_id.isdigit() and generation.isdigit()):
        return None
    # With what their access is worked out from, in the same statement (attach_reader
    # then reads nothing more).
    user = access.reading_with_user(db.session, _user_with_reader(), {"user_id": int(user_id)})
    if user is None or not user.active or user.session_generation != int(generation):
        return None
    return user


def start_session(user: User, *, renew: bool = False) -> None:
    """Log ``user`` in on a fresh session that expires when idle or too old.

    ``renew`` logs the same person in again (after a password change) without extending the
    absolute lifetime of their session.
    """
    now = int(time.time())
    login_at = session.get(LOGIN_AT, now) if renew else now
    # The session is a signed cookie with no server-side id to fix, so it is kept (with its
    # CSRF token); login_user replaces the login id in it.
    login_user(user)
    session.permanent = True
    session[LOGIN_AT] = login_at
    session[SEEN_AT] = now


def end_session() -> None:
    logout_user()
    session.pop(LOGIN_AT, None)
    session.pop(SEEN_AT, None)


def session_expired() -> bool:
    now = time.time()
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT)
    if not isinstance(login_at, int) or not isinstance(seen_at, int):
        return True
    config = current_app.config
    return (
        now - login_at > config["SESSION_MAX_HOURS"] * 3600
        or now - seen_at > config["SESSION_IDLE_MINUTES"] * 60
    )


def check_session_age():
    """Applied before every request: log out sessions idle or open for too long."""
    if (
        request.endpoint in UNTRACKED_ENDPOINTS
        or is_api_request()
        or not current_user.is_authenticated
    ):
        return None
    if session_expired():
        log_auth("session expired", current_user.username)
        end_session()
        flash(EXPIRED_MESSAGE, "info")
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    now = int(time.time())
    # Recorded once a minute, the unit idle limits are set in (a session may so end up to a
    # minute early): a request within the minute changes nothing, so its response sends no
    # cookie that, arriving late, could overwrite a newer one (config.py).
    if now - session[SEEN_AT] >= SEEN_AT_STEP:
        session[SEEN_AT] = now
    return None


def require_login():
    """Applied before every request: send anonymous visitors to the login page (the API
    answers for itself, with 401)."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None or is_api_request():
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return None


def role_required(role: Role):
    """Refuse (403) users below ``role``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.can(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target
