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

Counting (tracker/accounts/attempts.py). Every app process and server must count the same
attempts, or each gunicorn worker would allow its own ten a minute. By default the rows
live in the app's own database (table ``login_attempt``), which they all share already:
each limit is checked and the attempt counted by one statement, under a lock per address or
username on PostgreSQL (SQLite runs one writer at a time), so two attempts at once both
count and only as many get through as the limit allows. An attempt is counted as a failure
*before* its password is checked and changed to a success afterwards, so attempts checked
at the same moment on several servers see each other. Rows are deleted once no limit looks
back that far, so the table holds a few minutes of attempts. ``RATELIMIT_STORAGE_URI`` set
to a storage URI of the ``limits`` library (``redis://host:6379``, the store Flask-Limiter
uses) counts there instead with the same rules; there the username limit is checked before
a password and counted after it, so attempts checked at the very same moment can pass it
together.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import secrets
import time

from flask import Flask, current_app, g, request
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.exceptions import TooManyRequests

from tracker.accounts.attempts import Attempt, DatabaseStore, Limits, LimitsStore

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
