"""Logging in and out."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from tracker.accounts import services
from tracker.accounts.auth import require_login, safe_next
from tracker.accounts.forms import LoginForm
from tracker.extensions import db

bp = Blueprint("accounts", __name__)
bp.before_app_request(require_login)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            db.session.rollback()
            form.password.errors.append("Unknown username or wrong password.")
        else:
            login_user(user)
            db.session.commit()
            flash(f"Welcome, {user.display_name}.", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("dashboard.index"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have been logged out.", "info")
    return redirect(url_for("accounts.login"))
