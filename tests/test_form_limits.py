"""Every list of repeated rows and every multiple choice in a form has a limit: a forged
request with thousands of them is refused quickly with a message, and nothing is saved."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import time
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from wtforms import FieldList, Form, SelectMultipleField
from wtforms.fields.core import UnboundField

import tracker
from tests.helpers import db_snapshot, loaded_from, snapshot_difference
from tests.test_lost_updates import page_form
from tracker.agreements import services as agreement_services
from tracker.agreements.forms import AgreementForm
from tracker.meetings import services as meeting_services
from tracker.models import AgendaItem, Meeting, NegotiationPoint
from tracker.web.forms import RowList

FORM = "application/x-www-form-urlencoded"
# A refused form with the most rows the cap lets through is answered in well under a second
# on a quiet machine; the bound leaves room for a busy test machine, while 40,000 rows took
# over a minute before rows were limited.
QUICK = 10


def _form_classes() -> list[type[Form]]:
    classes = []
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        if module.name.endswith(".forms"):
            imported = importlib.import_module(module.name)
            classes += [
                cls
                for _, cls in inspect.getmembers(imported, inspect.isclass)
                if issubclass(cls, Form) and cls.__module__ == module.name
            ]
    return classes


def _fields(cls: type[Form]) -> dict[str, UnboundField]:
    return {
        name: value
        for klass in reversed(cls.__mro__)
        for name, value in vars(klass).items()
        if isinstance(value, UnboundField)
    }


def test_every_repeated_field_in_every_form_has_a_limit():
    """A new FieldList or multiple select without a limit fails here."""
    classes = _form_classes()
    assert {"AgreementForm", "MeetingForm", "OutcomesForm", "AgreementOutcomeForm"} <= {
        cls.__name__ for cls in classes
    }
    unbounded = []
    for cls in classes:
        for name, field in _fields(cls).items():
            kind = field.field_class
            if issubclass(kind, FieldList):
                bounded = issubclass(kind, RowList) and field.kwargs["max_entries"]
            elif issubclass(kind, SelectMultipleField):
                bounded = hasattr(cls, f"validate_{name}")  # refuses too many chosen
            else:
                continue
            if not bounded:
                unbounded.append(f"{cls.__name__}.{name}")
    assert unbounded == []


def _post(client, url: str, pairs: list[tuple[str, str]]):
    body = urlencode(pairs)
    assert len(body) < 2 * 1024 * 1024  # under the size cap: only the rows are too many
    started = time.monotonic()
    response = client.post(url, data=body, content_type=FORM)
    return response, time.monotonic() - started


def _party_rows(count: int, party: str = "") -> list[tuple[str, str]]:
    return [
        pair
        for n in range(count)
        for pair in ((f"parties-{n}-party", party), (f"parties-{n}-role", "party"))
    ]


def test_an_agreement_with_forty_thousand_party_rows_is_refused_quickly(
    logged_in, db, make_agreement
):
    agreement = make_agreement()
    db.session.commit()
    before = db_snapshot(db.engine)
    fields = [("title", "Forged"), ("category", "logistics"), ("priority", "normal")]
    for url, extra in [
        ("/agreements/new", [("status", "proposed")]),
        (f"/agreements/{agreement.id}/edit", list(loaded_from(agreement).items())),
    ]:
        response, took = _post(logged_in, url, fields + extra + _party_rows(40_000))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "An agreement lists at most 250 parties." in page
        assert page.count('name="parties-') <= 2 * 250  # the rows past the limit never built
        assert took < QUICK
    assert snapshot_difference(before, db_snapshot(db.engine)) == []


def test_an_agreement_takes_as_many_parties_as_its_page_shows(
    logged_in, db, make_agreement, make_party, monkeypatch
):
    """With the limit lowered to five: an agreement with five parties is shown with five rows
    (no blank ones past the limit), saves as shown, and a sixth row is refused."""
    monkeypatch.setattr(agreement_services, "MAX_PARTIES", 5)
    monkeypatch.setitem(AgreementForm.parties.kwargs, "max_entries", 5)
    monkeypatch.setitem(AgreementForm.parties.kwargs, "too_many", "At most 5 parties.")
    parties = [make_party(f"Party {n}", None, "grouping") for n in range(5)]
    agreement = make_agreement(parties=parties)
    db.session.commit()
    page = logged_in.get(f"/agreements/{agreement.id}/edit")
    form = page_form(page, "title")
    assert sum(1 for name in form if name.endswith("-party")) == 5
    assert logged_in.post(f"/agreements/{agreement.id}/edit", data=form).status_code == 302
    db.session.refresh(agreement)
    form = page_form(logged_in.get(f"/agreements/{agreement.id}/edit"), "title")
    form |= {"parties-5-party": [""], "parties-5-role": ["party"]}
    response = logged_in.post(f"/agreements/{agreement.id}/edit", data=form)
    assert response.status_code == 200
    assert "At most 5 parties." in response.get_data(as_text=True)
    assert len(agreement.party_links) == 5


def test_the_service_refuses_more_parties_than_an_agreement_lists(db, make_agreement):
    agreement = make_agreement()
    rows = [(n, "party") for n in range(1, agreement_services.MAX_PARTIES + 2)]
    with pytest.raises(agreement_services.AgreementError, match="at most 250 parties"):
        agreement_services.update_agreement(agreement, values={}, parties=rows)
    db.session.rollback()


MEETING = [
    ("title", "Forged talks"),
    ("start_date", "2025-05-05"),
    ("start_time", "10:00"),
    ("timezone", "Asia/Kolkata"),
    ("level", "ministerial"),
]


def test_a_meeting_with_forty_thousand_agenda_rows_is_refused_quickly(logged_in, db):
    before = db_snapshot(db.engine)
    rows = [
        pair
        for n in range(40_000)
        for pair in ((f"agenda-{n}-agreement_id", ""), (f"agenda-{n}-outcome", ""))
    ]
    response, took = _post(logged_in, "/meetings/new", MEETING + rows)
    assert response.status_code == 200
    assert "A meeting lists at most 60 agreements discussed." in response.get_data(as_text=True)
    assert took < QUICK
    assert snapshot_difference(before, db_snapshot(db.engine)) == []


def test_a_meeting_with_a_hundred_thousand_participants_is_refused_quickly(
    logged_in, db, make_party
):
    from tracker.models import Person

    person = Person(name="Rajnath Singh", party=make_party("India", "IND"))
    db.session.add(person)
    db.session.commit()
    before = db_snapshot(db.engine)
    chosen = [("participant_ids", str(person.id))] * 100_000
    response, took = _post(logged_in, "/meetings/new", MEETING + chosen)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Choose at most 300 participants." in page
    assert took < QUICK
    assert snapshot_difference(before, db_snapshot(db.engine)) == []


def test_outcomes_with_thousands_of_points_to_settle_are_refused_quickly(
    logged_in, db, make_agreement
):
    agreement = make_agreement()
    point = NegotiationPoint(agreement=agreement, subject="Scope", status="open")
    meeting = Meeting(
        title="Talks",
        level="ministerial",
        timezone="Asia/Kolkata",
        starts_at=datetime(2025, 5, 5, 4, 30, tzinfo=UTC),
    )
    db.session.add_all([point, meeting, AgendaItem(meeting=meeting, agreement=agreement)])
    db.session.commit()
    before = db_snapshot(db.engine)
    url = f"/meetings/{meeting.id}/outcomes"
    form = page_form(logged_in.get(url), "agreements-0-outcome")
    pairs = [(name, value) for name, values in form.items() for value in values]
    pairs += [
        pair
        for n in range(1, 20_000)
        for pair in ((f"agreements-0-settle-{n}-point_id", str(point.id)),)
    ]
    response, took = _post(logged_in, url, pairs)
    assert response.status_code == 200
    assert "At most 100 open points are settled at once." in response.get_data(as_text=True)
    assert took < QUICK
    assert snapshot_difference(before, db_snapshot(db.engine)) == []


def test_position_fields_for_parties_not_on_the_agreement_cost_nothing(
    logged_in, db, make_agreement
):
    """The point form has a field per party of the agreement (at most MAX_PARTIES); others
    sent with it are not fields at all."""
    agreement = make_agreement()
    db.session.commit()
    india = agreement.parties[0]
    pairs = [("subject", "Scope"), ("status", "open"), (f"position_{india.id}", "Yes")]
    pairs += [(f"position_{n}", "x") for n in range(10**6, 10**6 + 60_000)]
    response, took = _post(logged_in, f"/agreements/{agreement.id}/points/new", pairs)
    assert response.status_code == 302
    assert took < QUICK
    (point,) = agreement.points
    assert {row.party_id: row.position for row in point.positions} == {india.id: "Yes"}


def test_the_service_refuses_more_agreements_or_participants_than_a_meeting_records(db):
    values = {
        "title": "Talks",
        "starts_at": datetime(2025, 5, 5, 4, 30, tzinfo=UTC),
        "ends_at": None,
        "timezone": "Asia/Kolkata",
        "level": "ministerial",
    }
    too_many_people = list(range(1, meeting_services.MAX_PARTICIPANTS + 2))
    with pytest.raises(meeting_services.MeetingError, match="at most 300 participants"):
        meeting_services.create_meeting(**values, participant_ids=too_many_people)
    too_many_rows = [(n, "") for n in range(1, meeting_services.MAX_AGENDA + 2)]
    with pytest.raises(meeting_services.MeetingError, match="at most 60 agreements"):
        meeting_services.create_meeting(**values, agenda=too_many_rows)
    db.session.rollback()
