"""Agreement pages: the list, one agreement, and the forms that change it."""

from __future__ import annotations

import itertools

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from tracker.agreements import queries, services
from tracker.agreements.forms import (
    BLANK,
    AgreementEditForm,
    AgreementForm,
    StatusChangeForm,
)
from tracker.data.cache import remember
from tracker.extensions import db
from tracker.models import (
    Agreement,
    Category,
    Party,
    PartyKind,
    Role,
    Status,
    TransitionError,
    allowed_transitions,
    clock,
)
from tracker.models.status import INITIAL_STATUSES
from tracker.render.dates import format_date
from tracker.render.timeline import render_timeline
from tracker.web import conflicts
from tracker.web.archiving import add_archive_routes
from tracker.web.arguments import id_arg
from tracker.web.auth import role_required
from tracker.web.forms import TrackerForm
from tracker.web.pagination import clean_search

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

    def read() -> tuple[tuple[int, str, str], ...]:
        parties = db.session.execute(
            sa.select(Party.id, Party.name, Party.kind)
            .where(Party.archived_at.is_(None))
            .order_by(Party.kind, Party.name)
        )
        return tuple((id_, name, PartyKind(kind).label) for id_, name, kind in parties)

    return [
        SelectChoice(id_, name, optgroup=group)
        for id_, name, group in remember("party choices", read)
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
        today=clock.today(),
        statuses=list(Status),
        categories=list(Category),
        party_groups=[
            (group, list(choices))
            for group, choices in itertools.groupby(_party_choices(), lambda c: c.optgroup)
        ],
        staff=queries.staff_choices(),
    )


def _prepare_form(form: AgreementForm, *, creating: bool) -> None:
    party_choices = [BLANK, *_party_choices()]
    for row in form.parties:
        row.party.choices = party_choices
    form.lead.choices = [BLANK] + [SelectChoice(id_, name) for id_, name in queries.staff_choices()]
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
                status_on=form.status_on.data or clock.today(),
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


def _load(agreement_id: int, *, agenda: bool = True) -> Agreement:
    agreement = queries.agreement_for_page(agreement_id, agenda=agenda)
    if agreement is None:
        abort(404)
    return agreement


@bp.route("/agreements/<int:agreement_id>")
def detail(agreement_id: int):
    agreement = _load(agreement_id, agenda=False)
    meetings = queries.meetings_of(agreement.id)
    form = StatusChangeForm()
    if current_user.can(Role.EDITOR):  # only editors see the form and its meeting choices
        _prepare_status_form(form, agreement, meetings)
    conflicts.stamp(form, agreement)
    return _detail_page(agreement, meetings, form)


def _detail_page(
    agreement: Agreement,
    meetings: list[queries.MeetingLine],
    status_form: StatusChangeForm,
    **context,
) -> str:
    """The agreement's page, also shown again with the status form's errors or conflict.

    The timeline shows every meeting; the list below it a page of them at a time.
    """
    today = clock.today()
    phases, marks = queries.timeline_parts(agreement, meetings)
    name = agreement.short_name or agreement.title
    svg = render_timeline(phases, marks, until=today, title=f"Timeline of {name}")
    timeline = Markup(svg)  # noqa: S704  (built with ElementTree, which escapes all text)
    size = current_app.config["PAGE_SIZE"]
    pages = max(1, -(-len(meetings) // size))
    number = min(_positive_int("page") or 1, pages)
    page = queries.Page(
        items=meetings[(number - 1) * size : number * size],
        number=number,
        pages=pages,
        total=len(meetings),
    )
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        meetings=page,
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
    conflict = conflicts.check(form, agreement)
    if form.validate_on_submit() and conflict is None:
        try:
            with conflicts.saving(form, agreement):
                services.update_agreement(
                    agreement, values=_form_values(form), parties=form.party_rows()
                )
                db.session.commit()
        except services.AgreementError as error:
            db.session.rollback()
            getattr(form, error.field or "title").errors.append(str(error))
        except conflicts.EditConflict as error:
            conflict = error.conflict
        else:
            flash("Agreement saved.", "success")
            return redirect(url_for(".detail", agreement_id=agreement.id))
    page = render_template(
        "agreements/form.html", form=form, agreement=agreement, conflict=conflict
    )
    return page, conflicts.status(conflict)


def _prepare_status_form(
    form: StatusChangeForm, agreement: Agreement, meetings: list[queries.MeetingLine]
) -> None:
    form.set_statuses(allowed_transitions(agreement.status))
    form.meeting.choices = [
        BLANK,
        *(SelectChoice(m.id, f"{format_date(m.local_starts_at)} · {m.title}") for m in meetings),
    ]


@bp.route("/agreements/<int:agreement_id>/status", methods=["POST"])
@role_required(Role.EDITOR)
def change_status(agreement_id: int):
    agreement = _load(agreement_id, agenda=False)
    meetings = queries.meetings_of(agreement.id)
    form = StatusChangeForm()
    _prepare_status_form(form, agreement, meetings)
    # First, so that a status moved on by someone else is explained, not just refused.
    conflict = conflicts.check(form, agreement)
    if conflict is None and not allowed_transitions(agreement.status):
        flash(
            f"The agreement is {Status(agreement.status).label.lower()}: its status can no "
            "longer change.",
            "error",
        )
        return redirect(url_for(".detail", agreement_id=agreement.id))
    if form.validate_on_submit() and conflict is None:
        try:
            with conflicts.saving(form, agreement):
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
        except conflicts.EditConflict as error:
            conflict = error.conflict
        else:
            flash(f"Status changed to {Status(form.status.data).label}.", "success")
            return redirect(url_for(".detail", agreement_id=agreement.id))
    agreement = _load(agreement_id, agenda=False)
    page = _detail_page(agreement, meetings, form, status_form_open=True, conflict=conflict)
    return page, conflicts.status(conflict)


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
    form = TrackerForm()
    if form.validate_on_submit():
        title = agreement.title
        services.delete(agreement)
        db.session.commit()
        flash(f"Agreement “{title}” and its history deleted.", "success")
        return redirect(url_for(".index"))
    return render_template("agreements/delete.html", agreement=agreement, form=form)
