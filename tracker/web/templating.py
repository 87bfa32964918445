"""Template filters and globals, installed by create_app: labels, badges, stored values, links."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache

from flask import url_for
from flask_login import current_user
from markupsafe import Markup, escape

from tracker.models import Role
from tracker.render.dates import format_date, format_local_datetime


def label(value) -> str:
    """The human label of an enum value, or the value itself."""
    return getattr(value, "label", str(value or ""))


@lru_cache(maxsize=64)
def status_badge(status) -> Markup:
    # Drawn once per status (a list draws one a row, of a dozen statuses). Both parts
    # escaped here; an f-string because Markup.format costs several times more.
    css, text = escape(str(status)), escape(label(status))
    return Markup(f'<span class="badge status status-{css}">{text}</span>')  # noqa: S704


def stored_value(value) -> str:
    """A value as kept in the audit trail (JSON), shown in the app's formats."""
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(stored_value(item) for item in value) or "(none)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if len(text) == 10 and text[4:5] == "-" and text[7:8] == "-":
        try:
            return format_date(date.fromisoformat(text))
        except ValueError:
            return text
    if len(text) >= 19 and text[10:11] == "T":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return format_local_datetime(moment) if moment.tzinfo else format_date(moment)
    return text


def id_urls(endpoint: str, argument: str) -> Callable[[int], str]:
    """``url_for(endpoint, argument=id)`` for many ids at the cost of one call: long lists
    build the URL once, with a marker id, and put each id in its place."""
    marker = "987654321"
    head, tail = url_for(endpoint, **{argument: int(marker)}).split(marker)
    return lambda id_: f"{head}{int(id_)}{tail}"


def permissions() -> dict[str, bool]:
    """Whether the user may edit (editors) and restore or delete (admins): templates hide
    the buttons a user may not use."""
    user = current_user
    return {
        "can_edit": user.is_authenticated and user.can(Role.EDITOR),
        "can_admin": user.is_authenticated and user.can(Role.ADMIN),
    }


FILTERS = {
    "date": format_date,
    "local_datetime": format_local_datetime,
    "label": label,
    "status_badge": status_badge,
    "stored_value": stored_value,
}
