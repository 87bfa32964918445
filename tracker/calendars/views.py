"""Downloadable calendars: every meeting, or the meetings that discussed one agreement."""

from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, Response, current_app, url_for

from tracker.calendars import queries
from tracker.models import utcnow
from tracker.render.ical import build_calendar
from tracker.web import outgoing
from tracker.web.records import or_404

bp = Blueprint("calendars", __name__)


def slug(text: str, fallback: str) -> str:
    """ASCII letters, digits and hyphens for a file name ("Tōkyō talks" -> "tokyo-talks")."""
    # Accents come off ("ō" -> "o"); every other run of non-ASCII-alphanumerics is one hyphen.
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    cleaned = re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")[:60].strip("-")
    return cleaned or fallback


def _meeting_url(meeting_id: int) -> str:
    # On the configured address: a calendar file outlives the request, whose Host header
    # anyone can set.
    return current_app.config["BASE_URL"].rstrip("/") + url_for(
        "meetings.detail", meeting_id=meeting_id
    )


def _calendar(name: str, uid: str, filename: str, agreement_id: int | None) -> Response:
    domain = current_app.config["CALENDAR_DOMAIN"]
    now = utcnow()
    ids = queries.feed_ids(
        agreement_id, now=now, past_limit=current_app.config["CALENDAR_PAST_MEETINGS"]
    )
    entries = queries.calendar_entries(ids, _meeting_url, outgoing.text_of)
    # Every record the calendar shows was loaded for it (and the agreement it is of).
    marking = outgoing.shown_text()
    body = build_calendar(
        name,
        entries,
        calendar_uid=f"{uid}@{domain}",
        domain=domain,
        generated_at=now,
        marking=marking,
    )
    response = Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}.ics"'},
    )
    return outgoing.mark(response, marking)


@bp.route("/calendar.ics")
def all_meetings():
    return _calendar("tracker — all meetings", "calendar-all", "tracker-meetings", None)


@bp.route("/agreements/<int:agreement_id>/calendar.ics")
def agreement_meetings(agreement_id: int):
    """Meetings that discussed the agreement; an archived agreement has no calendar (404)."""
    agreement = or_404(queries.active_agreement(agreement_id))
    name = agreement.short_name or agreement.title
    return _calendar(
        f"tracker — {name}",
        f"calendar-agreement-{agreement.id}",
        f"tracker-{slug(name, f'agreement-{agreement.id}')}-meetings",
        agreement.id,
    )
