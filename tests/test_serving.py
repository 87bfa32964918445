"""Serving: gunicorn settings, proxies, several workers writing at once, and `make run`."""

from __future__ import annotations

import http.client
import importlib.util
import json
import logging
import os
import re
import shlex
import shutil
import signal
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

from tests.conftest import REQUIRE_ALL
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


def test_each_worker_sets_the_loaded_app_aside_from_the_garbage_collector(tmp_path):
    """gunicorn takes the hook and, once the app is loaded, the objects it made are frozen:
    a full collection, which stops a request, then skips them."""
    code = (
        "import gc; from gunicorn.config import Config; import tracker.gunicorn_conf as c; "
        "config = Config(); config.set('post_worker_init', c.post_worker_init); "
        "from tracker import create_app; create_app(); "
        "before = gc.get_freeze_count(); config.post_worker_init(None); "
        "print(before, gc.get_freeze_count())"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    env["TRACKER_INSTANCE_PATH"] = str(tmp_path)
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    before, after = map(int, output.split())
    assert before == 0
    assert after > 50_000  # the app's objects, not a handful


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


def _server_environment(**settings: str) -> dict[str, str]:
    """This process's environment without the developer's TRACKER_* settings, plus these."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    return environment | settings


@contextmanager
def gunicorn(argv: list[str], environment: dict[str, str], bind: str, log_path: Path, cwd: Path):
    """gunicorn running ``argv`` until the block ends, its output in ``log_path``.

    Ready once this master says it listens on ``bind``: a port found free may be taken by
    another server before gunicorn binds it, and then gunicorn gives up instead. Afterwards
    the master is stopped and its process group checked empty, so no worker outlives a test.
    """
    with log_path.open("w") as log:
        server = subprocess.Popen(
            argv,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            start_new_session=True,  # a process group of its own: the master and its workers
        )
        try:
            listening = f"Listening at: http://{bind} ({server.pid})"
            give_up = time.monotonic() + 120
            while listening not in log_path.read_text():
                if server.poll() is not None or time.monotonic() > give_up:
                    pytest.fail(f"gunicorn did not start:\n{log_path.read_text()}")
                time.sleep(0.2)
            yield server
        finally:
            _stop(server)


def _stop(server: subprocess.Popen) -> None:
    """Stop gunicorn as a service manager would (SIGTERM), then end anything left of it."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    give_up = time.monotonic() + 30
    while True:
        try:
            os.killpg(server.pid, 0)  # is any process of its group still there?
        except ProcessLookupError:
            return
        if time.monotonic() > give_up:
            os.killpg(server.pid, signal.SIGKILL)
            pytest.fail("gunicorn's workers outlived their master")
        time.sleep(0.1)


@contextmanager
def serve(database_url, folder: Path, *arguments: str, **environment: str):
    """The app under gunicorn with three workers, as `make serve` runs it (more command-line
    ``arguments`` and TRACKER_* ``environment`` on top of the defaults for tests): its
    address and log file."""
    port = _free_port()
    bind = f"127.0.0.1:{port}"
    environment = _server_environment(
        TRACKER_DATABASE_URL=database_url,
        TRACKER_INSTANCE_PATH=str(folder / "served"),
        TRACKER_SECRET_KEY="served-test-secret",
        TRACKER_PASSWORD_HASH_PROFILE="CHEAPEST",
        TRACKER_RATELIMIT_ENABLED="false",
        TRACKER_WORKERS="3",
        TRACKER_BIND=bind,
    ) | environment
    argv = [str(GUNICORN), "--config", "python:tracker.gunicorn_conf", *arguments]
    log = folder / f"gunicorn-{port}.log"
    with gunicorn([*argv, "tracker.wsgi:app"], environment, bind, log, folder):
        yield ("127.0.0.1", port), log


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


def test_the_login_throttle_counts_across_workers(database_url, tmp_path):
    """Three workers, one count: with each worker counting for itself (memory://), one
    address got up to three times its 10 attempts a minute."""
    # The real password hash: each check takes long enough that the workers share the
    # attempts out, as they would in service.
    settings = {
        "TRACKER_RATELIMIT_ENABLED": "true",
        "TRACKER_PASSWORD_HASH_PROFILE": "RFC_9106_LOW_MEMORY",
    }
    with serve(database_url, tmp_path, **settings) as ((host, port), log):
        sessions = [load.Session(host, port, None) for _ in range(15)]
        forms = [
            load.page_form(s.request("login", "GET", "/login").body, "/login") for s in sessions
        ]
        barrier = threading.Barrier(len(sessions))
        answers = []

        def attempt(session, form, n: int) -> None:
            form.update(username=f"nobody{n}", password="wrong password")
            barrier.wait(timeout=30)
            # At once, so that the sync workers share them out.
            answers.append(session.request("login", "POST", "/login", form))
            session.close()

        threads = [
            threading.Thread(target=attempt, args=(session, form, n))
            for n, (session, form) in enumerate(zip(sessions, forms, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    statuses = sorted(answer.status for answer in answers)
    assert statuses == [200] * 10 + [429] * 5, log.read_text()[-3000:]
    refused = [answer for answer in answers if answer.status == 429]
    assert all(0 < int(answer.headers["Retry-After"]) <= 61 for answer in refused)


def test_the_load_script_runs_against_the_served_app(served, monkeypatch, database_url, capsys):
    (host, port), _ = served
    # --setup makes its accounts with the app's code, in the database the settings name.
    monkeypatch.setenv("TRACKER_DATABASE_URL", database_url)
    monkeypatch.setenv("TRACKER_PASSWORD_HASH_PROFILE", "CHEAPEST")
    arguments = ["--url", f"http://{host}:{port}", "--setup", "--demo-data", "--users", "2"]
    code = load.main([*arguments, "--seconds", "60", "--max-requests", "60", "--seed", "1"])
    output = capsys.readouterr()
    report = output.out
    assert "SUMMARY " in report, output.err[-3000:]
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


# ---------------------------------------------------------------------------- make run

MAKE = shutil.which("make")
# A line of gunicorn's own format: [2025-05-05 10:00:00 +0000] [pid] [LEVEL] logger: message
TIMED_LOGIN_LINE = re.compile(
    r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] \[INFO\] "
    r"tracker\.auth: login username='admin' address=127\.0\.0\.1 ",
    re.MULTILINE,
)


def make_run_commands(host: str, port: int) -> tuple[list[str], list[str], str]:
    """What `make run HOST= PORT=` runs once installed, from `make -n` (which only prints):
    the setup command, the serving command and what it tells the user."""
    venv = Path(sys.executable).parent.parent
    output = subprocess.run(
        [MAKE, "--no-print-directory", "-n", "run", f"VENV={venv}", f"HOST={host}", f"PORT={port}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in output.splitlines() if "pip install" not in line]
    (setup,) = [line for line in lines if line.endswith("/tracker setup")]
    serve = lines[-1]
    assert "gunicorn" in serve and "--config python:tracker.gunicorn_conf" in serve, serve
    return shlex.split(setup), shlex.split(serve), output


def test_make_run_serves_with_gunicorn_and_logs_each_login_with_its_time(tmp_path):
    """`make run` serves through gunicorn, not Flask's development server, and the app's
    log lines (a login on tracker.auth) reach the terminal with a time stamp."""
    if MAKE is None:
        reason = "the make run test needs make (Debian: apt-get install make)"
        if REQUIRE_ALL:
            pytest.fail(f"TRACKER_TEST_REQUIRE_ALL=1: {reason}")
        pytest.skip(reason)
    host, port = "127.0.0.1", _free_port()
    setup, serve, printed = make_run_commands(host, port)
    assert "tracker users set-password admin" in printed  # how to reset, on every run
    assert f"http://{host}:{port}/api/v1/docs" in printed  # where programs start
    # The make run of someone who installed nothing else: an instance folder of its own.
    environment = _server_environment(
        TRACKER_INSTANCE_PATH=str(tmp_path / "instance"), TRACKER_WORKERS="2"
    )

    first = subprocess.run(setup, env=environment, capture_output=True, text=True, check=True)
    password = re.search(r"password: (\S+)", first.stdout).group(1)  # shown once
    again = subprocess.run(setup, env=environment, capture_output=True, text=True, check=True)
    assert "password:" not in again.stdout

    settings = {}
    while "=" in serve[0]:  # VAR=value words before the command, as the shell reads them
        name, value = serve.pop(0).split("=", 1)
        settings[name] = value
    assert serve.pop(0) == "exec"
    assert settings == {"TRACKER_BIND": f"{host}:{port}"}
    log = tmp_path / "make-run.log"
    with gunicorn(serve, environment | settings, f"{host}:{port}", log, tmp_path):
        session = load.Session(host, port, None)
        session.log_in("admin", password)
        assert session.request("page", "GET", "/").status == 200  # logged in
        assert session.request("page", "GET", "/api/v1/docs").status == 200  # as printed
        session.close()

    output = log.read_text()
    assert "Starting gunicorn" in output
    assert "development server" not in output.lower(), output
    assert TIMED_LOGIN_LINE.search(output), output


def test_the_development_server_logs_each_login_with_its_time(tmp_path):
    """`tracker run`, the command line, configures no logging of its own: the app prints its
    log lines (a login on tracker.auth) with a time stamp there too."""
    tracker = GUNICORN.with_name("tracker")
    environment = _server_environment(TRACKER_INSTANCE_PATH=str(tmp_path / "instance"))
    first = subprocess.run(
        [str(tracker), "setup", "--no-demo"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    password = re.search(r"password: (\S+)", first.stdout).group(1)
    host, port = "127.0.0.1", _free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [str(tracker), "run", "--host", host, "--port", str(port)],
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            give_up = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection((host, port), timeout=1).close()
                    break
                except OSError:
                    if server.poll() is not None or time.monotonic() > give_up:
                        pytest.fail(f"tracker run did not start:\n{log_path.read_text()}")
                    time.sleep(0.2)
            session = load.Session(host, port, None)
            session.log_in("admin", password)
            session.close()
        finally:
            _stop(server)
    assert TIMED_LOGIN_LINE.search(log_path.read_text()), log_path.read_text()


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
