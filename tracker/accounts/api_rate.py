"""How many API calls a token may make: ``API_RATE`` (``TRACKER_API_RATE``, "600/minute" by
default) per token, counted alike on every app process and server, so a runaway program
slows down instead of crowding out everyone else. One more is refused with a 429 problem
and ``Retry-After``; other tokens, of the same user too, are not affected.

Counted where the login throttle counts (``RATELIMIT_STORAGE_URI``, see throttle.py): by
default in the app's own database, which every gunicorn worker and server shares, as one
row per token and window (table ``api_call_count``) raised by a single statement per call,
in a short transaction apart (tracker/data/database.py, :func:`~tracker.data.database.apart`)
that takes no write lock; or in a store of the ``limits`` library such as Redis. Either way
the window is fixed (a minute from its start, for "per minute"), so a program may make up to
twice the amount across the turn of a window, never more.

A call is counted before the token is checked, by the hash of the secret it sends: in the
database only the secret of a token that exists counts, and the count is done before the
request reads anything, so it never holds up the request's own transaction. Calls without a
token are not counted here (they get a 401).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.exceptions import TooManyRequests

from tracker.accounts import tokens
from tracker.accounts.throttle import DATABASE
from tracker.data.database import apart
from tracker.extensions import db
from tracker.models import ApiCallCount, ApiToken
from tracker.web.auth import is_api_request

COUNTS = ApiCallCount.__table__
_now = time.time  # the clock windows are counted on (tests move it)
EXTENSION = "tracker.api_rate"


class RateExceeded(TooManyRequests):
    """A call over its token's rate limit; ``retry_after`` says in how many seconds the
    token may call again."""

    def __init__(self, limit: RateLimitItem, retry_after: float) -> None:
        super().__init__(
            f"This token has made {limit.amount} calls in {_span(limit)}, its limit; "
            f"wait {max(1, math.ceil(retry_after))} seconds (Retry-After) and go on."
        )
        self.retry_after = max(1, math.ceil(retry_after))


def _span(limit: RateLimitItem) -> str:
    multiple = limit.multiples
    return (
        f"{multiple} {limit.GRANULARITY.name}s" if multiple > 1 else f"a {limit.GRANULARITY.name}"
    )


@dataclass(frozen=True)
class DatabaseCounter:
    """Calls counted in the app's database (see the module's text)."""

    limit: RateLimitItem

    def hit(self, secret_hash: str) -> float | None:
        """Count a call with this secret; None if within the limit, else seconds to wait."""
        length = self.limit.get_expiry()
        now = _now()
        window = int(now // length)
        engine = db.engine
        insert = (postgresql if engine.dialect.name == "postgresql" else sqlite).insert(COUNTS)
        stmt = (
            insert.from_select(
                ["token_id", "window_number", "calls"],
                sa.select(ApiToken.id, sa.literal(window, sa.BigInteger), sa.literal(1)).where(
                    ApiToken.secret_hash == secret_hash
                ),
            )
            .on_conflict_do_update(
                index_elements=[COUNTS.c.token_id, COUNTS.c.window_number],
                set_={"calls": COUNTS.c.calls + 1},
            )
            .returning(COUNTS.c.token_id, COUNTS.c.calls)
        )
        with apart(), engine.begin() as connection:
            row = connection.execute(stmt).first()
            if row is None:  # no such token: the request gets its 401
                return None
            if row.calls == 1:  # a new window: the token's earlier ones count no more
                connection.execute(
                    COUNTS.delete().where(
                        COUNTS.c.token_id == row.token_id, COUNTS.c.window_number < window
                    )
                )
        if row.calls <= self.limit.amount:
            return None
        return (window + 1) * length - now


@dataclass(frozen=True)
class LimitsCounter:
    """Calls counted by the ``limits`` library in the store its URI names (Redis…)."""

    limit: RateLimitItem
    limiter: FixedWindowRateLimiter

    def hit(self, secret_hash: str) -> float | None:
        if self.limiter.hit(self.limit, "api-token", secret_hash):
            return None
        return self.limiter.get_window_stats(self.limit, "api-token", secret_hash).reset_time - (
            time.time()
        )


def init_app(app: Flask) -> None:
    """Read the rate (a bad one fails at start, not at the first call) and where to count;
    an empty API_RATE counts nothing."""
    rate = (app.config.get("API_RATE") or "").strip()
    if not rate:
        app.extensions[EXTENSION] = None
        return
    try:
        limit = parse(rate)
    except ValueError:
        raise ValueError(
            f"API_RATE {rate!r} is not a rate; write it as, say, 600/minute or 10000 per hour."
        ) from None
    uri = app.config["RATELIMIT_STORAGE_URI"]
    if uri == DATABASE:
        counter = DatabaseCounter(limit)
    else:
        counter = LimitsCounter(limit, FixedWindowRateLimiter(storage_from_string(uri)))
    app.extensions[EXTENSION] = counter


def limit_rate() -> None:
    """Applied before every request: count an API call made with a token, and refuse it
    (429) past the token's rate. Once per request, should the request run again."""
    if not is_api_request() or g.get("api_call_counted"):
        return
    counter = current_app.extensions.get(EXTENSION)
    if counter is None or not current_app.config.get("RATELIMIT_ENABLED"):
        return
    secret = tokens.bearer_secret(request)
    if secret is None:
        return
    g.api_call_counted = True
    wait = counter.hit(tokens.hash_secret(secret))
    if wait is not None:
        raise RateExceeded(counter.limit, wait)
