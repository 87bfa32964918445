"""Production serving: gunicorn settings, proxies, and several workers writing at once."""

from __future__ import annotations

import http.client
import importlib.util
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from tests.helpers import PASSWORD, extra_app, log_in
from tests.test_write_lock import write_lock_held_elsewhere
from tracker.data.database import begin_statement, writing
from tracker.models import ActionItem, AuditRecord, Party, Role

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def _load_script():
    spec = importlib.util.spec_from_file_location("load_script", ROOT / "scripts" / "load.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_script"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


load = _load_script()


# ---------------------------------------------------------------------------- settings


def _gunicorn_setting(environment: dict, *names: str) -> list:
    code = (
        "import json, tracker.gunicorn_conf as c; "
        f"print(json.dumps([getattr(c, n) for n in {list(names)!r}]))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")} | environment
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output)


def test_gunicorn_takes_workers_and_address_from_the_environment():
    assert _gunicorn_setting(
        {"TRACKER_WORKERS": "5", "TRACKER_BIND": "0.0.0.0:9000"}, "workers", "bind"
    ) == [
        5,
        ["0.0.0.0:9000"],
    ]
    workers, bind = _gunicorn_setting({}, "workers", "bind")
    assert workers == min(2 * os.cpu_count() + 1, 8)
    assert bind == ["127.0.0.1:8000"]  # never exposed to the network unless asked


def _login_failure_address(app, caplog, **headers) -> str:
    app.test_client_class = None
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="tracker.auth"):
        caplog.clear()
        log_in(client, "nobody", "wrong password", headers=headers)
    (record,) = [r for r in caplog.records if "login failed" in r.getMessage()]
    return record.getMessage().split("address=")[1].split()[0]


def test_forwarded_client_address_is_believed_only_when_configured(database_url, caplog):
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    with extra_app(database_url) as app:
        # A client could send the header itself: without a proxy it must not count.
        assert _login_failure_address(app, caplog, **forwarded) == "127.0.0.1"
    with extra_app(database_url, PROXY_FIX_X_FOR=1) as app:
        assert _login_failure_address(app, caplog, **forwarded) == "203.0.113.9"


def test_each_forwarded_header_has_its_own_switch(database_url):
    with extra_app(database_url, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_HOST=1) as app:
        proxy_fix = app.wsgi_app
        assert isinstance(proxy_fix, ProxyFix)
        seen = {}
        proxy_fix.app = lambda environ, start_response: seen.update(environ) or []
        headers = {
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "tracker.example.org",
        }
        environ = EnvironBuilder(headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.1"})
        proxy_fix(environ.get_environ(), lambda *args: None)
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["HTTP_HOST"] == "tracker.example.org"
    assert seen["REMOTE_ADDR"] == "192.0.2.1"  # X_FOR was left at 0


def test_proxy_settings_come_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("TRACKER_PROXY_FIX_X_FOR", "1")
    with extra_app(database_url) as app:
        assert app.config["PROXY_FIX_X_FOR"] == 1


def test_sqlite_transactions_begin_as_their_context_needs(app):
    with app.test_request_context("/agreements/", method="GET"):
        assert begin_statement() == "BEGIN"
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        with app.test_request_context("/agreements/new", method=method):
            assert begin_statement() == "BEGIN IMMEDIATE"
    with writing():
        assert begin_statement() == "BEGIN IMMEDIATE"
    assert begin_statement() is None  # elsewhere the sqlite3 module's own behaviour
    app.config["SERIALIZE_WRITES"] = False
    with app.test_request_context("/agreements/new", method="POST"):
        assert begin_statement() is None


# ---------------------------------------------------------------------------- gunicorn


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(database_url, tmp_path, *arguments: str, **environment: str):
    """The app under gunicorn with three workers, as `make serve` runs it (more command-line
    ``arguments`` and TRACKER_* ``environment`` if given): its address and log file."""
    port = _free_port()
    environment = (
        {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        | {
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_INSTANCE_PATH": str(tmp_path / "served"),
            "TRACKER_SECRET_KEY": "served-test-secret",
            "TRACKER_PASSWORD_HASH_PROFILE": "CHEAPEST",
            "TRACKER_RATELIMIT_ENABLED": "false",
            "TRACKER_WORKERS": "3",
            "TRACKER_BIND": f"127.0.0.1:{port}",
        }
        | environment
    )
    log_path = tmp_path / f"gunicorn-{port}.log"
    log = log_path.open("w")
    command = [str(GUNICORN), "--config", "python:tracker.gunicorn_conf", *arguments]
    server = subprocess.Popen(
        [*command, "tracker.wsgi:app"],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=tmp_path,
    )
    try:
        give_up = time.monotonic() + 120
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > give_up:
                    pytest.fail("gunicorn did not start:\n" + log_path.read_text())
                time.sleep(0.2)
        yield ("127.0.0.1", port), log_path
    finally:
        server.terminate()
        server.wait(timeout=60)
        log.close()


@pytest.fixture
def served(database_url, tmp_path):
    """The app under gunicorn, as `make serve` runs it; its address and log file."""
    with serve(database_url, tmp_path) as address_and_log:
        yield address_and_log


SESSIONS = 4
ADDS = 5
TOGGLES = 15


def test_several_workers_writing_at_once_lose_nothing(served, db, make_user, make_agreement):
    """Sessions add items and all press done/reopen on one item through three workers.

    Pressing the button reads the item's state and flips it: unless each request is one
    serializable transaction, two presses at once both read "open" and one flip is lost.
    """
    (host, port), log = served
    for n in range(SESSIONS):
        make_user(f"clerk{n}", role=Role.EDITOR)
    agreement = make_agreement()
    shared = ActionItem(agreement=agreement, description="Shared item")
    db.session.add(shared)
    db.session.commit()
    agreement_id, shared_id = agreement.id, shared.id

    stats = load.Stats()
    outcomes: list[tuple[int, list[str], int]] = []

    def clerk(n: int) -> None:
        session = load.Session(host, port, stats)
        session.log_in(f"clerk{n}", PASSWORD)
        added, toggled = [], 0
        for i in range(max(ADDS, TOGGLES)):
            if i < ADDS and load.add_action(session, agreement_id, f"clerk{n} item {i}"):
                added.append(f"clerk{n} item {i}")
            if i < TOGGLES and load.toggle_done(session, shared_id):
                toggled += 1
        session.close()
        outcomes.append((n, added, toggled))

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(SESSIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert stats.errors == [], log.read_text()[-5000:]
    assert stats.outcomes["error"] == 0
    db.session.rollback()
    descriptions = set(db.session.scalars(sa.select(ActionItem.description)))
    assert {text for _, added, _ in outcomes for text in added} <= descriptions
    assert sum(len(added) for _, added, _ in outcomes) == SESSIONS * ADDS

    presses = sum(toggled for _, _, toggled in outcomes)
    assert presses == SESSIONS * TOGGLES
    records = db.session.scalars(
        sa.select(AuditRecord)
        .where(AuditRecord.record_type == "action", AuditRecord.record_id == shared_id)
        .order_by(AuditRecord.id)
    )
    flips = [
        (change["old"], change["new"])
        for record in records
        for change in record.changes
        if change["field"] == "done" and change["old"] is not None
    ]
    # Every press flipped the state the previous one left: open, done, open, done…
    assert flips == [(i % 2 == 1, i % 2 == 0) for i in range(presses)]
    assert db.session.get(ActionItem, shared_id).done == (presses % 2 == 1)


def test_the_load_script_runs_against_the_served_app(served, monkeypatch, database_url, capsys):
    (host, port), _ = served
    # --setup makes its accounts with the app's code, in the database the settings name.
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_PASSWORD_HASH_PROFILE", "CHEAPEST")
    arguments = ["--url", f"http://{host}:{port}", "--setup", "--demo-data", "--users", "2"]
    code = load.main([*arguments, "--seconds", "60", "--max-requests", "60", "--seed", "1"])
    report = capsys.readouterr().out
    summary = dict(part.split("=") for part in report.split("SUMMARY ")[1].split()[:4])
    assert summary["errors"] == "0" and summary["lost_writes"] == "0", report
    assert "added items acknowledged" in report and "p95" in report
    # Shared-item edits may overwrite each other until forms carry a version: exit 1 then.
    assert code == (1 if summary["lost_updates"] != "0" else 0)


@pytest.mark.parametrize(
    "url",
    ["http://10.1.2.3:8000", "https://127.0.0.1:8000", "http://example.com", "ftp://127.0.0.1"],
)
def test_the_load_script_refuses_targets_off_this_machine(url):
    with pytest.raises(load.Refused):
        load.loopback_target(url)
    assert load.loopback_target("http://127.0.0.1:8000") == ("127.0.0.1", 8000)


@pytest.mark.parametrize(
    "arguments",
    [["--users", "0"], ["--users", "65"], ["--seconds", "601"], ["--max-requests", "0"]],
)
def test_the_load_script_is_bounded(arguments):
    with pytest.raises(SystemExit):
        load.parse_args(arguments)


# ---------------------------------------------------------------------------- raw requests

MiB = 1024 * 1024


@dataclass
class RawResponse:
    status: int
    headers: http.client.HTTPMessage
    page: str
    seconds: float


def send_raw(address, head: str, body_parts, *, pause: float = 0) -> RawResponse:
    """Send ``head`` and then ``body_parts`` on a socket of its own, reading the answer while
    still sending, as a browser does: a server may answer before the body is all there, and
    stop reading it."""
    connection = socket.create_connection(address, timeout=60)
    answered = threading.Event()

    def send() -> None:
        try:
            connection.sendall(head.encode("latin-1"))
            for part in body_parts:
                connection.sendall(part)
            answered.wait(pause)  # a client that stops sending before its body is all there
        except OSError:
            pass  # the server stopped reading: its answer says why

    started = time.monotonic()
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    try:
        response = http.client.HTTPResponse(connection)
        response.begin()
        page = response.read().decode("utf-8", "replace")
        return RawResponse(response.status, response.headers, page, time.monotonic() - started)
    finally:
        answered.set()
        connection.close()
        sender.join(timeout=10)


def chunks(body: bytes, size: int = 64 * 1024):
    for start in range(0, len(body), size):
        piece = body[start : start + size]
        yield f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    yield b"0\r\n\r\n"


def head(method: str, path: str, address, *headers: str) -> str:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {address[0]}:{address[1]}", *headers]
    return "\r\n".join(lines) + "\r\n\r\n"


def logged_in_session(address, make_user) -> load.Session:
    make_user("clerk", role=Role.EDITOR)
    session = load.Session(*address, None)
    session.log_in("clerk", PASSWORD)
    return session


def cookie_header(session: load.Session) -> str:
    return "Cookie: " + "; ".join(f"{k}={v}" for k, v in session.cookies.items())


@pytest.fixture
def dev_served(database_url):
    """The app under Werkzeug's development server (`tracker run`), CSRF on as in use."""
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as app:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield ("127.0.0.1", server.server_port)
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()


@pytest.mark.parametrize("server", ["gunicorn", "werkzeug"])
@pytest.mark.parametrize(("size", "saved"), [(3 * MiB, False), (MiB, True)])
def test_a_body_sent_in_chunks_is_held_to_the_size_cap(request, server, size, saved, db, make_user):
    """The cap holds however the body is framed: sent in chunks (no Content-Length) past
    2 MiB it gets the app's 413 page and nothing is saved, where it used to be saved from
    its first 2 MiB; under the cap it is saved as usual."""
    address = request.getfixturevalue("served")[0] if server == "gunicorn" else None
    address = address or request.getfixturevalue("dev_served")
    session = logged_in_session(address, make_user)
    form = load.load_form(session, "/parties/new")
    form.update(name="Chunky", kind="grouping", code="")
    start = urlencode(form).encode() + b"&filler="
    body = start + b"x" * (size - len(start))
    response = send_raw(
        address,
        head(
            "POST",
            "/parties/new",
            address,
            "Transfer-Encoding: chunked",
            "Content-Type: application/x-www-form-urlencoded",
            cookie_header(session),
        ),
        chunks(body),
    )
    db.session.rollback()
    named = db.session.scalars(sa.select(Party).where(Party.name == "Chunky")).all()
    if saved:
        assert response.status == 302, response.page[-2000:]
        assert len(named) == 1
        return
    assert response.status == 413
    assert "too large" in response.page and "2.0 MiB" in response.page
    assert response.headers["X-Request-ID"] and "Content-Security-Policy" in response.headers
    assert named == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_request_past_its_time_limit_gets_the_apps_page(database_url, tmp_path):
    """A client that stops sending halfway through its body holds a worker: the app stops
    the request at its time limit with its own 503 page, before gunicorn's timeout would
    kill the worker and send a bare 500."""
    with serve(database_url, tmp_path, TRACKER_REQUEST_TIME_LIMIT="1") as (address, log):
        response = send_raw(
            address,
            head(
                "POST",
                "/login",
                address,
                "Content-Length: 1000",
                "Content-Type: application/x-www-form-urlencoded",
            ),
            [b"username=clerk&"],
            pause=30,
        )
        assert response.status == 503
        assert response.headers["Retry-After"] == "5"
        assert "took too long" in response.page
        assert response.headers["X-Request-ID"] in response.page
        assert "Content-Security-Policy" in response.headers
        assert 1 <= response.seconds < 10
        assert "WORKER TIMEOUT" not in log.read_text()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_request_gunicorn_times_out_gets_the_apps_page(database_url, tmp_path):
    """With the app's own limit off, gunicorn's worker timeout strikes; its worker_abort hook
    stops the request with the app's exception, so the app still answers with its page."""
    with serve(database_url, tmp_path, "--timeout", "2", TRACKER_REQUEST_TIME_LIMIT="0") as (
        address,
        log,
    ):
        response = send_raw(
            address,
            head(
                "POST",
                "/login",
                address,
                "Content-Length: 1000",
                "Content-Type: application/x-www-form-urlencoded",
            ),
            [b"username=clerk&"],
            pause=30,
        )
        assert response.status == 503
        assert "took too long" in response.page
        assert response.headers["X-Request-ID"] in response.page
        assert "Content-Security-Policy" in response.headers
        assert "WORKER TIMEOUT" in log.read_text()


def test_the_apps_time_limit_is_below_gunicorns_timeout():
    from tracker.config import Defaults

    (timeout,) = _gunicorn_setting({}, "timeout")
    assert 0 < Defaults.REQUEST_TIME_LIMIT < timeout
    assert Defaults.LOCK_WAIT_SECONDS < Defaults.REQUEST_TIME_LIMIT


def test_a_worker_kept_waiting_for_another_servers_write_gets_503(
    database_url, tmp_path, db, make_user
):
    """Two processes: this test holds the database's write lock; a save through gunicorn
    waits its second for it, then gets the 503 page with Retry-After, and nothing is saved."""
    with serve(database_url, tmp_path, TRACKER_LOCK_WAIT_SECONDS="1") as (address, _log):
        session = logged_in_session(address, make_user)
        form = load.load_form(session, "/parties/new")
        form.update(name="Atlantis", kind="grouping", code="")
        with write_lock_held_elsewhere(database_url):
            response = session.request("save", "POST", "/parties/new", form)
        assert response.status == 503
        assert response.headers["Retry-After"] == "5"
        assert "busy" in response.body and response.headers["X-Request-ID"] in response.body
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Party)) == 0
        assert session.request("save", "POST", "/parties/new", form).status == 302


def test_the_load_script_runs_with_a_hostile_editor(served, monkeypatch, database_url, capsys):
    """One session sends the largest agreement form the cap allows, over and over, while two
    others work: each is refused with the form's message, and the others see no error."""
    (host, port), _ = served
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_PASSWORD_HASH_PROFILE", "CHEAPEST")
    arguments = ["--url", f"http://{host}:{port}", "--setup", "--demo-data", "--users", "2"]
    code = load.main([*arguments, "--seconds", "8", "--seed", "1", "--hostile-editor"])
    report = capsys.readouterr().out
    summary = dict(part.split("=") for part in report.split("SUMMARY ")[1].split()[:4])
    assert summary["errors"] == "0" and summary["lost_writes"] == "0", report
    hostile = report.split("hostile editor: ")[1].splitlines()[0]
    assert "errors 0" in hostile and "refused 0" not in hostile, report
    assert code == (1 if summary["lost_updates"] != "0" else 0)
