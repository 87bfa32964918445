"""The dashboard: agreements by status, next meetings, overdue actions, recent changes."""

from flask import Blueprint, render_template

from tracker.dashboard import queries
from tracker.models import clock

bp = Blueprint("dashboard", __name__)


@bp.route("/")
def index():
    today = clock.today()
    overdue, overdue_total = queries.overdue_actions(today)
    return render_template(
        "dashboard/index.html",
        counts=queries.status_counts(),
        meetings=queries.upcoming_meetings(clock.utcnow()),
        overdue=overdue,
        overdue_total=overdue_total,
        recent=queries.recently_changed(),
        today=today,
    )
