"""The party and people pages issue a fixed number of SQL queries, however much data."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from tracker.models import (
    Agreement,
    AgreementParty,
    Meeting,
    MeetingLevel,
    Party,
    PartyKind,
    Person,
)


@contextmanager
def count_queries(db):
    statements: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def grow(db, main: Party, person: Person, start: int, stop: int) -> None:
    """Add parties (each with a person), and people, agreements and meetings of ``main``."""
    for n in range(start, stop):
        party = Party(name=f"Party {n:04d}", code=f"P{n:04d}", kind=PartyKind.GROUPING)
        agreement = Agreement(title=f"Agreement {n:04d}", short_name=f"A{n:04d}", category="other")
        agreement.party_links = [AgreementParty(party=main)]
        meeting = Meeting(
            title=f"Meeting {n:04d}",
            starts_at=datetime(2024, 1, 1, tzinfo=UTC),
            level=MeetingLevel.VIRTUAL,
            participants=[person],
        )
        db.session.add_all(
            [
                party,
                Person(name=f"Delegate {n:04d}", position="Delegate", party=party),
                Person(name=f"Member {n:04d}", position="Adviser", party=main),
                agreement,
                meeting,
            ]
        )
    db.session.commit()


def measure(client, db, url: str) -> int:
    db.session.expunge_all()  # as in a fresh request: nothing cached in the session
    with count_queries(db) as statements:
        response = client.get(url)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize("kind", ["parties", "people"])
def test_list_and_detail_queries_do_not_grow(editor, db, make_party, make_person, kind):
    main = make_party("India", "IND")
    person = make_person("Rajesh Kumar", party=main)
    db.session.commit()
    main_id, person_id = main.id, person.id
    detail = f"/parties/{main_id}" if kind == "parties" else f"/people/{person_id}"
    urls = [f"/{kind}/", detail, f"/{kind}/?page=2&q=0", f"/{kind}/?q=zzz"]

    counts = {}
    for start, stop in ((0, 10), (10, 200)):
        grow(db, db.session.get(Party, main_id), db.session.get(Person, person_id), start, stop)
        editor.get(f"/{kind}/")  # warm up: the logged-in user and anything loaded once
        counts[stop] = [measure(editor, db, url) for url in urls]

    assert counts[10] == counts[200]
    html = editor.get(detail).get_data(as_text=True)
    assert ("Member 0199" if kind == "parties" else "Meeting 0199") in html
