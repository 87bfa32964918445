"""Every collection a page, form or API answer lists comes in one order, whatever the
database: PostgreSQL returns rows in no order of its own (an edited row moves to the end
of its table), so an agreement's parties or a meeting's agenda would otherwise reshuffle
after an edit. An agreement's parties come by name as the database orders names, as the
agreements list shows them; the other collections by their keys."""

import re
from datetime import UTC, date, datetime

import sqlalchemy as sa

from tests.helpers import log_in
from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyKind,
    PartyPosition,
    PartyRole,
    Role,
)


def test_collections_keep_their_order_after_an_edit(db, api, app, make_user):
    # Made in another order than their names': the keys would give Japan first.
    japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
    india = Party(name="India", code="IND", kind=PartyKind.STATE)
    aland = Party(name="Åland", kind=PartyKind.GROUPING)  # sorted apart by some collations
    db.session.add_all([japan, india, aland])
    db.session.flush()
    rpss, dic = (
        Agreement(
            title=title,
            category="logistics",
            status="proposed",
            status_on=date(2024, 11, 1),
            party_links=[AgreementParty(party=party) for party in (india, japan, aland)],
        )
        for title in ("Reciprocal Provision", "Defence industry")
    )
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
        agenda_items=[AgendaItem(agreement=rpss), AgendaItem(agreement=dic)],
    )
    db.session.add_all([rpss, dic, point, meeting])
    db.session.commit()
    ids = rpss.id, dic.id, meeting.id, point.id

    # Each collection's first row edited: on PostgreSQL its new version goes after the others.
    rpss.party_links[0].role = PartyRole.OBSERVER
    meeting.agenda_items[0].outcome = "Formal negotiations launched"
    point.positions[0].position = "Fuel included, at cost"
    db.session.commit()
    db.session.expire_all()

    rpss_id, dic_id, meeting_id, point_id = ids
    by_name = list(db.session.scalars(sa.select(Party.id).order_by(Party.name, Party.id)))
    rpss = db.session.get(Agreement, rpss_id)
    meeting = db.session.get(Meeting, meeting_id)
    point = db.session.get(NegotiationPoint, point_id)
    assert {
        "parties": [link.party_id for link in rpss.party_links],
        "agenda": [item.agreement_id for item in meeting.agenda_items],
        "positions": [position.party_id for position in point.positions],
    } == {
        "parties": by_name,
        "agenda": [rpss_id, dic_id],
        "positions": sorted([india.id, japan.id]),
    }

    answer = api.get(f"/api/v1/meetings/{meeting_id}").json
    assert [row["agreement_id"] for row in answer["agenda"]] == [rpss_id, dic_id]
    # The agreement's page, its API answer and the agreements list agree.
    answer = api.get(f"/api/v1/agreements/{rpss_id}").json
    assert [row["party"] for row in answer["parties"]] == by_name
    listed = api.get("/api/v1/agreements/").json["items"]
    assert [[row["party"] for row in item["parties"]] for item in listed] == [by_name, by_name]

    # The agreement's page and its edit form too (they load the parties joined to it).
    pages = app.test_client()
    assert log_in(pages, make_user("desk.officer", role=Role.EDITOR).username).status_code == 302
    names = {party.id: party.name for party in db.session.scalars(sa.select(Party))}
    page = pages.get(f"/agreements/{rpss_id}").text
    shown = [page.index(f"<li>{names[party_id]}") for party_id in by_name]
    assert shown == sorted(shown)
    form = pages.get(f"/agreements/{rpss_id}/edit").text
    chosen = re.findall(r'<option selected value="(\d+)">', form)
    assert [int(party_id) for party_id in chosen if int(party_id) in names] == by_name
