"""Who may do what: every route of the app, with every method, for every role.

RULES below is the one permission table. A route that is not in it fails the suite, so every
new route comes with a decision about who may use it.
"""

from __future__ import annotations

import enum
import itertools
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pytest
from flask import url_for

from tests.conftest import IsolatedClient
from tests.helpers import PASSWORD, log_in
from tracker.accounts import tokens
from tracker.extensions import db
from tracker.models import (
    AccessEntry,
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
    Person,
    Role,
    User,
)
from tracker.models import text_document as doc
from tracker.texts import services as text_services


class Access(enum.Enum):
    PUBLIC = "anyone, logged in or not"
    READ = "any logged-in user"
    EDIT = "editors and admins"
    ADMIN = "admins only"
    # No role lets one in: only users marked security officers (tests/access_log/).
    OFFICER = "security officers only"


# The permission table: endpoint -> who may use it, with every method the route accepts.
RULES: dict[str, Access] = {
    "static": Access.PUBLIC,
    "bootstrap.static": Access.PUBLIC,
    "accounts.login": Access.PUBLIC,
    "accounts.logout": Access.READ,
    "accounts.password": Access.READ,
    # One's own API tokens: every user; a token that is not theirs is a 404
    "accounts.tokens": Access.READ,
    "accounts.revoke_token": Access.READ,
    # Staff accounts
    "users.index": Access.ADMIN,
    "users.create": Access.ADMIN,
    "users.edit": Access.ADMIN,
    "users.change_role": Access.ADMIN,
    "users.reset_password": Access.ADMIN,
    "users.deactivate": Access.ADMIN,
    "users.reactivate": Access.ADMIN,
    "users.revoke_token": Access.ADMIN,
    "users.change_clearance": Access.ADMIN,
    # Named groups of users, for access lists
    "access.groups": Access.ADMIN,
    "access.create_group": Access.ADMIN,
    "access.edit_group": Access.ADMIN,
    "access.delete_group": Access.ADMIN,
    # An agreement's need-to-know switch and access list: its lead and admins (the walk's
    # agreements have no lead; tests/access covers the lead, and a 404 for those who do not
    # see it)
    "access.agreement": Access.ADMIN,
    "access.need_to_know": Access.ADMIN,
    "access.add": Access.ADMIN,
    "access.remove": Access.ADMIN,
    "dashboard.index": Access.READ,
    # Agreements
    "agreements.index": Access.READ,
    "agreements.detail": Access.READ,
    "agreements.create": Access.EDIT,
    "agreements.edit": Access.EDIT,
    "agreements.change_status": Access.EDIT,
    "agreements.archive": Access.EDIT,
    "agreements.restore": Access.ADMIN,
    "agreements.delete": Access.ADMIN,
    # Meetings and their outcomes
    "meetings.index": Access.READ,
    "meetings.detail": Access.READ,
    "meetings.create": Access.EDIT,
    "meetings.edit": Access.EDIT,
    "meetings.archive": Access.EDIT,
    "meetings.restore": Access.ADMIN,
    "meetings.delete": Access.ADMIN,
    "outcomes.record": Access.EDIT,
    # Parties and people
    "parties.index": Access.READ,
    "parties.detail": Access.READ,
    "parties.create": Access.EDIT,
    "parties.edit": Access.EDIT,
    "parties.archive": Access.EDIT,
    "parties.restore": Access.ADMIN,
    "parties.delete": Access.ADMIN,
    "people.index": Access.READ,
    "people.detail": Access.READ,
    "people.create": Access.EDIT,
    "people.edit": Access.EDIT,
    "people.archive": Access.EDIT,
    "people.restore": Access.ADMIN,
    "people.delete": Access.ADMIN,
    # Negotiation points and action items, changed from the agreement's page; as for every
    # record, deleting for good is for admins
    "points.detail": Access.READ,
    "points.create": Access.EDIT,
    "points.edit": Access.EDIT,
    "points.delete": Access.ADMIN,
    "actions.create": Access.EDIT,
    "actions.edit": Access.EDIT,
    "actions.toggle_done": Access.EDIT,
    "actions.delete": Access.ADMIN,
    # Negotiating texts: read by every reader of the agreement, changed by editors; our
    # side's internal notes are added and deleted by editors too
    "texts.detail": Access.READ,
    "texts.revision": Access.READ,
    "texts.create": Access.EDIT,
    "texts.start": Access.EDIT,
    "texts.issue": Access.EDIT,
    "texts.delete_draft": Access.EDIT,
    "texts.add_provision": Access.EDIT,
    "texts.edit_provision": Access.EDIT,
    "texts.remove_provision": Access.EDIT,
    "texts.move_provision": Access.EDIT,
    "texts.clean_bracket": Access.EDIT,
    "texts.add_note": Access.EDIT,
    "texts.delete_note": Access.EDIT,
    "texts.compare_revisions": Access.READ,
    "texts.download": Access.READ,
    "texts.import_draft": Access.EDIT,
    "texts.save_import": Access.EDIT,
    # The audit trail: every record's history is readable; the whole trail is for admins
    "audit.history": Access.READ,
    "audit.index": Access.ADMIN,
    "audit.export": Access.ADMIN,
    # Each agreement's status report, on the page and as files: reports are for every reader
    "reports.agreement": Access.READ,
    "reports.download": Access.READ,
    # The portfolio and its downloads: reports are for every reader
    "portfolio.index": Access.READ,
    "portfolio.export_csv": Access.READ,
    "portfolio.export_pdf": Access.READ,
    # Calendar files of meetings, for everyone who may read the meetings
    "calendars.all_meetings": Access.READ,
    "calendars.agreement_meetings": Access.READ,
    # The JSON API, by token: the same rules as the pages. Its description and reference
    # page hold no data, and tools read them before they have a token.
    "api-docs.openapi_json": Access.PUBLIC,
    "api_reference.page": Access.PUBLIC,
    "api_parties.list": Access.READ,
    "api_parties.one": Access.READ,
    "api_parties.create": Access.EDIT,
    "api_parties.change": Access.EDIT,
    "api_parties.archive": Access.EDIT,
    "api_parties.restore": Access.ADMIN,
    "api_parties.delete": Access.ADMIN,
    "api_people.list": Access.READ,
    "api_people.one": Access.READ,
    "api_people.create": Access.EDIT,
    "api_people.change": Access.EDIT,
    "api_people.archive": Access.EDIT,
    "api_people.restore": Access.ADMIN,
    "api_people.delete": Access.ADMIN,
    "api_points.list": Access.READ,
    "api_points.one": Access.READ,
    "api_points.history": Access.READ,
    "api_points.create": Access.EDIT,
    "api_points.change": Access.EDIT,
    "api_points.delete": Access.ADMIN,
    "api_actions.list": Access.READ,
    "api_actions.one": Access.READ,
    "api_actions.create": Access.EDIT,
    "api_actions.change": Access.EDIT,
    "api_actions.done": Access.EDIT,
    "api_actions.reopen": Access.EDIT,
    "api_actions.delete": Access.ADMIN,
    # Read-only resources: an agreement's status report, as its page
    "api_reports.report": Access.READ,
    "api_portfolio.list": Access.READ,
    # A record's history, as its page: every reader (a user's, admins only: its own test)
    "api_audit.history": Access.READ,
    "api_agreements.list": Access.READ,
    "api_agreements.one": Access.READ,
    "api_agreements.create": Access.EDIT,
    "api_agreements.change": Access.EDIT,
    "api_agreements.archive": Access.EDIT,
    "api_agreements.restore": Access.ADMIN,
    "api_agreements.delete": Access.ADMIN,
    "api_agreements.status_history": Access.READ,
    "api_agreements.change_status": Access.EDIT,
    "api_meetings.list": Access.READ,
    "api_meetings.one": Access.READ,
    "api_meetings.create": Access.EDIT,
    "api_meetings.change": Access.EDIT,
    "api_meetings.archive": Access.EDIT,
    "api_meetings.restore": Access.ADMIN,
    "api_meetings.delete": Access.ADMIN,
    "api_outcomes.record": Access.EDIT,
    # The access log: security officers only, whatever their role (admins included)
    "access_log.index": Access.OFFICER,
    "access_log.export": Access.OFFICER,
    "api_access_log.list": Access.OFFICER,
    # Groups: read by every user (leads name them on lists), changed by admins
    "api_access.groups": Access.READ,
    "api_access.group": Access.READ,
    "api_access.create_group": Access.ADMIN,
    "api_access.change_group": Access.ADMIN,
    "api_access.delete_group": Access.ADMIN,
    # An agreement's access list: its lead and admins, as the page
    "api_access.agreement_access": Access.ADMIN,
    "api_access.change_agreement_access": Access.ADMIN,
    # Negotiating texts: readers read the shared text; editors change drafts (a draft is
    # work in progress, deleted by its editors) and alone see our side's internal notes
    "api_texts.texts": Access.READ,
    "api_texts.create": Access.EDIT,
    "api_texts.one": Access.READ,
    "api_texts.revision": Access.READ,
    "api_texts.start": Access.EDIT,
    "api_texts.issue": Access.EDIT,
    "api_texts.delete_draft": Access.EDIT,
    "api_texts.add_provision": Access.EDIT,
    "api_texts.provision": Access.READ,
    "api_texts.save_provision": Access.EDIT,
    "api_texts.remove_provision": Access.EDIT,
    "api_texts.clean": Access.EDIT,
    "api_texts.internal_notes": Access.READ,
    "api_texts.add_internal_note": Access.EDIT,
    "api_texts.internal_note": Access.READ,
    "api_texts.delete_internal_note": Access.EDIT,
}

# Which roles each kind of access lets in; None is the anonymous visitor.
ALLOWED: dict[Access, set[Role | None]] = {
    Access.PUBLIC: {None, Role.VIEWER, Role.EDITOR, Role.ADMIN},
    Access.READ: {Role.VIEWER, Role.EDITOR, Role.ADMIN},
    Access.EDIT: {Role.EDITOR, Role.ADMIN},
    Access.ADMIN: {Role.ADMIN},
    Access.OFFICER: set(),
}

# URL arguments that are not record ids, by endpoint.
OTHER_ARGUMENTS = {
    "static": {"filename": "tracker.css"},
    "bootstrap.static": {"filename": "css/bootstrap.min.css"},
    "audit.history": {"record_type": "agreement"},
    "api_audit.history": {"record_type": "agreement"},
    "reports.download": {"fmt": "pdf"},
    "texts.download": {"fmt": "docx"},
}

ROLES = [None, Role.VIEWER, Role.EDITOR, Role.ADMIN]
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def missing_rule_message(endpoint: str) -> str:
    return (
        f"route {endpoint!r} has no entry in RULES (tests/test_permissions.py): add one saying "
        "who may use it (Access.PUBLIC, READ, EDIT, ADMIN or OFFICER) and protect the view "
        "to match"
    )


def seed_world(n: int) -> dict[str, int]:
    """A small world of fresh records, so that deleting or archiving them harms no other case.

    Returns the ids keyed by URL argument name.
    """
    india = Party(name=f"India {n}", kind=PartyKind.GROUPING)
    japan = Party(name=f"Japan {n}", kind=PartyKind.GROUPING)
    agreement = Agreement(
        title=f"Logistics agreement {n}",
        short_name=f"LOG{n}",
        category="logistics",
        status="under_negotiation",
        status_on=date(2024, 11, 1),
        party_links=[AgreementParty(party=india), AgreementParty(party=japan)],
    )
    person = Person(name=f"Negotiator {n}", party=india)
    meeting = Meeting(
        title=f"Round {n}",
        starts_at=datetime(2024, 8, 20, 4, 30, tzinfo=UTC),
        timezone="Asia/Kolkata",
        city="New Delhi",
        country="India",
        level=MeetingLevel.SENIOR_OFFICIALS,
        participants=[person],
    )
    point = NegotiationPoint(agreement=agreement, subject=f"Scope {n}", raised_at=meeting)
    action = ActionItem(
        agreement=agreement, meeting=meeting, description=f"Send draft {n}", owner=person
    )
    agenda = AgendaItem(meeting=meeting, agreement=agreement)
    staff = User(username=f"staff{n}", display_name=f"Staff {n}", role=Role.VIEWER)
    staff.set_password(PASSWORD)
    group = AccessGroup(name=f"Desk {n}", members=[staff])
    entry = AccessEntry(agreement=agreement, group=group)
    db.session.add_all([agreement, person, meeting, point, action, agenda, staff, group, entry])
    db.session.flush()  # the user's defaults (active)
    token, _secret = tokens.create_token(staff, f"Script {n}")
    text = text_services.create_text(agreement, title=f"Main text {n}")
    draft = text.revisions[0]
    row = text_services.add_provision(
        draft,
        doc.Provision(
            label="Article 1",
            segments=(doc.Segment(alternatives=(doc.Alternative("and services"),)),),
        ),
    )
    note = text_services.add_internal_note(
        text, kind=doc.InternalKind.NOTE, body=f"Fallback {n}", author_id=None
    )
    db.session.commit()
    return {
        "agreement_id": agreement.id,
        "meeting_id": meeting.id,
        "party_id": japan.id,
        "person_id": person.id,
        "point_id": point.id,
        "action_id": action.id,
        "user_id": staff.id,
        "group_id": group.id,
        "entry_id": entry.id,
        "token_id": token.id,  # staff's: only admins may revoke it, others do not find it
        "provision_revision_id": row.id,
        "segment_id": row.segments[0].id,  # a bracket
        "internal_note_id": note.id,
        "record_id": agreement.id,  # with record_type "agreement" (OTHER_ARGUMENTS)
        "text_id": text.id,
        "revision_id": draft.id,  # a draft
        "provision_id": row.id,  # the provision in that revision (the API's name)
        "note_id": note.id,  # an internal note of the text
    }


def cases(app) -> list[tuple[str, str, str]]:
    """``(endpoint, method, url template)`` for every rule and method, HEAD/OPTIONS aside."""
    return [
        (rule.endpoint, method, rule.rule)
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint, r.rule))
        for method in sorted(rule.methods - SKIPPED_METHODS)
    ]


def url_for_case(app, endpoint: str, ids: dict[str, int]) -> str:
    (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == endpoint]
    values = {**ids, **OTHER_ARGUMENTS.get(endpoint, {})}
    missing = rule.arguments - values.keys()
    assert not missing, f"{endpoint}: no value for URL arguments {sorted(missing)}"
    with app.test_request_context():
        return url_for(endpoint, **{name: values[name] for name in rule.arguments})


def problem(role: Role | None, endpoint: str, method: str, response) -> str | None:
    """What is wrong with ``response``, or None if it is what RULES says."""
    who = role.value if role else "anonymous"
    status = response.status_code
    access = RULES[endpoint]
    location = urlsplit(response.headers.get("Location", "")).path
    api = response.request.path.startswith("/api/")
    if api and role is None and access is not Access.PUBLIC:
        if status == 401:
            return None
        return f"{who} {method} {endpoint}: {status}, expected 401 (no token)"
    if role is None and access is not Access.PUBLIC:
        if status == 302 and location == "/login":
            return None
        return f"{who} {method} {endpoint}: {status} (to {location!r}), expected 302 to /login"
    if role not in ALLOWED[access]:
        if status == 403:
            return None
        return f"{who} {method} {endpoint}: {status}, expected 403 ({access.value})"
    if method == "GET":
        if status == 200 or (endpoint == "accounts.login" and role is not None and status == 302):
            return None
        return f"{who} GET {endpoint}: {status}, expected 200"
    if status in (401, 403) or status >= 500:
        return f"{who} {method} {endpoint}: {status}, expected to be allowed ({access.value})"
    if role is None and location == "/login" and endpoint != "accounts.login":
        return f"{who} {method} {endpoint}: sent to the login page, expected to be allowed"
    return None


def test_every_route_has_a_permission_rule(app):
    """A route without a line in RULES fails here, with what to do about it."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - RULES.keys())
    assert not missing, "\n".join(missing_rule_message(endpoint) for endpoint in missing)
    stale = sorted(RULES.keys() - endpoints)
    assert not stale, f"RULES names endpoints that no longer exist: {stale}"


def postgresql_role(endpoint: str, index: int) -> Role | None:
    """The one role that walks the ``index``-th case on PostgreSQL: in turn, one of those
    the case's rule lets in (any role for a rule that lets none in)."""
    allowed = [role for role in ROLES if role in ALLOWED[RULES[endpoint]]] or ROLES
    return allowed[index % len(allowed)]


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role.value if role else "anonymous")
def test_every_route_answers_each_role_as_the_table_says(app, make_user, role):
    """Walk every rule and method of the URL map as ``role``; collect every mismatch.

    On SQLite every role walks every case. Who may use a route is decided in Python, the
    same on both databases; what PostgreSQL adds is its own SQL and row-level security under
    the app's role, so there each case is walked once, by one role the rule lets in
    (:func:`postgresql_role`, the same every run): every route still runs on PostgreSQL,
    the cases shared among the roles.
    """
    app.test_client_class = IsolatedClient
    client = app.test_client()
    token = {}
    if role is not None:
        user = make_user(f"{role.value}.user", role=role)
        assert log_in(client, f"{role.value}.user").status_code == 302
        # The API takes a token, never the session: the same user's.
        token = {"Authorization": f"Bearer {tokens.create_token(user, 'walk')[1]}"}
        db.session.commit()

    problems = []
    counter = itertools.count(1)
    on_postgresql = db.engine.dialect.name == "postgresql"
    for index, (endpoint, method, _rule) in enumerate(cases(app)):
        if endpoint not in RULES:
            problems.append(missing_rule_message(endpoint))
            continue
        if on_postgresql and postgresql_role(endpoint, index) != role:
            continue
        url = url_for_case(app, endpoint, seed_world(next(counter)))
        try:
            if url.startswith("/api/"):
                response = client.open(url, method=method, json={}, headers=token)
            else:
                response = client.open(url, method=method, data={})
            response.close()
        except Exception as error:  # noqa: BLE001  (a crash is a 500 to report, with the rest)
            problems.append(f"{role} {method} {endpoint}: raised {error!r}")
            continue
        found = problem(role, endpoint, method, response)
        if found:
            problems.append(found)
        if endpoint == "accounts.logout" and role is not None:
            assert log_in(client, f"{role.value}.user").status_code == 302
    assert not problems, "\n".join(problems)
