"""The need-to-know rule, enforced in the data layer: what each reader sees on the pages, in
lists, counts, search, the audit trail, and what an ORM query returns whatever its shape."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, log_in, page_forms
from tracker.data import access, markings
from tracker.models import (
    AccessEntry,
    AccessGroup,
    AgendaItem,
    Agreement,
    AuditRecord,
    MarkingValue,
    Meeting,
    NegotiationPoint,
    PartyPosition,
    PositionChange,
    Role,
    User,
)

RESTRICTED, CONFIDENTIAL, SECRET = 1, 2, 3


@dataclass
class World:
    open: Agreement
    secret: Agreement
    released: Agreement
    listed_only: Agreement
    cabinet: Agreement
    declassified: Agreement
    fallback: NegotiationPoint
    rising: NegotiationPoint
    meeting: Meeting
    secret_meeting: Meeting


def _mark(db, record, **value) -> None:
    record.marking_id = markings.id_for(db.session, MarkingValue(**value))


@pytest.fixture
def world(db, make_party, make_agreement, make_user) -> World:
    india, japan, usa = (
        make_party("India", "IND"),
        make_party("Japan", "JPN"),
        make_party("US", "USA"),
    )
    parties = [india, japan]
    open_ = make_agreement(title="Open logistics talks", short_name="OPEN", parties=parties)
    secret = make_agreement(title="Stealth antenna quasar", short_name="SEC", parties=parties)
    _mark(db, secret, level=SECRET)
    released = make_agreement(title="Released walrus text", short_name="REL", parties=parties)
    _mark(db, released, level=RESTRICTED, release_to=frozenset({india.id, japan.id}))
    listed_only = make_agreement(title="Listed narwhal deal", short_name="NTK", parties=parties)
    listed_only.need_to_know = True
    cabinet = make_agreement(title="Cabinet pelican paper", short_name="CAB", parties=parties)
    _mark(db, cabinet, caveats=frozenset({"CABINET"}))
    declassified = make_agreement(title="Old heron accord", short_name="OLD", parties=parties)
    _mark(db, declassified, level=SECRET, declassify_on=date(2020, 1, 1), downgrade_to=0)

    fallback = NegotiationPoint(agreement=open_, subject="Fallback zebra position")
    _mark(db, fallback, level=CONFIDENTIAL)
    fallback.positions = [PartyPosition(party=japan, position="Japan holds firm")]
    rising = NegotiationPoint(agreement=open_, subject="Rising ibis question")
    rising.positions = [
        PartyPosition(party=india, position="India agrees"),
        PartyPosition(party=japan, position="Japan's hidden okapi line"),
    ]
    _mark(db, rising.positions[1], level=CONFIDENTIAL)
    # Each position's history: one step, marked as the position is.
    for point in (fallback, rising):
        point.position_changes = [
            PositionChange(
                party=position.party,
                position=position.position,
                stated_on=date(2025, 1, 10),
                marking_id=position.marking_id,
            )
            for position in point.positions
        ]
    start = datetime(2025, 1, 10, 9, tzinfo=UTC)
    meeting = Meeting(title="Talks in New Delhi", starts_at=start, level="ministerial")
    meeting.agenda_items = [
        AgendaItem(agreement=open_, outcome="Quince outcome recorded"),
        AgendaItem(agreement=released, outcome="Walrus outcome"),
    ]
    _mark(db, meeting.agenda_items[0], level=CONFIDENTIAL)
    secret_meeting = Meeting(
        title="Kumquat back channel",
        starts_at=start,
        level="senior_officials",
        summary="kumquat minutes",
    )
    secret_meeting.agenda_items = [AgendaItem(agreement=open_, outcome="")]
    _mark(db, secret_meeting, level=SECRET)
    plain = NegotiationPoint(agreement=open_, subject="Plain point")
    hidden_under = NegotiationPoint(agreement=secret, subject="Unmarked point of a secret deal")
    db.session.add_all([fallback, rising, plain, hidden_under, meeting, secret_meeting])
    db.session.commit()
    # Marked higher after it was created: its earlier history rises with it.
    _mark(db, rising, level=CONFIDENTIAL)
    db.session.commit()

    group = AccessGroup(name="Listed desk")
    for name, role, clearance, party, caveats in [
        ("viewer", Role.VIEWER, 0, india, ""),
        ("indian", Role.VIEWER, RESTRICTED, india, ""),
        ("american", Role.VIEWER, RESTRICTED, usa, ""),
        ("admin", Role.ADMIN, 0, None, ""),
        ("listed", Role.VIEWER, 0, None, ""),
        ("cabinet", Role.VIEWER, 0, None, "CABINET"),
        ("secret", Role.EDITOR, SECRET, india, ""),
    ]:
        user = make_user(name, role=role)
        user.clearance, user.party_id, user.caveats = clearance, party and party.id, caveats
        if name == "listed":
            group.members.append(user)
    db.session.add(group)
    db.session.flush()
    db.session.add(AccessEntry(agreement=listed_only, group_id=group.id))
    db.session.commit()
    return World(
        open_,
        secret,
        released,
        listed_only,
        cabinet,
        declassified,
        fallback,
        rising,
        meeting,
        secret_meeting,
    )


@pytest.fixture
def as_user(app, client):
    """A client logged in as ``username`` (each an isolated client, as ``client`` is)."""

    def visit(username: str):
        client = app.test_client()
        assert log_in(client, username, PASSWORD).status_code == 302
        return client

    return visit


TITLES = {
    "open": "Open logistics talks",
    "secret": "Stealth antenna quasar",
    "released": "Released walrus text",
    "listed_only": "Listed narwhal deal",
    "cabinet": "Cabinet pelican paper",
    "declassified": "Old heron accord",
}
SEES = {
    "viewer": {"open", "declassified"},
    "indian": {"open", "declassified", "released"},
    "american": {"open", "declassified"},
    "admin": {"open", "declassified"},
    "listed": {"open", "declassified", "listed_only"},
    "cabinet": {"open", "declassified", "cabinet"},
    "secret": {"open", "declassified", "released", "secret"},
}


@pytest.mark.parametrize("username", sorted(SEES))
def test_each_reader_lists_and_opens_exactly_what_the_rule_allows(world, as_user, username):
    client = as_user(username)
    listing = client.get("/agreements/?sort=title").get_data(as_text=True)
    for name, title in TITLES.items():
        record = getattr(world, name)
        page = client.get(f"/agreements/{record.id}")
        if name in SEES[username]:
            assert title in listing, name
            assert page.status_code == 200, name
        else:
            assert title not in listing, name
            # Not "forbidden": the record does not exist for them.
            assert page.status_code == 404, name
            assert title not in page.get_data(as_text=True)


def test_counts_are_kept_per_reader(world, as_user):
    def total(username: str) -> int:
        data = as_user(username).get("/api/v1/agreements/").get_json()
        return data

    # The list's total on the page: "N agreements".
    for username in ("viewer", "secret", "viewer"):
        html = as_user(username).get("/agreements/").get_data(as_text=True)
        assert f"{len(SEES[username])} agreements" in html, username


def test_records_under_an_agreement_follow_their_own_marking_and_the_agreement(world, as_user):
    viewer = as_user("viewer").get(f"/agreements/{world.open.id}").get_data(as_text=True)
    assert "Open logistics talks" in viewer
    assert "Fallback zebra" not in viewer and "Japan holds firm" not in viewer
    assert "okapi" not in viewer
    # The meeting held at a higher level does not appear, nor its outcome.
    assert "Kumquat" not in viewer
    secret = as_user("secret").get(f"/agreements/{world.open.id}").get_data(as_text=True)
    assert "Fallback zebra" in secret and "okapi" in secret and "Kumquat" in secret


def test_a_meeting_shows_without_what_the_reader_may_not_see(world, as_user):
    page = as_user("viewer").get(f"/meetings/{world.meeting.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Talks in New Delhi" in html
    # The agreement's outcome at the meeting is marked higher than the meeting: that agenda
    # row is not shown.
    assert "Quince" not in html
    assert "walrus" not in html.lower()  # the agreement is not released to the reader
    assert as_user("viewer").get(f"/meetings/{world.secret_meeting.id}").status_code == 404
    indian = as_user("indian").get(f"/meetings/{world.meeting.id}").get_data(as_text=True)
    assert "Walrus outcome" in indian and "Quince" not in indian


def test_search_finds_nothing_through_what_the_reader_may_not_see(world, as_user):
    for word in ("kumquat", "quince", "zebra", "quasar"):
        html = as_user("viewer").get(f"/agreements/?q={word}").get_data(as_text=True)
        assert "Open logistics talks" not in html, word
        assert "Stealth antenna" not in html, word
    found = as_user("secret").get("/agreements/?q=kumquat").get_data(as_text=True)
    assert "Open logistics talks" in found


def test_the_audit_trail_shows_only_entries_about_what_the_reader_may_see(world, as_user):
    history = as_user("admin").get("/admin/audit").get_data(as_text=True)
    for hidden in ("Stealth antenna", "walrus", "narwhal", "pelican", "Fallback zebra"):
        assert hidden.lower() not in history.lower(), hidden
    # Marked higher later: its creation (at the lower marking then) is hidden now too.
    assert "Rising ibis" not in history
    assert "okapi" not in history
    assert "Open logistics talks" in history


def test_orm_queries_of_any_shape_are_narrowed(app, db, world):
    viewer = db.session.scalar(sa.select(User).where(User.username == "viewer"))
    visible = {world.open.id, world.declassified.id}
    open_id, secret_id, meeting_id = world.open.id, world.secret.id, world.meeting.id
    with app.test_request_context():
        access.use(db.session, access.for_user(db.session, viewer))
        assert set(db.session.scalars(sa.select(Agreement.id))) == visible
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 2
        through_points = sa.select(NegotiationPoint.agreement_id).join(NegotiationPoint.agreement)
        assert set(db.session.scalars(through_points)) == {open_id}
        assert db.session.get(Agreement, secret_id) is None
        in_subquery = sa.select(Meeting.id).where(Meeting.id.in_(sa.select(AgendaItem.meeting_id)))
        # The meeting's agenda rows are all hidden from this reader (one outcome marked
        # higher, one agreement not released to them); the other meeting is marked higher.
        assert set(db.session.scalars(in_subquery)) == set()
        assert set(db.session.scalars(sa.select(Meeting.id))) == {meeting_id}
        aliased = sa.orm.aliased(Agreement)
        assert set(db.session.scalars(sa.select(aliased.id))) == visible
        entries = db.session.scalars(
            sa.select(AuditRecord.record_id).where(AuditRecord.record_type == "agreement")
        )
        assert set(entries) <= visible
    # Outside any request (the command line), everything.
    access.use(db.session, access.EVERYTHING)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 6


def test_admins_are_given_no_reading_rights(world, as_user):
    admin = as_user("admin")
    assert admin.get(f"/agreements/{world.secret.id}").status_code == 404
    assert admin.get(f"/meetings/{world.secret_meeting.id}").status_code == 404


def test_banners_carry_the_highest_marking_of_what_the_page_shows(world, as_user):
    def banner(client, url: str) -> str:
        html = client.get(url).get_data(as_text=True)
        found = re.findall(r'aria-label="Classification">([^<]+)<', html)
        assert len(found) == 2 and found[0] == found[1], url  # top and bottom
        return found[0]

    indian, viewer = as_user("indian"), as_user("viewer")
    # A list built from columns, not records: its rows' markings count all the same.
    assert banner(indian, "/agreements/") == "RESTRICTED // REL TO IND, JPN"
    assert banner(viewer, "/agreements/") == "UNCLASSIFIED"
    assert banner(indian, f"/agreements/{world.open.id}") == "UNCLASSIFIED"
    # The agreement's page lists its meetings, one of them held at Secret.
    assert banner(as_user("secret"), f"/agreements/{world.open.id}") == "SECRET"
    assert banner(as_user("cabinet"), "/agreements/?sort=title") == "UNCLASSIFIED // CABINET"


def test_adding_an_agreement_whose_agenda_row_is_hidden_is_refused_with_a_message(
    world, as_user, db
):
    # The indian editor sees the open agreement, but not its outcome at the New Delhi
    # meeting (marked Confidential): putting it on that agenda again is refused, not a 500.
    editor = db.session.scalar(sa.select(User).where(User.username == "indian"))
    editor.role = Role.EDITOR
    db.session.commit()
    client = as_user("indian")
    url = f"/meetings/{world.meeting.id}/edit"
    html = client.get(url).get_data(as_text=True)
    (form,) = [f for f in page_forms(html) if f.action in ("", url)]
    data = dict(form.data)
    # The one visible row (the released agreement's) as it is; the open agreement put in
    # the first empty row.
    empty = min(
        int(name.split("-")[1])
        for name, value in data.items()
        if name.startswith("agenda-") and name.endswith("-agreement_id") and value in ([], [""])
    )
    data[f"agenda-{empty}-agreement_id"] = [str(world.open.id)]
    data[f"agenda-{empty}-outcome"] = ["Again"]
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "already on this meeting" in response.get_data(as_text=True)
