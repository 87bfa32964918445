"""Meetings on the API: the same rules as their pages, with participants, agenda, outcomes
and the gathering a meeting was held during; ETags, cursors and problems by field."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    MeetingLevel,
    Party,
    PartyKind,
    Person,
    Role,
    utcnow,
)

URL = "/api/v1/meetings/"


@pytest.fixture
def world(db):
    """India and Japan, two delegates, two agreements and the ADMM-Plus in Vientiane."""
    india = Party(name="India", code="IND", kind=PartyKind.STATE)
    japan = Party(name="Japan", code="JPN", kind=PartyKind.STATE)
    singh = Person(name="Rajnath Singh", party=india)
    nakatani = Person(name="Gen Nakatani", party=japan)
    rpss, dic = (
        Agreement(
            title=title,
            short_name=short,
            category="logistics",
            status="proposed",
            status_on=date(2024, 11, 1),
            party_links=[AgreementParty(party=india), AgreementParty(party=japan)],
        )
        for title, short in (("Reciprocal Provision of Supplies", "RPSS"), ("Industry", "DIC"))
    )
    admm = Meeting(
        title="ADMM-Plus",
        starts_at=datetime(2024, 11, 20, 2, 0, tzinfo=UTC),
        timezone="Asia/Vientiane",
        city="Vientiane",
        country="Laos",
        level=MeetingLevel.MULTILATERAL,
    )
    db.session.add_all([singh, nakatani, rpss, dic, admm])
    db.session.commit()
    return {"singh": singh, "nakatani": nakatani, "rpss": rpss, "dic": dic, "admm": admm}


def first_contact(world, **overrides) -> dict:
    """A side meeting at the ADMM-Plus, as an API client sends it."""
    return {
        "title": "First contact",
        "starts_at": "2024-11-21T09:30:00+07:00",
        "ends_at": "2024-11-21T10:15:00+07:00",
        "timezone": "Asia/Vientiane",
        "level": "ministerial",
        "city": "Vientiane",
        "country": "Laos",
        "setting": "On the sidelines of the ADMM-Plus",
        "parent_id": world["admm"].id,
        "participant_ids": [world["singh"].id, world["nakatani"].id],
        "agenda": [{"agreement_id": world["rpss"].id, "outcome": "Talks to begin in 2025"}],
        **overrides,
    }


def test_an_editor_records_a_side_meeting_and_reads_it_back(api, db, world):
    made = api.post(URL, json=first_contact(world))
    assert made.status_code == 201, made.json
    url = made.headers["Location"]
    assert made.json["url"] == url and made.headers["ETag"] == '"v1"'

    got = api.get(url)
    assert got.status_code == 200 and got.headers["ETag"] == '"v1"'
    body = got.json
    assert body["starts_at"] == "2024-11-21T02:30:00+00:00"
    assert body["local_starts_at"] == "2024-11-21T09:30:00+07:00"
    assert body["parent"]["id"] == world["admm"].id
    assert body["parent"]["title"] == "ADMM-Plus"
    assert body["parent"]["url"] == f"{URL}{world['admm'].id}"
    assert {person["name"] for person in body["participants"]} == {
        "Rajnath Singh",
        "Gen Nakatani",
    }
    assert body["agenda"] == [
        {
            "agreement_id": world["rpss"].id,
            "agreement": {
                "id": world["rpss"].id,
                "title": "Reciprocal Provision of Supplies",
                "short_name": "RPSS",
            },
            "outcome": "Talks to begin in 2025",
            "marking": {
                "level": "Unclassified",
                "rel_to": [],
                "caveats": [],
                "declassify_on": None,
                "downgrade_to": None,
                "text": "UNCLASSIFIED",
            },
        }
    ]
    meeting = db.session.get(Meeting, body["id"])
    assert meeting.parent_id == world["admm"].id and len(meeting.participants) == 2


def test_a_change_touches_only_what_is_sent_and_a_list_sent_replaces_the_list(api, db, world):
    url = api.post(URL, json=first_contact(world)).headers["Location"]
    renamed = api.patch(url, json={"title": "First contact (Laos)"}, headers={"If-Match": '"v1"'})
    assert renamed.status_code == 200, renamed.json
    assert renamed.json["title"] == "First contact (Laos)"
    assert len(renamed.json["participants"]) == 2 and len(renamed.json["agenda"]) == 1
    assert renamed.json["parent"]["id"] == world["admm"].id
    etag = renamed.headers["ETag"]
    assert etag == '"v2"'

    replaced = api.patch(
        url,
        json={
            "participant_ids": [world["singh"].id],
            "agenda": [
                {"agreement_id": world["rpss"].id, "outcome": "Talks to begin in 2025"},
                {"agreement_id": world["dic"].id},
            ],
            "parent_id": None,
        },
        headers={"If-Match": etag},
    )
    assert replaced.status_code == 200, replaced.json
    assert [p["name"] for p in replaced.json["participants"]] == ["Rajnath Singh"]
    assert {row["agreement_id"] for row in replaced.json["agenda"]} == {
        world["rpss"].id,
        world["dic"].id,
    }
    assert replaced.json["parent"] is None
    db.session.expire_all()
    meeting = db.session.get(Meeting, replaced.json["id"])
    assert meeting.parent_id is None and meeting.title == "First contact (Laos)"
    assert {item.agreement_id: item.outcome for item in meeting.agenda_items} == {
        world["rpss"].id: "Talks to begin in 2025",
        world["dic"].id: "",
    }


def test_a_change_without_or_with_a_stale_if_match_is_refused_and_loses_nothing(api, world):
    url = api.post(URL, json=first_contact(world)).headers["Location"]
    without = api.patch(url, json={"title": "Lost"})
    assert without.status_code == 428 and without.mimetype == "application/problem+json"
    assert api.patch(url, json={"title": "Kept"}, headers={"If-Match": '"v1"'}).status_code == 200
    stale = api.patch(url, json={"title": "Lost", "agenda": []}, headers={"If-Match": '"v1"'})
    assert stale.status_code == 412 and stale.json["current"] == url
    kept = api.get(url).json
    assert kept["title"] == "Kept" and len(kept["agenda"]) == 1


def test_refused_input_gets_a_problem_with_messages_by_field(api, world):
    response = api.post(
        URL,
        json=first_contact(
            world,
            title="",
            level="picnic",
            starts_at="2024-11-21T09:30:00",  # no UTC offset
            colour="blue",
            participant_ids=[2**40],
            agenda=[{"agreement_id": "RPSS", "minutes": "x"}],
        ),
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    fields = response.json["errors"]["json"]
    assert {"level", "starts_at", "colour", "participant_ids", "agenda"} <= fields.keys()
    assert {"agreement_id", "minutes"} <= fields["agenda"]["0"].keys()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "Talks\x00"}, "title"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"ends_at": "2024-11-21T08:00:00+07:00"}, "ends_at"),
        ({"starts_at": "0001-01-01T00:00:00+00:00"}, "starts_at"),
        ({"parent_id": 2_000_000_000}, "parent_id"),
        ({"participant_ids": [2_000_000_000]}, "participant_ids"),
        ({"agenda": [{"agreement_id": 2_000_000_000}]}, "agenda"),
        (
            {"agenda": [{"agreement_id": 1}, {"agreement_id": 1}]},
            "agenda",
        ),
    ],
)
def test_a_broken_rule_names_its_field_and_records_nothing(api, db, world, change, field):
    response = api.post(URL, json=first_contact(world, **change))
    assert response.status_code == 422, response.json
    assert field in response.json["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 1


def test_a_meeting_cannot_be_held_during_its_own_side_meeting(api, world):
    admm = world["admm"]
    side = api.post(URL, json=first_contact(world)).json
    response = api.patch(
        f"{URL}{admm.id}", json={"parent_id": side["id"]}, headers={"If-Match": '"v1"'}
    )
    assert response.status_code == 422 and "parent_id" in response.json["errors"]["json"]


def test_a_change_refuses_an_agenda_row_without_its_agreement(api, world):
    response = api.patch(
        f"{URL}{world['admm'].id}",
        json={"agenda": [{"outcome": "What about?"}]},
        headers={"If-Match": '"v1"'},
    )
    assert response.status_code == 422
    assert "agreement_id" in response.json["errors"]["json"]["agenda"]["0"]


def test_archived_people_agreements_and_gatherings_are_not_offered(api, db, world):
    for record in (world["nakatani"], world["dic"], world["admm"]):
        record.archived_at = utcnow()
    db.session.commit()
    for change, field in (
        ({"participant_ids": [world["nakatani"].id]}, "participant_ids"),
        ({"agenda": [{"agreement_id": world["dic"].id}]}, "agenda"),
        ({"parent_id": world["admm"].id}, "parent_id"),
    ):
        response = api.post(URL, json=first_contact(world, **{"parent_id": None, **change}))
        assert response.status_code == 422 and field in response.json["errors"]["json"]


def test_a_missing_meeting_is_a_404_problem(api):
    response = api.get(f"{URL}999999")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert api.patch(f"{URL}999999", json={}, headers={"If-Match": '"v1"'}).status_code == 404


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewer_and_a_read_only_token_read_but_never_write(api_as, world, read_only):
    caller = api_as(Role.VIEWER if not read_only else Role.ADMIN, read_only=read_only)
    assert caller.get(URL).status_code == 200
    assert caller.get(f"{URL}{world['admm'].id}").status_code == 200
    refused = caller.post(URL, json=first_contact(world))
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"
    patch = caller.patch(
        f"{URL}{world['admm'].id}", json={"title": "X"}, headers={"If-Match": '"v1"'}
    )
    assert patch.status_code == 403
    assert caller.post(f"{URL}{world['admm'].id}/archive").status_code == 403


def test_editors_archive_admins_restore_and_delete(api, api_as, db, world):
    admm_id = world["admm"].id
    url = f"{URL}{admm_id}"
    archived = api.post(f"{url}/archive")
    assert archived.status_code == 200 and archived.json["archived"] is True
    assert admm_id not in [m["id"] for m in api.get(URL).json["items"]]
    assert [m["id"] for m in api.get(f"{URL}?archived=true").json["items"]] == [admm_id]
    assert api.post(f"{url}/restore").status_code == 403

    admin = api_as(Role.ADMIN)
    restored = admin.post(f"{url}/restore")
    assert restored.status_code == 200 and restored.json["archived"] is False
    etag = restored.headers["ETag"]
    assert api.delete(url, headers={"If-Match": etag}).status_code == 403
    assert admin.delete(url).status_code == 428
    assert admin.delete(url, headers={"If-Match": '"v1"'}).status_code == 412
    assert admin.delete(url, headers={"If-Match": etag}).status_code == 204
    db.session.expire_all()
    assert db.session.get(Meeting, admm_id) is None


def add_meetings(db, world, count: int, start: datetime) -> None:
    """``count`` meetings a day apart from ``start``, each with two participants and the
    RPSS on its agenda, held during the ADMM-Plus."""
    for n in range(count):
        db.session.add(
            Meeting(
                title=f"Round {n}",
                starts_at=start + timedelta(days=n),
                timezone="Asia/Kolkata",
                level=MeetingLevel.WORKING_GROUP,
                parent=world["admm"],
                participants=[world["singh"], world["nakatani"]],
                agenda_items=[AgendaItem(agreement=world["rpss"], outcome=f"Note {n}")],
            )
        )
    db.session.commit()


def test_the_list_pages_by_cursor_newest_first(api, db, world):
    # Two meetings at the same time: the id breaks the tie.
    add_meetings(db, world, 5, datetime(2025, 1, 1, 3, 0, tzinfo=UTC))
    add_meetings(db, world, 1, datetime(2025, 1, 3, 3, 0, tzinfo=UTC))
    expected = list(
        db.session.scalars(
            sa.select(Meeting.id).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
    )
    seen, url, pages = [], f"{URL}?limit=2", 0
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json
        seen += [item["id"] for item in response.json["items"]]
        pages += 1
        link = response.headers.get("Link")
        assert (link is None) == (response.json["next"] is None)
        url = link.split(">")[0].lstrip("<") if link else None
    assert seen == expected and pages == 4

    # A cursor of one list is refused by another, and an edited one by all.
    following = api.get(f"{URL}?limit=2").json["next"]
    assert api.get(f"{URL}?limit=2&level=summit&cursor={following}").status_code == 400
    assert api.get(f"{URL}?cursor={following[:-2]}xx").status_code == 400


def test_the_list_filters_as_the_meetings_page_does(api, db, world):
    add_meetings(db, world, 2, datetime(2024, 1, 1, 3, 0, tzinfo=UTC))
    soon = utcnow() + timedelta(days=30)
    add_meetings(db, world, 1, soon)

    def ids(query: str) -> set[int]:
        response = api.get(f"{URL}?{query}")
        assert response.status_code == 200, response.json
        return {item["title"] for item in response.json["items"]}

    assert ids("when=upcoming") == {"Round 0"} and len(ids("when=past")) == 3
    assert ids("level=multilateral") == {"ADMM-Plus"}
    assert ids(f"agreement_id={world['rpss'].id}") == {"Round 0", "Round 1"}
    assert ids(f"agreement_id={world['dic'].id}") == set()
    assert ids("q=ADMM") == {"ADMM-Plus"}
    for bad in ("when=tomorrow", "level=picnic", "limit=0", "agreement_id=99999999999"):
        response = api.get(f"{URL}?{bad}")
        assert response.status_code in (400, 422), (bad, response.status_code)


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


def test_a_list_page_costs_the_same_queries_however_many_meetings(api, db, world):
    def measure() -> int:
        # A fresh app context: a new session, as for a real request.
        with api.client.application.app_context(), counting(db.engine) as statements:
            response = api.get(f"{URL}?limit=20")
        assert response.status_code == 200 and response.json["items"]
        return len(statements)

    add_meetings(db, world, 3, datetime(2024, 1, 1, 3, 0, tzinfo=UTC))
    measure()  # the token's first use is noted (at most once a minute): not a list's cost
    small = measure()
    add_meetings(db, world, 40, datetime(2023, 1, 1, 3, 0, tzinfo=UTC))
    assert measure() == small
    # The token, the reader's access (need-to-know), the meetings, their participants,
    # their agenda with each agreement.
    assert small <= 6
