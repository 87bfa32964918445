"""Gunicorn settings for ``make serve`` and ``make run``.

Used as ``gunicorn --config python:tracker.gunicorn_conf tracker.wsgi:app``. Settings are
read from the environment so each machine can differ without editing code. App processes
keep no state of their own (sessions are signed cookies, data lives in the database), so
any number of workers and machines can serve the same database.
"""

import gc
import os

from tracker.config import LOG_DATE_FORMAT, LOG_FORMAT

# Sync workers: each handles one request at a time, so the count bounds concurrency.
# 2 x cores + 1 is gunicorn's rule of thumb; capped, since beyond that extra processes
# mostly queue for the database (SQLite takes one writer at a time).
MAX_DEFAULT_WORKERS = 8


def _default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, MAX_DEFAULT_WORKERS)


workers = int(os.environ.get("TRACKER_WORKERS") or _default_workers())
bind = os.environ.get("TRACKER_BIND", "127.0.0.1:8000").split(",")
# Only these addresses may tell gunicorn the request came over HTTPS (X-Forwarded-Proto):
# the reverse proxy's. The app's own ProxyFix settings cover the client address.
forwarded_allow_ips = os.environ.get("TRACKER_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# A worker silent this long is killed and replaced. The app stops a request itself after
# its REQUEST_TIME_LIMIT (50 s), so that it answers with its own 503 page; this is the
# backstop for a request stuck where Python cannot interrupt it.
timeout = 60
graceful_timeout = 30  # on restart, requests in flight get this long to finish
keepalive = 5  # seconds; the proxy in front usually keeps connections open
# Replace workers now and then, so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
# The control socket (gunicornc) sits at one path per user, which several instances on
# one machine would share; nothing here uses it.
control_socket_disable = True

accesslog = os.environ.get("TRACKER_ACCESS_LOG", "-")
errorlog = "-"
# Client address as the proxy saw it, the request line, status, size, duration in ms and
# the request id the 500 page shows, so a quoted id leads to its log line.
access_log_format = (
    '%(h)s fwd=%({x-forwarded-for}i)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms '
    'id=%({x-request-id}o)s "%(a)s"'
)

# The app logs logins, refusals and errors on the "tracker" loggers. gunicorn gives handlers
# to its own loggers only, so without one of its own an INFO line such as a login would be
# dropped: they go to the error log's stream (errorlog, standard error) with a time stamp,
# in gunicorn's own format plus the logger's name. Anything else at WARNING or above (the
# root logger) is printed the same way. gunicorn applies this with dictConfig, replacing
# its defaults key by key, so every key is given here.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"timed": {"format": LOG_FORMAT, "datefmt": LOG_DATE_FORMAT}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
            "formatter": "timed",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {"tracker": {"level": "INFO", "handlers": ["stderr"], "propagate": False}},
}


def worker_abort(worker):
    """gunicorn's timeout struck a request: stop it with the app's own exception instead of
    gunicorn's SystemExit, so the app answers with its 503 page (request id, security
    headers) rather than gunicorn with a bare 500, if it gets to run before the worker is
    killed outright; the worker is replaced afterwards either way (tracker/web/deadline.py)."""
    from tracker.web.deadline import abort_request

    abort_request()


def post_worker_init(worker):
    """Once the worker has loaded the app, set what it made aside from the garbage
    collector: the app, its modules, URL map and compiled statements, a quarter of a million
    objects that live as long as the worker. A full collection no longer walks them all, so
    it pauses a request for about 10 ms instead of about 100 (measured on the busy
    agreement's PDF report, whose drawing sets off several; docs/benchmarks.md)."""
    gc.collect()
    gc.freeze()
