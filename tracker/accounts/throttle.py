"""Login throttling: every attempt counts per remote address, failures count per username.

A success clears the username's failures, so an officer who mistypes twice and then gets it
right starts again from zero; only a run of failures locks a username for a while.
"""

from __future__ import annotations

import math
import time

from flask import current_app, g
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

from tracker.extensions import limiter

FAILURES = "login-failures"
ADDRESS_MESSAGE = "Too many login attempts from your address. Wait a minute and try again."
USERNAME_MESSAGE = (
    "Too many failed logins for this username. Wait a few minutes and try again, "
    "or ask an administrator to reset your password."
)


def address_limit() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ADDRESS"]


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED")) and limiter.initialized


def _failure_limit() -> RateLimitItem:
    return parse(current_app.config["LOGIN_FAILURES_PER_USERNAME"])


def check_username(username: str) -> None:
    """Refuse (429) a username with too many recent failures."""
    if not _enabled():
        return
    limit = _failure_limit()
    if limiter.limiter.test(limit, FAILURES, username):
        return
    reset_at, _ = limiter.limiter.get_window_stats(limit, FAILURES, username)
    g.retry_after = max(1, math.ceil(reset_at - time.time()))
    raise TooManyRequests(USERNAME_MESSAGE)


def record_failure(username: str) -> None:
    if _enabled():
        limiter.limiter.hit(_failure_limit(), FAILURES, username)


def clear_failures(username: str) -> None:
    if _enabled():
        limiter.limiter.clear(_failure_limit(), FAILURES, username)


def retry_after() -> int | None:
    """Seconds until the limit this request broke lets it through again."""
    if "retry_after" in g:
        return g.retry_after
    current = limiter.current_limit if _enabled() else None
    if current is None or not current.breached:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


def add_retry_after(response):
    """Tell a throttled client when to try again, whichever handler rendered the 429."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        seconds = retry_after()
        if seconds is not None:
            response.headers["Retry-After"] = str(seconds)
    return response
