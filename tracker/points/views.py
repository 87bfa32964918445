"""Negotiation points, added and changed from their agreement's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectChoice

from tracker.markings import forms as marking_forms
from tracker.markings import services as marking_services
from tracker.models import Agreement, NegotiationPoint, Role
from tracker.points import queries, services
from tracker.points.forms import PointEditForm, PointForm, point_form
from tracker.texts import queries as text_queries
from tracker.web.auth import role_required
from tracker.web.editing import Edit
from tracker.web.forms import ConfirmForm
from tracker.web.records import or_404

bp = Blueprint("points", __name__)


def _agreement_page(agreement_id: int):
    return redirect(url_for("agreements.detail", agreement_id=agreement_id))


def _prepare(form: PointForm, agreement: Agreement, point: NegotiationPoint | None) -> None:
    keep = (point.raised_at_id, point.settled_at_id) if point else ()
    choices, listed = queries.meeting_choice_lists(agreement, keep)
    form.raised_at_id.choices = choices
    form.settled_at_id.choices = choices
    # A meeting where positions were stated is newly chosen each time: no archived one.
    form.positions_stated_at_id.choices = listed
    linked = [p.id for p in point.provisions] if point else []
    form.provision_ids.choices = [
        SelectChoice(name.provision_id, name.name)
        for name in text_queries.provision_choices(agreement.id, kept=linked)
    ]
    if not form.is_submitted():
        form.provision_ids.data = linked
    own = marking_services.value_of(point) if point else None
    agreement_value = marking_services.value_of(agreement)
    marking_forms.prepare(form.marking, own or agreement_value)
    positions = {row.party_id: row for row in point.positions} if point else {}
    for name, party_id in form.party_fields:
        row = positions.get(party_id)
        # Left as shown, a position's marking follows its point's (see MarkingForm.choice).
        default = marking_services.value_of(row) if row else (own or agreement_value)
        marking_forms.prepare(form[f"{name}_marking"], default)


def _values(form: PointForm) -> dict:
    return {
        "subject": form.subject.data,
        "details": form.details.data or "",
        "status": form.status.data,
        "raised_at_id": form.raised_at_id.data,
        "settled_at_id": form.settled_at_id.data,
        "positions": form.positions(),
        "marking": form.marking.choice(),
        "position_markings": form.position_markings(),
        "positions_stated_on": form.positions_stated_on.data,
        "positions_stated_at_id": form.positions_stated_at_id.data,
        "recorded_by": current_user,
        "provisions": form.provision_ids.data or [],
    }


def _fields(form: PointForm) -> dict[str, str]:
    """Where a position's marking error, or the provisions', goes on the form."""
    return {
        "provisions": "provision_ids",
        **{
            f"positions.{party_id}.marking.{part}": f"{name}_marking.{part}"
            for name, party_id in form.party_fields
            for part in (
                "level",
                "rel_to",
                "caveats",
                "declassify_on",
                "downgrade_to",
                "downgrade_reason",
            )
        },
    }


@bp.route("/agreements/<int:agreement_id>/points/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create(agreement_id: int):
    agreement = or_404(queries.agreement_for_form(agreement_id))
    form = point_form(agreement.parties)()
    _prepare(form, agreement, None)
    edit = Edit(form, fields=_fields(form))
    if edit.save(lambda: services.create_point(agreement, **_values(form))):
        flash(f"Point “{edit.result.subject}” added.", "success")
        return _agreement_page(agreement_id)
    return edit.render("points/form.html", agreement=agreement, point=None)


@bp.route("/points/<int:point_id>")
def detail(point_id: int):
    """A point with each party's position and the history of it."""
    point = or_404(queries.point_for_page(point_id))
    return render_template(
        "points/detail.html",
        point=point,
        agreement=point.agreement,
        histories=queries.histories(point),
        provisions=queries.provisions_of(point),
    )


@bp.route("/points/<int:point_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(point_id: int):
    point = or_404(queries.point_for_form(point_id, history=request.method == "POST"))
    agreement = point.agreement
    initial = {f"position_{row.party_id}": row.position for row in point.positions}
    form_class = point_form(agreement.parties, base=PointEditForm)
    form = form_class(obj=point, data=None if request.method == "POST" else initial)
    _prepare(form, agreement, point)
    edit = Edit(form, point, fields=_fields(form))
    if edit.save(lambda: services.update_point(point, **_values(form))):
        flash(f"Point “{form.subject.data.strip()}” saved.", "success")
        return _agreement_page(agreement.id)
    return edit.render("points/form.html", agreement=agreement, point=point)


@bp.route("/points/<int:point_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete(point_id: int):
    point = or_404(queries.point_for_form(point_id))
    agreement_id, subject = point.agreement_id, point.subject
    form = ConfirmForm()
    if Edit(form).save(lambda: services.delete_point(point)):
        flash(f"Point “{subject}” deleted.", "success")
        return _agreement_page(agreement_id)
    return render_template("points/delete.html", form=form, point=point, agreement=point.agreement)
