"""The status report of one agreement: a print-ready page and downloads in each format."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from tracker.reports import queries
from tracker.reports.documents import burn_down_svgs, render, timeline_svg
from tracker.reports.forms import AsOfForm
from tracker.reports.outline import outline
from tracker.web.outgoing import mark
from tracker.web.records import or_404

bp = Blueprint("reports", __name__)


def _as_of(form: AsOfForm) -> date | None:
    """The requested day, or a 400 that says what is wrong with it."""
    if not form.validate():
        abort(400, description=" ".join(form.as_of.errors))
    return form.as_of.data


@bp.route("/agreements/<int:agreement_id>/report")
def agreement(agreement_id: int):
    form = AsOfForm(request.args)
    valid = form.validate()
    if form.as_of.data is None:
        # An unreadable day from a hand-edited address: the error says what was wrong, and
        # a date input cannot hold the bad text anyway.
        form.as_of.raw_data = None
    report = or_404(
        queries.agreement_report(agreement_id, as_of=form.as_of.data if valid else None)
    )
    timeline = Markup(timeline_svg(report)) if report.history else None  # noqa: S704
    return render_template(
        "reports/agreement.html",
        report=report,
        outline=outline(report),
        form=form,
        timeline=timeline,
        burn_downs=burn_down_svgs(report),
    ), (200 if valid else 400)


@bp.route("/agreements/<int:agreement_id>/report.<any(pdf, md, json, html):fmt>")
def download(agreement_id: int, fmt: str):
    as_of = _as_of(AsOfForm(request.args))
    report = or_404(queries.agreement_report(agreement_id, as_of=as_of))
    document = render(report, fmt)
    response = Response(
        document.content,
        content_type=document.mimetype,  # holds its charset already
        headers={"Content-Disposition": f'attachment; filename="{document.filename}"'},
    )
    return mark(response, report.marking)
