"""The access log's page and CSV export, for security officers only (not even admins
otherwise: reading who read what is a security officer's task)."""

from __future__ import annotations

from datetime import date
from functools import wraps

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from tracker.access_log import queries
from tracker.access_log.export import csv_rows
from tracker.data import access
from tracker.extensions import db, login_manager
from tracker.models import clock
from tracker.web.arguments import id_arg

bp = Blueprint("access_log", __name__, url_prefix="/security")

PAGE_SIZE = 50


def officer_required(view):
    """Refuse (403) anyone who is not a security officer, whatever their role."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.security_officer:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def filters_from(args) -> queries.LogFilters:
    """The list's filters from query arguments; a value that names nothing is ignored."""

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None

    record_type = args.get("type", "")
    outcome = args.get("outcome", "")
    return queries.LogFilters(
        user_id=id_arg("user"),
        record_type=record_type if record_type in queries.RECORD_TYPES else "",
        outcome=outcome if outcome in queries.OUTCOMES else "",
        since=day("since"),
        until=day("until"),
    )


@bp.route("/access-log")
@officer_required
def index():
    filters = filters_from(request.args)
    cursor = request.args.get("cursor") or None
    found = queries.log_page(filters, cursor, PAGE_SIZE)
    return render_template(
        "access_log/index.html",
        entries=found.items,
        following=found.next,
        first_page=cursor is None,
        titles=queries.titles(found.items),
        key_of=queries.key_of,
        level_name=queries.level_name,
        filters=filters,
        users=queries.users(),
        record_types=queries.RECORD_TYPES,
        outcomes=queries.OUTCOMES,
    )


@bp.route("/access-log.csv")
@officer_required
def export():
    filters = filters_from(request.args)
    reader = access.current(db.session)

    def lines():
        # Streamed in an app context of its own, so with a session of its own: it reads
        # for the officer too (titles only of what they may see).
        access.use(db.session, reader)
        yield from csv_rows(queries.iter_log(filters))

    rows = stream_with_context(lines())
    name = f"access-log-{clock.today().isoformat()}.csv"
    return Response(
        rows,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
