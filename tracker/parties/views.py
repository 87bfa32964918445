"""Party pages: list, detail, create, edit, archive, restore and delete."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from tracker.extensions import db
from tracker.models import Party, Role
from tracker.parties import queries, services
from tracker.parties.forms import PartyEditForm, PartyForm, PartySearchForm
from tracker.web import conflicts
from tracker.web.archiving import add_archive_routes
from tracker.web.auth import role_required
from tracker.web.forms import TrackerForm
from tracker.web.pagination import clean_search

bp = Blueprint("parties", __name__, url_prefix="/parties")


def page_number() -> int:
    return request.args.get("page", 1, type=int)


def check_csrf() -> None:
    """Refuse a POST without a valid CSRF token (buttons carry only the token)."""
    if not TrackerForm().validate_on_submit():
        abort(400)


@bp.route("/")
def index():
    search = PartySearchForm(request.args)
    text = clean_search(search.q.data)
    page = queries.list_parties(text, page_number(), current_app.config["PAGE_SIZE"])
    return render_template("parties/index.html", page=page, search=search, text=text)


@bp.route("/<int:party_id>")
def detail(party_id: int):
    party = queries.party_page(party_id)
    agreements = queries.agreements_of(
        party.id, request.args.get("page", 1, type=int), current_app.config["PAGE_SIZE"]
    )
    return render_template("parties/detail.html", party=party, agreements=agreements)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create():
    form = PartyForm()
    if form.validate_on_submit():
        try:
            party = services.create_party(form.name.data, form.kind.data, form.code.data)
        except services.PartyError as error:
            db.session.rollback()
            form[error.field or "name"].errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Party “{party.name}” created.", "success")
            return redirect(url_for(".detail", party_id=party.id))
    return render_template("parties/form.html", form=form, party=None)


@bp.route("/<int:party_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(party_id: int):
    party = db.get_or_404(Party, party_id)
    form = PartyEditForm(obj=party)
    conflict = conflicts.check(form, party)
    if form.validate_on_submit() and conflict is None:
        try:
            with conflicts.saving(form, party):
                services.update_party(party, form.name.data, form.kind.data, form.code.data)
                db.session.commit()
        except services.PartyError as error:
            db.session.rollback()
            form[error.field or "name"].errors.append(str(error))
        except conflicts.EditConflict as error:
            conflict = error.conflict
        else:
            flash(f"Party “{party.name}” saved.", "success")
            return redirect(url_for(".detail", party_id=party.id))
    page = render_template("parties/form.html", form=form, party=party, conflict=conflict)
    return page, conflicts.status(conflict)


add_archive_routes(
    bp,
    Party,
    rule="/<int:party_id>",
    id_arg="party_id",
    describe=lambda party: f"Party “{party.name}”",
)


@bp.route("/<int:party_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete(party_id: int):
    party = db.get_or_404(Party, party_id)
    form = TrackerForm()
    if request.method == "GET":
        usage = queries.party_usage(party.id)
        return render_template(
            "parties/delete.html",
            party=party,
            form=form,
            usage=usage,
            usage_text=services.describe_usage(usage),
        )
    if not form.validate_on_submit():
        abort(400)
    name = party.name
    try:
        services.delete_party(party)
    except services.PartyError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for(".detail", party_id=party_id))
    db.session.commit()
    flash(f"Party “{name}” deleted.", "success")
    return redirect(url_for(".index"))
