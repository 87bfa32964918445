"""The agreements list's shortcuts for large collections give the same answers as plain SQL.

Totals are reused while the data version is unchanged, deep pages start at a remembered
key, and a party or search filter is either driven by its ids or probed while walking the
list's index; each must agree with a straightforward query, also right after a change.
"""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tracker.agreements import queries
from tracker.agreements.filters import AgreementFilters
from tracker.data import access
from tracker.extensions import db
from tracker.markings.services import stored_id
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    ChangeCounter,
    MarkingValue,
    Meeting,
)


@pytest.fixture
def shelf(app, db, make_party, make_user):
    """Twenty-four agreements, half with Japan, titles sharing prefixes so ties exist; a
    third led by Ann, in two categories, with activity dates that tie."""
    app.config["PAGE_SIZE"] = 5
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    ann = make_user("ann")
    for n in range(24):
        parties = [india, japan] if n % 2 else [india]
        agreement = Agreement(
            title=f"Pact {n % 7}",
            short_name=f"P{n:02d}",
            category=("logistics", "technology")[n % 4 == 0],
            status=("proposed", "under_negotiation")[n % 3 == 0],
            status_on=date(2024, 1, 1 + n % 9),
            lead=ann if n % 3 == 1 else None,
            summary="maritime" if n % 5 in (0, 1) else "",
        )
        agreement.party_links = [AgreementParty(party=party) for party in parties]
        db.session.add(agreement)
    db.session.commit()
    return {"india": india.id, "japan": japan.id, "ann": ann.id}


def _expected(db, filters: AgreementFilters) -> list[str]:
    """Short names in list order, by a plain query."""
    stmt = sa.select(Agreement.short_name).where(Agreement.archived_at.is_(None))
    if filters.status:
        stmt = stmt.where(Agreement.status == filters.status)
    if filters.category:
        stmt = stmt.where(Agreement.category == filters.category)
    if filters.lead:
        stmt = stmt.where(Agreement.lead_id == filters.lead)
    if filters.party:
        stmt = stmt.where(Agreement.party_links.any(AgreementParty.party_id == filters.party))
    if filters.q:
        stmt = stmt.where(Agreement.summary.contains(filters.q))
    if filters.sort == "status":
        stmt = stmt.order_by(Agreement.status, Agreement.title, Agreement.id)
    elif filters.sort == "activity":
        stmt = stmt.order_by(Agreement.last_activity_on.desc(), Agreement.title, Agreement.id)
    else:
        stmt = stmt.order_by(Agreement.title, Agreement.id)
    return list(db.session.scalars(stmt))


def _all_pages(app, filters: AgreementFilters) -> tuple[list[str], int]:
    names, number, total = [], 1, None
    while True:
        with app.test_request_context():
            access.use(db.session, access.EVERYTHING)  # no user logs in: read as the command line
            page = queries.list_agreements(filters, number, 5)
        names += [row.short_name for row in page.items]
        total = page.total
        if number >= page.pages:
            return names, total
        number += 1


FILTER_CASES = [
    AgreementFilters(),
    AgreementFilters(sort="status"),
    AgreementFilters(status="under_negotiation"),
    AgreementFilters(party=-1),  # replaced by Japan's id
    AgreementFilters(party=-1, status="proposed", sort="status"),
    AgreementFilters(q="maritime"),
    AgreementFilters(q="maritime", party=-1),
    # Every filter with every order, each served by an index of its own.
    *(
        AgreementFilters(sort=sort, **narrowing)
        for narrowing in (
            {},
            {"status": "under_negotiation"},
            {"category": "technology"},
            {"lead": -1},  # replaced by Ann's id
            {"party": -1},
            {"q": "maritime"},
        )
        for sort in ("title", "status", "activity")
    ),
]


@pytest.mark.parametrize("filters", FILTER_CASES, ids=repr)
@pytest.mark.parametrize("advantage", [0, 10**9], ids=["driven", "probed"])
@pytest.mark.parametrize("deep", [10**9, 0], ids=["offset", "keyed"])
def test_every_page_matches_a_plain_query(app, db, shelf, monkeypatch, filters, advantage, deep):
    monkeypatch.setattr(queries, "PROBE_ADVANTAGE", advantage)
    monkeypatch.setattr(queries, "DEEP_OFFSET", deep)
    if filters.party:
        filters = replace(filters, party=shelf["japan"])
    if filters.lead:
        filters = replace(filters, lead=shelf["ann"])
    expected = _expected(db, filters)
    assert expected  # the case means something
    for _ in range(2):  # computed, then reused
        names, total = _all_pages(app, filters)
        assert names == expected
        assert total == len(expected)


def test_totals_and_deep_pages_follow_changes_from_any_writer(app, db, shelf, monkeypatch):
    monkeypatch.setattr(queries, "DEEP_OFFSET", 0)
    everything = AgreementFilters()
    japan = AgreementFilters(party=shelf["japan"])
    before = _all_pages(app, everything), _all_pages(app, japan)

    # A write without the ORM, as a bulk load or the SQL console would make it.
    db.session.execute(
        sa.insert(Agreement),
        [
            {
                "title": "Pact 0",
                "short_name": "P99",
                "category": "logistics",
                "status": "proposed",
                "summary": "",
                "priority": "normal",
                "created_at": datetime(2024, 1, 1, tzinfo=UTC),
                "updated_at": datetime(2024, 1, 1, tzinfo=UTC),
            }
        ],
    )
    db.session.commit()
    new_id = db.session.scalar(sa.select(Agreement.id).where(Agreement.short_name == "P99"))
    names, total = _all_pages(app, everything)
    assert total == before[0][1] + 1
    assert names == _expected(db, everything)

    db.session.execute(
        sa.insert(AgreementParty), [{"agreement_id": new_id, "party_id": shelf["japan"]}]
    )
    db.session.commit()
    assert _all_pages(app, japan) == (_expected(db, japan), before[1][1] + 1)

    db.session.execute(
        sa.update(Agreement)
        .where(Agreement.id == new_id)
        .values(archived_at=datetime(2025, 1, 1, tzinfo=UTC))
    )
    db.session.commit()
    assert _all_pages(app, everything) == before[0]


def test_every_listed_table_raises_the_data_version(db, make_agreement):
    def version() -> int:
        db.session.commit()
        return db.session.scalar(sa.select(ChangeCounter.n))

    start = version()
    agreement = make_agreement()  # agreement, parties and their links
    after_agreement = version()
    assert after_agreement > start
    meeting = Meeting(title="Talks", starts_at=datetime(2025, 1, 1, tzinfo=UTC), level="virtual")
    db.session.add(meeting)
    assert version() > after_agreement
    before = version()
    db.session.add(AgendaItem(meeting=meeting, agreement=agreement, outcome="Agreed"))
    assert version() > before
    before = version()
    db.session.delete(db.session.get(AgendaItem, (meeting.id, agreement.id)))
    assert version() > before
    before = version()
    action = ActionItem(agreement=agreement, description="Send the draft")
    db.session.add(action)
    assert version() > before  # the dashboard counts overdue actions
    before = version()
    action.done = True
    assert version() > before


def test_sorting_by_activity_puts_the_latest_status_change_or_meeting_first(
    logged_in, db, make_agreement, make_party
):
    parties = [make_party("India", "IND")]
    quiet = make_agreement(
        title="Quiet", short_name="Q", status_on=date(2024, 1, 1), parties=parties
    )
    changed = make_agreement(
        title="Changed", short_name="C", status_on=date(2024, 1, 1), parties=parties
    )
    changed.change_status("under_negotiation", effective_on=date(2025, 2, 1))
    met = make_agreement(title="Met", short_name="M", status_on=date(2024, 1, 1), parties=parties)
    meeting = Meeting(title="Round", starts_at=datetime(2025, 3, 1, tzinfo=UTC), level="virtual")
    db.session.add_all([meeting, AgendaItem(meeting=meeting, agreement=met)])
    db.session.commit()
    html = logged_in.get("/agreements/?sort=activity").get_data(as_text=True)
    order = sorted(("(Q)", "(C)", "(M)"), key=html.index)
    assert order == ["(M)", "(C)", "(Q)"]
    assert quiet.id  # listed last, not left out


@pytest.mark.parametrize("sort", ["title", "status", "activity"])
@pytest.mark.parametrize(
    "narrowing",
    [{}, {"status": "under_negotiation"}, {"category": "technology"}, {"lead": -1}],
    ids=repr,
)
def test_each_filter_and_order_reads_a_page_in_index_order(app, db, shelf, narrowing, sort):
    """No filter × order sorts its matches (the trap: all 35,000 agreements under
    negotiation sorted for a page of 50): the page's query walks an index in order."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's query plan; PostgreSQL's depends on its statistics")
    if narrowing.get("lead"):
        narrowing = {"lead": shelf["ann"]}
    statements = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if " LIMIT " in statement:
            statements.append((statement, parameters))

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with app.test_request_context():
            queries.list_agreements(AgreementFilters(sort=sort, **narrowing), 2, 5)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    (statement, parameters), *_ = statements
    plan = " | ".join(
        row[-1]
        for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters
        )
    )
    assert "TEMP B-TREE" not in plan, plan
    assert "USING INDEX ix_agreement_list_" in plan, plan


def test_a_reading_request_reads_the_change_counter_once(app, db, shelf):
    """Several remembered values on one page cost one reading of the counter; a writing
    request reads it each time, since it may have changed the data in between."""
    from tracker.data.cache import remember

    statements = []

    def record(conn, cursor, statement, *args):
        if "data_version" in statement:
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with app.test_request_context("/agreements/"):
            for n in range(3):
                remember(("test", n), lambda n=n: n)
        reads_in_get = len(statements)
        statements.clear()
        with app.test_request_context("/agreements/new", method="POST"):
            for n in range(3):
                remember(("test", n), lambda n=n: n)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    assert reads_in_get == 1
    assert len(statements) == 3


def test_the_party_filter_drawn_once_follows_changes_to_parties(logged_in, db, shelf):
    from tracker.models import Party

    assert ">Japan</option>" in logged_in.get("/agreements/").get_data(as_text=True)
    db.session.get(Party, shelf["japan"]).name = "Nippon"
    db.session.commit()
    page = logged_in.get("/agreements/").get_data(as_text=True)
    assert ">Nippon</option>" in page
    assert ">Japan</option>" not in page
    chosen = logged_in.get(f"/agreements/?party={shelf['japan']}").get_data(as_text=True)
    assert f'<option value="{shelf["japan"]}" selected>Nippon</option>' in chosen


@pytest.mark.parametrize("sort", ["title", "activity"])
@pytest.mark.parametrize("advantage", [0, 10**9], ids=["driven", "probed"])
def test_a_search_lists_what_its_reader_sees_whichever_way_it_is_applied(
    app, db, shelf, monkeypatch, make_user, advantage, sort
):
    """Some matches are marked above the reader or on need-to-know: walking the list and
    testing each agreement they see against the text's matches, or fetching the matches,
    lists exactly those they see, as a plain query does."""
    monkeypatch.setattr(queries, "PROBE_ADVANTAGE", advantage)
    confidential = stored_id(MarkingValue(2))
    agreements = db.session.scalars(sa.select(Agreement).order_by(Agreement.id)).all()
    for agreement in agreements[::3]:
        agreement.marking_id = confidential
    agreements[1].need_to_know = True  # on nobody's list
    reader = make_user("reader")
    db.session.commit()
    seen = (Agreement.marking_id != confidential) & (Agreement.need_to_know.is_(False))
    order = (
        (Agreement.last_activity_on.desc(), Agreement.title, Agreement.id)
        if sort == "activity"
        else (Agreement.title, Agreement.id)
    )
    expected = list(
        db.session.scalars(
            sa.select(Agreement.short_name)
            .where(Agreement.summary.contains("maritime"), seen)
            .order_by(*order)
        )
    )
    hidden = db.session.scalars(
        sa.select(Agreement.short_name).where(Agreement.summary.contains("maritime"), ~seen)
    ).all()
    assert expected and hidden  # the case means something
    with app.test_request_context():
        access.use(db.session, access.for_user(db.session, reader))
        page = queries.list_agreements(AgreementFilters(q="maritime", sort=sort), 1, 50)
    assert [row.short_name for row in page.items] == expected
    assert page.total == len(expected)
