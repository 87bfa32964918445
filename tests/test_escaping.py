"""Hostile text in every text field comes back as inert text on every page and in every report.

Each text field of every model holds a payload with a script tag, quotes, an ``<img onerror>``,
an SQL fragment, a spreadsheet formula lead and a ``{{7*7}}`` template probe, tagged so that
each field can be told apart. Every HTML page (found by walking the URL map, as the validity
test does) and every report format then has to show those payloads as the text they are.
Report formats plug in through REPORTS: (endpoint, kind, URL values), one checker per kind.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from defusedxml import ElementTree
from flask import url_for
from icalendar import Calendar
from markdown_it import MarkdownIt
from pypdf import PdfReader

from tests.conftest import IsolatedClient
from tests.helpers import PASSWORD, log_in
from tests.test_html_validity import page_urls
from tracker.accounts.tokens import create_token
from tracker.audit.queries import RECORD_TYPES
from tracker.extensions import db
from tracker.models import (
    AccessGroup,
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    MeetingLevel,
    NegotiationPoint,
    Party,
    PartyKind,
    PartyPosition,
    Person,
    Role,
    User,
)
from tracker.models import text_document as doc
from tracker.texts import services as text_services

PROBE = "{{7*7}}"  # a template engine that evaluated stored text would print 49


def payload(tag: str, lead: str = "=") -> str:
    """The full payload; ``lead`` is a character a spreadsheet reads as the start of a formula."""
    return (
        f'{lead}cmd|"/c calc"!A1 <script>alert("{tag}")</script>\'"><img src=x '
        f"onerror=alert(1)>; DROP TABLE agreement;-- {PROBE}"
    )


def short_payload(tag: str, lead: str = "=") -> str:
    """For columns of 40 characters."""
    return f'{lead}<script>alert("{tag}")</script>{PROBE}'


# A newline and what would follow it in an .ics file if text were not escaped there.
ICS_INJECTION = "\r\nX-INJECTED:yes\r\nEND:VEVENT"

# field -> its payload; the tag in each ("h01"...) marks where that field shows.
FIELDS: dict[str, str] = {
    "agreement.title": payload("h01", "="),
    "agreement.short_name": short_payload("h02", "+"),
    "agreement.summary": payload("h03", "-"),
    "status_change.note": payload("h04", "@"),
    "party.name": payload("h05", "="),
    "party.code": "<b>h06</b>'" + PROBE[:5],  # 16 characters at most; no room for the rest
    "other_party.name": payload("h07", "+"),
    "person.name": payload("h08", "-"),
    "person.position": payload("h09", "@"),
    "meeting.title": payload("h10", "="),
    "meeting.city": payload("h11", "+"),
    "meeting.country": payload("h12", "-"),
    "meeting.setting": payload("h13", "@"),
    "meeting.summary": payload("h14", "=") + ICS_INJECTION,
    "agenda_item.outcome": payload("h15", "+"),
    "point.subject": payload("h16", "-"),
    "point.details": payload("h17", "@"),
    "position.position": payload("h18", "="),
    "action.description": payload("h19", "+"),
    "user.display_name": payload("h20", "-"),
    "user.username": short_payload("h21", "@").lower(),
    "upcoming.title": payload("h22", "="),
    # 80 characters at most, its spaces single (the name's spaces are collapsed)
    "token.name": short_payload("h23", "-") + "'\"><img src=x onerror=alert(1)>",
    "text.title": payload("h24", "="),
    "revision.label": short_payload("h25", "+"),
    "provision.label": short_payload("h26", "-"),
    "provision.heading": payload("h27", "@"),
    "segment.text": payload("h28", "="),
    "alternative.wording": payload("h29", "+"),
    "alternative.label": short_payload("h30", "-"),
    "text_note.body": payload("h31", "@"),
    "internal_note.body": payload("h32", "="),
}
TAGS = {field: re.search(r"h\d\d", text).group() for field, text in FIELDS.items()}
# Fields no HTML page shows, with the reason.
NOT_ON_ANY_PAGE: dict[str, str] = {}


def visible_marker(field: str) -> str:
    """The part of a payload a reader must see literally wherever the field is shown."""
    tag = TAGS[field]
    return f"<b>{tag}</b>" if field == "party.code" else f'<script>alert("{tag}")'


# What an evaluated probe would leave behind, after each kind of payload.
EVALUATED = ("-- 49", "</script>49", "</b>'49")


@dataclass
class World:
    agreement_id: int
    meeting_id: int


@pytest.fixture
def hostile(app, client) -> World:
    """The records, and ``client`` logged in as the admin whose name is hostile too."""
    for field, text in FIELDS.items():
        limits = {
            "agreement.short_name": 40,
            "party.code": 16,
            "user.username": 80,
            "token.name": 80,
            "revision.label": 100,
            "provision.label": 60,
            "alternative.label": 60,
        }
        limit = limits.get(field)
        assert limit is None or len(text) <= limit, f"{field}: payload too long for the column"
    admin = User(
        username=FIELDS["user.username"], display_name=FIELDS["user.display_name"], role=Role.ADMIN
    )
    admin.set_password(PASSWORD)
    admin.security_officer = True  # the access log's pages too
    party = Party(name=FIELDS["party.name"], code=FIELDS["party.code"], kind=PartyKind.GROUPING)
    other = Party(name=FIELDS["other_party.name"], kind=PartyKind.ORGANISATION)
    person = Person(name=FIELDS["person.name"], position=FIELDS["person.position"], party=party)
    past = datetime.now(UTC).replace(microsecond=0) - timedelta(days=20)
    meeting = Meeting(
        title=FIELDS["meeting.title"],
        starts_at=past,
        timezone="Asia/Kolkata",
        city=FIELDS["meeting.city"],
        country=FIELDS["meeting.country"],
        setting=FIELDS["meeting.setting"],
        summary=FIELDS["meeting.summary"],
        level=MeetingLevel.SENIOR_OFFICIALS,
        participants=[person],
    )
    upcoming = Meeting(
        title=FIELDS["upcoming.title"],
        starts_at=past + timedelta(days=25),
        timezone="Asia/Tokyo",
        level=MeetingLevel.MINISTERIAL,
        participants=[person],
    )
    agreement = Agreement(
        title=FIELDS["agreement.title"],
        short_name=FIELDS["agreement.short_name"],
        summary=FIELDS["agreement.summary"],
        category="logistics",
        status="proposed",
        status_on=past.date() - timedelta(days=30),
        lead=admin,
        party_links=[AgreementParty(party=party), AgreementParty(party=other)],
    )
    agreement.change_status(
        "under_negotiation",
        effective_on=past.date(),
        note=FIELDS["status_change.note"],
        meeting=meeting,
        recorded_by=admin,
    )
    meeting.agenda_items = [AgendaItem(agreement=agreement, outcome=FIELDS["agenda_item.outcome"])]
    upcoming.agenda_items = [AgendaItem(agreement=agreement)]
    point = NegotiationPoint(
        agreement=agreement,
        subject=FIELDS["point.subject"],
        details=FIELDS["point.details"],
        raised_at=meeting,
        positions=[PartyPosition(party=party, position=FIELDS["position.position"])],
    )
    action = ActionItem(
        agreement=agreement,
        meeting=meeting,
        description=FIELDS["action.description"],
        owner=person,
        due_on=date.today() + timedelta(days=3),
    )
    db.session.add_all([agreement, meeting, upcoming, point, action])
    db.session.flush()
    create_token(admin, FIELDS["token.name"])  # on the admin's tokens page and user page
    text = text_services.create_text(
        agreement, title=FIELDS["text.title"], first_label=FIELDS["revision.label"]
    )
    alternative = doc.Alternative(
        FIELDS["alternative.wording"],
        label=FIELDS["alternative.label"],
        proposed_by=(FIELDS["party.code"],),
    )
    text_services.add_provision(
        text.revisions[0],
        doc.Provision(
            label=FIELDS["provision.label"],
            heading=FIELDS["provision.heading"],
            segments=(
                doc.Segment(FIELDS["segment.text"]),
                doc.Segment(alternatives=(alternative,)),
            ),
            notes=(doc.Note(doc.NoteKind.FOOTNOTE, FIELDS["text_note.body"]),),
        ),
    )
    text_services.add_internal_note(
        text, kind=doc.InternalKind.NOTE, body=FIELDS["internal_note.body"], author_id=admin.id
    )
    db.session.commit()
    world = World(agreement_id=agreement.id, meeting_id=meeting.id)
    app.test_client_class = IsolatedClient
    assert log_in(client, FIELDS["user.username"]).status_code == 302
    return world


# --- Reading what came back ---------------------------------------------------------------


class _Reader(HTMLParser):
    """Text and attribute values as a browser decodes them, and what would run."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.active: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.text.append(value or "")
            if name.startswith("on"):
                self.active.append(f"<{tag} {name}=…>")
        if tag == "script" and not dict(attrs).get("src"):
            self.active.append("<script> without src")
        if tag == "img" and dict(attrs).get("src") == "x":
            self.active.append("<img src=x>")
        if tag in ("iframe", "object", "embed", "foreignobject"):
            self.active.append(f"<{tag}>")

    def handle_data(self, data):
        self.text.append(data)


def read_html(html: str) -> tuple[str, list[str]]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return "\n".join(reader.text), reader.active


# The value of a CSRF token: random text that holds a tag such as "h08" now and then.
CSRF_TOKEN_VALUE = re.compile(r'(name="csrf_token"[^>]*?value=")[^"]*"')


def html_problems(name: str, html: str) -> tuple[list[str], set[str]]:
    """What is wrong with one HTML document, and the fields it shows."""
    html = CSRF_TOKEN_VALUE.sub(r'\1"', html)
    problems = []
    text, active = read_html(html)
    problems += [f"{name}: {element} would run" for element in active]
    for raw in ("<script>alert", "<img src=x", "<b>h06"):
        if raw in html:
            problems.append(f"{name}: {raw!r} came through unescaped")
    if "&lt;script" in text or "&amp;lt;" in html:
        problems.append(f"{name}: escaped twice, the reader sees entities")
    problems += [f"{name}: the template probe ran ({e!r})" for e in EVALUATED if e in text]
    shown = {field for field, tag in TAGS.items() if tag in html}
    for field in shown:
        if visible_marker(field) not in text:
            problems.append(f"{name}: {field} shown, but not as the text {visible_marker(field)!r}")
    for svg in re.findall(r"<svg\b.*?</svg>", html, flags=re.DOTALL):
        problems += [f"{name} (inline SVG): {p}" for p in svg_problems(svg)]
    return problems, shown


def svg_problems(svg: str) -> list[str]:
    root = ElementTree.fromstring(svg)  # well-formed XML, or this raises
    problems = []
    for element in root.iter():
        local = element.tag.rsplit("}", 1)[-1].lower()
        if local in ("script", "foreignobject", "iframe"):
            problems.append(f"<{local}> element")
        problems += [f"{local} has {a}" for a in element.attrib if a.lower().startswith("on")]
        for a, value in element.attrib.items():
            if "javascript:" in value.lower():
                problems.append(f"{local} {a} is a javascript: link")
    return problems


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def fields_in(texts: list[str]) -> set[str]:
    joined = "\n".join(texts)
    return {field for field, tag in TAGS.items() if tag in joined}


def kept_whole(texts: list[str], fields: set[str], what: str) -> list[str]:
    """Fields whose payload does not survive intact as one value."""
    return [
        f"{what}: {field} is not kept whole"
        for field in fields
        if field not in ("meeting.summary", "party.code")  # see their own checks
        and not any(FIELDS[field] in text for text in texts)
    ]


# --- One checker per kind of document: (problems, fields it shows) ------------------------


def check_html(response) -> tuple[list[str], set[str]]:
    return html_problems("document", response.get_data(as_text=True))


def check_svg(response) -> tuple[list[str], set[str]]:
    body = response.get_data(as_text=True)
    svgs = (
        [body]
        if response.mimetype == "image/svg+xml"
        else re.findall(r"<svg\b.*?</svg>", body, flags=re.DOTALL)
    )
    assert svgs, "no SVG in the response"
    problems = [p for svg in svgs for p in svg_problems(svg)]
    texts = ["".join(ElementTree.fromstring(svg).itertext()) for svg in svgs]
    return problems, fields_in(texts)


def check_json(response) -> tuple[list[str], set[str]]:
    texts = strings_in(json.loads(response.get_data(as_text=True)))
    shown = fields_in(texts)
    problems = kept_whole(texts, shown, "JSON")
    problems += ["JSON: HTML-escaped text" for text in texts if "&lt;" in text or "&#" in text]
    return problems, shown


def check_csv(response) -> tuple[list[str], set[str]]:
    rows = csv.reader(io.StringIO(response.get_data(as_text=True)))
    cells = [cell for row in rows for cell in row]
    shown = fields_in(cells)
    problems = [
        f"CSV: a spreadsheet would run {cell[:30]!r}"
        for cell in cells
        if cell.startswith(("=", "+", "-", "@", "\t", "\r")) and fields_in([cell])
    ]
    values = [cell.removeprefix("'") for cell in cells]
    for value in list(values):  # a column of JSON (the audit trail's changes) holds strings
        if value.startswith(("[", "{")):
            values += strings_in(json.loads(value))
    return problems + kept_whole(values, shown, "CSV"), shown


def check_ics(response) -> tuple[list[str], set[str]]:
    calendar = Calendar.from_ical(response.get_data())
    texts, problems = [], []
    for component in calendar.walk():
        for name, value in component.property_items(recursive=False):
            if name.startswith("X-INJECTED"):
                problems.append("ICS: text broke out of its property (X-INJECTED)")
            texts.append(str(value))
    shown = fields_in(texts)
    summary = FIELDS["meeting.summary"].replace("\r\n", "\n")  # one kind of line break
    if "meeting.summary" in shown and not any(summary in text for text in texts):
        problems.append("ICS: the meeting summary with a line break is not kept whole")
    return problems + kept_whole(texts, shown, "ICS"), shown


def check_md(response) -> tuple[list[str], set[str]]:
    """Markdown is read as HTML by most viewers: rendered (raw HTML allowed), it must be inert
    and show the payloads as text."""
    rendered = MarkdownIt("commonmark").render(response.get_data(as_text=True))
    problems, shown = html_problems("Markdown rendered", rendered)
    return problems, shown


def check_pdf(response) -> tuple[list[str], set[str]]:
    raw = response.get_data()
    reader = PdfReader(io.BytesIO(raw))
    # Long text wraps onto several lines: compare without white space.
    flat = re.sub(r"\s+", "", "\n".join(page.extract_text() for page in reader.pages))
    shown = fields_in([flat])
    problems = [
        f"PDF: the template probe ran ({e!r})" for e in EVALUATED if e.replace(" ", "") in flat
    ]
    problems += [
        f"PDF: {field} shown, but not as its text"
        for field in shown
        if re.sub(r"\s+", "", visible_marker(field)) not in flat
    ]
    problems += [
        f"PDF: holds {key!r}" for key in (b"/JavaScript", b"/JS", b"/Launch") if key in raw
    ]
    return problems, shown


CHECKERS = {
    "html": check_html,
    "svg": check_svg,
    "json": check_json,
    "csv": check_csv,
    "ics": check_ics,
    "md": check_md,
    "pdf": check_pdf,
}

# Every report format: (endpoint, kind, URL values beyond the agreement id), and the fields
# each must show (so that a check cannot pass on an empty document).
REPORTS: list[tuple[str, str, dict, set[str]]] = [
    ("reports.agreement", "html", {}, {"agreement.title", "point.subject"}),
    ("reports.agreement", "svg", {}, set()),
    ("agreements.detail", "svg", {}, set()),
    ("reports.download", "html", {"fmt": "html"}, {"agreement.title", "point.subject"}),
    ("reports.download", "md", {"fmt": "md"}, {"agreement.title", "point.subject"}),
    ("reports.download", "json", {"fmt": "json"}, {"agreement.title", "point.subject"}),
    ("reports.download", "pdf", {"fmt": "pdf"}, {"agreement.title", "point.subject"}),
    ("portfolio.index", "html", {}, {"agreement.title"}),
    ("portfolio.index", "svg", {}, set()),
    ("portfolio.export_csv", "csv", {}, {"agreement.title"}),
    ("portfolio.export_pdf", "pdf", {}, {"agreement.title"}),
    ("calendars.all_meetings", "ics", {}, {"meeting.title", "upcoming.title"}),
    ("calendars.agreement_meetings", "ics", {}, {"meeting.title"}),
    ("audit.export", "csv", {}, {"agreement.title"}),
]


def report_url(app, endpoint: str, values: dict, world: World) -> str:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]
    if not rules:
        pytest.skip(f"report endpoint {endpoint!r} does not exist (yet)")
    arguments = rules[0].arguments
    if "agreement_id" in arguments:
        values = {"agreement_id": world.agreement_id, **values}
    with app.test_request_context():
        return url_for(endpoint, **values)


@pytest.mark.parametrize(
    ("endpoint", "kind", "values", "must_show"),
    REPORTS,
    ids=[f"{endpoint}-{kind}" for endpoint, kind, _, _ in REPORTS],
)
def test_every_report_format_keeps_hostile_text_inert(
    app, client, hostile, endpoint, kind, values, must_show
):
    url = report_url(app, endpoint, values, hostile)
    response = client.get(url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    problems, shown = CHECKERS[kind](response)
    assert not problems, f"{url}:\n" + "\n".join(problems)
    assert must_show <= shown, f"{url} does not show {sorted(must_show - shown)}"


def test_every_page_shows_hostile_text_as_inert_text(app, client, hostile):
    urls, _uncovered = page_urls(app)
    for record_type in RECORD_TYPES:
        model = {"agreement": Agreement, "meeting": Meeting, "party": Party, "person": Person}
        model |= {"point": NegotiationPoint, "action": ActionItem, "user": User}
        model |= {"group": AccessGroup}
        for record_id in db.session.scalars(sa.select(model[record_type].id)):
            urls[f"history-{record_type}-{record_id}"] = f"/history/{record_type}/{record_id}"
    urls["audit-filtered"] = "/admin/audit?type=agreement"
    urls["agreements-search"] = "/agreements/?q=h01"
    urls["meetings-search"] = "/meetings/?q=h10"
    urls["people-search"] = "/people/?q=h08"

    problems, shown_anywhere = [], set()
    for name, url in urls.items():
        response = client.get(url)
        if name == "accounts.login":
            continue  # a logged-in user is sent on; the page shows no stored text
        assert response.status_code == 200, f"{url}: {response.status_code}"
        found, shown = html_problems(name, response.get_data(as_text=True))
        problems += found
        shown_anywhere |= shown

    assert not problems, "\n".join(problems)
    unshown = set(FIELDS) - shown_anywhere - NOT_ON_ANY_PAGE.keys()
    assert not unshown, f"fields no page shows (list them in NOT_ON_ANY_PAGE): {sorted(unshown)}"


def test_a_form_page_puts_hostile_text_back_into_its_fields_as_text(app, client, hostile):
    """Edit forms refill inputs and textareas from the record: still escaped."""
    page = client.get(f"/agreements/{hostile.agreement_id}/edit").get_data(as_text=True)
    problems, shown = html_problems("agreements.edit", page)
    assert not problems, "\n".join(problems)
    assert {"agreement.title", "agreement.summary", "agreement.short_name"} <= shown


def _bad_pdf() -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.cell(text='<script>alert("h01")</script> DROP TABLE agreement;-- 49')
    return bytes(pdf.output())


# A document each checker must refuse, so that a checker that cannot fail is noticed.
BAD_DOCUMENTS = {
    "html": ("text/html", '<p>x</p><script>alert("h01")</script>'),
    "html-twice": ("text/html", '<p>&amp;lt;script&amp;gt;alert("h01")</p>'),
    "html-probe": ("text/html", '<p>&lt;script&gt;alert("h01")&lt;/script&gt;;-- 49</p>'),
    "svg": ("image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
    "json": ("application/json", json.dumps({"title": '&lt;script&gt;alert("h01")'})),
    "csv": ("text/csv", f"title\r\n{json.dumps(FIELDS['agreement.title'])}\r\n"),
    "ics": (
        "text/calendar",
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:h14\r\nX-INJECTED:yes\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n",
    ),
    "md": ("text/markdown", f"# Report\n\n{FIELDS['agreement.title']}\n"),
    "pdf": ("application/pdf", _bad_pdf),
}


@pytest.mark.parametrize("name", BAD_DOCUMENTS)
def test_each_checker_refuses_a_bad_document(name):
    from werkzeug.wrappers import Response

    mimetype, body = BAD_DOCUMENTS[name]
    response = Response(body() if callable(body) else body, mimetype=mimetype)
    problems, _shown = CHECKERS[name.split("-")[0]](response)
    assert problems
