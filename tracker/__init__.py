"""tracker: follow international agreements while they are being negotiated."""

from __future__ import annotations

import os
from importlib import import_module

from flask import Flask

from tracker.arguments import register_arguments
from tracker.config import load_config
from tracker.security import TrackerFlask, register_errorhandlers, register_security


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, security, extensions, blueprints, errors, commands."""
    app = TrackerFlask(
        __name__,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    load_config(app, config)
    register_security(app)
    register_arguments(app)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from tracker import auditing, database  # noqa: F401  (session and connection hooks)
    from tracker.extensions import bootstrap, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    limiter.init_app(app)


# Each feature package has a views module with a blueprint called ``bp``.
FEATURES = (
    "accounts",
    "accounts.users",
    "dashboard",
    "agreements",
    "meetings",
    "outcomes",
    "parties",
    "people",
    "points",
    "actions",
    "audit",
    "portfolio",
    "reports",
    "calendars",
)


def register_blueprints(app: Flask) -> None:
    for feature in FEATURES:
        app.register_blueprint(import_module(f"tracker.{feature}.views").bp)


def register_template_helpers(app: Flask) -> None:
    from tracker import formatting
    from tracker.models import Role
    from tracker.navigation import NAVIGATION

    app.jinja_env.filters.update(formatting.FILTERS)
    app.jinja_env.globals.update(formatting.GLOBALS)
    app.jinja_env.globals["navigation"] = NAVIGATION
    app.jinja_env.globals["Role"] = Role


def register_commands(app: Flask) -> None:
    from tracker.cli import register

    register(app)
