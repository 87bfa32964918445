"""No lost updates: two members of staff open the same record and both save. The second save
is refused (409) with what the first changed, keeps what the second typed, and goes through
when made again on purpose."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from tests.helpers import log_in, page_forms
from tracker.actions import services as action_services
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    Meeting,
    NegotiationPoint,
    Party,
    Person,
    Role,
    Status,
    User,
)

# --- reading pages as a browser does ---------------------------------------------------------


def page_form(response, field: str) -> dict[str, list[str]]:
    """What the browser would send with the page's POST form that has ``field``."""
    forms = page_forms(response.get_data(as_text=True))
    return next(form.data for form in forms if field in form.data)


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def conflict_notice(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('id="conflict"')
    # The notice ends with what happens to the user's input.
    return html[start : html.index("</p>", html.index('<p class="mb-0">', start))]


def changes_shown(response) -> list[list[str]]:
    """The rows of the conflict's table: field, before, after, who, when."""
    parser = _Rows()
    parser.feed(conflict_notice(response))
    return parser.rows[1:]


# --- the records and the people ----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    kind: str
    model: type
    edit_url: str
    field: str  # the form field both change, stored in the attribute of the same name
    before: str
    noun: str


CASES = [
    Case("agreement", Agreement, "/agreements/{}/edit", "summary", "Resupply", "agreement"),
    Case("meeting", Meeting, "/meetings/{}/edit", "summary", "Minutes", "meeting"),
    Case("party", Party, "/parties/{}/edit", "name", "Japan", "party"),
    Case("person", Person, "/people/{}/edit", "position", "Joint Secretary", "person"),
    Case("point", NegotiationPoint, "/points/{}/edit", "details", "Fuel", "negotiation point"),
    Case("action", ActionItem, "/actions/{}/edit", "description", "Send draft", "action item"),
]


@pytest.fixture
def world(db, make_party, make_agreement) -> dict[str, int]:
    """One record of each kind, with the values of CASES; their ids by kind."""
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    agreement = make_agreement(summary="Resupply", parties=[india, japan])
    meeting = Meeting(
        title="Defence Policy Dialogue",
        level="senior_officials",
        timezone="Asia/Kolkata",
        starts_at=datetime(2025, 5, 5, 4, 30, tzinfo=UTC),
        summary="Minutes",
    )
    person = Person(name="Rajesh Kumar", position="Joint Secretary", party=india)
    point = NegotiationPoint(agreement=agreement, subject="Scope", details="Fuel")
    action = ActionItem(agreement=agreement, description="Send draft")
    db.session.add_all(
        [meeting, person, point, action, AgendaItem(meeting=meeting, agreement=agreement)]
    )
    db.session.commit()
    return {
        "agreement": agreement.id,
        "meeting": meeting.id,
        "party": japan.id,
        "person": person.id,
        "point": point.id,
        "action": action.id,
    }


def _logged_in(app, make_user, username: str, role: Role):
    make_user(username, role=role)
    client = app.test_client()
    assert log_in(client, username).status_code == 302
    return client


@pytest.fixture
def ann(app, client, make_user):
    """An editor; ``bob`` is another, in a browser of his own."""
    return _logged_in(app, make_user, "ann", Role.EDITOR)


@pytest.fixture
def bob(app, client, make_user):
    return _logged_in(app, make_user, "bob", Role.EDITOR)


def stored(db, model: type, record_id: int):
    db.session.expire_all()
    return db.session.get(model, record_id)


@contextmanager
def saved_during_next_flush(model: type, save: Callable[[], object]):
    """Run ``save`` (another user's request) when a session first flushes a change to a
    ``model``: after this request read the record, before it writes it."""
    done: list[object] = []

    def before_flush(session, _context, _instances):
        if not done and any(isinstance(obj, model) for obj in session.dirty):
            done.append("running")  # first: the other request flushes too
            done[0] = save()

    event.listen(Session, "before_flush", before_flush)
    try:
        yield done
    finally:
        event.remove(Session, "before_flush", before_flush)


# --- every edit form ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.kind)
def test_the_second_save_is_refused_shows_the_first_and_keeps_its_input(ann, bob, db, world, case):
    record_id = world[case.kind]
    url = case.edit_url.format(record_id)
    ann_form = page_form(ann.get(url), case.field)
    bob_form = page_form(bob.get(url), case.field)

    ann_form[case.field] = ["Changed by Ann"]
    assert ann.post(url, data=ann_form).status_code == 302
    bob_form[case.field] = ["Typed by Bob"]
    response = bob.post(url, data=bob_form)

    assert response.status_code == 409
    notice = conflict_notice(response)
    assert f"Ann changed this {case.noun} at " in notice
    assert "while you were editing; here is what they changed" in notice
    assert "Your changes are below and not saved yet; review them and save again." in notice
    [change] = changes_shown(response)
    assert change[:4] == [case.field, case.before, "Changed by Ann", "Ann"]
    record = stored(db, case.model, record_id)
    assert getattr(record, case.field) == "Changed by Ann"

    again = page_form(response, case.field)
    assert again[case.field] == ["Typed by Bob"]
    assert again["version"] == [str(record.version)]
    assert bob.post(url, data=again).status_code == 302
    assert getattr(stored(db, case.model, record_id), case.field) == "Typed by Bob"


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.kind)
def test_a_save_landing_between_read_and_write_is_refused_the_same_way(
    app, ann, bob, db, world, case
):
    """The race a version check cannot see: Ann's save commits while Bob's request, which
    has already read the record, is about to write it."""
    # Writing requests normally run one at a time, which rules this race out (and would make
    # Ann's save, nested in Bob's request here, wait for it forever); without that it can
    # happen, and the versions must still catch it.
    app.config["SERIALIZE_WRITES"] = False
    record_id = world[case.kind]
    url = case.edit_url.format(record_id)
    ann_form = page_form(ann.get(url), case.field)
    bob_form = page_form(bob.get(url), case.field)
    ann_form[case.field] = ["Changed by Ann"]
    bob_form[case.field] = ["Typed by Bob"]

    with saved_during_next_flush(case.model, lambda: ann.post(url, data=ann_form)) as ann_save:
        response = bob.post(url, data=bob_form)

    assert ann_save[0].status_code == 302
    assert response.status_code == 409
    assert f"Ann changed this {case.noun} at " in conflict_notice(response)
    assert changes_shown(response)[0][:4] == [case.field, case.before, "Changed by Ann", "Ann"]
    record = stored(db, case.model, record_id)
    assert getattr(record, case.field) == "Changed by Ann"
    again = page_form(response, case.field)
    assert again[case.field] == ["Typed by Bob"]
    assert again["version"] == [str(record.version)]
    assert bob.post(url, data=again).status_code == 302
    assert getattr(stored(db, case.model, record_id), case.field) == "Typed by Bob"


@pytest.mark.parametrize("version", [None, "", "abc", "-1", "1e3", "٣", "9" * 20])
def test_a_missing_or_garbled_version_saves_nothing_and_keeps_the_input(bob, db, world, version):
    url = f"/agreements/{world['agreement']}/edit"
    form = page_form(bob.get(url), "summary")
    form["summary"] = ["Typed by Bob"]
    if version is None:
        del form["version"]
    else:
        form["version"] = [version]
    response = bob.post(url, data=form)
    assert response.status_code == 400
    assert "Nothing was saved" in conflict_notice(response)
    again = page_form(response, "summary")
    assert again["summary"] == ["Typed by Bob"]
    assert stored(db, Agreement, world["agreement"]).summary == "Resupply"
    assert bob.post(url, data=again).status_code == 302
    assert stored(db, Agreement, world["agreement"]).summary == "Typed by Bob"


def test_only_the_changes_made_since_the_form_was_opened_are_listed(ann, bob, db, world):
    url = f"/agreements/{world['agreement']}/edit"
    form = page_form(ann.get(url), "summary")
    form["summary"] = ["Before Bob looked"]
    assert ann.post(url, data=form).status_code == 302

    bob_form = page_form(bob.get(url), "title")
    for summary in ("First change by Ann", "Second change by Ann"):
        form = page_form(ann.get(url), "summary")
        form["summary"] = [summary]
        assert ann.post(url, data=form).status_code == 302
    bob_form["title"] = ["Title by Bob"]
    response = bob.post(url, data=bob_form)

    assert response.status_code == 409
    assert [row[:4] for row in changes_shown(response)] == [
        ["summary", "Before Bob looked", "First change by Ann", "Ann"],
        ["summary", "First change by Ann", "Second change by Ann", "Ann"],
    ]


def test_changing_only_the_parties_makes_other_open_forms_out_of_date(ann, bob, db, world):
    """Parties are rows of their own; changing them is still a change to the agreement."""
    url = f"/agreements/{world['agreement']}/edit"
    ann_form = page_form(ann.get(url), "summary")
    bob_form = page_form(bob.get(url), "summary")
    ann_form["parties-1-role"] = ["observer"]
    assert ann.post(url, data=ann_form).status_code == 302

    response = bob.post(url, data=bob_form)
    assert response.status_code == 409
    # The trail keeps a link's new role, not its old one.
    assert changes_shown(response)[0][:4] == ["party Japan", "(none)", "observer", "Ann"]
    roles = [link.role for link in stored(db, Agreement, world["agreement"]).party_links]
    assert "observer" in roles


# --- the other forms that change these records -------------------------------------------------


def test_a_status_change_from_an_out_of_date_page(ann, bob, db, world):
    page, url = f"/agreements/{world['agreement']}", f"/agreements/{world['agreement']}/status"
    ann_form = page_form(ann.get(page), "note")
    bob_form = page_form(bob.get(page), "note")
    ann_form |= {"status": ["under_negotiation"], "effective_on": ["2025-01-10"]}
    assert ann.post(url, data=ann_form).status_code == 302
    bob_form |= {"status": ["under_negotiation"], "effective_on": ["2025-01-12"]}
    bob_form["note"] = ["Note by Bob"]
    response = bob.post(url, data=bob_form)

    assert response.status_code == 409
    assert "Ann changed this agreement at " in conflict_notice(response)
    assert "Your status change is below and not recorded yet" in conflict_notice(response)
    assert "<svg" in response.get_data(as_text=True)  # the whole page, its timeline too
    assert ["status", "proposed", "under_negotiation", "Ann"] in [
        row[:4] for row in changes_shown(response)
    ]
    agreement = stored(db, Agreement, world["agreement"])
    assert [change.to_status for change in agreement.status_changes] == [
        Status.PROPOSED,
        Status.UNDER_NEGOTIATION,
    ]

    again = page_form(response, "note")
    assert again["note"] == ["Note by Bob"]
    again["status"] = ["stalled"]  # Bob chooses again, from the moves allowed now
    assert bob.post(url, data=again).status_code == 302
    agreement = stored(db, Agreement, world["agreement"])
    assert agreement.status == Status.STALLED
    assert agreement.status_changes[-1].note == "Note by Bob"


def test_outcomes_recorded_from_an_out_of_date_page(ann, bob, db, world):
    url = f"/meetings/{world['meeting']}/outcomes"
    ann_form = page_form(ann.get(url), "agreements-0-outcome")
    bob_form = page_form(bob.get(url), "agreements-0-outcome")
    ann_form["agreements-0-outcome"] = ["Outcome by Ann"]
    assert ann.post(url, data=ann_form).status_code == 302
    bob_form["agreements-0-outcome"] = ["Outcome by Bob"]
    response = bob.post(url, data=bob_form)

    assert response.status_code == 409
    notice = conflict_notice(response)
    assert "Ann changed this meeting or the agreements discussed at it at " in notice
    title = stored(db, Agreement, world["agreement"]).title
    assert [f"outcome for {title}", "Outcome by Ann", "Ann"] in [
        [row[0], row[2], row[3]] for row in changes_shown(response)
    ]
    [item] = stored(db, Meeting, world["meeting"]).agenda_items
    assert item.outcome == "Outcome by Ann"

    again = page_form(response, "agreements-0-outcome")
    assert again["agreements-0-outcome"] == ["Outcome by Bob"]
    assert bob.post(url, data=again).status_code == 302
    [item] = stored(db, Meeting, world["meeting"]).agenda_items
    assert item.outcome == "Outcome by Bob"


def test_a_role_changed_from_an_out_of_date_page(app, client, make_user, db):
    first = _logged_in(app, make_user, "boss", Role.ADMIN)
    second = _logged_in(app, make_user, "chief", Role.ADMIN)
    ann = make_user("ann", role=Role.VIEWER)
    page, url = f"/admin/users/{ann.id}/edit", f"/admin/users/{ann.id}/role"
    first_form, second_form = (
        page_form(first.get(page), "role"),
        page_form(second.get(page), "role"),
    )
    first_form["role"] = ["editor"]
    assert first.post(url, data=first_form).status_code == 302
    second_form["role"] = ["admin"]
    response = second.post(url, data=second_form)

    assert response.status_code == 409
    assert "Boss changed this user at " in conflict_notice(response)
    assert changes_shown(response)[0][:4] == ["role", "viewer", "editor", "Boss"]
    assert stored(db, User, ann.id).role == Role.EDITOR
    again = page_form(response, "role")
    assert again["role"] == ["admin"]
    assert second.post(url, data=again).status_code == 302
    assert stored(db, User, ann.id).role == Role.ADMIN


def test_logging_in_does_not_make_an_admins_form_out_of_date(app, client, make_user, db):
    admin = _logged_in(app, make_user, "boss", Role.ADMIN)
    ann = make_user("ann", role=Role.VIEWER)
    form = page_form(admin.get(f"/admin/users/{ann.id}/edit"), "role")
    assert log_in(app.test_client(), "ann").status_code == 302
    form["role"] = ["editor"]
    assert admin.post(f"/admin/users/{ann.id}/role", data=form).status_code == 302


def test_done_from_an_out_of_date_page_does_not_reopen(ann, bob, db, world):
    """The Done button says it wants the item done; it no longer flips whatever state is."""
    page, url = f"/agreements/{world['agreement']}", f"/actions/{world['action']}/done"
    ann_button, bob_button = page_form(ann.get(page), "done"), page_form(bob.get(page), "done")
    assert ann.post(url, data=ann_button).status_code == 302
    response = bob.post(url, data=bob_button, follow_redirects=True)
    assert "Nothing changed: the action item was already marked done." in response.get_data(
        as_text=True
    )
    assert stored(db, ActionItem, world["action"]).done


def test_a_lost_race_where_no_form_can_be_shown_is_a_409_page(ann, db, world, monkeypatch):
    def lost_race(*_args, **_kwargs):
        raise StaleDataError("UPDATE statement on table 'action_item' expected to update 1 row")

    monkeypatch.setattr(action_services, "set_done", lost_race)
    response = ann.post(f"/actions/{world['action']}/done", data={"done": "1"})
    assert response.status_code == 409
    assert "Someone else changed this record while you were working on it" in (
        response.get_data(as_text=True)
    )
    assert not stored(db, ActionItem, world["action"]).done


def test_every_record_staff_edit_is_versioned():
    for model in (Agreement, Meeting, Party, Person, NegotiationPoint, ActionItem, User):
        assert sa.inspect(model).version_id_col is model.__table__.c.version, model
