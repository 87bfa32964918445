"""After every request: put what it read (and, after a 404, what it was refused) in the
access log, once the response has gone (tracker/data/access_log.py says how)."""

from __future__ import annotations

import logging

from flask import current_app, request
from flask_login import current_user

from tracker.data import access_log
from tracker.extensions import db
from tracker.models import AccessOutcome, clock
from tracker.web.security import STATIC_ENDPOINTS

logger = logging.getLogger("tracker.security")


def note_request(response):
    """Applied after every request of a logged-in user (pages, downloads, the API alike)."""
    if request.endpoint in STATIC_ENDPOINTS or not current_user.is_authenticated:
        return response
    # The set itself: a streamed download goes on loading records after this point.
    loaded = access_log.noted(db.session())
    wanted = access_log.asked_for(request.view_args) if response.status_code == 404 else []
    visit = access_log.Visit(
        user_id=current_user.id,
        address=request.remote_addr or "",
        path=request.path,
        at=clock.utcnow(),
    )
    app = current_app._get_current_object()
    floor = int(app.config.get("ACCESS_LOG_LEVEL", 0))

    def write() -> None:
        if not wanted and not access_log.may_hold_reads(loaded, floor):
            return
        try:
            with app.app_context():
                day = clock.today()
                entries = [
                    (entry, AccessOutcome.READ)
                    for entry in access_log.reads(loaded, floor, day, db.session)
                ]
                if wanted:
                    entries += [
                        (entry, AccessOutcome.REFUSED)
                        for entry in access_log.refusals(db.session, visit.user_id, wanted, day)
                    ]
                db.session.rollback()  # what the lookups read; the log is written apart
                access_log.write(visit, entries)
        except Exception:
            # The answer has gone; say loudly that the log missed it.
            logger.exception(
                "Access log not written: user_id=%s path=%s", visit.user_id, visit.path
            )

    response.call_on_close(write)
    return response
