"""The leak test (issue 14): nothing above a user's access reaches them, in any byte.

For each demo account (and the admin, whom being an admin grants no reading rights), on the
demo world as ``tracker setup`` makes it: a user crawls every page reachable from the
navigation and from the links in pages (every same-site link, within a bound per kind of
page), every kind of page and download by its URL (reports in every format, CSVs, calendars),
every GET answer of the API (its lists page by page, and every API URL its answers name),
searches for the distinctive words of the records they may not see, and asks for those
records' own URLs (the error pages). No distinctive text of a record above their access may
appear in any answer, and the counts lists and summaries show are those of what they see.

What is above a user's access is computed from the database: every marked record, and
whether ``access.for_user`` lets the user read its marking and (for a need-to-know agreement
and everything under it) its agreement. Nothing here is a hand-written list of secrets.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from pypdf import PdfReader
from werkzeug.http import HTTP_STATUS_CODES

from tests.helpers import log_in
from tracker.accounts import tokens
from tracker.data import access, markings
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    Alternative,
    InternalNote,
    Meeting,
    NegotiatingText,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
    ProvisionRevision,
    Revision,
    Segment,
    StatusChange,
    TextNote,
    User,
)

ACCOUNTS = ["admin", "demo.viewer", "demo.editor", "demo.analyst", "demo.lead", "demo.security"]
# A printed password: the admin's line, and a line of the demo accounts' table.
ADMIN_LINE = re.compile(r"username: admin\s+password: (\S+)")
ACCOUNT_LINE = re.compile(r"^\s+(demo\.\S+)\s+(\S+)\s+(?:viewer|editor|admin)\s", re.MULTILINE)

# The bounds of the crawl: URLs per kind of page (endpoint), and in all. On PostgreSQL the
# crawl takes fewer of each kind (see the test's docstring).
PER_ENDPOINT = 6
PER_ENDPOINT_POSTGRESQL = 2
TOTAL = 600
# Not data: the app's own CSS and Bootstrap's files.
NOT_DATA = {"static", "bootstrap.static"}
# Answers a crawl must not take: leaving ends the session.
LEAVING = {"accounts.logout"}

# How each ``<int:...>`` URL argument names a kind of record.
ID_KINDS = {
    "agreement_id": Agreement,
    "meeting_id": Meeting,
    "party_id": Party,
    "person_id": Person,
    "point_id": NegotiationPoint,
    "action_id": ActionItem,
    "user_id": User,
    "text_id": NegotiatingText,
    "revision_id": Revision,
    "provision_revision_id": ProvisionRevision,
    "provision_id": ProvisionRevision,  # the API's name for it
    "segment_id": Segment,
    "internal_note_id": InternalNote,
    "note_id": InternalNote,  # the API's name
}
# The audit history's record types, by kind.
RECORD_TYPES = {
    "agreement": Agreement,
    "meeting": Meeting,
    "party": Party,
    "person": Person,
    "point": NegotiationPoint,
    "action": ActionItem,
    "user": User,
}
# What each marked kind says that a reader could learn from.
TEXTS = {
    Agreement: ("title", "short_name", "summary"),
    StatusChange: ("note",),
    Meeting: ("title", "summary", "setting"),
    AgendaItem: ("outcome",),
    NegotiationPoint: ("subject", "details"),
    PartyPosition: ("position",),
    ActionItem: ("description",),
    NegotiatingText: ("title",),
    Revision: ("label", "note"),
    ProvisionRevision: ("heading",),
    Segment: ("text",),
    Alternative: ("wording",),
    TextNote: ("body",),
    InternalNote: ("body",),
}
# Words of what every page says (the app's templates and code, the marking names): never
# taken as a record's distinctive word.
TRACKER = Path(__file__).resolve().parent.parent / "tracker"
WORD = re.compile(r"[^\W\d_][\w'’-]{4,}[^\W_]", re.UNICODE)


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text or "")}


def _chrome_words() -> set[str]:
    words: set[str] = set()
    for path in [*TRACKER.rglob("*.html"), *TRACKER.rglob("*.py")]:
        words |= _words(path.read_text(encoding="utf-8"))
    # Besides the templates: the marking names, HTTP's status texts on error pages, and the
    # time zones a meeting form offers ("US/Eastern").
    for name in (
        *markings.levels(),
        *markings.caveats(),
        *HTTP_STATUS_CODES.values(),
        *zoneinfo.available_timezones(),
    ):
        words |= _words(name.replace("_", " "))
    return words


# -- What the user may not see, from the database ----------------------------------------


@dataclass
class Hidden:
    """The records above one user's access, and how to recognise any of their text."""

    records: list[tuple[str, int | tuple, str]] = field(default_factory=list)  # kind, id, text
    ids: dict[type, set] = field(default_factory=lambda: defaultdict(set))
    visible: dict[type, set] = field(default_factory=lambda: defaultdict(set))
    # Distinctive words (lower case) and whole texts, each with the record it gives away.
    words: dict[str, str] = field(default_factory=dict)
    phrases: dict[str, str] = field(default_factory=dict)
    visible_text: str = ""


def _key(record):
    identity = sa.inspect(record).identity
    return identity[0] if len(identity) == 1 else identity


def hidden_from(session, user: User) -> Hidden:
    """Every marked record ``user`` may not see: by ``access.for_user``'s markings and lists."""
    seen = access.for_user(session, user)
    readable = seen.markings or frozenset()

    def agreement_seen(agreement: Agreement) -> bool:
        return agreement.marking_id in readable and (
            not agreement.need_to_know or agreement.id in seen.agreements
        )

    def point_seen(point: NegotiationPoint) -> bool:
        return point.marking_id in readable and agreement_seen(point.agreement)

    def text_seen(text: NegotiatingText) -> bool:
        return text.marking_id in readable and agreement_seen(text.agreement)

    def revision_seen(revision: Revision) -> bool:
        return revision.marking_id in readable and text_seen(revision.text)

    def alternative_seen(alternative: Alternative) -> bool:
        return alternative.marking_id in readable and revision_seen(
            alternative.segment.provision.revision
        )

    rules = {
        Agreement: agreement_seen,
        Meeting: lambda m: m.marking_id in readable,
        StatusChange: lambda c: c.marking_id in readable and agreement_seen(c.agreement),
        NegotiationPoint: point_seen,
        ActionItem: lambda a: a.marking_id in readable and agreement_seen(a.agreement),
        AgendaItem: lambda i: (
            i.marking_id in readable
            and agreement_seen(i.agreement)
            and i.meeting.marking_id in readable
        ),
        PartyPosition: lambda p: p.marking_id in readable and point_seen(p.point),
        NegotiatingText: text_seen,
        Revision: revision_seen,
        ProvisionRevision: lambda r: revision_seen(r.revision),
        Segment: lambda s: revision_seen(s.provision.revision),
        Alternative: alternative_seen,
        TextNote: lambda n: (
            n.marking_id in readable
            and revision_seen(n.provision.revision)
            and (n.alternative is None or alternative_seen(n.alternative))
        ),
        InternalNote: lambda n: (
            n.marking_id in readable and text_seen(session.get(NegotiatingText, n.text_id))
        ),
    }
    found = Hidden()
    visible_texts = []
    for kind, rule in rules.items():
        for record in session.scalars(sa.select(kind)):
            texts = [getattr(record, name) or "" for name in TEXTS[kind]]
            key = _key(record)
            if rule(record):
                found.visible[kind].add(key)
                visible_texts += texts
            else:
                found.ids[kind].add(key)
                found.records += [(kind.__name__, key, text) for text in texts if text]
    for kind in (Party, Person, User):
        for record in session.scalars(sa.select(kind)):
            found.visible[kind].add(record.id)
            visible_texts += [str(v) for v in vars(record).values() if isinstance(v, str)]
    found.visible_text = "\n".join(visible_texts).lower()

    common = _words(found.visible_text) | _chrome_words()
    for kind, key, text in found.records:
        label = f"{kind} {key}: {text[:60]!r}"
        for word in _words(text) - common:
            found.words.setdefault(word, label)
        # A whole text is distinctive when no visible text holds it.
        flat = " ".join(text.split()).lower()
        if len(flat) >= 12 and flat not in found.visible_text:
            found.phrases.setdefault(flat, label)
    return found


# -- Reading every byte of an answer -------------------------------------------------------


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return [str(value)]


def readings(response) -> list[str]:
    """The answer as a reader may read it: its bytes as text, unescaped, without tags, its
    JSON's strings, its calendar unfolded, its PDF's text."""
    body = response.get_data()
    raw = body.decode("utf-8", errors="replace")
    texts = [raw, html.unescape(raw), re.sub(r"<[^>]*>", " ", html.unescape(raw))]
    kind = response.mimetype or ""
    if "json" in kind:
        texts.append("\n".join(_strings(json.loads(body))))
    if kind == "text/calendar":
        unfolded = re.sub(r"\r?\n[ \t]", "", raw)
        texts.append(re.sub(r"\\([,;\\])", r"\1", unfolded).replace("\\n", "\n"))
    if kind == "application/pdf":
        reader = PdfReader(io.BytesIO(body))
        texts.append("\n".join(page.extract_text() or "" for page in reader.pages))
        texts.append("\n".join(str(v) for v in (reader.metadata or {}).values()))
    if kind.endswith("wordprocessingml.document"):  # every part of the Word file, as text
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                xml = archive.read(name).decode("utf-8", errors="replace")
                paragraphs = re.sub(r"</w:p>|<w:br/>|<w:tab/>", "\n", xml)
                texts += [xml, re.sub(r"<[^>]*>", "", html.unescape(paragraphs))]
    for name, value in response.headers.items():
        texts.append(f"{name}: {value}")
    return texts


def leaks(response, hidden: Hidden, asked: str = "") -> list[str]:
    """What of ``hidden`` the answer gives away, one line each; ``asked``: the word the user
    searched for, which the page may say back to them."""
    found = set()
    for text in readings(response):
        lower = text.lower()
        flat = " ".join(lower.split())
        for word, label in hidden.words.items():
            if word in asked:
                continue
            if word in lower and re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lower):
                found.add(f"word {word!r} of {label}")
        for phrase, label in hidden.phrases.items():
            if phrase in flat:
                found.add(f"text of {label}")
    return sorted(found)


# -- The crawl ---------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in {"href", "src"} and value:
                self.found.append(value)


def links_in(response) -> list[str]:
    if response.mimetype != "text/html":
        return []
    parser = Links()
    parser.feed(response.get_data(as_text=True))
    return parser.found


def api_links_in(response) -> list[str]:
    if "json" not in (response.mimetype or ""):
        return []
    return [s for s in _strings(response.get_json()) if "/api/v1/" in s]


def same_site(link: str) -> str | None:
    parts = urlsplit(link)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "localhost"}:
        return None
    if not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Crawl:
    app: object
    client: object
    hidden: Hidden
    per_kind_bound: int = PER_ENDPOINT
    headers: dict = field(default_factory=dict)
    seen: set = field(default_factory=set)
    per_endpoint: Counter = field(default_factory=Counter)
    per_kind: Counter = field(default_factory=Counter)
    statuses: dict = field(default_factory=lambda: defaultdict(Counter))
    problems: list = field(default_factory=list)
    answers: dict = field(default_factory=dict)

    def endpoint(self, url: str) -> tuple[str | None, str | None]:
        """The endpoint ``url`` goes to, and its kind of page for the bound: a record's
        history and a report's format are each a kind of their own."""
        adapter = self.app.url_map.bind("localhost")
        try:
            endpoint, args = adapter.match(urlsplit(url).path, method="GET")
        except Exception:  # noqa: BLE001  (a 404 or 405 of the routing: still fetched once)
            return None, None
        kind = "/".join(str(args[k]) for k in ("record_type", "fmt") if k in args)
        return endpoint, f"{endpoint}:{kind}"

    def get(
        self, url: str, *, expect: set[int] | None = None, force: bool = False, asked: str = ""
    ):
        """Fetch ``url`` (once), check it, and return the answer (None when skipped)."""
        if url in self.seen:
            return self.answers.get(url)
        endpoint, kind = self.endpoint(url)
        if endpoint in NOT_DATA or endpoint in LEAVING:
            return None
        if not force and (self.per_kind[kind] >= self.per_kind_bound or len(self.seen) >= TOTAL):
            return None
        self.seen.add(url)
        self.per_endpoint[endpoint] += 1
        self.per_kind[kind] += 1
        try:
            response = self.client.get(url, headers=self.headers)
        except Exception as error:  # noqa: BLE001  (a streamed body failing: no 500 to see)
            self.problems.append(f"{url} raised {type(error).__name__}: {str(error)[:160]}")
            return None
        self.statuses[endpoint][response.status_code] += 1
        if response.status_code >= 500:
            self.problems.append(f"{url} ({response.status_code})")
        if expect is not None and response.status_code not in expect:
            self.problems.append(f"{url} ({response.status_code}), not {sorted(expect)}")
        for leak in leaks(response, self.hidden, asked):
            self.problems.append(f"{url} ({response.status_code}): {leak}")
        self.answers[url] = response
        return response

    def follow(self, start: list[str], links=links_in) -> None:
        queue = list(start)
        while queue:
            url = queue.pop(0)
            response = self.get(url)
            if response is None or response.status_code != 200:
                continue
            for link in links(response):
                target = same_site(link)
                if target and target not in self.seen:
                    queue.append(target)


def _rules(app, *, api: bool):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in NOT_DATA | LEAVING:
            continue
        if rule.rule.startswith("/api/") == api:
            yield rule


def _fillings(rule, ids: dict[type, set]) -> list[dict]:
    """Every way to fill ``rule``'s arguments with the records in ``ids``."""
    options: list[dict] = [{}]
    for name in rule.arguments:
        if name in ID_KINDS:
            values = [{name: i} for i in sorted(ids.get(ID_KINDS[name], ()))]
        elif name == "record_type":
            values = [
                {"record_type": t, "record_id": i}
                for t, kind in RECORD_TYPES.items()
                for i in sorted(ids.get(kind, ()))
            ]
        elif name == "record_id":
            continue
        elif name == "fmt":  # the formats this rule takes
            values = [{"fmt": f} for f in sorted(rule._converters["fmt"].items)]
        else:
            return []
        options = [{**o, **v} for o in options for v in values]
    return options


def urls_for(app, rule, ids) -> list[str]:
    with app.test_request_context():
        return [url_for(rule.endpoint, **args) for args in _fillings(rule, ids)]


# -- The test ----------------------------------------------------------------------------


@pytest.fixture
def demo_passwords(app, runner):
    """The demo world as ``make run`` makes it, and the passwords it printed."""
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    passwords = dict(ACCOUNT_LINE.findall(result.output))
    passwords["admin"] = ADMIN_LINE.search(result.output).group(1)
    assert sorted(passwords) == sorted(ACCOUNTS)
    return passwords


def _total(page: str, noun: str) -> int:
    """The count a list page shows (``No … match`` is none)."""
    if re.search(rf"No {noun}s (match|are recorded)", page):
        return 0
    found = re.search(rf"(\d+) {noun}s?\b", page)
    assert found, f"no count of {noun}s on the page"
    return int(found.group(1))


@pytest.mark.parametrize("username", ACCOUNTS)
def test_nothing_above_a_users_access_reaches_them(app, db, client, demo_passwords, username):
    """The crawl, the error pages, the searches, the API and the counts, on both databases.

    On SQLite it takes up to PER_ENDPOINT URLs of each kind of page; on PostgreSQL, where what
    is checked beyond SQLite is that the row-level security policies and PostgreSQL's own
    queries (full-text search, the lists' counts and cursors) let nothing through, it takes
    PER_ENDPOINT_POSTGRESQL of each kind (the first found, the same every run): every kind of
    page and API answer is still fetched, and every URL of what the user may not see, every
    search and every API list in full are asked for as on SQLite.
    """
    user = db.session.scalar(sa.select(User).where(User.username == username))
    hidden = hidden_from(db.session, user)
    if username == "demo.lead":
        assert not hidden.records  # on every list, cleared for everything: sees it all
    else:
        assert hidden.records and hidden.words, "the demo world hides something from them"
    _token, secret = tokens.create_token(user, "Leak test")
    db.session.commit()
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a failing page is a 500 answer, checked too
    assert log_in(client, username, demo_passwords[username]).status_code == 302

    bound = PER_ENDPOINT_POSTGRESQL if db.engine.dialect.name == "postgresql" else PER_ENDPOINT
    crawl = Crawl(app, client, hidden, per_kind_bound=bound)
    # Pages: the navigation, every kind of page and download for every record they may see,
    # then every link found.
    start = ["/", "/login"]
    for rule in _rules(app, api=False):
        start += urls_for(app, rule, hidden.visible)
    crawl.follow(start)

    # Error pages: the URLs of what they may not see (403: a page their role may not use).
    for rule in _rules(app, api=False):
        for url in urls_for(app, rule, hidden.ids) if rule.arguments else []:
            crawl.get(url, expect={403, 404}, force=True)

    # Search: the distinctive words of what they may not see, on every list that searches.
    words = sorted(hidden.words)[:: max(1, len(hidden.words) // 6)]
    for word in words:
        for path in ("/agreements/", "/meetings/", "/parties/", "/people/"):
            response = crawl.get(f"{path}?{urlencode({'q': word})}", force=True, asked=word)
            if path in {"/agreements/", "/meetings/"} and word[:5] not in hidden.visible_text:
                noun = path.strip("/")[:-1]
                assert _total(response.get_data(as_text=True), noun) == 0, (word, path)

    # The API, as a program of theirs: every list page by page, every URL its answers name.
    api = Crawl(
        app, client, hidden, per_kind_bound=bound, headers={"Authorization": f"Bearer {secret}"}
    )
    api.per_endpoint, api.per_kind = crawl.per_endpoint, crawl.per_kind  # one bound for both
    api.seen = crawl.seen
    starts = []
    for rule in _rules(app, api=True):
        for url in urls_for(app, rule, hidden.visible):
            starts.append(f"{url}?limit=2" if url.endswith("/") else url)
    listed: dict[str, list] = defaultdict(list)
    for url in starts:
        if url.endswith("?limit=2"):
            page = api.get(url, force=True)
            while page is not None and page.status_code == 200:
                listed[url].extend(page.get_json()["items"])
                cursor = page.get_json()["next"]
                page = (
                    api.get(f"{url}&{urlencode({'cursor': cursor})}", force=True)
                    if cursor
                    else None
                )
    api.follow(starts, links=api_links_in)
    for rule in _rules(app, api=True):
        for url in urls_for(app, rule, hidden.ids) if rule.arguments else []:
            api.get(url, expect={404}, force=True)
    for word in words:
        api.get(f"/api/v1/agreements/?{urlencode({'q': word})}", force=True, asked=word)

    problems = crawl.problems + api.problems

    # Counts: what lists and summaries total is what they see.
    agreements = hidden.visible[Agreement]
    meetings = hidden.visible[Meeting]
    counts = {
        "agreements list total": (
            _total(crawl.answers["/agreements/"].get_data(as_text=True), "agreement"),
            len(agreements),
        ),
        "meetings list total": (
            _total(crawl.answers["/meetings/"].get_data(as_text=True), "meeting"),
            len(meetings),
        ),
    }
    api_lists = {
        "/api/v1/agreements/?limit=2": agreements,
        "/api/v1/meetings/?limit=2": meetings,
        "/api/v1/points/?limit=2": hidden.visible[NegotiationPoint],
        "/api/v1/actions/?limit=2": hidden.visible[ActionItem],
    }
    for url, expected in api_lists.items():
        counts[url] = (len(listed[url]), len(expected))
    problems += [
        f"{name} (count) is {got}, not the {expected} they see"
        for name, (got, expected) in counts.items()
        if got != expected
    ]

    # Every kind of page and API answer was asked for.
    never = [
        rule.endpoint
        for rule in [*_rules(app, api=False), *_rules(app, api=True)]
        if _fillings(rule, hidden.visible) and not crawl.per_endpoint[rule.endpoint]
    ]
    assert not never, f"never fetched: {never}"

    assert not problems, _summary(username, problems)


def _summary(username: str, problems: list[str]) -> str:
    """The problems, a few per kind of answer, so each way in shows."""
    by_path: dict[str, list[str]] = defaultdict(list)
    for problem in problems:
        by_path[re.sub(r"/\d+", "/N", problem.split(" ", 1)[0].split("?")[0])].append(problem)
    lines = [f"{username} reached what is above their access ({len(problems)} findings):"]
    for path, found in sorted(by_path.items()):
        lines += [f"  {path}: {len(found)}", *(f"    {p}" for p in found[:3])]
    return "\n".join(lines)
