"""Meeting pages: list, detail, create, edit, archive, restore and delete."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from tracker.data.markings import levels as marking_levels
from tracker.markings import forms as marking_forms
from tracker.markings import services as marking_services
from tracker.markings.queries import read_level
from tracker.meetings import queries, services
from tracker.meetings.forms import BLANK_ROWS, MeetingEditForm, MeetingForm
from tracker.models import Agreement, MarkingValue, Meeting, MeetingLevel, Role, utcnow
from tracker.web.archiving import add_archive_routes
from tracker.web.arguments import MAX_ID, clean_search, id_arg, page_arg
from tracker.web.auth import role_required
from tracker.web.editing import Edit
from tracker.web.forms import ConfirmForm
from tracker.web.records import or_404

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


def _filters_from_request() -> queries.MeetingFilters:
    """Filters from the query string; values that make no sense are ignored."""
    try:
        level = MeetingLevel(request.args.get("level", ""))
    except ValueError:
        level = None
    return queries.MeetingFilters(
        level=level,
        agreement_id=id_arg("agreement"),
        q=clean_search(request.args.get("q")),
        classification=read_level(request.args.get("classification"))[0],
    )


@bp.route("/")
def index():
    filters = _filters_from_request()
    # Narrowed to one agreement by the links that lead here, never by a list of them all:
    # a collection can hold hundreds of thousands. An unknown one is ignored.
    agreement_name = queries.agreement_name(filters.agreement_id)
    if agreement_name is None:
        filters = replace(filters, agreement_id=None)
    page = queries.meeting_page(filters, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "meetings/index.html",
        page=page,
        filters=filters,
        levels=list(MeetingLevel),
        classifications=marking_levels(),
        agreement_name=agreement_name,
        now=utcnow(),
    )


@bp.route("/<int:meeting_id>")
def detail(meeting_id: int):
    meeting = or_404(queries.meeting_detail(meeting_id))
    return render_template("meetings/detail.html", meeting=meeting, now=utcnow())


def _prepare(form: MeetingForm, meeting: Meeting | None, *, parent: int | None = None) -> None:
    """Fill the selects and leave blank agenda rows at the end of the form.

    A collection too large to list (more than CHOICE_LIMIT) gets typed agenda rows and a
    "held during" list of the meetings around this one.
    """
    limit = current_app.config["CHOICE_LIMIT"]
    kept_people = [person.id for person in meeting.participants] if meeting else []
    kept_agreements = [item.agreement_id for item in meeting.agenda_items] if meeting else []
    window = None
    if queries.active_count(Meeting) > limit:
        window = timedelta(days=current_app.config["PARENT_WINDOW_DAYS"])
    form.parent_id.choices = queries.parent_choices(meeting, window=window, also=parent)
    form.participant_ids.choices = queries.participant_choices(kept_people)
    marking_forms.prepare(
        form.marking, marking_services.value_of(meeting) if meeting else MarkingValue()
    )
    blank = sum(1 for row in form.agenda if row.agreement_id.data is None)
    for _ in range(min(BLANK_ROWS - blank, form.agenda.max_entries - len(form.agenda))):
        form.agenda.append_entry()
    if queries.active_count(Agreement) > limit:
        names = queries.agreement_references(
            (row.agreement_id.data for row in form.agenda),
            known=[item.agreement for item in meeting.agenda_items] if meeting else (),
        )

        def lookup(text: str) -> int | None:
            return queries.agreement_by_reference(text, keep=kept_agreements)

        for row in form.agenda:
            row.agreement_id.type_in(lookup, names)
        return
    agreement_choices = queries.agreement_choices(kept_agreements)
    for row in form.agenda:
        row.agreement_id.choices = agreement_choices


def _asked_parent(form: MeetingForm) -> int | None:
    """The gathering asked for (``?parent=`` from its page) or submitted: offered even
    outside the window a large collection lists, so choosing it from its page works."""
    if form.is_submitted():
        submitted = form.parent_id.data
        return submitted if isinstance(submitted, int) and 0 < submitted <= MAX_ID else None
    return id_arg("parent")


def _offered(field, id_: int) -> bool:
    """Whether the agenda row's field lets one choose the agreement ``id_``."""
    if field.typed:
        return field.lookup(f"#{id_}") is not None
    return str(id_) in {str(choice.value) for choice in field.choices}


def _initial(meeting: Meeting) -> dict:
    """Form values that are not plain attributes of the meeting."""
    start = meeting.local_starts_at
    end = meeting.ends_at.astimezone(meeting.zone) if meeting.ends_at else None
    return {
        "start_date": start.date(),
        "start_time": start.time().replace(tzinfo=None),
        "end_date": end.date() if end else None,
        "end_time": end.time().replace(tzinfo=None) if end else None,
        "participant_ids": [person.id for person in meeting.participants],
        "agenda": meeting.agenda_items,
    }


def _values(form: MeetingForm) -> dict:
    return {
        "title": form.title.data,
        "starts_at": form.starts_at(),
        "ends_at": form.ends_at(),
        "timezone": form.timezone.data,
        "level": form.level.data,
        "city": form.city.data or "",
        "country": form.country.data or "",
        "setting": form.setting.data or "",
        "summary": form.summary.data or "",
        "parent_id": form.parent_id.data,
        "participant_ids": form.participant_ids.data or [],
        "agenda": form.agenda_rows(),
        "marking": form.marking.choice(),
    }


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create():
    form = MeetingForm(data={"timezone": "Asia/Kolkata"})
    parent = _asked_parent(form)
    _prepare(form, None, parent=parent)
    if not form.is_submitted():
        if parent is not None and str(parent) in {c.value for c in form.parent_id.choices}:
            form.parent_id.data = parent
        # Arriving from an agreement's page: that agreement is the first item discussed.
        agreement = id_arg("agreement")
        first_row = form.agenda[0].agreement_id
        if agreement is not None and _offered(first_row, agreement):
            first_row.data = agreement
            first_row.names = queries.agreement_references([agreement])
    edit = Edit(form)
    if edit.save(lambda: services.create_meeting(**_values(form))):
        flash(f"Meeting “{edit.result.title}” recorded.", "success")
        return redirect(url_for(".detail", meeting_id=edit.result.id))
    return edit.render("meetings/form.html", meeting=None)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(meeting_id: int):
    meeting = or_404(queries.meeting_for_form(meeting_id))
    submitted = request.method == "POST"
    form = MeetingEditForm(obj=meeting, data=None if submitted else _initial(meeting))
    _prepare(form, meeting, parent=_asked_parent(form))
    edit = Edit(form, meeting)
    if edit.save(lambda: services.update_meeting(meeting, **_values(form))):
        flash(f"Meeting “{meeting.title}” saved.", "success")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    return edit.render("meetings/form.html", meeting=meeting)


add_archive_routes(
    bp,
    Meeting,
    rule="/<int:meeting_id>",
    id_arg="meeting_id",
    describe=lambda meeting: f"Meeting “{meeting.title}”",
)


@bp.route("/<int:meeting_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete(meeting_id: int):
    meeting = or_404(queries.meeting_detail(meeting_id))
    title = meeting.title
    form = ConfirmForm()
    if Edit(form).save(lambda: services.delete_meeting(meeting)):
        flash(f"Meeting “{title}” deleted.", "success")
        return redirect(url_for(".index"))
    return render_template("meetings/delete.html", meeting=meeting, form=form)
