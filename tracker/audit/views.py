"""A record's history, and the admins' audit page with its CSV export."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from tracker.audit import queries
from tracker.audit.export import csv_rows
from tracker.models import Role, clock
from tracker.web import outgoing
from tracker.web.arguments import id_arg, page_arg
from tracker.web.auth import role_required

bp = Blueprint("audit", __name__)

# Where each kind of record has its own page, for links back from its history.
RECORD_PAGES = {
    "agreement": ("agreements.detail", "agreement_id", "Agreements", "agreements.index"),
    "meeting": ("meetings.detail", "meeting_id", "Meetings", "meetings.index"),
    "party": ("parties.detail", "party_id", "Parties", "parties.index"),
    "person": ("people.detail", "person_id", "People", "people.index"),
}


@bp.route("/history/<record_type>/<int:record_id>")
def history(record_type: str, record_id: int):
    """Every change to one record. Other histories name people by display name only."""
    if record_type not in queries.RECORD_TYPES:
        abort(404)
    if record_type in queries.ADMIN_HISTORIES and not current_user.can(Role.ADMIN):
        abort(403)
    records = queries.history(record_type, record_id)
    if not records and not queries.record_exists(record_type, record_id):
        abort(404)
    page = RECORD_PAGES.get(record_type)
    crumbs = []
    if page:
        endpoint, arg, list_label, list_endpoint = page
        name = next((r.summary for r in records if r.summary), f"#{record_id}")
        crumbs = [
            (list_label, url_for(list_endpoint)),
            (name, url_for(endpoint, **{arg: record_id})),
            ("History", None),
        ]
    return render_template(
        "audit/history.html",
        records=records,
        crumbs=crumbs,
        record_type=record_type,
        record_id=record_id,
    )


def _filters() -> queries.AuditFilters:
    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None

    record_type = request.args.get("type", "")
    return queries.AuditFilters(
        user_id=id_arg("user"),
        record_type=record_type if record_type in queries.RECORD_TYPES else "",
        since=day("since"),
        until=day("until"),
    )


@bp.route("/admin/audit")
@role_required(Role.ADMIN)
def index():
    filters = _filters()
    page = queries.audit_page(filters, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "audit/index.html",
        page=page,
        filters=filters,
        users=queries.users(),
        record_types=queries.RECORD_TYPES,
    )


@bp.route("/admin/audit.csv")
@role_required(Role.ADMIN)
def export():
    filters = _filters()
    # The first line is written before any entry is read: the markings of the entries the
    # export selects, asked of the database. The last line adds those of the entries read
    # (the same ones, unless some were recorded in between).
    outgoing.note(queries.marking_ids(filters))
    marking = outgoing.shown_text()
    rows = outgoing.streamed(
        csv_rows(queries.iter_audit(filters), marking, last_marking=outgoing.shown_text)
    )
    response = Response(
        rows,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="audit-{clock.today().isoformat()}.csv"',
        },
    )
    return outgoing.mark(response, marking)
