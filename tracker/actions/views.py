"""Action items, added and changed from their agreement's page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from tracker.actions import queries, services
from tracker.actions.forms import ActionEditForm, ActionItemForm
from tracker.markings import forms as marking_forms
from tracker.markings import services as marking_services
from tracker.models import ActionItem, Agreement, Role, clock
from tracker.web.auth import role_required
from tracker.web.editing import Edit
from tracker.web.forms import ConfirmForm
from tracker.web.records import or_404

bp = Blueprint("actions", __name__)


def _agreement_page(agreement_id: int):
    return redirect(url_for("agreements.detail", agreement_id=agreement_id))


def _prepare(form: ActionItemForm, agreement: Agreement, action: ActionItem | None) -> None:
    form.owner_id.choices = queries.owner_choices(agreement, action.owner_id if action else None)
    form.meeting_id.choices = queries.meeting_choices(
        agreement, [action.meeting_id] if action else []
    )
    marking_forms.prepare(form.marking, marking_services.value_of(action or agreement))


def _values(form: ActionItemForm) -> dict:
    return {
        "description": form.description.data,
        "owner_id": form.owner_id.data,
        "due_on": form.due_on.data,
        "meeting_id": form.meeting_id.data,
        "marking": form.marking.choice(),
    }


@bp.route("/agreements/<int:agreement_id>/actions/new", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def create(agreement_id: int):
    agreement = or_404(queries.agreement_for_form(agreement_id))
    form = ActionItemForm()
    _prepare(form, agreement, None)

    def add() -> None:
        action = services.create_action(agreement, **_values(form))
        if form.done.data:
            services.set_done(action, True, clock.today())

    edit = Edit(form)
    if edit.save(add):
        flash("Action item added.", "success")
        return _agreement_page(agreement_id)
    return edit.render("actions/form.html", agreement=agreement, action=None)


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@role_required(Role.EDITOR)
def edit(action_id: int):
    action = or_404(queries.action_for_form(action_id))
    form = ActionEditForm(obj=action)
    _prepare(form, action.agreement, action)
    edit = Edit(form, action)
    if edit.save(lambda: services.update_action(action, **_values(form), done=form.done.data)):
        flash("Action item saved.", "success")
        return _agreement_page(action.agreement_id)
    return edit.render("actions/form.html", agreement=action.agreement, action=action)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@role_required(Role.EDITOR)
def toggle_done(action_id: int):
    action = or_404(queries.action_for_form(action_id))
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    # The button says what it wants ("1": done, "0": open) rather than "the other state",
    # so a click on a page that is out of date cannot undo someone else's click.
    wanted = request.form.get("done")
    if wanted not in ("0", "1"):  # a page from before the buttons said what they want
        wanted = "0" if action.done else "1"
    done = wanted == "1"
    if done == action.done:
        message = "already marked done" if done else "already open"
        flash(f"Nothing changed: the action item was {message}.", "info")
        return _agreement_page(action.agreement_id)
    Edit(form).save(lambda: services.set_done(action, done, clock.today()))
    flash("Action item marked done." if action.done else "Action item reopened.", "success")
    return _agreement_page(action.agreement_id)


@bp.route("/actions/<int:action_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete(action_id: int):
    action = or_404(queries.action_for_form(action_id))
    agreement_id = action.agreement_id
    form = ConfirmForm()
    if Edit(form).save(lambda: services.delete_action(action)):
        flash("Action item deleted.", "success")
        return _agreement_page(agreement_id)
    return render_template(
        "actions/delete.html", form=form, action=action, agreement=action.agreement
    )
