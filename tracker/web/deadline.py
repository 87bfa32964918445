"""A time limit on each request, shorter than gunicorn's worker timeout, so that a request
that runs too long is answered by the app: its 503 page with the request id and the
security headers, its transaction given up, and the worker kept.

Without it, gunicorn's timeout (tracker/gunicorn_conf.py) is the only limit: the arbiter
sends the worker SIGABRT, gunicorn raises SystemExit wherever the request is, answers with
its own bare 500 page (no request id, no headers), and replaces the worker.

gunicorn's sync workers run each request on the worker's main thread, where a SIGALRM timer
can interrupt it: :class:`TimeLimit` sets one for ``REQUEST_TIME_LIMIT`` seconds, and its
handler raises :class:`RequestTimeout` where the request happens to be, as gunicorn's own
timeout does with SystemExit, but while the app can still answer. What this cannot do:

- interrupt C code: a request blocked in a database call sees the exception only when the
  call returns (SQLite's wait for the lock ends after LOCK_WAIT_SECONDS, PostgreSQL's lock
  waits after ``lock_timeout``; a long query has no such bound);
- limit requests served on other threads (Werkzeug's development server, gunicorn's
  threaded workers): signals reach the main thread only, so there is no limit there;
- limit the sending of the response: only the app's work on it is timed.

When gunicorn's timeout still strikes first, its ``worker_abort`` hook calls
:func:`abort_request`, which raises the same exception into the request from gunicorn's
signal handler, in place of gunicorn's SystemExit: the app answers with its 503 page if
Python gets to run within the second or so before gunicorn kills the worker outright.
"""

from __future__ import annotations

import signal
import threading

# Whether a request is running on the main thread, where a timer or gunicorn's abort can
# interrupt it.
_running = False


class RequestTimeout(Exception):
    """The request ran past its time limit and was stopped."""


def _expire(_signum, _frame) -> None:
    if _running:
        raise RequestTimeout()


def abort_request() -> None:
    """Stop the request running on this thread, if any, with :class:`RequestTimeout`
    (gunicorn's ``worker_abort`` hook, called when its worker timeout strikes)."""
    if _running and threading.current_thread() is threading.main_thread():
        raise RequestTimeout()


class TimeLimit:
    """WSGI middleware: each request on the main thread is stopped after ``seconds``."""

    def __init__(self, app, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    def __call__(self, environ, start_response):
        global _running
        if threading.current_thread() is not threading.main_thread():
            return self.app(environ, start_response)
        timed = self.seconds > 0
        if timed:
            previous = signal.signal(signal.SIGALRM, _expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        _running = True
        try:
            return self.app(environ, start_response)
        finally:
            _running = False
            if timed:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
