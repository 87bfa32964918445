"""Agreement pages: the list, one agreement, and the forms that change it."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectChoice

from tracker import versioning
from tracker.accounts.auth import role_required
from tracker.agreements import queries, services
from tracker.agreements.forms import (
    BLANK,
    AgreementEditForm,
    AgreementForm,
    StatusChangeForm,
)
from tracker.archiving import add_archive_routes
from tracker.arguments import id_arg
from tracker.extensions import db
from tracker.formatting import format_date
from tracker.models import (
    Agreement,
    Category,
    Meeting,
    Party,
    PartyKind,
    Role,
    Status,
    TransitionError,
    allowed_transitions,
)
from tracker.models.status import INITIAL_STATUSES
from tracker.pagination import clean_search
from tracker.reports.timeline import render_timeline

bp = Blueprint("agreements", __name__)

AGREEMENT_FIELDS = (
    "title",
    "short_name",
    "category",
    "priority",
    "summary",
    "lead",
    "opened_on",
    "target_on",
    "signed_on",
    "in_force_on",
)


def _positive_int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and int(value) > 0 else None


def _filters_from_request() -> queries.AgreementFilters:
    status = request.args.get("status", "")
    category = request.args.get("category", "")
    sort = request.args.get("sort", "title")
    return queries.AgreementFilters(
        q=clean_search(request.args.get("q")),
        status=status if status in {s.value for s in Status} else "",
        category=category if category in {c.value for c in Category} else "",
        party=id_arg("party"),
        lead=id_arg("lead"),
        sort=sort if sort in queries.SORTS else "title",
    )


def _party_choices() -> list[SelectChoice]:
    """Parties not archived, grouped by kind, for selects that stay usable with hundreds."""
    parties = db.session.scalars(
        sa.select(Party).where(Party.archived_at.is_(None)).order_by(Party.kind, Party.name)
    )
    return [
        SelectChoice(party.id, party.name, optgroup=PartyKind(party.kind).label)
        for party in parties
    ]


@bp.route("/agreements/")
def index():
    filters = _filters_from_request()
    page = queries.list_agreements(
        filters, _positive_int("page") or 1, current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "agreements/index.html",
        page=page,
        filters=filters,
        today=date.today(),
        statuses=list(Status),
        categories=list(Category),
        parties=_party_choices(),
        staff=queries.staff_choices(),
    )


def _prepare_form(form: AgreementForm, *, creating: bool) -> None:
    party_choices = [BLANK, *_party_choices()]
    for row in form.parties:
        row.party.choices = party_choices
    form.lead.choices = [BLANK] + [
        SelectChoice(u.id, u.display_name) for u in queries.staff_choices()
    ]
    form.status.choices = [SelectChoice(s.value, s.label) for s in INITIAL_STATUSES]
    if not creating:
        del form.status
        del form.status_on


def _form_values(form: AgreementForm) -> dict:
    values = {name: getattr(form, name).data for name in AGREEMENT_FIELDS if name != "lead"}
    values["short_name"] = (values["short_name"] or "").strip() or None
    values["title"] = values["title"].strip()
    values["lead_id"] = form.lead.data
    return values


@bp.route("/agreements/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create():
    form = AgreementForm()
    _prepare_form(form, creating=True)
    if form.validate_on_submit():
        try:
            agreement = services.create_agreement(
                values=_form_values(form),
                parties=form.party_rows(),
                status=form.status.data,
                status_on=form.status_on.data or date.today(),
                recorded_by=current_user,
            )
        except services.AgreementError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Agreement “{agreement.title}” created.", "success")
            return redirect(url_for(".detail", agreement_id=agreement.id))
    return render_template("agreements/form.html", form=form, agreement=None)


def _load(agreement_id: int) -> Agreement:
    agreement = queries.agreement_for_page(agreement_id)
    if agreement is None:
        abort(404)
    return agreement


@bp.route("/agreements/<int:agreement_id>")
def detail(agreement_id: int):
    agreement = _load(agreement_id)
    form = StatusChangeForm()
    _prepare_status_form(form, agreement)
    versioning.stamp(form, agreement)
    return _detail_page(agreement, form)


def _detail_page(agreement: Agreement, status_form: StatusChangeForm, **context) -> str:
    """The agreement's page, also shown again with the status form's errors or conflict."""
    today = date.today()
    phases, marks = queries.timeline_parts(agreement)
    name = agreement.short_name or agreement.title
    svg = render_timeline(phases, marks, until=today, title=f"Timeline of {name}")
    timeline = Markup(svg)  # noqa: S704  (built with ElementTree, which escapes all text)
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        status_form=status_form,
        today=today,
        timeline=timeline,
        **context,
    )


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(agreement_id: int):
    agreement = _load(agreement_id)
    form = AgreementEditForm(obj=agreement)
    if request.method == "GET":
        form.lead.data = agreement.lead_id
        while len(form.parties) > 0:
            form.parties.pop_entry()
        for link in agreement.party_links:
            form.parties.append_entry({"party": link.party_id, "role": link.role.value})
        while len(form.parties) < len(agreement.party_links) + 2:
            form.parties.append_entry()
    _prepare_form(form, creating=False)
    conflict = versioning.check(form, agreement)
    if form.validate_on_submit() and conflict is None:
        try:
            with versioning.saving(form, agreement):
                services.update_agreement(
                    agreement, values=_form_values(form), parties=form.party_rows()
                )
                db.session.commit()
        except services.AgreementError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors.append(str(error))
        except versioning.EditConflict as error:
            conflict = error.conflict
        else:
            flash("Agreement saved.", "success")
            return redirect(url_for(".detail", agreement_id=agreement.id))
    page = render_template(
        "agreements/form.html", form=form, agreement=agreement, conflict=conflict
    )
    return page, versioning.status(conflict)


def local_day(meeting: Meeting) -> str:
    """The meeting's day on its own clock, in the app's one date format."""
    return format_date(meeting.starts_at.astimezone(ZoneInfo(meeting.timezone)))


def _prepare_status_form(form: StatusChangeForm, agreement: Agreement) -> None:
    form.set_statuses(allowed_transitions(agreement.status))
    meetings = [
        SelectChoice(item.meeting.id, f"{local_day(item.meeting)} · {item.meeting.title}")
        for item in sorted(agreement.agenda_items, key=lambda i: i.meeting.starts_at, reverse=True)
    ]
    form.meeting.choices = [BLANK, *meetings]


@bp.route("/agreements/<int:agreement_id>/status", methods=["POST"])
@role_required(Role.EDITOR)
def change_status(agreement_id: int):
    agreement = _load(agreement_id)
    form = StatusChangeForm()
    _prepare_status_form(form, agreement)
    # First, so that a status moved on by someone else is explained, not just refused.
    conflict = versioning.check(form, agreement)
    if conflict is None and not allowed_transitions(agreement.status):
        flash(
            f"The agreement is {Status(agreement.status).label.lower()}: its status can no "
            "longer change.",
            "error",
        )
        return redirect(url_for(".detail", agreement_id=agreement.id))
    if form.validate_on_submit() and conflict is None:
        try:
            with versioning.saving(form, agreement):
                services.change_status(
                    agreement,
                    status=form.status.data,
                    effective_on=form.effective_on.data,
                    note=(form.note.data or "").strip(),
                    meeting_id=form.meeting.data,
                    recorded_by=current_user,
                )
                db.session.commit()
        except TransitionError as error:
            db.session.rollback()
            form.status.errors.append(str(error))
        except versioning.EditConflict as error:
            conflict = error.conflict
        else:
            flash(f"Status changed to {Status(form.status.data).label}.", "success")
            return redirect(url_for(".detail", agreement_id=agreement.id))
    page = _detail_page(_load(agreement_id), form, status_form_open=True, conflict=conflict)
    return page, versioning.status(conflict)


add_archive_routes(
    bp,
    Agreement,
    rule="/agreements/<int:agreement_id>",
    id_arg="agreement_id",
    describe=lambda agreement: f"Agreement “{agreement.title}”",
)


@bp.route("/agreements/<int:agreement_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete(agreement_id: int):
    """Delete for good, with its history, points and actions, after a confirmation page."""
    agreement = _load(agreement_id)
    form = FlaskForm()
    if form.validate_on_submit():
        title = agreement.title
        services.delete(agreement)
        db.session.commit()
        flash(f"Agreement “{title}” and its history deleted.", "success")
        return redirect(url_for(".index"))
    return render_template("agreements/delete.html", agreement=agreement, form=form)
