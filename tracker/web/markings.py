"""Markings on pages: who the request reads for, and the banner of what a page shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g
from flask_login import current_user
from markupsafe import Markup, escape

from tracker.data import access, markings
from tracker.data.cache import remember
from tracker.extensions import db
from tracker.models import MarkingValue, Party
from tracker.models.clock import today


def attach_reader() -> None:
    """Before every request, once the user is known: query for what they may see."""
    access.use(db.session, access.for_user(db.session, current_user))


def party_codes() -> dict[int, str]:
    """Each party's short code (its ISO code, else its name), as releasability shows it."""

    def read() -> dict[int, str]:
        rows = db.session.execute(db.select(Party.id, Party.code, Party.name))
        return {id_: code or name for id_, code, name in rows}

    # Kept for the request too: a list writes one marking per row, and asking the cache
    # costs a query each time.
    if "tracker_party_codes" not in g:
        g.tracker_party_codes = remember("party codes", read)
    return g.tracker_party_codes


def describe(value: MarkingValue) -> str:
    """``value`` as banners and files show it, e.g. ``RESTRICTED // REL TO IND, JPN``."""
    # Party codes only when needed: most records have no release list.
    return value.describe(markings.levels(), party_codes() if value.release_to else {})


def value_of(marking_id: int) -> MarkingValue:
    return markings.value_of(db.session, marking_id)


def page_marking() -> MarkingValue:
    """The highest marking of everything the request has loaded so far."""
    values = [value_of(marking_id) for marking_id in access.marking_ids(db.session)]
    return MarkingValue.combined(values, today())


def banner() -> Markup:
    """The page's marking banner: its text, coloured by level."""
    value = page_marking()
    text = escape(describe(value))
    return Markup(  # noqa: S704  (escaped above)
        f'<div class="marking-banner marking-level-{int(value.level)}" role="note" '
        f'aria-label="Classification">{text}</div>'
    )


def record_marking(record) -> str:
    """The marking of one record, for lists and record pages."""
    return describe(value_of(record.marking_id).current(today()))


def marking_badge(record) -> Markup:
    """The badge of a record's marking, as lists and record pages show it by its title."""
    text = escape(record_marking(record))
    return Markup(  # noqa: S704  (escaped above)
        f'<span class="badge marking-badge border text-bg-light" title="Classification">'
        f"{text}</span>"
    )


def marking_badges() -> Callable[[Any], Markup]:
    """:func:`marking_badge` for the rows of one list: each marking's badge made once (a
    list draws fifty, mostly of the same few markings)."""
    made: dict[int, Markup] = {}

    def badge(record) -> Markup:
        found = made.get(record.marking_id)
        if found is None:
            found = made[record.marking_id] = marking_badge(record)
        return found

    return badge
