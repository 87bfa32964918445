"""Negotiation points, added and changed from their agreement's page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from tracker.extensions import db
from tracker.models import Agreement, NegotiationPoint, Role
from tracker.points import queries, services
from tracker.points.forms import PointEditForm, PointForm, point_form
from tracker.web import conflicts
from tracker.web.auth import role_required
from tracker.web.forms import ConfirmForm

bp = Blueprint("points", __name__)


def _agreement_page(agreement_id: int):
    return redirect(url_for("agreements.detail", agreement_id=agreement_id))


def _load_point(point_id: int) -> NegotiationPoint:
    point = queries.point_for_form(point_id)
    if point is None:
        abort(404)
    return point


def _prepare(form: PointForm, agreement: Agreement, point: NegotiationPoint | None) -> None:
    keep = (point.raised_at_id, point.settled_at_id) if point else ()
    choices = queries.meeting_choices(agreement, keep)
    form.raised_at_id.choices = choices
    form.settled_at_id.choices = choices


def _save(form: PointForm, save) -> bool:
    """Call ``save`` with the form's values; a refused change becomes an error on its field."""
    try:
        save(
            subject=form.subject.data,
            details=form.details.data or "",
            status=form.status.data,
            raised_at_id=form.raised_at_id.data,
            settled_at_id=form.settled_at_id.data,
            positions=form.positions(),
        )
    except services.PointError as error:
        db.session.rollback()
        field = form._fields.get(error.field or "", form.subject)
        field.errors = [*field.errors, str(error)]
        return False
    db.session.commit()
    return True


@bp.route("/agreements/<int:agreement_id>/points/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create(agreement_id: int):
    agreement = queries.agreement_for_form(agreement_id)
    if agreement is None:
        abort(404)
    form = point_form(agreement.parties)()
    _prepare(form, agreement, None)
    if form.validate_on_submit():
        saved = {}

        def save(**values):
            saved["point"] = services.create_point(agreement, **values)

        if _save(form, save):
            flash(f"Point “{saved['point'].subject}” added.", "success")
            return _agreement_page(agreement_id)
    return render_template("points/form.html", form=form, agreement=agreement, point=None)


@bp.route("/points/<int:point_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(point_id: int):
    point = _load_point(point_id)
    agreement = point.agreement
    initial = {f"position_{row.party_id}": row.position for row in point.positions}
    form_class = point_form(agreement.parties, base=PointEditForm)
    form = form_class(obj=point, data=None if request.method == "POST" else initial)
    _prepare(form, agreement, point)
    conflict = conflicts.check(form, point)
    if form.validate_on_submit() and conflict is None:
        try:
            with conflicts.saving(form, point):
                saved = _save(form, lambda **values: services.update_point(point, **values))
        except conflicts.EditConflict as error:
            conflict = error.conflict
        else:
            if saved:
                flash(f"Point “{form.subject.data.strip()}” saved.", "success")
                return _agreement_page(agreement.id)
    page = render_template(
        "points/form.html", form=form, agreement=agreement, point=point, conflict=conflict
    )
    return page, conflicts.status(conflict)


@bp.route("/points/<int:point_id>/delete", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def delete(point_id: int):
    point = _load_point(point_id)
    agreement_id, subject = point.agreement_id, point.subject
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_point(point)
        db.session.commit()
        flash(f"Point “{subject}” deleted.", "success")
        return _agreement_page(agreement_id)
    return render_template("points/delete.html", form=form, point=point, agreement=point.agreement)
