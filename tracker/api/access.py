"""Who may call what on the API: the caller's token, its user's role, and whether the
token may only read. Refusals are logged like the pages' (tracker.security)."""

from __future__ import annotations

from functools import wraps

from flask import abort, g, request
from flask_login import current_user

from tracker.api import arguments
from tracker.models import Role
from tracker.web.security import log_refusal

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def requires(role: Role):
    """Refuse a call without a working token (401), from a role below ``role`` or, for a
    change, with a read-only token (403); then one carrying a NUL character (422)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(
                    401,
                    description="Send a working API token: Authorization: Bearer <token>.",
                )
            if not current_user.can(role):
                log_refusal()
                abort(403, description=f"This needs the role {role.value} or higher.")
            token = g.get("api_token")
            if token is not None and token.read_only and request.method not in READING_METHODS:
                log_refusal()
                abort(403, description="This token may only read.")
            arguments.refuse_nul()
            return view(*args, **kwargs)

        return wrapped

    return decorator
