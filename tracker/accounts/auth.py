"""Who is logged in, and the rule that every page needs a login."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import abort, request
from flask_login import current_user

from tracker.extensions import db, login_manager
from tracker.models import Role, User

# Endpoints anyone may reach; everything else requires a logged-in, active user.
PUBLIC_ENDPOINTS = frozenset({"accounts.login", "static", "bootstrap.static"})


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if not user_id.isdigit():
        return None
    return db.session.get(User, int(user_id))


def require_login():
    """Applied before every request: send anonymous visitors to the login page."""
    if request.endpoint in PUBLIC_ENDPOINTS or request.endpoint is None:
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
