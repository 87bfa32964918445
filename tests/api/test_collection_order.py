"""Every collection a page, form or API answer lists comes in one order, whatever the
database: PostgreSQL returns rows in no order of its own (an edited row moves to the end
of its table), so an agreement's parties or a meeting's agenda would otherwise reshuffle
after an edit. Each collection keeps the order SQLite gives by its keys."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyKind,
    PartyPosition,
)


def _edit_first_rows(db) -> None:
    """Change the first-made row of each collection in SQL, as an edit does (on PostgreSQL
    its new version goes after the others)."""
    for table, column in (
        (AgreementParty.__table__, "role"),
        (AgendaItem.__table__, "outcome"),
        (PartyPosition.__table__, "position"),
    ):
        first = db.session.execute(sa.select(table).limit(1)).first()
        keys = {key.name: getattr(first, key.name) for key in table.primary_key}
        value = "observer" if column == "role" else "Edited"
        db.session.execute(
            sa.update(table)
            .where(*(table.c[name] == value_ for name, value_ in keys.items()))
            .values({column: value})
        )
    db.session.commit()
    db.session.expire_all()


def test_collections_keep_their_order_after_an_edit(db, api):
    japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
    india = Party(name="India", code="IND", kind=PartyKind.STATE)
    db.session.add_all([japan, india])
    db.session.flush()
    # Made in the opposite order to their keys: India's link first, the later agreement
    # first on the agenda.
    rpss, dic = (
        Agreement(
            title=title,
            category="logistics",
            status="proposed",
            status_on=date(2024, 11, 1),
            party_links=[AgreementParty(party=india), AgreementParty(party=japan)],
        )
        for title in ("Reciprocal Provision", "Defence industry")
    )
    db.session.add_all([rpss, dic])
    db.session.flush()
    point = NegotiationPoint(
        agreement=rpss,
        subject="Scope",
        status="open",
        positions=[
            PartyPosition(party=india, position="Fuel included"),
            PartyPosition(party=japan, position="Fuel excluded"),
        ],
    )
    meeting = Meeting(
        title="New Delhi talks",
        level="ministerial",
        timezone="Asia/Kolkata",
        starts_at=datetime(2025, 5, 4, 20, 30, tzinfo=UTC),
        agenda_items=[AgendaItem(agreement=dic), AgendaItem(agreement=rpss)],
    )
    db.session.add_all([point, meeting])
    db.session.commit()
    ids = rpss.id, meeting.id, point.id

    _edit_first_rows(db)

    rpss, meeting, point = (
        db.session.get(model, id_)
        for model, id_ in zip((Agreement, Meeting, NegotiationPoint), ids, strict=True)
    )
    assert [link.party_id for link in rpss.party_links] == sorted([japan.id, india.id])
    assert [item.agreement_id for item in meeting.agenda_items] == sorted([rpss.id, dic.id])
    assert [position.party_id for position in point.positions] == sorted([japan.id, india.id])

    answer = api.get(f"/api/v1/meetings/{meeting.id}").json
    assert [row["agreement_id"] for row in answer["agenda"]] == sorted([rpss.id, dic.id])
    # Parties are listed by name wherever they are shown, one agreement as in the list.
    by_name = [india.id, japan.id]
    assert [link.party_id for link in rpss.party_links_by_name] == by_name
    answer = api.get(f"/api/v1/agreements/{rpss.id}").json
    assert [row["party"] for row in answer["parties"]] == by_name
    listed = api.get("/api/v1/agreements/").json["items"]
    assert [[row["party"] for row in item["parties"]] for item in listed] == [by_name, by_name]
