"""Party pages: list, detail, create, edit, archive, restore and delete."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from tracker.models import Party, Role
from tracker.parties import queries, services
from tracker.parties.forms import PartyEditForm, PartyForm, PartySearchForm
from tracker.web.archiving import add_archive_routes
from tracker.web.arguments import clean_search, page_arg
from tracker.web.auth import role_required
from tracker.web.editing import Edit
from tracker.web.forms import ConfirmForm
from tracker.web.records import or_404

bp = Blueprint("parties", __name__, url_prefix="/parties")


@bp.route("/")
def index():
    search = PartySearchForm(request.args)
    text = clean_search(search.q.data)
    page = queries.list_parties(text, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("parties/index.html", page=page, search=search, text=text)


@bp.route("/<int:party_id>")
def detail(party_id: int):
    party = or_404(queries.party_page(party_id))
    agreements = queries.agreements_of(party.id, page_arg(), current_app.config["PAGE_SIZE"])
    return render_template("parties/detail.html", party=party, agreements=agreements)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create():
    form = PartyForm()
    edit = Edit(form)
    if edit.save(lambda: services.create_party(form.name.data, form.kind.data, form.code.data)):
        party = edit.result
        flash(f"Party “{party.name}” created.", "success")
        return redirect(url_for(".detail", party_id=party.id))
    return edit.render("parties/form.html", party=None)


@bp.route("/<int:party_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(party_id: int):
    party = or_404(queries.get_party(party_id))
    form = PartyEditForm(obj=party)
    edit = Edit(form, party)
    if edit.save(
        lambda: services.update_party(party, form.name.data, form.kind.data, form.code.data)
    ):
        flash(f"Party “{party.name}” saved.", "success")
        return redirect(url_for(".detail", party_id=party.id))
    return edit.render("parties/form.html", party=party)


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
    """Delete a party nothing refers to, after a confirmation page that says what does."""
    party = or_404(queries.get_party(party_id))
    form = ConfirmForm()
    if request.method == "GET":
        usage = queries.party_usage(party.id)
        return render_template(
            "parties/delete.html",
            party=party,
            form=form,
            usage=usage,
            usage_text=services.describe_usage(usage),
        )
    name = party.name
    if Edit(form).save(lambda: services.delete_party(party)):
        flash(f"Party “{name}” deleted.", "success")
        return redirect(url_for(".index"))
    if form.form_errors:  # still referred to: the message says to archive it instead
        flash(" ".join(form.form_errors), "error")
        return redirect(url_for(".detail", party_id=party_id))
    abort(400)
