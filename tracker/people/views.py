"""People pages: list, detail, create, edit, archive, restore and delete."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from tracker.data.cache import remember
from tracker.models import Party, PartyKind, Person, Role
from tracker.parties import queries as party_queries
from tracker.people import queries, services
from tracker.people.forms import PersonEditForm, PersonForm, PersonSearchForm, party_choices
from tracker.web.archiving import add_archive_routes
from tracker.web.arguments import clean_search, id_arg, page_arg
from tracker.web.auth import role_required
from tracker.web.editing import Edit
from tracker.web.forms import ConfirmForm
from tracker.web.records import or_404

bp = Blueprint("people", __name__, url_prefix="/people")

KIND_ORDER = list(PartyKind)


def _party_select(placeholder: str, current: Party | None = None) -> tuple[SelectChoice, ...]:
    """The party select's choices: read once until the data changes (parties raise the
    change counter) and kept as the same tuple, which the select draws once."""
    archived = current.id if current is not None and current.archived_at else None
    return remember(
        ("people's party select", placeholder, archived),
        lambda: tuple(party_choices(selectable_parties(current), placeholder)),
    )


def selectable_parties(current: Party | None = None) -> list[Party]:
    """Active parties for the select box, plus the person's own party if archived."""
    parties = party_queries.active_parties()
    if current is not None and current not in parties:
        parties.append(current)
        parties.sort(key=lambda party: (KIND_ORDER.index(party.kind), party.name))
    return parties


@bp.route("/")
def index():
    search = PersonSearchForm(request.args)
    search.party.choices = _party_select("All parties")
    text = clean_search(search.q.data)
    party_id = id_arg("party")
    page = queries.list_people(text, party_id, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template(
        "people/index.html",
        page=page,
        search=search,
        text=text,
        filtered=bool(text or party_id is not None),
    )


@bp.route("/<int:person_id>")
def detail(person_id: int):
    person = or_404(queries.person_page(person_id))
    meetings = queries.meetings_of(person.id, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("people/detail.html", person=person, meetings=meetings)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create():
    form = PersonForm()
    if request.method == "GET":
        form.party_id.data = id_arg("party")
    form.party_id.choices = _party_select("Choose a party…")
    edit = Edit(form)
    if edit.save(
        lambda: services.create_person(form.name.data, form.position.data, form.party_id.data)
    ):
        flash(f"{edit.result.name} added.", "success")
        return redirect(url_for(".detail", person_id=edit.result.id))
    return edit.render("people/form.html", person=None)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(person_id: int):
    person = or_404(queries.get_person(person_id))
    form = PersonEditForm(obj=person)
    form.party_id.choices = _party_select("Choose a party…", person.party)
    edit = Edit(form, person)
    if edit.save(
        lambda: services.update_person(
            person, form.name.data, form.position.data, form.party_id.data
        )
    ):
        flash(f"{person.name} saved.", "success")
        return redirect(url_for(".detail", person_id=person.id))
    return edit.render("people/form.html", person=person)


add_archive_routes(
    bp, Person, rule="/<int:person_id>", id_arg="person_id", describe=lambda person: person.name
)


@bp.route("/<int:person_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete(person_id: int):
    """Delete a person nothing refers to, after a confirmation page that says what does."""
    person = or_404(queries.get_person(person_id))
    form = ConfirmForm()
    if request.method == "GET":
        usage = queries.person_usage(person.id)
        return render_template(
            "people/delete.html",
            person=person,
            form=form,
            usage=usage,
            usage_text=services.describe_usage(usage),
        )
    name = person.name
    if Edit(form).save(lambda: services.delete_person(person)):
        flash(f"{name} deleted.", "success")
        return redirect(url_for(".index"))
    if form.form_errors:  # still referred to: the message says to archive them instead
        flash(" ".join(form.form_errors), "error")
        return redirect(url_for(".detail", person_id=person_id))
    abort(400)
