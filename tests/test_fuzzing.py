"""Hostile input: generated values in every form, query parameter and URL argument.

Nothing here is hand-picked: POST routes come from the URL map and their fields from the page
that shows each form; query parameters are the names each page reads from ``request.args``,
recorded while it is served. Whatever is sent, the app answers below 500; a submission that is
refused leaves the database exactly as it was, and a GET never writes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from flask import Request, url_for
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect

from tests.helpers import db_snapshot, log_in, make_test_app, snapshot_difference
from tests.test_permissions import OTHER_ARGUMENTS, seed_world, url_for_case
from tracker.accounts import tokens
from tracker.extensions import db
from tracker.models import Role

# Reproducible in CI: the same examples every run, no example database left behind.
BASE_SETTINGS = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Routes without fields, and pages that read no query parameter, get fewer examples: only
# stray keys can vary.
FEW_EXAMPLES = 2

STATIC = {"static", "bootstrap.static"}  # files served by Werkzeug's safe_join, no input
# POST routes not fuzzed, with the reason.
NOT_FUZZED = {"accounts.logout": "takes no input, and would end the session under test"}
# Pages a logged-in user is sent away from: their form is fuzzed without logging in.
ANONYMOUS = {"accounts.login"}


def _routes() -> list[tuple[str, frozenset[str], frozenset[str]]]:
    """(endpoint, methods, URL arguments) of every rule, from an app that opens no database."""
    app = make_test_app("sqlite://")
    return sorted(
        (rule.endpoint, frozenset(rule.methods), frozenset(rule.arguments))
        for rule in app.url_map.iter_rules()
    )


ROUTES = _routes()
METHODS = {endpoint: methods for endpoint, methods, _ in ROUTES}
# The JSON API's changes take JSON, not forms: tested in tests/api.
NOT_FUZZED |= {
    endpoint: "the JSON API takes JSON, not forms (tests/api)"
    for endpoint, methods in METHODS.items()
    if endpoint.startswith("api_") and "POST" in methods
}
POST_ENDPOINTS = sorted(
    e for e, methods in METHODS.items() if "POST" in methods and e not in NOT_FUZZED.keys() | STATIC
)
GET_ENDPOINTS = sorted(e for e, methods in METHODS.items() if "GET" in methods and e not in STATIC)


# --- Values -------------------------------------------------------------------------------

SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m\x7f",
    "\r\n\t",
    "\u202egnp.exe",
    "\ufeff",
    "é",
    "😀",
    "<script>alert(1)</script>",
    "' OR '1'='1",
    "'; DROP TABLE agreement;--",
    "%_\\",
    "{{7*7}}",
    "None",
    "null",
    "NaN",
    "-1",
    "0",
    "1.5",
    " 7 ",
    "²",  # a digit to str.isdigit(), not to int()
    "١",  # an Arabic-Indic one, which int() accepts
    str(2**31),
    str(2**63),
    "9" * 40,
    "1e309",
]
BAD_DATES = [
    "2024-02-30",
    "2024-13-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "2024-1-1",
    "1/2/2024",
    "today",
]
BAD_TIMES = ["24:00", "23:60", "-01:00", "12:00:00", "1200", "noon", "99:99"]
# Names with a meaning to Flask's url_for, which templates call with the query arguments.
RESERVED_NAMES = ["_scheme", "_external", "_anchor", "_method", "endpoint", "values", "next"]


def text_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SPECIAL_TEXT),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.sampled_from([41, 201, 301, 501, 5_001, 20_001, 100_000]).map(lambda n: "ü" * n),
    )


def date_values() -> st.SearchStrategy[str]:
    return st.one_of(st.dates().map(date.isoformat), st.sampled_from(BAD_DATES), text_values())


def time_values() -> st.SearchStrategy[str]:
    return st.one_of(
        st.times().map(lambda t: t.strftime("%H:%M")), st.sampled_from(BAD_TIMES), text_values()
    )


# --- Forms, as a browser sees them --------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    """The nth option of a select, resolved against the form of the moment (ids vary)."""

    index: int


@dataclass
class Field:
    name: str
    kind: str  # text, hidden, date, time, select, multiple, checkbox
    default: list[str] = field(default_factory=list)  # what an untouched form sends
    options: list[str] = field(default_factory=list)
    maxlength: int | None = None

    def values(self) -> st.SearchStrategy[str | Pick]:
        if self.kind == "date":
            return date_values()
        if self.kind == "time":
            return time_values()
        if self.kind in ("select", "multiple", "checkbox") and self.options:
            return st.one_of(st.integers(0, 1000).map(Pick), text_values())
        return text_values()

    def resolve(self, value: str | Pick) -> str:
        if isinstance(value, Pick):
            return self.options[value.index % len(self.options)] if self.options else ""
        return value


@dataclass
class Form:
    action: str
    fields: list[Field] = field(default_factory=list)


INPUT_KINDS = {
    "date": "date",
    "time": "time",
    "hidden": "hidden",
    "checkbox": "checkbox",
    "radio": "checkbox",
}


class _FormParser(HTMLParser):
    """The POST forms of a page, with each field's kind, options and untouched value."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            post = (attrs.get("method") or "get").lower() == "post"
            self._form = Form(attrs.get("action") or "") if post else None
            if self._form:
                self.forms.append(self._form)
        if self._form is None:
            return
        name = attrs.get("name")
        maxlength = int(attrs["maxlength"]) if attrs.get("maxlength") else None
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            checkable = kind in ("checkbox", "radio")
            value = attrs.get("value") or ("y" if checkable else "")
            existing = next((f for f in self._form.fields if f.name == name), None)
            target = existing or Field(name, INPUT_KINDS.get(kind, "text"), maxlength=maxlength)
            if existing is None:
                self._form.fields.append(target)
            if checkable:
                target.options.append(value)
            if not checkable or "checked" in attrs:
                target.default.append(value)
        elif tag == "select" and name:
            self._select = Field(name, "multiple" if "multiple" in attrs else "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            self._select.options.append(value)
            if "selected" in attrs:
                self._select.default.append(value)
        elif tag == "textarea" and name:
            self._textarea = Field(name, "text", [""], maxlength=maxlength)
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            if self._select.kind == "select" and not self._select.default:
                self._select.default = self._select.options[:1]
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            if not self._textarea.default[0]:
                data = data.removeprefix("\n")  # as a browser does after <textarea>
            self._textarea.default[0] += data


def forms_on(page_url: str, html: str) -> dict[str, Form]:
    """The page's POST forms by the path they submit to."""
    parser = _FormParser()
    parser.feed(html)
    return {urlsplit(urljoin(page_url, form.action)).path: form for form in parser.forms}


# A choice is (field number, how, value); field number -1 is a stray key named by ``how``.
Choice = tuple[int, str, "str | Pick"]


@st.composite
def submissions(draw, fields: list[Field]) -> list[Choice]:
    """Each field kept as a browser sends it, changed, left out or sent twice; and stray keys.

    Drawn as choices rather than form data so that the same draws replay on a fresh copy of the
    records, whose ids differ (:func:`resolve` makes the form data). Shrinks towards the
    untouched form, so a failing example shows only what was changed.
    """
    choices: list[Choice] = []
    for number, f in enumerate(fields):
        how = draw(st.sampled_from(["keep", "change", "omit", "twice"]), label=f.name)
        if how == "change":
            choices.append((number, how, draw(f.values(), label=f.name)))
        elif how == "twice":
            choices += [(number, how, draw(f.values())), (number, how, draw(f.values()))]
        elif how == "keep":
            choices.append((number, how, ""))
    stray_names = st.one_of(st.sampled_from(RESERVED_NAMES), st.text(min_size=1, max_size=12))
    for name, value in draw(st.lists(st.tuples(stray_names, text_values()), max_size=2)):
        choices.append((-1, name, value))
    return choices


def sweeps(fields: list[Field]) -> list[list[Choice]]:
    """Explicit examples: the untouched form with every field of some kinds set to a hostile
    value, so that values the form accepts reach the services and the database."""

    def every(**values) -> list[Choice]:
        return [
            (n, "change", values[f.kind](f)) if f.kind in values else (n, "keep", "")
            for n, f in enumerate(fields)
        ]

    return [
        every(text=lambda f: "a\x00b"),  # PostgreSQL refuses NUL in text
        every(text=lambda f: "ü" * (f.maxlength or 100_000)),  # as long as the form allows
        every(text=lambda f: "\x07\x1b[0m\u202e😀 '\"<b>{{7*7}}"),
        every(date=lambda f: "0001-01-01", time=lambda f: "00:00"),
        every(date=lambda f: "9999-12-31", time=lambda f: "23:59"),
        every(select=lambda f: str(2**63), multiple=lambda f: str(2**63)),
        every(select=lambda f: "²", multiple=lambda f: "²", hidden=lambda f: "²"),
    ]


def resolve(choices: list[Choice], fields: list[Field]) -> list[tuple[str, str]]:
    """The form data for ``choices``, against the fields of the form of the moment."""
    pairs = []
    for number, how, value in choices:
        if number < 0:
            pairs.append((how, value))
        elif how == "keep":
            pairs += [(fields[number].name, default) for default in fields[number].default]
        else:
            pairs.append((fields[number].name, fields[number].resolve(value)))
    return pairs


# --- Which page shows which form ----------------------------------------------------------

# POST-only endpoint -> GET endpoint whose page carries its form ("" if none does), found once
# by visiting every page.
_FORM_PAGES: dict[str, str] = {}


def _post_endpoint(app, path: str) -> str | None:
    try:
        endpoint, _ = app.url_map.bind("localhost").match(path, method="POST")
    except (HTTPException, RequestRedirect):
        return None
    return endpoint


def _forms_of(app, client, page: str, ids: dict[str, int]) -> dict[str, Form]:
    url = url_for_case(app, page, ids)
    response = client.get(url)
    if response.mimetype != "text/html":
        return {}
    return forms_on(url, response.get_data(as_text=True))


def _map_form_pages(app, client, ids: dict[str, int]) -> None:
    for page in GET_ENDPOINTS:
        if page not in ANONYMOUS:
            for path in _forms_of(app, client, page, ids):
                target = _post_endpoint(app, path)
                if target:
                    _FORM_PAGES.setdefault(target, page)
    for endpoint in POST_ENDPOINTS:
        _FORM_PAGES.setdefault(endpoint, "")


def form_for(app, client, endpoint: str, ids: dict[str, int]) -> tuple[str, list[Field]]:
    """The URL ``endpoint`` answers at for these records, and the fields of its form.

    A route with a page of its own has its form there; a POST-only route's form is looked for
    on every page. One that no page shows (restore: its button is only on archived records)
    gets no fields, and is still sent stray keys.
    """
    url = url_for_case(app, endpoint, ids)
    path = urlsplit(url).path
    if endpoint in ANONYMOUS:
        page = app.test_client().get(url).get_data(as_text=True)
        return url, forms_on(url, page)[path].fields
    if "GET" in METHODS[endpoint]:
        source = endpoint
    else:
        if endpoint not in _FORM_PAGES:
            _map_form_pages(app, client, ids)
        source = _FORM_PAGES[endpoint]
    form = _forms_of(app, client, source, ids).get(path) if source else None
    if form is None:  # or not offered for these records: a party in use cannot be deleted
        return url, []
    # CSRF is off in these tests (tests/test_security.py checks it); its token is no input.
    return url, [f for f in form.fields if f.name != "csrf_token"]


def log_in_admin(client, make_user) -> None:
    """Log ``client`` in as an admin, and give its requests the admin's API token (the API
    takes no session; pages take no token)."""
    admin = make_user("fuzz.admin", role=Role.ADMIN)
    admin.security_officer = True  # the access log's pages and API too
    db.session.commit()
    assert log_in(client, "fuzz.admin").status_code == 302
    _, secret = tokens.create_token(admin, "fuzzing")
    db.session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {secret}"


def fresh_records(n: int) -> dict[str, int]:
    """A new set of records (tests/test_permissions.py), with their ids by URL argument."""
    ids = seed_world(n)
    # End the test session's read transaction: on SQLite it pins an old snapshot of the file,
    # from which it cannot write the next set of records once a request has written.
    db.session.close()
    return ids


def saved(response) -> bool:
    """A 302/303 after a save (a redirect to the login page is not one), or a 201 page that
    shows what was made and can be shown only once (a new API token's secret)."""
    location = urlsplit(response.headers.get("Location", "")).path
    return response.status_code == 201 or (
        response.status_code in (302, 303) and location != "/login"
    )


def describe(pairs) -> str:
    return ", ".join(f"{name}={value[:60]!r}{'…' * (len(value) > 60)}" for name, value in pairs)


# --- Forms --------------------------------------------------------------------------------


def failure(endpoint: str, error: Exception) -> str:
    """One line per failing route, with Hypothesis's falsifying example."""
    notes = "".join(f"\n    {note}" for note in getattr(error, "__notes__", []))
    return f"{endpoint}: {type(error).__name__}: {error}{notes}"


def fuzz_form(app, client, endpoint: str, worlds) -> None:
    """Submit generated data to ``endpoint``'s form, on records of its own."""
    ids = fresh_records(next(worlds))
    url, fields = form_for(app, client, endpoint, ids)
    # ``before`` is the database as the last refused example left it: the same, or it failed.
    state = {"ids": ids, "url": url, "fields": fields, "stale": False, "before": None}

    def refresh() -> None:
        """The form again after a save; on new records if those saved are gone or reshaped."""
        state["url"], state["fields"] = form_for(app, client, endpoint, state["ids"])
        if len(state["fields"]) != len(fields):
            state["ids"] = fresh_records(next(worlds))
            state["url"], state["fields"] = form_for(app, client, endpoint, state["ids"])
            assert len(state["fields"]) == len(fields), f"{endpoint}: the form changed shape"
        state["stale"] = False

    @settings(BASE_SETTINGS, max_examples=BASE_SETTINGS.max_examples if fields else FEW_EXAMPLES)
    @given(choices=submissions(fields))
    def check(choices):
        if state["stale"]:
            refresh()
        pairs = resolve(choices, state["fields"])
        before = state["before"] or db_snapshot(db.engine)
        response = client.post(state["url"], data=MultiDict(pairs))
        assert response.status_code < 500, f"POST {state['url']} {describe(pairs)}"
        if saved(response):
            state.update(stale=True, before=None)
            # What was accepted must show: the page the save leads to (a 201 is that page).
            if response.status_code != 201:
                shown = client.get(response.headers["Location"])
                assert shown.status_code < 500, f"after POST {state['url']} {describe(pairs)}"
            return
        state["before"] = db_snapshot(db.engine)
        changed = snapshot_difference(before, state["before"])
        assert not changed, (
            f"POST {state['url']} was refused ({response.status_code}) but wrote: {changed}"
        )

    for choices in sweeps(fields) if fields else []:
        check = example(choices=choices)(check)
    check()


def test_generated_form_input_never_fails_and_refusals_write_nothing(app, client, make_user):
    """Every POST route in turn, in one app (building an app per route costs more than its
    examples), as an admin so that every form is open; failures are collected."""
    log_in_admin(client, make_user)
    anonymous = app.test_client()
    worlds = itertools.count(1)
    failures = []
    for endpoint in POST_ENDPOINTS:
        try:
            fuzz_form(app, anonymous if endpoint in ANONYMOUS else client, endpoint, worlds)
        except Exception as error:  # noqa: BLE001  (reported with the other routes')
            failures.append(failure(endpoint, error))
    assert not failures, "\n".join(failures)


def test_every_post_route_is_fuzzed_or_excused():
    """A route left out of the fuzzing says why; an excuse for a route that is gone is stale."""
    post_routes = {e for e, methods in METHODS.items() if "POST" in methods}
    assert NOT_FUZZED.keys() <= post_routes, f"stale: {NOT_FUZZED.keys() - post_routes}"
    assert set(POST_ENDPOINTS) == post_routes - NOT_FUZZED.keys() - STATIC


# --- Query strings ------------------------------------------------------------------------


def recording_request_class(seen: set[str]) -> type[Request]:
    """A request class whose ``args`` note every name a view or template asks for."""

    class RecordingArgs(ImmutableMultiDict):
        def __getitem__(self, key):
            seen.add(key)
            return super().__getitem__(key)

        def __contains__(self, key):
            seen.add(key)
            return super().__contains__(key)

        def get(self, key, default=None, type=None):  # noqa: A002  (MultiDict's signature)
            seen.add(key)
            return super().get(key, default, type)

        def getlist(self, key, type=None):  # noqa: A002
            seen.add(key)
            return super().getlist(key, type)

    class RecordingRequest(Request):
        parameter_storage_class = RecordingArgs

    return RecordingRequest


@st.composite
def query_strings(draw, names: list[str]) -> str:
    """A raw query string over ``names`` (repeated, valueless, stray, or invalid UTF-8)."""
    name = st.sampled_from(RESERVED_NAMES)
    if names:
        name = st.one_of(st.sampled_from(names), name)
    value = st.one_of(
        text_values().map(lambda text: quote(text, safe="")),
        st.binary(max_size=6).map(lambda raw: quote(raw, safe="")),  # not always UTF-8
    )
    parts = draw(st.lists(st.tuples(name, value), max_size=6))
    return "&".join(f"{quote(k, safe='')}={v}" for k, v in parts)


def fuzz_query(client, url: str, seen: set[str]) -> None:
    """GET ``url`` with generated query strings over the parameters it reads."""
    seen.clear()
    assert client.get(url).status_code < 400
    names = sorted(seen)

    @settings(BASE_SETTINGS, max_examples=BASE_SETTINGS.max_examples if names else FEW_EXAMPLES)
    @given(query=query_strings(names))
    def check(query):
        response = client.get(url, query_string=query)
        assert response.status_code < 500, f"GET {url}?{query} (reads {names})"

    # Every parameter at once set to a value that is no id, no date, or no text at all.
    for value in ("%00", str(2**63), "-1", "%C2%B2", "0001-01-01", "9999-12-31", "%ff"):
        if names:
            check = example(query="&".join(f"{name}={value}" for name in names))(check)
    check()


def test_generated_query_strings_never_fail_or_write(app, client, make_user):
    """Every GET route in turn, in one app; failures are collected."""
    app.config["PAGE_SIZE"] = 1  # every list paginates, so its links carry the arguments
    log_in_admin(client, make_user)
    anonymous = app.test_client()
    ids = fresh_records(1)
    fresh_records(2)
    seen: set[str] = set()
    app.request_class = recording_request_class(seen)
    before = db_snapshot(db.engine)
    failures = []
    for endpoint in GET_ENDPOINTS:
        url = url_for_case(app, endpoint, ids)
        try:
            fuzz_query(anonymous if endpoint in ANONYMOUS else client, url, seen)
        except Exception as error:  # noqa: BLE001  (reported with the other routes')
            failures.append(failure(endpoint, error))
    assert not failures, "\n".join(failures)
    assert snapshot_difference(before, db_snapshot(db.engine)) == [], "a GET wrote"


# --- URL arguments ------------------------------------------------------------------------

OUT_OF_RANGE_IDS = (0, -1, 2**31, 2**63 - 1, 2**63, 10**30)


def test_ids_out_of_range_in_urls_are_not_found(app, client, make_user):
    """Zero, negative and huge ids name no record: 404 for every route and method."""
    log_in_admin(client, make_user)
    ids = fresh_records(1)
    problems = []
    for endpoint, methods, arguments in ROUTES:
        for argument in sorted(arguments & ids.keys()):
            for value in OUT_OF_RANGE_IDS:
                values = {name: ids[name] for name in arguments if name in ids}
                values.update({argument: value}, **OTHER_ARGUMENTS.get(endpoint, {}))
                with app.test_request_context():
                    url = url_for(endpoint, **values)
                for method in sorted(methods - {"HEAD", "OPTIONS"}):
                    status = client.open(url, method=method).status_code
                    if status != 404:
                        problems.append(f"{method} {url}: {status}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("record_type", ["nothing", "Agreement", "agreement\x00", "user.."])
def test_unknown_record_types_in_history_urls_are_not_found(app, client, make_user, record_type):
    log_in_admin(client, make_user)
    ids = fresh_records(1)
    response = client.get(f"/history/{quote(record_type)}/{ids['agreement_id']}")
    assert response.status_code == 404
