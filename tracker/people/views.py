"""People pages: list, detail, create, edit, archive, restore and delete."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from tracker.extensions import db
from tracker.models import Party, PartyKind, Person, Role
from tracker.parties import queries as party_queries
from tracker.people import queries, services
from tracker.people.forms import PersonEditForm, PersonForm, PersonSearchForm, party_choices
from tracker.web import conflicts
from tracker.web.archiving import add_archive_routes
from tracker.web.arguments import id_arg
from tracker.web.auth import role_required
from tracker.web.forms import TrackerForm
from tracker.web.pagination import clean_search

bp = Blueprint("people", __name__, url_prefix="/people")

KIND_ORDER = list(PartyKind)


def selectable_parties(current: Party | None = None) -> list[Party]:
    """Active parties for the select box, plus the person's own party if archived."""
    parties = party_queries.active_parties()
    if current is not None and current not in parties:
        parties.append(current)
        parties.sort(key=lambda party: (KIND_ORDER.index(party.kind), party.name))
    return parties


def check_csrf() -> None:
    """Refuse a POST without a valid CSRF token (buttons carry only the token)."""
    if not TrackerForm().validate_on_submit():
        abort(400)


@bp.route("/")
def index():
    search = PersonSearchForm(request.args)
    search.party.choices = party_choices(party_queries.active_parties(), "All parties")
    text = clean_search(search.q.data)
    party_id = id_arg("party")
    page = queries.list_people(
        text, party_id, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "people/index.html",
        page=page,
        search=search,
        text=text,
        filtered=bool(text or party_id is not None),
    )


@bp.route("/<int:person_id>")
def detail(person_id: int):
    person = queries.person_page(person_id)
    meetings = queries.meetings_of(
        person.id, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"]
    )
    return render_template("people/detail.html", person=person, meetings=meetings)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create():
    form = PersonForm()
    if request.method == "GET":
        form.party_id.data = id_arg("party")
    form.party_id.choices = party_choices(selectable_parties(), "Choose a party…")
    if form.validate_on_submit():
        try:
            person = services.create_person(form.name.data, form.position.data, form.party_id.data)
        except services.PersonError as error:
            db.session.rollback()
            form[error.field or "name"].errors.append(str(error))
        else:
            db.session.commit()
            flash(f"{person.name} added.", "success")
            return redirect(url_for(".detail", person_id=person.id))
    return render_template("people/form.html", form=form, person=None)


@bp.route("/<int:person_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = PersonEditForm(obj=person)
    form.party_id.choices = party_choices(selectable_parties(person.party), "Choose a party…")
    conflict = conflicts.check(form, person)
    if form.validate_on_submit() and conflict is None:
        try:
            with conflicts.saving(form, person):
                services.update_person(
                    person, form.name.data, form.position.data, form.party_id.data
                )
                db.session.commit()
        except services.PersonError as error:
            db.session.rollback()
            form[error.field or "name"].errors.append(str(error))
        except conflicts.EditConflict as error:
            conflict = error.conflict
        else:
            flash(f"{person.name} saved.", "success")
            return redirect(url_for(".detail", person_id=person.id))
    page = render_template("people/form.html", form=form, person=person, conflict=conflict)
    return page, conflicts.status(conflict)


add_archive_routes(
    bp, Person, rule="/<int:person_id>", id_arg="person_id", describe=lambda person: person.name
)


@bp.route("/<int:person_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete(person_id: int):
    person = db.get_or_404(Person, person_id)
    form = TrackerForm()
    if request.method == "GET":
        usage = queries.person_usage(person.id)
        return render_template(
            "people/delete.html",
            person=person,
            form=form,
            usage=usage,
            usage_text=services.describe_usage(usage),
        )
    if not form.validate_on_submit():
        abort(400)
    name = person.name
    try:
        services.delete_person(person)
    except services.PersonError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".detail", person_id=person_id))
    db.session.commit()
    flash(f"{name} deleted.", "success")
    return redirect(url_for(".index"))
