"""Where login attempts are counted, and how: rows in the app's database (the default,
shared by every worker and server) or a store of the ``limits`` library such as Redis.
The rules they count for are in :mod:`tracker.accounts.throttle`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from tracker.extensions import db
from tracker.models import LoginAttempt, LoginOutcome, utcnow


@dataclass(frozen=True)
class Limits:
    address: RateLimitItem
    client: RateLimitItem
    username: RateLimitItem

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            parse(config["LOGIN_LIMIT_PER_ADDRESS"]),
            parse(config["LOGIN_FAILURES_PER_CLIENT"]),
            parse(config["LOGIN_FAILURES_PER_USERNAME"]),
        )


@dataclass
class Attempt:
    """One password about to be checked, and who is trying it."""

    username: str
    address: str
    client: str
    known: bool  # from a browser that has logged in as ``username`` before
    row_id: int | None = None


Refusal = tuple[str, float]  # (rule, seconds until it lets the client through)
ATTEMPTS = LoginAttempt.__table__
COUNTED_FOR_USERNAME = (LoginOutcome.FAILURE, LoginOutcome.CLEARED)


def _span(limit: RateLimitItem) -> timedelta:
    return timedelta(seconds=limit.get_expiry())


class DatabaseStore:
    """Attempts as rows of ``login_attempt`` in the app's database (see the module's text)."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def admit(self, attempt: Attempt) -> Refusal | None:
        """Count the attempt against its address unless the address is over its limit."""
        now = utcnow()
        limit = self.limits.address
        self._lock(f"address {attempt.address}")
        earlier = ATTEMPTS.alias("earlier")
        recent = self._count(earlier, earlier.c.address == attempt.address, now - _span(limit))
        row = sa.select(
            sa.literal(now, ATTEMPTS.c.at.type),
            sa.literal(attempt.address, ATTEMPTS.c.address.type),
            sa.literal(attempt.username, ATTEMPTS.c.username.type),
            sa.literal(attempt.client, ATTEMPTS.c.client.type),
            sa.literal(LoginOutcome.UNCHECKED, ATTEMPTS.c.outcome.type),
        ).where(recent < limit.amount)
        columns = ["at", "address", "username", "client", "outcome"]
        insert = ATTEMPTS.insert().from_select(columns, row).returning(ATTEMPTS.c.id)
        attempt.row_id = db.session.scalar(insert)
        refusal = None
        if attempt.row_id is None:
            refusal = ("address", self._wait(ATTEMPTS.c.address == attempt.address, limit, now))
        self._prune(now)
        db.session.commit()
        return refusal

    def reserve(self, attempt: Attempt) -> Refusal | None:
        """Count the attempt as a failure unless its client, or (for a browser not known
        to the username) the username, is over its limit."""
        now = utcnow()
        self._lock(f"username {attempt.username}")
        earlier = ATTEMPTS.alias("earlier")
        limits = self.limits
        client = self._count(
            earlier, self._client_failures(earlier, attempt), now - _span(limits.client)
        )
        conditions = [ATTEMPTS.c.id == attempt.row_id, client < limits.client.amount]
        if not attempt.known:
            username = self._count(
                earlier, self._username_failures(earlier, attempt), now - _span(limits.username)
            )
            conditions.append(username < limits.username.amount)
        update = ATTEMPTS.update().where(*conditions).values(outcome=LoginOutcome.FAILURE)
        refusal = None
        if db.session.execute(update).rowcount != 1:
            refusal = self._refusal(attempt, now)
        db.session.commit()
        return refusal

    def failed(self, attempt: Attempt) -> None:
        """Nothing to do: the attempt has counted as a failure since it was reserved."""

    def succeeded(self, attempt: Attempt) -> None:
        self._lock("prune")  # never at the same time as deleting old rows
        db.session.execute(
            ATTEMPTS.update()
            .where(self._client_failures(ATTEMPTS, attempt), ATTEMPTS.c.id != attempt.row_id)
            .values(outcome=LoginOutcome.CLEARED)
        )
        db.session.execute(
            ATTEMPTS.update()
            .where(ATTEMPTS.c.id == attempt.row_id)
            .values(outcome=LoginOutcome.SUCCESS)
        )

    def check_client(self, attempt: Attempt) -> Refusal | None:
        now = utcnow()
        failures = self._client_failures(ATTEMPTS, attempt)
        if self._recent(failures, self.limits.client, now) < self.limits.client.amount:
            return None
        return "client", self._wait(failures, self.limits.client, now)

    def record_failure(self, attempt: Attempt) -> None:
        db.session.execute(
            ATTEMPTS.insert().values(
                at=utcnow(),
                address=attempt.address,
                username=attempt.username,
                client=attempt.client,
                outcome=LoginOutcome.FAILURE,
            )
        )
        db.session.commit()

    # -- helpers

    @staticmethod
    def _client_failures(table, attempt: Attempt):
        return sa.and_(
            table.c.username == attempt.username,
            table.c.client == attempt.client,
            table.c.outcome == LoginOutcome.FAILURE,
        )

    @staticmethod
    def _username_failures(table, attempt: Attempt):
        return sa.and_(
            table.c.username == attempt.username, table.c.outcome.in_(COUNTED_FOR_USERNAME)
        )

    @staticmethod
    def _count(table, condition, since: datetime):
        query = sa.select(sa.func.count()).select_from(table).where(condition, table.c.at > since)
        return query.scalar_subquery()

    def _refusal(self, attempt: Attempt, now: datetime) -> Refusal:
        """Which limit refused ``attempt``, and for how long."""
        checks = [("client", self._client_failures(ATTEMPTS, attempt), self.limits.client)]
        if not attempt.known:
            checks.append(
                ("username", self._username_failures(ATTEMPTS, attempt), self.limits.username)
            )
        for rule, condition, limit in checks:
            if self._recent(condition, limit, now) >= limit.amount:
                return rule, self._wait(condition, limit, now)
        return "client", 1  # the attempt's row was pruned meanwhile: try again

    @staticmethod
    def _recent(condition, limit: RateLimitItem, now: datetime) -> int:
        """How many rows meeting ``condition`` the limit's window holds."""
        recent = sa.and_(condition, ATTEMPTS.c.at > now - _span(limit))
        return db.session.scalar(sa.select(sa.func.count()).select_from(ATTEMPTS).where(recent))

    def _wait(self, condition, limit: RateLimitItem, now: datetime) -> float:
        """Seconds until fewer than the limit's amount of the rows it counts are recent."""
        count = self._recent(condition, limit, now)
        if count < limit.amount:
            return 1
        recent = sa.and_(condition, ATTEMPTS.c.at > now - _span(limit))
        # The row whose ageing out leaves one place free.
        at = db.session.scalar(
            sa.select(ATTEMPTS.c.at)
            .where(recent)
            .order_by(ATTEMPTS.c.at)
            .offset(count - limit.amount)
            .limit(1)
        )
        return (at + _span(limit) - now).total_seconds()

    def _prune(self, now: datetime) -> None:
        """Delete rows no limit counts any more: unchecked attempts and successes after the
        address's window, failures after the longest window."""
        if not self._lock("prune", wait=False):
            return  # another server is pruning right now
        spans = [_span(limit) for limit in (self.limits.client, self.limits.username)]
        address_since = now - _span(self.limits.address)
        since = now - max([*spans, _span(self.limits.address)])
        db.session.execute(
            ATTEMPTS.delete().where(
                sa.or_(
                    ATTEMPTS.c.at < since,
                    sa.and_(
                        ATTEMPTS.c.at < address_since,
                        ATTEMPTS.c.outcome.in_([LoginOutcome.UNCHECKED, LoginOutcome.SUCCESS]),
                    ),
                )
            )
        )

    @staticmethod
    def _lock(name: str, *, wait: bool = True) -> bool:
        """On PostgreSQL, take a lock named ``name`` until the transaction ends (SQLite has
        one writer at a time anyway); with ``wait=False``, only if it is free."""
        if db.session.get_bind().dialect.name != "postgresql":
            return True
        function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
        statement = sa.text(
            f"SELECT {function}(hashtextextended("  # noqa: S608  (a function name of ours)
            "'tracker login ' || current_schema() || ' ' || :name, 0))"
        )
        result = db.session.scalar(statement, {"name": name})
        return wait or bool(result)


class LimitsStore:
    """Attempts counted by the ``limits`` library in the store its URI names (Redis…)."""

    def __init__(self, uri: str, limits: Limits) -> None:
        self.limits = limits
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))

    def _wait(self, limit: RateLimitItem, *keys: str) -> float:
        return self.limiter.get_window_stats(limit, *keys).reset_time - time.time()

    def admit(self, attempt: Attempt) -> Refusal | None:
        keys = ("login-address", attempt.address)
        if self.limiter.hit(self.limits.address, *keys):
            return None
        return "address", self._wait(self.limits.address, *keys)

    def reserve(self, attempt: Attempt) -> Refusal | None:
        username = ("login-username", attempt.username)
        if not attempt.known and not self.limiter.test(self.limits.username, *username):
            return "username", self._wait(self.limits.username, *username)
        client = ("login-client", attempt.username, attempt.client)
        if not self.limiter.hit(self.limits.client, *client):
            return "client", self._wait(self.limits.client, *client)
        return None

    def failed(self, attempt: Attempt) -> None:
        self.limiter.hit(self.limits.username, "login-username", attempt.username)

    def succeeded(self, attempt: Attempt) -> None:
        self.limiter.clear(self.limits.client, "login-client", attempt.username, attempt.client)

    def check_client(self, attempt: Attempt) -> Refusal | None:
        client = ("login-client", attempt.username, attempt.client)
        if self.limiter.test(self.limits.client, *client):
            return None
        return "client", self._wait(self.limits.client, *client)

    def record_failure(self, attempt: Attempt) -> None:
        self.limiter.hit(self.limits.client, "login-client", attempt.username, attempt.client)
        self.failed(attempt)
