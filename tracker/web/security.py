"""Security on every response: headers, a request id, error pages and the log of refusals."""

from __future__ import annotations

import logging
import secrets

from flask import Flask, Request, current_app, g, render_template, request, session
from flask_login import current_user
from werkzeug.exceptions import Conflict, RequestEntityTooLarge, ServiceUnavailable
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream

from tracker.data import database
from tracker.extensions import db
from tracker.models import clock
from tracker.web.auth import is_api_request

logger = logging.getLogger("tracker.security")

# Where the app keeps the API's problem renderer (installed with the API), in app.extensions.
API_PROBLEMS = "tracker.api.problems"

# No inline scripts or styles anywhere: templates use classes from tracker.css.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # Bootstrap draws form controls with data: SVGs
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
# Files that are the same for everyone, so caches may keep them.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})

# Every error the app can answer with gets a page in the app's layout.
ERROR_CODES = (400, 403, 404, 405, 409, 413, 429, 500, 503)
# When a client told the database is busy (503) may try again, in seconds.
RETRY_AFTER_BUSY = 5
BUSY_MESSAGE = (
    "The database is busy with other changes and this request could not wait any longer. "
    "Nothing was saved; try again in a moment."
)
TIMEOUT_MESSAGE = (
    "This request took too long and was stopped. Reload the page to see whether a change "
    "you were saving was made before trying again; if this keeps happening, report it with "
    "the reference below."
)


class CappedBody(LimitedStream):
    """A request body without a length given ahead (sent in chunks), read up to ``cap``
    bytes: one byte more is refused with 413.

    Werkzeug limits such a body to MAX_CONTENT_LENGTH, but reading it whole stops at the
    limit without asking whether more follows, so a form sent in chunks past the cap was
    parsed from its first 2 MiB and the rest dropped without a word. Reading one byte past
    the cap tells the two apart, whichever way the body is read.
    """

    def __init__(self, stream, cap: int) -> None:
        super().__init__(stream, cap + 1, is_max=True)
        self.cap = cap

    def readinto(self, buffer) -> int:
        count = super().readinto(buffer)
        if self.tell() > self.cap:
            raise RequestEntityTooLarge()
        return count


class TrackerRequest(Request):
    """Flask's request, holding the size cap on bodies sent in chunks as on any other."""

    @cached_property
    def stream(self):
        cap = self.max_content_length
        # A server that ends the body itself (chunked transfer coding: gunicorn, Werkzeug's
        # own server) says so with wsgi.input_terminated; other bodies have a length.
        if cap is None or self.shallow or not self.environ.get("wsgi.input_terminated"):
            return super().stream
        if self.content_length is not None and self.content_length > cap:
            raise RequestEntityTooLarge()
        return CappedBody(self.environ["wsgi.input"], cap)


class TrackerFlask(Flask):
    """Flask, logging unhandled exceptions with the request id shown on the 500 page,
    holding the size cap on bodies sent in chunks, and running each request under the
    transaction rules of tracker/data/database.py."""

    request_class = TrackerRequest

    def full_dispatch_request(self):
        # What a first, deferred run of a writing request leaves behind if it has to run
        # again (tracker/data/database.py): the user it loaded, changes to the session cookie.
        cookie = dict(session)

        def again() -> None:
            g.pop("_login_user", None)  # loaded again, and checked again, in the new run
            session.clear()
            session.update(cookie)

        return database.run_request(super().full_dispatch_request, again=again)

    def log_exception(self, exc_info) -> None:
        self.logger.error(
            "Unhandled exception, request id %s: %s %s (endpoint %s)",
            request_id(),
            request.method,
            request.path,
            request.endpoint,
            exc_info=exc_info,
        )


def request_id() -> str:
    """This request's short random id, made on first use; staff quote it from the 500 page."""
    if "request_id" not in g:
        g.request_id = secrets.token_hex(6)
    return g.request_id


PROXY_HEADERS = ("for", "proto", "host", "port", "prefix")


def trust_proxy(app: Flask) -> None:
    """Believe the X-Forwarded-* headers set by the number of proxies each setting names.

    Behind a reverse proxy, the client's address (for login throttling and the logs) and the
    scheme (for https links) arrive in these headers; with no proxy they are ignored.
    """
    hops = {name: app.config[f"PROXY_FIX_X_{name.upper()}"] for name in PROXY_HEADERS}
    if any(hops.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **{f"x_{name}": n for name, n in hops.items()})


def assign_request_id() -> None:
    # Before anything else, so every log line of the request can carry it.
    request_id()


def add_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["X-Request-ID"] = request_id()
    if request.endpoint not in STATIC_ENDPOINTS or response.status_code not in (200, 304):
        # Defence data must not linger in browser or shared caches once the user has left;
        # only the static files themselves are the same for everyone (an error page for a
        # missing one shows who is logged in).
        response.headers["Cache-Control"] = "no-store"
    return response


def render_error(error):
    code = getattr(error, "code", None) or 500
    if code == 403:
        log_refusal()
    if code >= 500:
        # A failed write leaves the session unusable until rolled back, and the page needs it
        # (the logged-in user in the layout): without this, the 500 page itself would fail.
        # A 503 gives up a write the same way: nothing of it may be committed. The page
        # then reads without asking for the write lock again.
        db.session.rollback()
        database.done_writing()
    headers = {"Retry-After": str(RETRY_AFTER_BUSY)} if code == 503 else {}
    # The API answers with problem details instead of a page (tracker/api/problems.py).
    problem = current_app.extensions.get(API_PROBLEMS) if is_api_request() else None
    if problem is not None:
        response = problem(error)
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response
    return render_template("errors/error.html", error=error, code=code), code, headers


def render_busy(_error):
    """A write that waited too long for the database's write lock: 503, try again soon."""
    logger.warning(
        "Database busy: gave up waiting for the write lock, request_id=%s endpoint=%s",
        request_id(),
        request.endpoint,
    )
    return render_error(ServiceUnavailable(BUSY_MESSAGE))


def render_timeout(_error):
    """A request stopped at its time limit (tracker/web/deadline.py): 503, try again."""
    logger.warning(
        "Request stopped at its time limit: request_id=%s %s %s (endpoint %s)",
        request_id(),
        request.method,
        request.path,
        request.endpoint,
    )
    # Stopped anywhere, perhaps inside a database call: the connections are given up rather
    # than asked to roll back, and the page reads on fresh ones, without the write lock.
    db.session().invalidate()
    database.done_writing()
    return render_error(ServiceUnavailable(TIMEOUT_MESSAGE))


def render_lost_race(_error):
    """A write that lost the race with another save of the same record, where the view had
    no form to show again (see tracker/web/editing.py): the 409 page, never a 500."""
    db.session.rollback()
    return render_error(Conflict())


def log_refusal() -> None:
    """Who was refused what, from where and when; never form data, which may hold secrets."""
    user = current_user.username if current_user.is_authenticated else "anonymous"
    logger.warning(
        "Refused: user=%s endpoint=%s method=%s remote_addr=%s at=%s request_id=%s",
        user,
        request.endpoint,
        request.method,
        request.remote_addr,
        clock.utcnow().isoformat(timespec="seconds"),
        request_id(),
    )
