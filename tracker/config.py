"""Configuration: defaults, then ``instance/config.py``, then ``TRACKER_*`` variables."""

from __future__ import annotations

import os
import secrets
import tempfile
import zoneinfo
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

ENV_PREFIX = "TRACKER"
# How the app's log lines look wherever it runs (gunicorn, the development server, the
# command line): a time stamp with its offset, the process, the level and the logger.
LOG_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"
LOG_DATE_FORMAT = "[%Y-%m-%d %H:%M:%S %z]"
SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name, not a secret)


class Defaults:
    """Settings used when nothing else says otherwise."""

    # Filled in by load_config with a file in the instance folder.
    DATABASE_URL: str | None = None
    # PostgreSQL, when the app connects as a role that does not own the tables (so their
    # row-level security binds it): the owner's URL, for `tracker db ...` (migrations) and
    # `tracker backup`/`restore`. Empty: those use DATABASE_URL too. README, "PostgreSQL
    # roles and row-level security".
    DATABASE_OWNER_URL = ""
    SECRET_KEY: str | None = None
    # Compiled statements kept per engine (SQLAlchemy's default: 500). The need-to-know
    # criteria write each set of readable markings into the SQL (tracker/data/access.py), so
    # a statement is compiled once for each set in use (one per clearance, party and
    # caveats among the readers), not once in all.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "query_cache_size": 2000}
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # A response sends the session cookie only when it changed the session. Each carries the
    # session as its own request found it and the browser keeps the last one received, so
    # a late answer to an earlier request (a stylesheet, favicon.ico, another tab) would
    # otherwise put back the session from before a login, logout or password change.
    SESSION_REFRESH_EACH_REQUEST = False
    BOOTSTRAP_SERVE_LOCAL = True
    BOOTSTRAP_BOOTSWATCH_THEME = None
    PAGE_SIZE = 25
    # The zone whose calendar says what "today" is (due dates, reports, the portfolio), as
    # an IANA name such as Asia/Kolkata; empty: the server's own local time.
    TIMEZONE = ""
    # Largest request body accepted, in bytes; a bigger one is refused with 413. One limit:
    # no separate, smaller cap on a single form field (Werkzeug's MAX_FORM_MEMORY_SIZE).
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = None
    # A session ends after this long without a request, and this long after logging in.
    SESSION_IDLE_MINUTES = 60
    SESSION_MAX_HOURS = 12
    # Login throttling (tracker/accounts/throttle.py says what each limit is for) and the
    # API's rate per token (API_RATE below); RATELIMIT_ENABLED switches both. Attempts
    # are counted in the app's database, which every app server shares; a limits storage
    # URI such as redis://host:6379 counts them there instead (memory:// counts per process).
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "database"
    LOGIN_LIMIT_PER_ADDRESS = "10 per minute"
    LOGIN_FAILURES_PER_CLIENT = "5 per 15 minutes"
    LOGIN_FAILURES_PER_USERNAME = "10 per 15 minutes"
    # Calls each API token may make (a limits rate such as "600/minute" or "10000 per hour";
    # empty: no limit), counted where login attempts are (RATELIMIT_STORAGE_URI) in fixed
    # windows; one more gets a 429 with Retry-After. See tracker/accounts/api_rate.py.
    API_RATE = "600/minute"
    # Domain part of the calendar event UIDs (meeting-<id>-<created>@DOMAIN). Calendar apps
    # match events by UID, so set it once: changing it duplicates every imported meeting.
    CALENDAR_DOMAIN = "tracker.invalid"
    # Where staff reach the tracker (scheme, host and port): links in files that leave the
    # app, such as calendars, are built on it, never on the Host header a request sent.
    BASE_URL = "http://127.0.0.1:5000"
    # The all-meetings calendar holds every meeting to come and this many of the latest
    # held (an agreement's calendar holds all of its meetings).
    CALENDAR_PAST_MEETINGS = 500
    # Classification (tracker/models/marking.py): the levels, lowest first (stored by rank:
    # add new ones at the end, never reorder), the caveats a reader must hold one by one,
    # and the level from which reading a record goes to the access log.
    CLASSIFICATION_LEVELS = ("Unclassified", "Restricted", "Confidential", "Secret", "Top Secret")
    CLASSIFICATION_CAVEATS = ("CABINET", "LEGAL ADVICE", "NATIONAL ONLY")
    ACCESS_LOG_LEVEL = 2
    # An argon2.profiles name: the cost of each password hash.
    PASSWORD_HASH_PROFILE = "RFC_9106_LOW_MEMORY"  # noqa: S105  (a profile name)
    # The portfolio flags an open agreement as stalled after this many days without a
    # meeting or a status change.
    STALLED_AFTER_DAYS = 90
    # Forms offer at most this many agreements (or meetings) in a list to pick from; with
    # more, an agenda row takes an agreement's short name or number, and "held during"
    # offers the meetings within PARENT_WINDOW_DAYS of the meeting.
    CHOICE_LIMIT = 500
    PARENT_WINDOW_DAYS = 10
    # Each request that may write runs alone (SQLite: the write lock; PostgreSQL: one
    # advisory lock), so what it read still holds when it commits. See
    # tracker/data/database.py.
    SERIALIZE_WRITES = True
    # How long, in seconds, a write waits for the one before it to finish; then the request
    # is answered 503 ("busy, try again") with nothing saved.
    LOCK_WAIT_SECONDS = 10
    # A request still running after this many seconds is stopped and answered 503; below
    # gunicorn's worker timeout (tracker/gunicorn_conf.py), so the app answers, not gunicorn.
    # 0: no limit.
    REQUEST_TIME_LIMIT = 50
    # Behind a reverse proxy: how many proxies set each X-Forwarded-* header (Werkzeug's
    # ProxyFix). 0 ignores the header, since a client could send it to pose as another address.
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0
    PROXY_FIX_X_PORT = 0
    PROXY_FIX_X_PREFIX = 0


def load_config(app: Flask, overrides: dict | None = None) -> None:
    """Fill ``app.config`` in order: defaults, instance file, environment, ``overrides``."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    _load_environment(app, os.environ)
    if overrides:
        app.config.update(overrides)

    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(Path(app.instance_path, "tracker.sqlite"))
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if app.config.get("DATABASE_OWNER_URL"):
        # A bind no model uses: only maintenance_engine() (tracker/data/row_security.py).
        app.config["SQLALCHEMY_BINDS"] = {"owner": app.config["DATABASE_OWNER_URL"]}
    # The cookie never outlives the absolute session limit checked on every request.
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))
    _check_timezone(app.config["TIMEZONE"])
    _check_base_url(app.config["BASE_URL"])


def _check_base_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
        raise ValueError(
            f"BASE_URL {url!r} must be the scheme and host staff reach the tracker at, such "
            "as https://tracker.example.org (no path)."
        )


def _check_timezone(name: str) -> None:
    if name and name not in zoneinfo.available_timezones():
        raise ValueError(
            f"TIMEZONE {name!r} is not a zone name; use an IANA name such as Asia/Kolkata, "
            "or leave it empty for the server's local time."
        )


def _load_environment(app: Flask, environ) -> None:
    """Read ``TRACKER_NAME`` into ``NAME``, typed like the setting's default (else a string)."""
    prefix = ENV_PREFIX + "_"
    for variable, value in sorted(environ.items()):
        if not variable.startswith(prefix) or variable.startswith(prefix + "TEST_"):
            continue
        name = variable.removeprefix(prefix)
        if name == "INSTANCE_PATH":
            continue
        default = app.config.get(name)
        if isinstance(default, bool):
            if value.strip().lower() not in {"true", "false", "1", "0", "yes", "no"}:
                raise ValueError(f"{variable} must be true or false, not {value!r}")
            app.config[name] = value.strip().lower() in {"true", "1", "yes"}
        elif isinstance(default, int):
            try:
                app.config[name] = int(value)
            except ValueError:
                raise ValueError(f"{variable} must be a whole number, not {value!r}") from None
        elif isinstance(default, tuple):
            app.config[name] = tuple(part.strip() for part in value.split(",") if part.strip())
        else:
            app.config[name] = value


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it (mode 600) on first use."""
    path = instance / SECRET_KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written in full under a private name, then linked into place: several workers starting
    # at once never read a half-written key, and if another linked first, theirs is used.
    fd, draft = tempfile.mkstemp(dir=instance, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(key + "\n")
        os.link(draft, path)
    except FileExistsError:
        return path.read_text().strip()
    finally:
        os.unlink(draft)
    return key
