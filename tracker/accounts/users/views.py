"""Admin pages for staff accounts: list, create, change role, set what they may read
(clearance, party, caveats) and the security-officer flag, reset password, (de)activate, and
revoke their API tokens (admins never see or make another user's secret)."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.accounts import queries, services, tokens
from tracker.accounts.users.forms import (
    ClearanceForm,
    PasswordResetForm,
    RoleForm,
    UserCreateForm,
)
from tracker.data import markings
from tracker.models import Role, User
from tracker.web import conflicts
from tracker.web.auth import log_auth, role_required, start_session
from tracker.web.editing import Edit
from tracker.web.forms import NONE_CHOSEN, ConfirmForm
from tracker.web.markings import party_codes
from tracker.web.records import or_404

bp = Blueprint("users", __name__, url_prefix="/admin/users")

# Service keywords and the admin forms' fields of another name.
FIELDS = {"password": "new_password"}


def _fill_choices(form) -> None:
    """The levels, parties and caveats a clearance may name (ClearanceFields)."""
    form.clearance.choices = list(enumerate(markings.levels()))
    form.party.choices = [NONE_CHOSEN, *queries.party_choices()]
    form.caveats.choices = [(caveat, caveat) for caveat in markings.caveats()]


def _clearance_values(form) -> dict:
    return {
        "clearance": form.clearance.data,
        "party_id": form.party.data,
        "caveats": form.caveats.data or [],
        "security_officer": form.security_officer.data,
    }


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    users = services.list_users()
    codes = party_codes()
    clearances = {user.id: services.describe_clearance(user, codes) for user in users}
    return render_template("accounts/users/index.html", users=users, clearances=clearances)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create():
    form = UserCreateForm()
    _fill_choices(form)
    edit = Edit(form, fields=FIELDS)
    if edit.save(
        lambda: services.create_user(
            form.username.data,
            form.new_password.data,
            form.role.data,
            form.display_name.data or "",
            **_clearance_values(form),
        )
    ):
        user = edit.result
        log_auth(f"user created by {current_user.username} as {user.role}", user.username)
        flash(f"Created {user.role} “{user.username}”.", "success")
        return redirect(url_for("users.index"))
    return edit.render("accounts/users/form.html")


def _edit_page(
    user: User,
    role_form=None,
    password_form=None,
    clearance_form=None,
    status: int = 200,
    conflict=None,
    clearance_conflict=None,
):
    if role_form is None:
        role_form = RoleForm(role=user.role.value)
        conflicts.stamp(role_form, user)
    if clearance_form is None:
        clearance_form = ClearanceForm(
            clearance=user.clearance,
            party=user.party_id,
            caveats=sorted(user.caveat_set),
            security_officer=user.security_officer,
        )
        conflicts.stamp(clearance_form, user)
    _fill_choices(clearance_form)
    password_form = password_form or PasswordResetForm()
    page = render_template(
        "accounts/users/edit.html",
        user=user,
        role_form=role_form,
        clearance_form=clearance_form,
        password_form=password_form,
        conflict=conflict,
        clearance_conflict=clearance_conflict,
        clearance=services.describe_clearance(user, party_codes()),
        token_rows=queries.token_rows(user),
    )
    return page, status


@bp.route("/<int:user_id>/edit")
@role_required(Role.ADMIN)
def edit(user_id: int):
    return _edit_page(or_404(services.get_user_by_id(user_id)))


@bp.route("/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):
    user = or_404(services.get_user_by_id(user_id))
    form = RoleForm()
    edit = Edit(form, user)
    if edit.save(lambda: services.change_role(user, form.role.data)):
        log_auth(f"role set to {user.role} by {current_user.username}", user.username)
        flash(f"“{user.username}” is now {user.role}.", "success")
        return redirect(url_for("users.edit", user_id=user.id))
    # The form came from this page, so anything but a conflict is a refused change (400).
    user = or_404(services.get_user_by_id(user_id))
    status = edit.status if edit.conflict else 400
    return _edit_page(user, role_form=form, status=status, conflict=edit.conflict)


@bp.route("/<int:user_id>/clearance", methods=["POST"])
@role_required(Role.ADMIN)
def change_clearance(user_id: int):
    user = or_404(services.get_user_by_id(user_id))
    form = ClearanceForm()
    _fill_choices(form)
    edit = Edit(form, user)
    if edit.save(lambda: services.set_clearance(user, **_clearance_values(form))):
        summary = services.describe_clearance(user, party_codes())
        officer = " security officer" if user.security_officer else ""
        log_auth(f"clearance set to {summary!r}{officer} by {current_user.username}", user.username)
        flash(f"“{user.username}” may now read: {summary}.", "success")
        return redirect(url_for("users.edit", user_id=user.id))
    user = or_404(services.get_user_by_id(user_id))
    status = edit.status if edit.conflict else 400
    return _edit_page(user, clearance_form=form, status=status, clearance_conflict=edit.conflict)


@bp.route("/<int:user_id>/password", methods=["POST"])
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    user = or_404(services.get_user_by_id(user_id))
    form = PasswordResetForm()

    def reset() -> None:
        services.set_password(user, form.new_password.data)
        if user.id == current_user.id:
            start_session(user, renew=True)

    if Edit(form, fields=FIELDS).save(reset):
        log_auth(f"password reset by {current_user.username}", user.username)
        flash(f"Password of “{user.username}” changed; their sessions have ended.", "success")
        return redirect(url_for("users.edit", user_id=user.id))
    return _edit_page(user, password_form=form, status=400)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    user = or_404(services.get_user_by_id(user_id))
    form = ConfirmForm()
    if Edit(form).save(lambda: services.deactivate(user, by=current_user._get_current_object())):
        log_auth(f"user deactivated by {current_user.username}", user.username)
        flash(f"Deactivated “{user.username}”; their sessions have ended.", "success")
    for error in form.form_errors:
        flash(error, "error")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    user = or_404(services.get_user_by_id(user_id))
    if Edit(ConfirmForm()).save(lambda: services.reactivate(user)):
        log_auth(f"user reactivated by {current_user.username}", user.username)
        flash(f"Reactivated “{user.username}”.", "success")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
@role_required(Role.ADMIN)
def revoke_token(user_id: int, token_id: int):
    user = or_404(services.get_user_by_id(user_id))
    token = or_404(queries.token_of(user, token_id))
    if token.revoked_at is not None:
        flash(f"The token “{token.name}” of “{user.username}” was already revoked.", "info")
    elif Edit(ConfirmForm()).save(lambda: tokens.revoke(token)):
        log_auth(
            f"API token revoked id={token.id} name={token.name!r} by={current_user.username}",
            user.username,
        )
        flash(f"Revoked the token “{token.name}” of “{user.username}”.", "success")
    return redirect(url_for("users.edit", user_id=user_id))
