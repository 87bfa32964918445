"""The list and detail pages issue a fixed number of SQL queries, however many meetings exist."""

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from tracker.models import AgendaItem, Meeting, MeetingLevel, Person


@contextmanager
def counting(engine):
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def add_meetings(db, count, parties, agreements, gathering):
    """``count`` meetings, each with three participants and two agenda items."""
    people = [Person(name=f"Delegate {n}", party=parties[n % len(parties)]) for n in range(count)]
    db.session.add_all(people)
    start = datetime(2024, 1, 1, 3, 0, tzinfo=UTC)
    for n in range(count):
        meeting = Meeting(
            title=f"Round {n}",
            starts_at=start + timedelta(days=n),
            timezone=("Asia/Kolkata", "Asia/Tokyo", "UTC")[n % 3],
            level=MeetingLevel.WORKING_GROUP,
            parent=gathering if n % 2 else None,
            participants=[people[n], people[(n + 1) % count], people[(n + 2) % count]],
            agenda_items=[
                AgendaItem(agreement=agreements[n % len(agreements)], outcome=f"Note {n}"),
                AgendaItem(agreement=agreements[(n + 1) % len(agreements)], outcome="More"),
            ],
        )
        db.session.add(meeting)
    db.session.commit()


def measure(client, db, path) -> int:
    # A fresh app context: a new session and no cached user, as for a real request.
    with client.application.app_context(), counting(db.engine) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return len(statements)


def test_list_and_detail_query_counts_do_not_grow(logged_in, db, make_party, make_agreement):
    parties = [make_party("India", "IND"), make_party("Japan", "JPN")]
    agreements = [
        make_agreement(title=f"Agreement {n}", short_name=f"A{n}", parties=parties)
        for n in range(3)
    ]
    gathering = Meeting(
        title="ADMM-Plus",
        starts_at=datetime(2023, 12, 1, 3, 0, tzinfo=UTC),
        timezone="Asia/Vientiane",
        level=MeetingLevel.MULTILATERAL,
    )
    db.session.add(gathering)

    add_meetings(db, 10, parties, agreements, gathering)
    small = {
        path: measure(logged_in, db, path)
        for path in ("/meetings/", "/meetings/?q=Round&page=2", f"/meetings/{gathering.id}")
    }
    side = db.session.scalars(sa.select(Meeting).where(Meeting.title == "Round 1")).one()
    small_side = measure(logged_in, db, f"/meetings/{side.id}")

    add_meetings(db, 290, parties, agreements, gathering)
    large = {
        path: measure(logged_in, db, path)
        for path in ("/meetings/", "/meetings/?q=Round&page=2", f"/meetings/{gathering.id}")
    }
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 301
    assert large == small
    assert measure(logged_in, db, f"/meetings/{side.id}") == small_side
    assert max(small.values()) <= 8
