"""Logging in and out, changing one's own password, and one's own API tokens."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.accounts import queries, services, throttle, tokens
from tracker.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from tracker.extensions import db
from tracker.web.auth import (
    end_session,
    log_auth,
    safe_next,
    start_session,
)
from tracker.web.editing import Edit
from tracker.web.forms import ConfirmForm
from tracker.web.records import or_404

bp = Blueprint("accounts", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        username = services.normalise_username(form.username.data)
        try:
            attempt = throttle.begin_login(username)
        except throttle.Throttled as refusal:
            log_auth(f"login throttled ({refusal.rule})", username)
            raise
        user = services.authenticate(username, form.password.data)
        if user is None:
            db.session.rollback()
            throttle.login_failed(attempt)
            log_auth("login failed", username)
            form.password.errors.append("Unknown username or wrong password.")
        else:
            start_session(user)
            throttle.login_succeeded(attempt)
            db.session.commit()
            log_auth("login", user.username)
            flash(f"Welcome, {user.display_name}.", "success")
            target = safe_next(request.args.get("next")) or url_for("dashboard.index")
            return throttle.remember_browser(redirect(target), user.username)
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
        throttle.check_password_change(user.username)
        if not user.check_password(form.current_password.data):
            raise services.AccountError("That is not your current password.", "current_password")
        services.set_password(user, form.new_password.data)
        # The generation went up: this session logs in again, every other one ends.
        start_session(user, renew=True)

    def refused(error: services.AccountError) -> None:
        if error.field == "current_password":
            # After the rollback: the failure counts whatever became of the request.
            throttle.password_change_failed(user.username)
            log_auth("password change refused (wrong current password)", user.username)
        edit.refuse(error)

    edit = Edit(form, fields={"password": "new_password"})
    try:
        saved = edit.save(change, refused=refused)
    except throttle.Throttled:
        log_auth("password change throttled", user.username)
        raise
    if saved:
        log_auth("password changed", user.username)
        flash("Your password has been changed; your other sessions have ended.", "success")
        return redirect(url_for("accounts.password"))
    return edit.render("accounts/password.html")


@bp.route("/account/tokens", methods=["GET", "POST"], endpoint="tokens")
def tokens_page():
    """One's own API tokens: make one (its secret shown in this response only), list, revoke."""
    user = current_user._get_current_object()
    form = TokenForm()
    edit = Edit(form)
    if edit.save(
        lambda: tokens.create_token(
            user, form.name.data, read_only=form.read_only.data, expires_on=form.expires_on.data
        )
    ):
        token, secret = edit.result
        log_auth(
            f"API token created id={token.id} name={token.name!r} by={user.username}", user.username
        )
        # The secret goes into this page and nowhere else: not a flashed message (that lives
        # in the session cookie until shown), not a redirect's URL. A reload asks to send the
        # form again, which is refused for the name now taken. 201: something was made.
        page = render_template(
            "accounts/tokens.html",
            form=TokenForm(formdata=None),
            conflict=None,
            rows=queries.token_rows(user),
            new_name=token.name,
            secret=secret,
        )
        return page, 201
    return edit.render("accounts/tokens.html", rows=queries.token_rows(user))


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    """Revoke one of one's own tokens; another user's is not found (404), not refused."""
    user = current_user._get_current_object()
    token = or_404(queries.token_of(user, token_id))
    if token.revoked_at is not None:
        flash(f"The token “{token.name}” was already revoked.", "info")
    elif Edit(ConfirmForm()).save(lambda: tokens.revoke(token)):
        log_auth(
            f"API token revoked id={token.id} name={token.name!r} by={user.username}", user.username
        )
        flash(f"Revoked the token “{token.name}”: it no longer works.", "success")
    return redirect(url_for(".tokens"))
