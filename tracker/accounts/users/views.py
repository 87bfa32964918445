"""Admin pages for staff accounts: list, create, change role, reset password, (de)activate."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.accounts import services
from tracker.accounts.users.forms import PasswordResetForm, RoleForm, UserCreateForm
from tracker.extensions import db
from tracker.models import Role, User
from tracker.web import conflicts
from tracker.web.auth import log_auth, role_required, start_session

bp = Blueprint("users", __name__, url_prefix="/admin/users")


def _load(user_id: int) -> User:
    user = services.get_user_by_id(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/")
@role_required(Role.ADMIN)
def index():
    return render_template("accounts/users/index.html", users=services.list_users())


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def create():
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(
                form.username.data,
                form.new_password.data,
                form.role.data,
                form.display_name.data or "",
            )
        except services.AccountError as error:
            field = form.new_password if error.field == "password" else form.username
            field.errors.append(str(error))
            db.session.rollback()
        else:
            db.session.commit()
            log_auth(f"user created by {current_user.username} as {user.role}", user.username)
            flash(f"Created {user.role} “{user.username}”.", "success")
            return redirect(url_for("users.index"))
    return render_template("accounts/users/form.html", form=form)


def _edit_page(user: User, role_form=None, password_form=None, status: int = 200, conflict=None):
    if role_form is None:
        role_form = RoleForm(role=user.role.value)
        conflicts.stamp(role_form, user)
    password_form = password_form or PasswordResetForm()
    page = render_template(
        "accounts/users/edit.html",
        user=user,
        role_form=role_form,
        password_form=password_form,
        conflict=conflict,
    )
    return page, status


@bp.route("/<int:user_id>/edit")
@role_required(Role.ADMIN)
def edit(user_id: int):
    return _edit_page(_load(user_id))


@bp.route("/<int:user_id>/role", methods=["POST"])
@role_required(Role.ADMIN)
def change_role(user_id: int):
    user = _load(user_id)
    form = RoleForm()
    conflict = conflicts.check(form, user)
    if conflict is not None:
        return _edit_page(user, role_form=form, status=conflict.status, conflict=conflict)
    if not form.validate_on_submit():
        return _edit_page(user, role_form=form, status=400)
    try:
        with conflicts.saving(form, user):
            services.change_role(user, form.role.data)
            db.session.commit()
    except services.AccountError as error:
        db.session.rollback()
        form.role.errors.append(str(error))
        return _edit_page(_load(user_id), role_form=form, status=400)
    except conflicts.EditConflict as error:
        user = _load(user_id)
        return _edit_page(
            user, role_form=form, status=error.conflict.status, conflict=error.conflict
        )
    log_auth(f"role set to {user.role} by {current_user.username}", user.username)
    flash(f"“{user.username}” is now {user.role}.", "success")
    return redirect(url_for("users.edit", user_id=user.id))


@bp.route("/<int:user_id>/password", methods=["POST"])
@role_required(Role.ADMIN)
def reset_password(user_id: int):
    user = _load(user_id)
    form = PasswordResetForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.new_password.data)
        except services.AccountError as error:
            form.new_password.errors.append(str(error))
        else:
            if user.id == current_user.id:
                start_session(user, renew=True)
            db.session.commit()
            log_auth(f"password reset by {current_user.username}", user.username)
            flash(f"Password of “{user.username}” changed; their sessions have ended.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return _edit_page(user, password_form=form, status=400)


@bp.route("/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.ADMIN)
def deactivate(user_id: int):
    user = _load(user_id)
    try:
        services.deactivate(user, by=current_user._get_current_object())
    except services.AccountError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        log_auth(f"user deactivated by {current_user.username}", user.username)
        flash(f"Deactivated “{user.username}”; their sessions have ended.", "success")
    return redirect(url_for("users.edit", user_id=user_id))


@bp.route("/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.ADMIN)
def reactivate(user_id: int):
    user = _load(user_id)
    services.reactivate(user)
    db.session.commit()
    log_auth(f"user reactivated by {current_user.username}", user.username)
    flash(f"Reactivated “{user.username}”.", "success")
    return redirect(url_for("users.edit", user_id=user_id))
