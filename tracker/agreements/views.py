"""Agreement pages: the list, one agreement, and the forms that change it."""

from __future__ import annotations

import itertools

from flask import (
    Blueprint,
    current_app,
    flash,
    get_template_attribute,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectChoice

from tracker.access import queries as access_queries
from tracker.access import services as access_services
from tracker.agreements import filters, queries, services
from tracker.agreements.forms import (
    AgreementEditForm,
    AgreementForm,
    StatusChangeForm,
)
from tracker.agreements.rows import list_rows
from tracker.data.cache import remember
from tracker.data.markings import levels as marking_levels
from tracker.markings import forms as marking_forms
from tracker.markings import services as marking_services
from tracker.models import (
    Agreement,
    Category,
    MarkingValue,
    Role,
    Status,
    allowed_transitions,
    clock,
)
from tracker.models.status import INITIAL_STATUSES
from tracker.render import text_chart
from tracker.render.dates import format_date
from tracker.render.timeline import render_timeline
from tracker.texts import queries as text_queries
from tracker.web import conflicts
from tracker.web.archiving import add_archive_routes
from tracker.web.arguments import page_arg
from tracker.web.auth import role_required
from tracker.web.editing import Edit
from tracker.web.forms import NONE_CHOSEN, ConfirmForm
from tracker.web.pagination import page_of
from tracker.web.records import or_404

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


def _filters_from_request() -> filters.AgreementFilters:
    """The list's filters in the URL; a value that makes no sense is ignored."""
    found, _ignored = filters.read_filters(request.args)
    return found


def _party_choices() -> tuple[SelectChoice, ...]:
    """Parties not archived, grouped by kind, for selects that stay usable with hundreds;
    made once for each state of the data, as the list they come from."""
    return remember(
        "party select choices",
        lambda: tuple(
            SelectChoice(id_, name, optgroup=group) for id_, name, group in queries.party_choices()
        ),
    )


def _party_groups() -> tuple[tuple[str, tuple[SelectChoice, ...]], ...]:
    """The party choices by kind, for the list's filter."""
    return remember(
        "party filter groups",
        lambda: tuple(
            (group, tuple(choices))
            for group, choices in itertools.groupby(_party_choices(), lambda c: c.optgroup)
        ),
    )


def _unfiltered_party_filter() -> Markup:
    """The party filter with no party chosen, as most views of the list draw it: drawn
    once for each state of the data (200 options, a tenth of the list's time)."""
    return remember(
        "party filter, none chosen",
        lambda: get_template_attribute("_macros/filters.html", "party_filter")(
            _party_groups(), None
        ),
    )


@bp.route("/agreements/")
def index():
    chosen = _filters_from_request()
    page = queries.list_agreements(chosen, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "agreements/index.html",
        page=page,
        rows=list_rows(page.items, clock.today()),
        filters=chosen,
        statuses=list(Status),
        categories=list(Category),
        party_groups=_party_groups(),
        party_filter_html=_unfiltered_party_filter() if chosen.party is None else None,
        staff=queries.staff_choices(),
        levels=marking_levels(),
    )


def _party_row_choices() -> tuple[SelectChoice, ...]:
    """A party row's choices: none, or a party; one tuple for each state of the data, so
    that the page draws them once (web/forms.py keeps what it drew for a tuple)."""
    return remember("party row choices", lambda: (NONE_CHOSEN, *_party_choices()))


def _prepare_form(
    form: AgreementForm, *, creating: bool, agreement: Agreement | None = None
) -> None:
    party_choices = _party_row_choices()
    for row in form.parties:
        row.party.choices = party_choices
    staff = [SelectChoice(id_, name) for id_, name in queries.staff_choices()]
    form.lead.choices = [NONE_CHOSEN, *staff]
    form.status.choices = [SelectChoice(s.value, s.label) for s in INITIAL_STATUSES]
    marking_forms.prepare(
        form.marking, marking_services.value_of(agreement) if agreement else MarkingValue()
    )
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
    edit = Edit(form)
    if edit.save(
        lambda: services.create_agreement(
            values=_form_values(form),
            parties=form.party_rows(),
            status=form.status.data,
            status_on=form.status_on.data or clock.today(),
            recorded_by=current_user,
            marking=form.marking.choice(),
        )
    ):
        flash(f"Agreement “{edit.result.title}” created.", "success")
        return redirect(url_for(".detail", agreement_id=edit.result.id))
    return edit.render("agreements/form.html", agreement=None)


@bp.route("/agreements/<int:agreement_id>")
def detail(agreement_id: int):
    agreement = or_404(queries.agreement_for_page(agreement_id, agenda=False))
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
    page = page_of(meetings, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "agreements/detail.html",
        agreement=agreement,
        meetings=page,
        status_form=status_form,
        today=today,
        timeline=timeline,
        text_summaries=text_queries.text_summaries(agreement.id),
        burn_down_chart=_burn_down_chart,
        # Its need-to-know switch and list, for its lead and admins only.
        access_summary=(
            access_queries.summary(agreement)
            if access_services.manages(current_user, agreement)
            else None
        ),
        **context,
    )


def _burn_down_chart(summary: text_queries.TextSummary) -> Markup:
    """A text's brackets round by round, for its line on the agreement's page."""
    svg = text_chart.burn_down_chart(
        summary.burn_down, title=f"Bracket burn-down of {summary.text.title}"
    )
    return Markup(svg)  # noqa: S704  (built with ElementTree, which escapes all text)


@bp.route("/agreements/<int:agreement_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(agreement_id: int):
    agreement = or_404(queries.agreement_for_form(agreement_id))
    form = AgreementEditForm(obj=agreement)
    if request.method == "GET":
        form.lead.data = agreement.lead_id
        while len(form.parties) > 0:
            form.parties.pop_entry()
        for link in agreement.party_links[: form.parties.max_entries]:
            form.parties.append_entry({"party": link.party_id, "role": link.role.value})
        # Two blank rows to add parties, within the most an agreement may list.
        rows = min(len(agreement.party_links) + 2, form.parties.max_entries)
        while len(form.parties) < rows:
            form.parties.append_entry()
    _prepare_form(form, creating=False, agreement=agreement)
    edit = Edit(form, agreement)
    if edit.save(
        lambda: services.update_agreement(
            agreement,
            values=_form_values(form),
            parties=form.party_rows(),
            marking=form.marking.choice(),
        )
    ):
        flash("Agreement saved.", "success")
        return redirect(url_for(".detail", agreement_id=agreement.id))
    return edit.render("agreements/form.html", agreement=agreement)


def _prepare_status_form(
    form: StatusChangeForm, agreement: Agreement, meetings: list[queries.MeetingLine]
) -> None:
    form.set_statuses(allowed_transitions(agreement.status))
    form.meeting.choices = [
        NONE_CHOSEN,
        *(SelectChoice(m.id, f"{format_date(m.local_starts_at)} · {m.title}") for m in meetings),
    ]
    marking_forms.prepare(form.marking, marking_services.value_of(agreement))


@bp.route("/agreements/<int:agreement_id>/status", methods=["POST"])
@role_required(Role.EDITOR)
def change_status(agreement_id: int):
    agreement = or_404(queries.agreement_for_page(agreement_id, agenda=False))
    meetings = queries.meetings_of(agreement.id)
    form = StatusChangeForm()
    _prepare_status_form(form, agreement, meetings)
    # First, so that a status moved on by someone else is explained, not just refused.
    edit = Edit(form, agreement)
    if edit.conflict is None and not allowed_transitions(agreement.status):
        flash(
            f"The agreement is {Status(agreement.status).label.lower()}: its status can no "
            "longer change.",
            "error",
        )
        return redirect(url_for(".detail", agreement_id=agreement.id))
    if edit.save(
        lambda: services.change_status(
            agreement,
            status=form.status.data,
            effective_on=form.effective_on.data,
            note=(form.note.data or "").strip(),
            meeting_id=form.meeting.data,
            recorded_by=current_user,
            marking=form.marking.choice(),
        )
    ):
        flash(f"Status changed to {Status(form.status.data).label}.", "success")
        return redirect(url_for(".detail", agreement_id=agreement.id))
    agreement = or_404(queries.agreement_for_page(agreement_id, agenda=False))
    page = _detail_page(agreement, meetings, form, status_form_open=True, conflict=edit.conflict)
    return page, edit.status


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
    agreement = or_404(queries.agreement_for_page(agreement_id))
    title = agreement.title
    form = ConfirmForm()
    if Edit(form).save(lambda: services.delete(agreement)):
        flash(f"Agreement “{title}” and its history deleted.", "success")
        return redirect(url_for(".index"))
    return render_template("agreements/delete.html", agreement=agreement, form=form)
