"""tracker: follow international agreements while they are being negotiated.

``create_app`` is a list of steps, and the one place that installs hooks (database and
session listeners, what runs before and after every request, error handlers) and template
globals, so that what every page depends on can be read here.
"""

from __future__ import annotations

import logging
import os
from importlib import import_module
from importlib.util import find_spec

from flask import Flask

from tracker.config import load_config
from tracker.web.security import TrackerFlask


def create_app(config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, request hooks, blueprints, errors,
    template helpers, commands."""
    app = TrackerFlask(
        __name__,
        instance_path=os.environ.get("TRACKER_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    load_config(app, config)
    register_logging(app)
    register_time_limit(app)
    register_proxy(app)
    register_extensions(app)
    register_request_hooks(app)
    register_blueprints(app)
    register_api(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    return app


def register_logging(app: Flask) -> None:
    """Print the app's log lines (logins on tracker.auth, refusals on tracker.security,
    errors) with a time stamp wherever it runs. gunicorn configures them itself
    (gunicorn_conf.py); the development server and the command line, which configure no
    logging, get a handler on standard error here. A process that set up its own logging,
    a test run among them, keeps it."""
    from tracker.config import LOG_DATE_FORMAT, LOG_FORMAT

    logger = logging.getLogger("tracker")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT, LOG_DATE_FORMAT))
        logger.addHandler(handler)


def register_time_limit(app: Flask) -> None:
    from tracker.web.deadline import TimeLimit

    # Around everything the app does for a request (the proxy-header fix goes outside).
    app.wsgi_app = TimeLimit(app.wsgi_app, app.config["REQUEST_TIME_LIMIT"])


def register_proxy(app: Flask) -> None:
    from tracker.web.security import trust_proxy

    trust_proxy(app)


def register_extensions(app: Flask) -> None:
    from tracker.accounts import api_rate, throttle, tokens
    from tracker.data import audit_trail, database, row_security
    from tracker.extensions import bootstrap, csrf, db, login_manager, migrate
    from tracker.web import auth

    database.install()
    row_security.install()
    audit_trail.install()
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(app.root_path), "migrations"))
    csrf.init_app(app)
    bootstrap.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(auth.load_user)
    # The API's callers authenticate with a token on each request (never the session).
    login_manager.request_loader(tokens.user_from_request)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"
    # Flask-Login's "basic" protection only marks a session whose address or browser changed
    # as not fresh, which nothing here asks about, and in doing so writes every anonymous
    # session on its first request (a login page's favicon.ico): a write that, answered late,
    # overwrote the login made meanwhile (SESSION_REFRESH_EACH_REQUEST in config.py). A
    # session is bound to its user's generation and expires when idle or old (web/auth.py).
    login_manager.session_protection = None
    # Not an extension object: the login throttle's limits and where it counts attempts.
    throttle.init_app(app)
    api_rate.init_app(app)


def register_request_hooks(app: Flask) -> None:
    from tracker.accounts import api_rate, throttle
    from tracker.api import bodies
    from tracker.web import access_log, arguments, auth, markings, outgoing, security

    # Before any route is added: ids in URLs are the ones a record can have.
    app.url_map.converters["int"] = arguments.RecordIdConverter
    # In this order: the request id first, so every log line can carry it; an expired
    # session is ended before the login requirement looks at it.
    app.before_request(security.assign_request_id)
    # Before anything reads the database: an API call over its token's rate is refused
    # having cost one statement, and counting it never holds up the request's transaction.
    app.before_request(api_rate.limit_rate)
    app.before_request(arguments.refuse_nul)
    app.before_request(auth.check_session_age)
    app.before_request(auth.require_login)
    app.before_request(markings.attach_reader)
    app.before_request(bodies.check_body)
    # Reads of marked records (and refusals) go to the access log once the answer has gone.
    app.after_request(access_log.note_request)
    # After-request hooks run last-registered first: the headers go on every response.
    app.after_request(security.add_headers)
    app.after_request(throttle.add_retry_after)
    # Every API answer says the marking of what it shows (X-Classification).
    app.after_request(outgoing.mark_api_answer)


# Each feature package has a views module with a blueprint called ``bp`` (and an api module
# with ``blp`` if it is on the API).
FEATURES = (
    "accounts",
    "accounts.users",
    "access",
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
    "access_log",
    "texts",
)


def register_blueprints(app: Flask) -> None:
    for feature in FEATURES:
        # A feature may come with its API first and its pages later (texts did).
        if find_spec(f"tracker.{feature}.views") is not None:
            app.register_blueprint(import_module(f"tracker.{feature}.views").bp)


def register_api(app: Flask) -> None:
    from tracker import api

    api.register(app, FEATURES)


def register_errorhandlers(app: Flask) -> None:
    from sqlalchemy.orm.exc import StaleDataError
    from werkzeug.exceptions import HTTPException

    from tracker.data.database import DatabaseBusy
    from tracker.web import security
    from tracker.web.deadline import RequestTimeout

    for code in security.ERROR_CODES:
        app.register_error_handler(code, security.render_error)
    # Any other HTTP error (the API's 401, 412, 422, 428…) is answered the same way.
    app.register_error_handler(HTTPException, security.render_error)
    app.register_error_handler(StaleDataError, security.render_lost_race)
    app.register_error_handler(DatabaseBusy, security.render_busy)
    app.register_error_handler(RequestTimeout, security.render_timeout)


def register_template_helpers(app: Flask) -> None:
    from tracker.models import Role
    from tracker.web import arguments, markings, security, templating
    from tracker.web.forms import quick_widgets
    from tracker.web.navigation import NAVIGATION, NAVIGATION_OFFICERS, NAVIGATION_ROLES

    quick_widgets()
    app.jinja_env.filters.update(templating.FILTERS)
    app.jinja_env.globals.update(
        id_urls=templating.id_urls,
        query_args=arguments.query_args,
        request_id=security.request_id,
        navigation=NAVIGATION,
        navigation_roles=NAVIGATION_ROLES,
        navigation_officers=NAVIGATION_OFFICERS,
        Role=Role,
        marking_banner=markings.banner,
        record_marking=markings.record_marking,
        marking_badge=markings.marking_badge,
        marking_badges=markings.marking_badges,
    )
    app.context_processor(templating.permissions)


def register_commands(app: Flask) -> None:
    from tracker.cli import register

    register(app)
