#!/usr/bin/env python3
"""Load test: N staff sessions reading and editing at once against a running tracker.

Run against `make serve` on this machine (loopback addresses only; the run is bounded in
users, time and requests). Use a scratch database: the script adds users and action items.

    TRACKER_LOGIN_LIMIT_PER_ADDRESS="1000 per minute" make serve     # in one terminal
    .venv/bin/python scripts/load.py --setup --demo-data --users 8 --seconds 30

(With the default limit the sessions still log in, ten a minute: every one comes from
127.0.0.1, and a throttled login waits as its Retry-After says.)

`--setup` creates (or resets the passwords of) the accounts load-01… (editors) and
load-check (admin, for the final check) with the app's own code, so run it with the
project's Python and the same TRACKER_* environment as the server. `--demo-data` loads the
demo agreements first.

Each session logs in, then loops: the agreements list, an agreement's page, adding an
action item, editing its own action item, editing one action item that every session edits.
At the end the final state is read back:

- lost writes: a save the server acknowledged (redirect) whose result is not in the final
  state (an added item missing, or a session's own item not showing its last saved text);
- lost updates: a save of the shared item that overwrote another session's change the
  saving form had never shown (read from the audit trail's old → new values). A server that
  refuses stale forms answers 409 instead, counted as a conflict, which is not an error.

`--hostile-editor` adds one more session (account load-hostile) that does nothing but send
the largest agreement form the size cap allows, over and over: an agreement's edit form
padded with party rows to just under `--cap` bytes. The server must refuse each
quickly (a page with the form's message) while the others work; its answers are reported
on their own line, and a 5xx among them counts as an error.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import ipaddress
import json
import os
import random
import re
import secrets
import socket
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

MAX_USERS = 64
MAX_SECONDS = 600
MAX_REQUESTS = 200_000
LOGIN_PATIENCE = 120  # seconds a session keeps retrying a throttled login


class Refused(Exception):
    """The run cannot start; the message says why."""


# ---------------------------------------------------------------------------- target checks


def loopback_target(url: str) -> tuple[str, int]:
    """Host and port of ``url``, refusing anything that does not resolve only to loopback."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise Refused(f"--url must be http://HOST:PORT on this machine, not {url!r}")
    port = parts.port or 80
    try:
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except socket.gaierror as error:
        raise Refused(f"cannot resolve {parts.hostname}: {error}") from None
    addresses = {ipaddress.ip_address(info[4][0]) for info in infos}
    if not addresses or not all(address.is_loopback for address in addresses):
        shown = ", ".join(sorted(map(str, addresses)))
        raise Refused(f"refusing a target that is not loopback: {parts.hostname} ({shown})")
    return parts.hostname, port


# ---------------------------------------------------------------------------- HTML reading


class FormParser(HTMLParser):
    """The fields of each POST form on a page, as a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._fields: dict[str, str] | None = None
        self._select: str | None = None
        self._multiple = False
        self._first_option: str | None = None
        self._option: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            if attrs.get("method", "get").lower() == "post":
                self._fields = {}
                self.forms.append((attrs.get("action", ""), self._fields))
            return
        if self._fields is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self._fields[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea" and name:
            self._textarea = name
            self._fields[name] = ""
        elif tag == "select" and name:
            self._select, self._first_option = name, None
            self._multiple = "multiple" in attrs
        elif tag == "option" and self._select:
            self._option = attrs.get("value")
            if self._first_option is None:
                self._first_option = self._option or ""
            if "selected" in attrs:
                self._fields[self._select] = self._option or ""

    def handle_data(self, data):
        if self._textarea and self._fields is not None:
            self._fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._fields = None
        elif tag == "textarea":
            if self._textarea and self._fields is not None:
                # Browsers turn CR LF into LF and drop the newline that may follow <textarea>.
                text = self._fields[self._textarea].replace("\r\n", "\n")
                self._fields[self._textarea] = text.removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select and self._fields is not None:
            # A single select sends its first option when none is selected; a multiple
            # select sends nothing (as browsers do).
            if not self._multiple:
                self._fields.setdefault(self._select, self._first_option or "")
            self._select = None


def page_form(html: str, path: str) -> dict[str, str]:
    """The fields of the page's own form (posting back to ``path``), not the logout button."""
    parser = FormParser()
    parser.feed(html)
    for action, fields in parser.forms:
        if action in {"", path}:
            return dict(fields)
    raise ValueError(f"no form posting to {path}")


AGREEMENT_LINK = re.compile(r'href="/agreements/(\d+)"')
ACTION_ITEM = re.compile(r'id="action-(\d+)">\s*<div>\s*<span[^>]*>([^<]*)</span>')


# ---------------------------------------------------------------------------- HTTP sessions


@dataclass
class Stats:
    """What the sessions saw; shared by all threads under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    outcomes: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)  # (kind, outcome) -> count
    errors: list[str] = field(default_factory=list)
    requests: int = 0

    def record(self, kind: str, seconds: float, outcome: str, detail: str = "") -> None:
        with self.lock:
            self.requests += 1
            self.latencies[kind].append(seconds)
            self.outcomes[outcome] += 1
            self.by_kind[kind, outcome] += 1
            if outcome == "error" and len(self.errors) < 20:
                self.errors.append(detail)


class Budget:
    """The run's bounds: a deadline and a number of requests, shared by every session."""

    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.left = max_requests
        self.lock = threading.Lock()

    def take(self, n: int = 1) -> bool:
        with self.lock:
            if self.left < n or time.monotonic() >= self.deadline:
                return False
            self.left -= n
            return True


class Response:
    def __init__(self, status: int, headers: http.client.HTTPMessage, body: str) -> None:
        self.status, self.headers, self.body = status, headers, body


class Session:
    """One staff member's browser: a cookie jar and a kept-alive connection."""

    def __init__(self, host: str, port: int, stats: Stats | None) -> None:
        self.host, self.port, self.stats = host, port, stats
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""
        self.connection = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, kind: str, method: str, path: str, data: dict | None = None) -> Response:
        """Send one request; raise OSError on connection trouble (recorded as an error)."""
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            raw = self.connection.getresponse()
            text = raw.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self._record(kind, time.perf_counter() - started, "error", f"{path}: {error!r}")
            raise OSError(str(error)) from error
        elapsed = time.perf_counter() - started
        for header in raw.headers.get_all("Set-Cookie") or []:
            for morsel in SimpleCookie(header).values():
                self.cookies[morsel.key] = morsel.value
        response = Response(raw.status, raw.headers, text)
        self._record(kind, elapsed, *self._judge(method, path, response))
        return response

    def _record(self, kind: str, seconds: float, outcome: str, detail: str = "") -> None:
        if self.stats is not None:
            self.stats.record(kind, seconds, outcome, detail)

    @staticmethod
    def _judge(method: str, path: str, response: Response) -> tuple[str, str]:
        if response.status >= 500 or "database is locked" in response.body:
            request_id = response.headers.get("X-Request-ID", "?")
            return "error", f"{method} {path}: {response.status} (request id {request_id})"
        if response.status == 409:
            return "conflict", ""
        if response.status == 429 and path == "/login":
            return "throttled", ""  # log_in waits as Retry-After says and tries again
        expected = 302 if method == "POST" else 200
        if response.status != expected:
            return "error", f"{method} {path}: unexpected {response.status}"
        return "ok", ""

    def log_in(self, username: str, password: str) -> None:
        give_up = time.monotonic() + LOGIN_PATIENCE
        while True:
            form = page_form(self.request("login", "GET", "/login").body, "/login")
            # The session, and so its CSRF token, survives logging in.
            self.csrf_token = form.get("csrf_token", "")
            form.update(username=username, password=password)
            response = self.request("login", "POST", "/login", form)
            if response.status == 302:
                return
            if response.status == 429 and time.monotonic() < give_up:
                time.sleep(min(int(response.headers.get("Retry-After", "5")), 30))
                continue
            raise Refused(f"{username} could not log in (HTTP {response.status})")

    def close(self) -> None:
        self.connection.close()


# ---------------------------------------------------------------------------- the workload


@dataclass
class Plan:
    """What every session shares: the run's tag, the agreements, the two shared items."""

    tag: str
    agreements: list[int]
    hot_action: int  # every session edits its text
    toggled_action: int  # every session ticks it done and reopens it


@dataclass
class Ledger:
    """One session's acknowledged writes, checked against the final state."""

    added: dict[str, int] = field(default_factory=dict)  # description -> agreement id
    own_action: int = 0
    own_agreement: int = 0
    own_text: str = ""
    hot_saves: list[tuple[str, str]] = field(default_factory=list)  # (form showed, saved)
    toggles: int = 0


def load_form(session: Session, path: str) -> dict[str, str]:
    form = page_form(session.request("form", "GET", path).body, path)
    session.csrf_token = form.get("csrf_token", session.csrf_token)
    return form


def add_action(session: Session, agreement_id: int, description: str) -> bool:
    path = f"/agreements/{agreement_id}/actions/new"
    form = load_form(session, path)
    form["description"] = description
    return session.request("add", "POST", path, form).status == 302


def edit_action(session: Session, action_id: int, text: str) -> tuple[str, int]:
    """Load the edit form, replace the description with ``text``, save it.

    Returns the description the form showed, and the status of the save.
    """
    path = f"/actions/{action_id}/edit"
    form = load_form(session, path)
    shown = form.get("description", "")
    form["description"] = text
    return shown, session.request("edit", "POST", path, form).status


def toggle_done(session: Session, action_id: int) -> bool:
    """Tick the item done, or reopen it: the server reads its state and flips it."""
    path = f"/actions/{action_id}/done"
    return session.request("press", "POST", path, {"csrf_token": session.csrf_token}).status == 302


PARTY_OPTION = re.compile(r'name="parties-0-party".*?<option value="(\d+)"', re.S)


def hostile_form(session: Session, agreement_id: int, cap: int) -> bytes:
    """The agreement's edit form as the page gives it, padded with party rows (each naming
    the first party offered) until the body is just under ``cap`` bytes."""
    path = f"/agreements/{agreement_id}/edit"
    page = session.request("form", "GET", path).body
    form = page_form(page, path)
    session.csrf_token = form.get("csrf_token", session.csrf_token)
    party = PARTY_OPTION.search(page)
    party_id = party.group(1) if party else ""
    body = urlencode(form)
    first = 1 + max(
        (int(name.split("-")[1]) for name in form if name.startswith("parties-")), default=-1
    )
    rows = []
    size = len(body)
    for n in range(first, 10**6):
        row = f"&parties-{n}-party={party_id}&parties-{n}-role=party"
        if size + len(row) > cap - 64:  # room for a Content-Length of any size
            break
        rows.append(row)
        size += len(row)
    return (body + "".join(rows)).encode()


def send_hostile(session: Session, agreement_id: int, cap: int) -> None:
    """Send the largest agreement form the cap allows; the server should refuse it (200)."""
    path = f"/agreements/{agreement_id}/edit"
    body = hostile_form(session, agreement_id, cap)
    headers = {
        "Host": f"{session.host}:{session.port}",
        "Cookie": "; ".join(f"{k}={v}" for k, v in session.cookies.items()),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    started = time.perf_counter()
    try:
        session.connection.request("POST", path, body=body, headers=headers)
        raw = session.connection.getresponse()
        text = raw.read().decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as error:
        session.connection.close()
        session._record("hostile", time.perf_counter() - started, "error", f"{path}: {error!r}")
        return
    elapsed = time.perf_counter() - started
    if raw.status >= 500 or "database is locked" in text:
        request_id = raw.headers.get("X-Request-ID", "?")
        outcome, detail = "error", f"hostile POST {path}: {raw.status} (request id {request_id})"
    elif raw.status == 200 and "at most" in text:
        outcome, detail = "ok", ""  # refused with the form's message, as it should be
    else:
        outcome, detail = "error", f"hostile POST {path}: unexpected {raw.status}"
    session._record("hostile", elapsed, outcome, detail)


def run_hostile(session: Session, plan: Plan, budget: Budget, cap: int) -> None:
    while budget.take(2):
        try:
            send_hostile(session, plan.agreements[-1], cap)
        except (OSError, ValueError):
            time.sleep(0.05)  # counted already; the connection reopens on the next request


def find_action(session: Session, agreement_id: int, description: str) -> int:
    body = session.request("read", "GET", f"/agreements/{agreement_id}").body
    for action_id, text in ACTION_ITEM.findall(body):
        if text.strip() == description:
            return int(action_id)
    raise Refused(f"the new action item {description!r} is not on agreement {agreement_id}")


def run_session(
    number: int, session: Session, plan: Plan, budget: Budget, ledger: Ledger, seed: int
) -> None:
    rng = random.Random(seed)  # noqa: S311  (choosing pages, not secrets)
    me = f"{plan.tag}-u{number:02d}"
    ledger.own_agreement = rng.choice(plan.agreements)
    ledger.own_text = f"{me}-own-0"
    if not (budget.take(3) and add_action(session, ledger.own_agreement, ledger.own_text)):
        return
    ledger.own_action = find_action(session, ledger.own_agreement, ledger.own_text)
    count = 0

    def add_one() -> None:
        agreement_id, description = rng.choice(plan.agreements), f"{me}-add-{count}"
        if add_action(session, agreement_id, description):
            ledger.added[description] = agreement_id

    def edit_own() -> None:
        text = f"{me}-own-{count}"
        if edit_action(session, ledger.own_action, text)[1] == 302:
            ledger.own_text = text

    def edit_shared() -> None:
        text = f"{plan.tag}-hot-u{number:02d}-{count}"
        shown, status = edit_action(session, plan.hot_action, text)
        if status == 302:
            ledger.hot_saves.append((shown, text))

    def toggle_shared() -> None:
        if toggle_done(session, plan.toggled_action):
            ledger.toggles += 1

    def read_list() -> None:
        session.request("read", "GET", "/agreements/")

    def read_agreement() -> None:
        session.request("read", "GET", f"/agreements/{rng.choice(plan.agreements)}")

    # Shares of the workload and their cost in requests: pages read, forms loaded and
    # saved, a button pressed.
    steps = [
        (0.30, 1, read_list),
        (0.25, 1, read_agreement),
        (0.15, 2, add_one),
        (0.12, 2, edit_own),
        (0.08, 2, edit_shared),
        (0.10, 1, toggle_shared),
    ]
    weights = [share for share, _, _ in steps]
    while True:
        count += 1
        _, cost, step = rng.choices(steps, weights)[0]
        if not budget.take(cost):
            break
        try:
            step()
        except (OSError, ValueError):
            # Already counted as an error (a failed request, or an error page without the
            # form); the connection reopens on the next request.
            time.sleep(0.05)


# ---------------------------------------------------------------------------- final check


def audited_changes(session: Session, action_id: int, name: str) -> list[tuple]:
    """(old, new) of every audited update of one field of one action item, oldest first."""
    body = session.request("check", "GET", "/admin/audit.csv?type=action").body
    changes = []
    # The export's first and last lines are its marking (a single cell), around the table.
    lines = body.lstrip("\ufeff").splitlines()[1:-1]
    for row in csv.DictReader(io.StringIO("\n".join(lines))):
        if row["record_id"] == str(action_id) and row["action"] == "update":
            for change in json.loads(row["changes"].removeprefix("'")):
                if change["field"] == name:
                    changes.append((change["old"], change["new"]))
    return changes[::-1]  # the export lists the newest first


def action_done(session: Session, agreement_id: int, action_id: int) -> bool:
    body = session.request("check", "GET", f"/agreements/{agreement_id}").body
    item = body[body.index(f'id="action-{action_id}"') :]
    return "text-decoration-line-through" in item[: item.index("</li>")]


def check_final_state(session: Session, plan: Plan, ledgers: list[Ledger]) -> dict[str, int]:
    pages: dict[int, set[str]] = {}

    def on_page(agreement_id: int, text: str) -> bool:
        if agreement_id not in pages:
            body = session.request("check", "GET", f"/agreements/{agreement_id}").body
            pages[agreement_id] = {t.strip() for _, t in ACTION_ITEM.findall(body)}
        return text in pages[agreement_id]

    missing_adds = sum(
        not on_page(agreement_id, text)
        for ledger in ledgers
        for text, agreement_id in ledger.added.items()
    )
    stale_own = sum(
        1
        for ledger in ledgers
        if ledger.own_action and not on_page(ledger.own_agreement, ledger.own_text)
    )
    # Each save of the shared text is one audited change from what its form showed to what
    # it saved; a save whose change started elsewhere overwrote an edit it never saw.
    audited = {new: old for old, new in audited_changes(session, plan.hot_action, "description")}
    hot_saves = [save for ledger in ledgers for save in ledger.hot_saves]
    missing_hot = sum(saved not in audited for _, saved in hot_saves)
    overwritten = sum(saved in audited and audited[saved] != shown for shown, saved in hot_saves)
    # Each acknowledged tick or reopen flips the state the previous one left (open, done,
    # open…): one audited change each, from the previous change's result; the final state
    # is the starting one (open) flipped that many times.
    toggles = sum(ledger.toggles for ledger in ledgers)
    flips = audited_changes(session, plan.toggled_action, "done")
    breaks = sum(
        cur[0] != prev[1] for prev, cur in zip([(None, False), *flips[:-1]], flips, strict=True)
    )
    done = action_done(session, plan.agreements[0], plan.toggled_action)
    lost_toggles = breaks + abs(toggles - len(flips)) or int(done != (toggles % 2 == 1))
    return {
        "added items acknowledged": sum(len(ledger.added) for ledger in ledgers),
        "added items missing": missing_adds,
        "own items not at their last save": stale_own,
        "shared-item saves acknowledged": len(hot_saves),
        "shared-item saves missing from the audit trail": missing_hot,
        "shared-item saves over a change the form never showed": overwritten,
        "done/reopen presses acknowledged": toggles,
        "done/reopen presses lost": lost_toggles,
    }


# ---------------------------------------------------------------------------- setup and report


def set_up_accounts(usernames: list[str], password: str, demo_data: bool) -> None:
    """Create the accounts, or reset their passwords, in the database the TRACKER_* settings name.

    Done in this process with the app's own services (one app start, not one per account);
    it needs the project's Python, e.g. ``.venv/bin/python scripts/load.py``.
    """
    try:
        from tracker import create_app
        from tracker.accounts import services
        from tracker.extensions import db
        from tracker.models import Party
    except ImportError:
        raise Refused("--setup needs the tracker package: run with .venv/bin/python") from None

    app = create_app()
    with app.app_context():
        if demo_data:
            from tracker.cli.demo import load_demo_data

            load_demo_data()
        accounts = [(name, "editor") for name in usernames] + [
            ("load-hostile", "editor"),
            ("load-check", "admin"),
        ]
        for username, role in accounts:
            user = services.get_user(username)
            if user is None:
                services.create_user(username, password, role)
            else:
                user.active = True
                services.set_password(user, password)
        # Cleared for every level and caveat, so that the load reaches every agreement
        # (need-to-know lists aside): what a page costs, not who may see it, is measured.
        db.session.flush()
        india = db.session.scalar(db.select(Party.id).where(Party.code == "IND"))
        for username, _role in accounts:
            user = services.get_user(username)
            user.clearance = len(app.config["CLASSIFICATION_LEVELS"]) - 1
            user.caveats = ",".join(sorted(app.config["CLASSIFICATION_CAVEATS"]))
            user.party_id = india
        db.session.commit()
        db.engine.dispose()


def percentile(values: list[float], share: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(share * 100) - 1]


def hostile_report(stats: Stats, cap: int) -> list[str]:
    values = [v * 1000 for v in stats.latencies.get("hostile", [])]
    if not values:
        return ["hostile editor: sent nothing"]
    lines = [
        f"hostile editor: {len(values)} agreement forms of just under {cap / 1024 / 1024:.1f} "
        f"MiB, refused {stats.by_kind['hostile', 'ok']}, errors {stats.outcomes['error']}, "
        f"p50 {percentile(values, 0.5):.0f} ms, p95 {percentile(values, 0.95):.0f} ms, "
        f"max {max(values):.0f} ms"
    ]
    lines.extend(f"  hostile error: {error}" for error in stats.errors)
    return lines


def report(stats: Stats, elapsed: float, final: dict[str, int], args) -> str:
    lines = [
        f"users {args.users}, {elapsed:.1f} s, {stats.requests} requests "
        f"({stats.requests / elapsed:.1f}/s)",
        f"ok {stats.outcomes['ok']}, conflicts (409) {stats.outcomes['conflict']}, "
        f"errors {stats.outcomes['error']}",
        "",
        f"{'requests':<10} {'count':>7} {'409':>5} {'errors':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}",
    ]
    everything = [v for values in stats.latencies.values() for v in values]
    rows = [*sorted(stats.latencies.items()), ("all", everything)]
    for kind, values in rows:
        if not values:
            continue
        ms = [v * 1000 for v in values]
        if kind == "all":
            conflicts, errors = stats.outcomes["conflict"], stats.outcomes["error"]
        else:
            conflicts, errors = stats.by_kind[kind, "conflict"], stats.by_kind[kind, "error"]
        lines.append(
            f"{kind:<10} {len(ms):>7} {conflicts:>5} {errors:>6} {percentile(ms, 0.5):>7.0f} "
            f"{percentile(ms, 0.95):>7.0f} {percentile(ms, 0.99):>7.0f} {max(ms):>7.0f}"
        )
    lines.append("")
    lines.extend(f"{name}: {value}" for name, value in final.items())
    lost_writes = (
        final["added items missing"]
        + final["own items not at their last save"]
        + final["shared-item saves missing from the audit trail"]
        + final["done/reopen presses lost"]
    )
    lost_updates = final["shared-item saves over a change the form never showed"]
    lines.append("")
    lines.append(
        f"SUMMARY errors={stats.outcomes['error']} lost_writes={lost_writes} "
        f"lost_updates={lost_updates} conflicts={stats.outcomes['conflict']}"
    )
    for error in stats.errors:
        lines.append(f"  error: {error}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="loopback only")
    parser.add_argument("--users", type=int, default=8, help=f"sessions, 1–{MAX_USERS}")
    parser.add_argument("--seconds", type=float, default=30, help=f"at most {MAX_SECONDS}")
    parser.add_argument("--max-requests", type=int, default=50_000, help=f"≤ {MAX_REQUESTS}")
    parser.add_argument("--setup", action="store_true", help="create the load-NN accounts first")
    parser.add_argument("--demo-data", action="store_true", help="with --setup: demo data too")
    parser.add_argument("--seed", type=int, default=None, help="repeat a run's choices")
    parser.add_argument(
        "--hostile-editor",
        action="store_true",
        help="one more session sending the largest agreement form the size cap allows",
    )
    parser.add_argument(
        "--cap", type=int, default=2 * 1024 * 1024, help="the server's size cap, in bytes"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be between 1 and {MAX_USERS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be above 0 and at most {MAX_SECONDS}")
    if not 1 <= args.max_requests <= MAX_REQUESTS:
        parser.error(f"--max-requests must be between 1 and {MAX_REQUESTS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        host, port = loopback_target(args.url)
        usernames = [f"load-{n:02d}" for n in range(1, args.users + 1)]
        password = os.environ.get("LOAD_PASSWORD") or secrets.token_urlsafe(16)
        if args.setup:
            set_up_accounts(usernames, password, args.demo_data)
        elif "LOAD_PASSWORD" not in os.environ:
            raise Refused("without --setup, give the accounts' password in LOAD_PASSWORD")

        checker = Session(host, port, None)
        checker.log_in("load-check", password)
        listing = checker.request("check", "GET", "/agreements/").body
        agreements = sorted({int(n) for n in AGREEMENT_LINK.findall(listing)})
        if not agreements:
            raise Refused("no agreements to work on: run with --setup --demo-data")
        tag = "load-" + secrets.token_hex(3)
        shared = {}
        for name in ("hot", "toggled"):
            if not add_action(checker, agreements[0], f"{tag}-{name}"):
                raise Refused("could not add the shared action items")
            shared[name] = find_action(checker, agreements[0], f"{tag}-{name}")
        plan = Plan(tag, agreements, shared["hot"], shared["toggled"])

        stats = Stats()
        sessions = [Session(host, port, stats) for _ in usernames]
        print(f"logging in {len(sessions)} sessions…", file=sys.stderr)
        for session, username in zip(sessions, usernames, strict=True):
            session.log_in(username, password)
        stats.latencies.pop("login", None)  # logging in is setup, not the measured workload
        stats.requests, stats.outcomes, stats.by_kind = 0, Counter(), Counter()

        hostile_stats = Stats()
        hostile = Session(host, port, hostile_stats) if args.hostile_editor else None
        if hostile is not None:
            hostile.log_in("load-hostile", password)
            hostile_stats.latencies.pop("login", None)
            hostile_stats.requests, hostile_stats.outcomes = 0, Counter()

        seed = args.seed if args.seed is not None else secrets.randbits(32)
        print(f"running {args.seconds:g} s (seed {seed})…", file=sys.stderr)
        budget = Budget(args.seconds, args.max_requests)
        ledgers = [Ledger() for _ in sessions]
        threads = [
            threading.Thread(
                target=run_session, args=(n, session, plan, budget, ledger, seed + n), daemon=True
            )
            for n, (session, ledger) in enumerate(zip(sessions, ledgers, strict=True), 1)
        ]
        if hostile is not None:
            threads.append(
                threading.Thread(
                    target=run_hostile, args=(hostile, plan, budget, args.cap), daemon=True
                )
            )
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        final = check_final_state(checker, plan, ledgers)
        for session in [*sessions, checker, *([hostile] if hostile else [])]:
            session.close()
    except Refused as error:
        print(f"load.py: {error}", file=sys.stderr)
        return 2
    print(report(stats, elapsed, final, args))
    if args.hostile_editor:
        print("\n".join(hostile_report(hostile_stats, args.cap)))
    failed = (
        stats.outcomes["error"]
        or hostile_stats.outcomes["error"]
        or any(value for name, value in final.items() if "acknowledged" not in name)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
