"""Agreement pages."""

from flask import Blueprint, render_template

from tracker.agreements import queries

bp = Blueprint("agreements", __name__)


@bp.route("/")
def index():
    return render_template("agreements/index.html", agreements=queries.active_agreements())
