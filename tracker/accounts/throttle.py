"""Login throttling: how often who may try a password, counted alike on every app server.

Threat model. The attacker is anyone who can reach the login page, knows or guesses
usernames (``admin``), and sends as many requests as they like, from one address or from
many (a botnet, a cloud account, the 2^64 addresses of an IPv6 /64). They want to guess a
password, or to keep someone (every admin) from logging in. They cannot read or forge
cookies this app signs, and, unless a proxy is wrongly believed (README, *Deployment*),
cannot pick the address their requests come from. Someone sharing a staff member's address
(the same NAT) is such an attacker too.

So a throttle that refuses a *username* after a few failures is the attacker's tool: five
wrong passwords every fifteen minutes would keep its owner out for good. The limits here
refuse clients, not users:

1. **Address** (``LOGIN_LIMIT_PER_ADDRESS``, 10 per minute): every password tried from an
   address counts, for any username. An IPv6 address counts as its /64, which one host
   usually holds whole. This limits what one address can spray across usernames.
2. **Client** (``LOGIN_FAILURES_PER_CLIENT``, 5 per 15 minutes): failures for a username
   from one client, then that client is refused for that username, even the right
   password, until its oldest failure is old enough. A client is the browser when it has
   logged in as that username before (see 3), else the address. A successful login clears
   that client's failures, so a couple of typos never lock anyone out; an attacker failing
   from one address is refused there and does not touch anyone else.
3. **Username** (``LOGIN_FAILURES_PER_USERNAME``, 10 per 15 minutes): failures for a
   username from every client together. Beyond it, the username is being guessed at from
   many places: clients it does not know may try only as failures age out of the window, a
   small rate that caps guessing however many addresses the attacker has. It slows, it
   does not lock: a browser that has logged in as that username within the last
   ``KNOWN_BROWSER_DAYS`` carries a signed mark (the ``known_browser`` cookie, set at each
   successful login) and is never held back by this limit, only by its own failures (2)
   and its address (1). The default is twice the client limit, so one address alone never
   reaches it.

What it costs: during a many-address attack on a username, its owner on a browser they
have not logged in from before (or after clearing cookies) must wait with the attacker;
from their usual browser they log in as always. Someone on the owner's own address can
still use up that address's limit (1), as before. The attacker's guesses are at most the
username limit per window, plus the client limit per window for each browser that has
logged in as that user (which only the user's own browsers are). Unknown usernames are
counted exactly as known ones, so the limits tell nothing about which exist.

Counting. Every app process and server must count the same attempts, or each gunicorn
worker would allow its own ten a minute. By default the rows live in the app's own
database (table ``login_attempt``), which they all share already: each limit is checked and
the attempt counted by one statement, under a lock per address or username on PostgreSQL
(SQLite runs one writer at a time), so two attempts at once both count and only as many get
through as the limit allows. An attempt is counted as a failure *before* its password is
checked and changed to a success afterwards, so attempts checked at the same moment on
several servers see each other. Rows are deleted once no limit looks back that far, so the
table holds a few minutes of attempts. ``RATELIMIT_STORAGE_URI`` set to a storage URI of the
``limits`` library (``redis://host:6379``, the store Flask-Limiter uses) counts there instead
with the same rules; there the username limit is checked before a password and counted
after it, so attempts checked at the very same moment can pass it together.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from tracker.extensions import db
from tracker.models import LoginAttempt, LoginOutcome, utcnow

DATABASE = "database"
KNOWN_BROWSER_COOKIE = "known_browser"
KNOWN_BROWSER_DAYS = 90
KNOWN_BROWSER_USERNAMES = 5  # a shared computer remembers this many

ADDRESS_MESSAGE = "Too many login attempts from your address. Wait a minute and try again."
CLIENT_MESSAGE = (
    "Too many failed logins for this username from here. Wait a few minutes and try again, "
    "or ask an administrator to reset your password."
)
USERNAME_MESSAGE = (
    "Too many failed logins for this username from elsewhere. Log in from a browser you "
    "have logged in with before, or wait a few minutes and try again."
)
MESSAGES = {"address": ADDRESS_MESSAGE, "client": CLIENT_MESSAGE, "username": USERNAME_MESSAGE}


class Throttled(TooManyRequests):
    """A login attempt refused by one of the limits (``rule``: address, client, username)."""

    def __init__(self, rule: str, retry_after: float) -> None:
        super().__init__(MESSAGES[rule])
        self.rule = rule
        self.retry_after = max(1, math.ceil(retry_after))


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


# ---------------------------------------------------------------------------- the rules


def init_app(app: Flask) -> None:
    """Read the limits (a bad one fails at start, not at the first login) and the store."""
    limits = Limits.from_config(app.config)
    uri = app.config["RATELIMIT_STORAGE_URI"]
    store = DatabaseStore(limits) if uri == DATABASE else LimitsStore(uri, limits)
    app.extensions["tracker.throttle"] = store


def _store() -> DatabaseStore | LimitsStore | None:
    if not current_app.config.get("RATELIMIT_ENABLED"):
        return None
    return current_app.extensions["tracker.throttle"]


def _refuse(rule: str, seconds: float) -> None:
    refusal = Throttled(rule, seconds)
    g.retry_after = refusal.retry_after
    raise refusal


def begin_login(username: str) -> Attempt | None:
    """Let a login attempt check its password, or raise :class:`Throttled` (429).

    From here until :func:`login_succeeded` the attempt counts as a failure. None when
    throttling is off.
    """
    store = _store()
    if store is None:
        return None
    attempt = _attempt(username)
    for check in (store.admit, store.reserve):
        refusal = check(attempt)
        if refusal is not None:
            _refuse(*refusal)
    return attempt


def login_failed(attempt: Attempt | None) -> None:
    store = _store()
    if store is not None and attempt is not None:
        store.failed(attempt)


def login_succeeded(attempt: Attempt | None) -> None:
    """Clear the client's failures; written with the login's own commit."""
    store = _store()
    if store is not None and attempt is not None:
        store.succeeded(attempt)


def check_password_change(username: str) -> None:
    """Refuse (429) a client with too many wrong current passwords (or failed logins)."""
    store = _store()
    if store is not None and (refusal := store.check_client(_attempt(username))) is not None:
        _refuse(*refusal)


def password_change_failed(username: str) -> None:
    """Count a wrong current password like a failed login (in a transaction of its own)."""
    store = _store()
    if store is not None:
        store.record_failure(_attempt(username))


def retry_after() -> int | None:
    """Seconds until the limit this request broke lets it through again."""
    return g.get("retry_after")


def add_retry_after(response):
    """Tell a throttled client when to try again, whichever handler rendered the 429."""
    if response.status_code == 429 and "Retry-After" not in response.headers:
        seconds = retry_after()
        if seconds is not None:
            response.headers["Retry-After"] = str(seconds)
    return response


# ---------------------------------------------------------------------------- who is trying


def address_key(address: str | None) -> str:
    """The address as counted: IPv4 as it is, IPv6 as its /64 network."""
    try:
        parsed = ipaddress.ip_address(address or "")
    except ValueError:
        return (address or "unknown")[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((int(parsed) >> 64 << 64, 64)))
    return str(parsed)


def _attempt(username: str) -> Attempt:
    address = address_key(request.remote_addr)
    browser = _known_browser(username)
    client = f"browser:{browser}" if browser else f"address:{address}"
    return Attempt(username, address, client, known=browser is not None)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="tracker.accounts.known-browser")


def _username_tag(username: str) -> str:
    """The username as the cookie keeps it: not readable by whoever uses the computer next."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, username.encode(), hashlib.sha256).hexdigest()[:24]


def _marks() -> list[tuple[str, str, int]]:
    """The browser's unexpired marks: (username tag, browser id, issued at)."""
    value = request.cookies.get(KNOWN_BROWSER_COOKIE)
    if not value:
        return []
    try:
        marks = _serializer().loads(value)
    except BadSignature:
        return []
    oldest = time.time() - KNOWN_BROWSER_DAYS * 86400
    if not isinstance(marks, list):
        return []
    return [
        (mark[0], mark[1], mark[2])
        for mark in marks
        if isinstance(mark, list)
        and len(mark) == 3
        and isinstance(mark[0], str)
        and isinstance(mark[1], str)
        and isinstance(mark[2], int)
        and mark[2] > oldest
    ]


def _known_browser(username: str) -> str | None:
    """This browser's id if it has logged in as ``username`` lately, else None."""
    tag = _username_tag(username)
    return next((browser for mark, browser, _ in _marks() if mark == tag), None)


def remember_browser(response, username: str):
    """Mark the browser that just logged in as ``username`` (see rule 3 above)."""
    if _store() is None:
        return response
    tag = _username_tag(username)
    marks = _marks()
    browser = next((b for mark, b, _ in marks if mark == tag), None) or secrets.token_hex(8)
    others = [list(mark) for mark in marks if mark[0] != tag]
    marks = [[tag, browser, int(time.time())], *others][:KNOWN_BROWSER_USERNAMES]
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        _serializer().dumps(marks),
        max_age=KNOWN_BROWSER_DAYS * 86400,
        path=current_app.session_interface.get_cookie_path(current_app),
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
        httponly=True,
        samesite="Lax",
    )
    return response


# ---------------------------------------------------------------------------- stores

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
