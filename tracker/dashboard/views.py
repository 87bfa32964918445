"""The dashboard: agreements by status, next meetings, overdue actions, recent changes."""

from datetime import date

from flask import Blueprint, render_template

from tracker.dashboard import queries

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index():
    today = date.today()
    overdue, overdue_total = queries.overdue_actions(today)
    return render_template(
        "dashboard/index.html",
        counts=queries.status_counts(),
        meetings=queries.upcoming_meetings(queries.now_utc()),
        overdue=overdue,
        overdue_total=overdue_total,
        recent=queries.recently_changed(),
        today=today,
    )
