"""Named groups (admin pages) and an agreement's access list (its lead's and admins' page).

An agreement one cannot see is a 404 here as everywhere; one seen by someone who does not
manage it (its lead and admins do) is a 403.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.access import queries, services
from tracker.access.forms import AddToListForm, GroupEditForm, GroupForm, NeedToKnowForm
from tracker.data import access
from tracker.extensions import db
from tracker.models import Agreement, Role
from tracker.web.auth import role_required
from tracker.web.editing import Edit
from tracker.web.forms import NONE_CHOSEN, ConfirmForm
from tracker.web.records import or_404
from tracker.web.security import log_refusal

bp = Blueprint("access", __name__)


# -- Groups ------------------------------------------------------------------------------


def _member_choices(form) -> None:
    form.members.choices = queries.user_choices()


@bp.route("/admin/groups/")
@role_required(Role.ADMIN)
def groups():
    return render_template("access/groups.html", lines=queries.list_groups())


@bp.route("/admin/groups/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create_group():
    form = GroupForm()
    _member_choices(form)
    edit = Edit(form)
    if edit.save(
        lambda: services.create_group(
            form.name.data, form.description.data, form.members.data or []
        )
    ):
        flash(f"Group “{edit.result.name}” created.", "success")
        return redirect(url_for(".groups"))
    return edit.render("access/group_form.html", group=None)


@bp.route("/admin/groups/<int:group_id>/edit", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_group(group_id: int):
    group = or_404(queries.get_group(group_id))
    form = GroupEditForm(obj=group)
    if request.method == "GET":
        form.members.data = [member.id for member in group.members]
    _member_choices(form)
    # Members no longer active stay ticked rather than silently dropped.
    known = {choice[0] for choice in form.members.choices}
    form.members.choices += [
        (m.id, f"{m.display_name} ({m.username}, deactivated)")
        for m in group.members
        if m.id not in known
    ]
    edit = Edit(form, group)
    if edit.save(
        lambda: services.update_group(
            group, form.name.data, form.description.data, form.members.data or []
        )
    ):
        flash(f"Group “{group.name}” saved.", "success")
        return redirect(url_for(".groups"))
    return edit.render("access/group_form.html", group=group)


@bp.route("/admin/groups/<int:group_id>/delete", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def delete_group(group_id: int):
    group = or_404(queries.get_group(group_id))
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("access/group_delete.html", group=group, form=form)
    name = group.name
    if Edit(form).save(lambda: services.delete_group(group)):
        flash(f"Group “{name}” deleted.", "success")
        return redirect(url_for(".groups"))
    abort(400)


# -- An agreement's access list ---------------------------------------------------------


def _managed(agreement_id: int) -> Agreement:
    """The agreement with its list: 404 unless seen, 403 unless managed."""
    agreement = or_404(queries.agreement_with_list(agreement_id))
    if not services.manages(current_user, agreement):
        log_refusal()
        abort(403)
    return agreement


def _page(agreement: Agreement, add_form=None, status: int = 200):
    add_form = add_form or AddToListForm()
    add_form.user.choices = [NONE_CHOSEN, *queries.user_choices()]
    add_form.group.choices = [NONE_CHOSEN, *queries.group_choices()]
    page = render_template(
        "access/agreement.html",
        agreement=agreement,
        entries=queries.entries_in_order(agreement),
        add_form=add_form,
        only_the_lead=services.only_the_lead(agreement),
    )
    return page, status


def _after_change(agreement_id: int):
    """Back to the list; or, if the change took the user off it, to the agreements."""
    access.use(db.session, access.for_user(db.session, current_user))
    if queries.agreement_with_list(agreement_id) is None:
        flash("You are no longer on its list, so you no longer see it.", "info")
        return redirect(url_for("agreements.index"))
    return redirect(url_for(".agreement", agreement_id=agreement_id))


def _warn_if_only_the_lead(agreement: Agreement) -> None:
    if services.only_the_lead(agreement):
        lead = agreement.lead.display_name if agreement.lead else "its lead"
        flash(
            f"Nobody is on its list: only {lead}, its lead, will see it. Add users or groups "
            "below.",
            "warning",
        )


@bp.route("/agreements/<int:agreement_id>/access")
def agreement(agreement_id: int):
    return _page(_managed(agreement_id))


@bp.route("/agreements/<int:agreement_id>/access/need-to-know", methods=["POST"])
def need_to_know(agreement_id: int):
    agreement = _managed(agreement_id)
    form = NeedToKnowForm()
    if Edit(form).save(
        lambda: services.set_need_to_know(agreement, form.need_to_know.data == "on")
    ):
        state = "on" if agreement.need_to_know else "off"
        flash(f"Need-to-know is {state}.", "success")
        _warn_if_only_the_lead(agreement)
        return _after_change(agreement_id)
    for error in [*form.form_errors, *form.need_to_know.errors]:
        flash(error, "error")
    return redirect(url_for(".agreement", agreement_id=agreement_id))


@bp.route("/agreements/<int:agreement_id>/access/add", methods=["POST"])
def add(agreement_id: int):
    agreement = _managed(agreement_id)
    form = AddToListForm()
    form.user.choices = [NONE_CHOSEN, *queries.user_choices()]
    form.group.choices = [NONE_CHOSEN, *queries.group_choices()]

    def change():
        if form.user.data is not None:
            return services.add_user(agreement, form.user.data)
        return services.add_group(agreement, form.group.data)

    edit = Edit(form)
    if edit.save(change):
        flash(f"{edit.result.name} added to the list.", "success")
        return redirect(url_for(".agreement", agreement_id=agreement_id))
    return _page(_managed(agreement_id), add_form=form, status=400)


@bp.route("/agreements/<int:agreement_id>/access/<int:entry_id>/remove", methods=["POST"])
def remove(agreement_id: int, entry_id: int):
    agreement = _managed(agreement_id)
    entry = or_404(next((e for e in agreement.access_entries if e.id == entry_id), None))
    name = entry.name
    form = ConfirmForm()
    if Edit(form).save(lambda: services.remove_entry(agreement, entry)):
        flash(f"{name} taken off the list.", "success")
        _warn_if_only_the_lead(agreement)
        return _after_change(agreement_id)
    for error in form.form_errors:
        flash(error, "error")
    return redirect(url_for(".agreement", agreement_id=agreement_id))
