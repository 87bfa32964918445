"""Pages issue a bounded number of SQL queries whatever the amount of data (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
)


@contextmanager
def counting(db):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


def build_world(db, size: int) -> tuple[int, int]:
    """``size`` agreements with two parties, history, a point and an action each, all
    discussed at one big meeting; one agreement is discussed at ``size`` meetings.
    Returns (busy agreement id, big meeting id)."""
    india = Party(name="India", code="IND", kind="state")
    japan = Party(name="Japan", code="JPN", kind="state")
    singh = Person(name="Rajnath Singh", position="Defence Minister", party=india)
    nakatani = Person(name="Gen Nakatani", position="Minister of Defense", party=japan)
    start = datetime(2024, 1, 1, 9, tzinfo=UTC)
    big = Meeting(
        title="Plenary", starts_at=start, level="multilateral", participants=[singh, nakatani]
    )
    db.session.add_all([india, japan, singh, nakatani, big])
    agreements = []
    for n in range(size):
        agreement = Agreement(
            title=f"Agreement {n:04d}",
            short_name=f"A{n:04d}",
            category="logistics",
            status="proposed",
            status_on=date(2024, 1, 1),
            party_links=[AgreementParty(party=india), AgreementParty(party=japan)],
        )
        agreement.change_status("under_negotiation", effective_on=date(2024, 2, 1))
        agreement.points = [
            NegotiationPoint(
                subject="Scope",
                positions=[
                    PartyPosition(party=india, position="Broad"),
                    PartyPosition(party=japan, position="Narrow"),
                ],
            )
        ]
        agreement.action_items = [
            ActionItem(description="Send draft", owner=singh, due_on=date(2024, 3, 1))
        ]
        agreements.append(agreement)
    db.session.add_all(agreements)
    db.session.add_all(
        AgendaItem(meeting=big, agreement=a, outcome="Discussed") for a in agreements
    )
    busy = agreements[0]
    for n in range(size):
        meeting = Meeting(
            title=f"Round {n}",
            starts_at=start + timedelta(days=n + 1),
            level="working_group",
            participants=[singh],
        )
        db.session.add(meeting)
        if n:  # the busy agreement is already on the plenary's agenda
            db.session.add(AgendaItem(meeting=meeting, agreement=busy, outcome=f"Round {n}"))
    db.session.commit()
    return busy.id, big.id


PAGES = {
    "dashboard": lambda busy, big: "/",
    "agreements list": lambda busy, big: "/agreements/",
    "agreements list, filtered": lambda busy, big: (
        "/agreements/?status=under_negotiation&sort=activity"
    ),
    "agreement page": lambda busy, big: f"/agreements/{busy}",
    "status report": lambda busy, big: f"/agreements/{busy}/report",
    "meetings list": lambda busy, big: "/meetings/",
    "meeting page": lambda busy, big: f"/meetings/{big}",
    "portfolio": lambda busy, big: "/portfolio/",
    "portfolio, filtered": lambda busy, big: (
        "/portfolio/?status=under_negotiation&category=logistics"
    ),
    "portfolio as CSV": lambda busy, big: "/portfolio.csv",
}


def _counts(client, db, busy, big) -> dict[str, int]:
    counts = {}
    for name, url in PAGES.items():
        db.session.expire_all()
        with counting(db) as statements:
            response = client.get(url(busy, big))
        assert response.status_code == 200, name
        counts[name] = len(statements)
    return counts


@pytest.fixture
def editor_client(client, make_user):
    from tests.helpers import log_in

    make_user("desk.officer")
    assert log_in(client, "desk.officer").status_code == 302
    return client


def test_page_query_counts_do_not_grow_with_the_data(editor_client, db, app, tmp_path):
    small = _counts(editor_client, db, *build_world(db, 10))
    # Wipe and rebuild a hundred times larger.
    for table in reversed(db.metadata.sorted_tables):
        if table.name == "marking":  # all but the lowest, which every record points at
            db.session.execute(table.delete().where(table.c.id != 1))
        elif table.name not in ("user", "audit_record"):  # the audit trail is append-only
            db.session.execute(table.delete())
    db.session.commit()
    large = _counts(editor_client, db, *build_world(db, 1000))
    assert large == small
    assert max(small.values()) <= 10, small


def test_edit_forms_read_only_what_they_show(editor_client, db):
    # Counted on a second view: the first of each state of the data also counts the
    # collection and reads the choices it keeps (data/cache.py).
    busy, big = build_world(db, 20)
    point = db.session.scalar(
        sa.select(NegotiationPoint.id).where(NegotiationPoint.agreement_id == busy)
    )
    action = db.session.scalar(sa.select(ActionItem.id).where(ActionItem.agreement_id == busy))
    forms = {
        "agreement": f"/agreements/{busy}/edit",
        "meeting": f"/meetings/{big}/edit",
        "point": f"/points/{point}/edit",
        "action item": f"/actions/{action}/edit",
    }
    for name, url in forms.items():
        assert editor_client.get(url).status_code == 200, name
        db.session.expire_all()
        with counting(db) as statements:
            response = editor_client.get(url)
        assert response.status_code == 200, name
        assert len(statements) <= 10, (name, len(statements))
        # A point's form shows each party's position, not the history of them.
        assert not any("FROM position_change" in sql for sql in statements), name
