"""Logging in and out, and changing one's own password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from tracker.accounts import services, throttle
from tracker.accounts.forms import LoginForm, PasswordChangeForm
from tracker.extensions import db, limiter
from tracker.web.auth import (
    end_session,
    log_auth,
    safe_next,
    start_session,
)
from tracker.web.editing import Edit

bp = Blueprint("accounts", __name__)


def _log_address_breach(_limit) -> None:
    log_auth("login throttled (address)", request.form.get("username", "")[:80])


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    throttle.address_limit,
    methods=["POST"],
    error_message=throttle.ADDRESS_MESSAGE,
    on_breach=_log_address_breach,
)
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = services.normalise_username(form.username.data)
        try:
            throttle.check_username(username)
        except TooManyRequests:
            log_auth("login throttled (username)", username)
            raise
        user = services.authenticate(username, form.password.data)
        if user is None:
            db.session.rollback()
            throttle.record_failure(username)
            log_auth("login failed", username)
            form.password.errors.append("Unknown username or wrong password.")
        else:
            start_session(user)
            db.session.commit()
            throttle.clear_failures(username)
            log_auth("login", user.username)
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    username = current_user.username
    services.log_out(current_user._get_current_object())
    db.session.commit()
    end_session()
    log_auth("logout", username)
    flash("You have been logged out.", "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    user = current_user._get_current_object()
    form = PasswordChangeForm()

    def change() -> None:
        throttle.check_username(user.username)
        if not user.check_password(form.current_password.data):
            throttle.record_failure(user.username)
            log_auth("password change refused (wrong current password)", user.username)
            raise services.AccountError("That is not your current password.", "current_password")
        services.set_password(user, form.new_password.data)
        # The generation went up: this session logs in again, every other one ends.
        start_session(user, renew=True)

    edit = Edit(form, fields={"password": "new_password"})
    if edit.save(change):
        log_auth("password changed", user.username)
        flash("Your password has been changed; your other sessions have ended.", "success")
        return redirect(url_for("accounts.password"))
    return edit.render("accounts/password.html")
