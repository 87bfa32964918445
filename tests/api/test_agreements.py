"""Agreements on the API: the same rules, list and history as their pages, with ETags,
cursors and problems."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from tests.helpers import log_in
from tests.test_query_counts import counting
from tracker.agreements import queries
from tracker.agreements.filters import read_filters
from tracker.models import (
    AgendaItem,
    Agreement,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyKind,
    Role,
)

URL = "/api/v1/agreements/"


@pytest.fixture
def parties(make_party, db):
    made = (
        make_party("India", "IND"),
        make_party("Japan", "JPN"),
        make_party("Quad", None, PartyKind.GROUPING),
    )
    db.session.commit()
    return made


def _new(api, made, **overrides):
    india, japan, _ = made
    body = {
        "title": "Reciprocal Provision of Supplies and Services",
        "short_name": "RPSS",
        "category": "logistics",
        "status": "under_negotiation",
        "status_on": "2024-03-01",
        "opened_on": "2024-02-01",
        "parties": [{"party": india.id}, {"party": japan.id, "role": "observer"}],
        **overrides,
    }
    return api.post(URL, json=body)


def _errors(response) -> dict:
    assert response.status_code == 422, response.json
    assert response.mimetype == "application/problem+json"
    return response.json["errors"]["json"]


def test_an_editor_creates_reads_and_changes_an_agreement_with_its_parties(api, parties, db):
    india, japan, quad = parties
    made = _new(api, parties, lead=api.user.id)
    assert made.status_code == 201, made.json
    url = made.headers["Location"]
    assert made.json["url"] == url and made.headers["ETag"] == '"v1"'
    assert made.json["status"] == "under_negotiation" and made.json["status_on"] == "2024-03-01"
    assert made.json["lead"] == api.user.id and made.json["lead_name"] == api.user.display_name
    assert [(p["name"], p["role"]) for p in made.json["parties"]] == [
        ("India", "party"),
        ("Japan", "observer"),
    ]

    read = api.get(url)
    assert read.status_code == 200 and read.headers["ETag"] == '"v1"'
    assert read.json == made.json

    changed = api.patch(
        url,
        json={"title": "  RPSS Agreement ", "parties": [{"party": quad.id, "role": "facilitator"}]},
        headers={"If-Match": '"v1"'},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["title"] == "RPSS Agreement" and changed.json["short_name"] == "RPSS"
    assert [p["name"] for p in changed.json["parties"]] == ["Quad"]
    assert changed.headers["ETag"] == f'"v{changed.json["version"]}"' != '"v1"'
    db.session.expire_all()
    agreement = db.session.get(Agreement, made.json["id"])
    assert agreement.title == "RPSS Agreement" and agreement.opened_on == date(2024, 2, 1)
    assert [(link.party_id, link.role) for link in agreement.party_links] == [
        (quad.id, "facilitator")
    ]
    assert agreement.status_changes[0].recorded_by.id == api.user.id


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "   "}, "title"),
        ({"colour": "blue"}, "colour"),
        ({"category": "trade"}, "category"),
        ({"status": "abandoned"}, "status"),
        ({"parties": [{"party": 999_999}]}, "parties"),
        ({"parties": [{"party": -1}, {"party": -1}]}, "parties"),  # replaced: India twice
        ({"signed_on": "2024-01-01"}, "signed_on"),  # before opened_on
        ({"in_force_on": "2024-05-01"}, "in_force_on"),  # not signed
        ({"lead": 999_999}, "lead"),
    ],
)
def test_refused_input_and_broken_rules_name_their_field(api, parties, overrides, field, db):
    if overrides.get("parties") == [{"party": -1}, {"party": -1}]:
        overrides = {"parties": [{"party": parties[0].id}, {"party": parties[0].id}]}
    assert field in _errors(_new(api, parties, **overrides))
    assert db.session.query(Agreement).count() == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"parties": [{"party": 2**40}]}, "parties"),
        ({"lead": 2**40}, "lead"),
        ({"title": "Nul\x00"}, "title"),
        ({"summary": "Nul\x00"}, "summary"),
        ({"opened_on": "2024-02-30"}, "opened_on"),
        ({"parties": "India"}, "parties"),
    ],
)
def test_input_no_database_can_take_is_refused_not_a_500(api, parties, overrides, field):
    assert field in _errors(_new(api, parties, **overrides))


def test_a_short_name_taken_and_an_archived_party_are_refused(api, parties, db):
    assert _new(api, parties).status_code == 201
    assert "short_name" in _errors(_new(api, parties, title="Another"))
    parties[2].archived_at = datetime(2024, 1, 1, tzinfo=UTC)
    db.session.commit()
    chosen = [{"party": parties[2].id}]
    assert "parties" in _errors(_new(api, parties, short_name="X", parties=chosen))


def test_a_missing_agreement_is_a_404_problem(api):
    for response in (
        api.get(f"{URL}12345"),
        api.get(f"{URL}12345/status"),
        api.patch(f"{URL}12345", json={"title": "X"}, headers={"If-Match": '"v1"'}),
        api.post(f"{URL}12345/archive"),
    ):
        assert response.status_code == 404
        assert response.mimetype == "application/problem+json"


def test_a_change_without_or_with_a_stale_if_match_is_refused_and_loses_nothing(api, parties):
    url = _new(api, parties).headers["Location"]
    assert api.patch(url, json={"title": "Nothing"}).status_code == 428
    assert (
        api.patch(url, json={"summary": "First"}, headers={"If-Match": '"v1"'}).status_code == 200
    )
    stale = api.patch(url, json={"summary": "Second"}, headers={"If-Match": '"v1"'})
    assert stale.status_code == 412 and stale.json["current"] == url
    move = {"status": "text_agreed", "effective_on": "2024-04-01"}
    assert api.post(f"{url}/status", json=move).status_code == 428
    assert api.post(f"{url}/status", json=move, headers={"If-Match": '"v1"'}).status_code == 412
    read = api.get(url).json
    assert read["summary"] == "First" and read["status"] == "under_negotiation"
    assert read["title"] == "Reciprocal Provision of Supplies and Services"


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewer_and_a_read_only_token_read_but_never_write(api_as, api, parties, read_only):
    url = _new(api, parties).headers["Location"]
    caller = api_as(Role.VIEWER if not read_only else Role.ADMIN, read_only=read_only)
    assert caller.get(URL).status_code == 200 and caller.get(f"{url}/status").status_code == 200
    refused = [
        caller.post(URL, json={"title": "X", "category": "other"}),
        caller.patch(url, json={"title": "X"}, headers={"If-Match": '"v1"'}),
        caller.post(
            f"{url}/status",
            json={"status": "stalled", "effective_on": "2024-05-01"},
            headers={"If-Match": '"v1"'},
        ),
        caller.post(f"{url}/archive"),
        caller.delete(url, headers={"If-Match": '"v1"'}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert api.get(url).json["version"] == 1


def test_the_status_moves_only_as_the_rules_allow_and_its_history_grows(api, parties, db):
    url = _new(api, parties).headers["Location"]
    history = api.get(f"{url}/status")
    assert history.status_code == 200 and history.headers["ETag"] == '"v1"'
    assert history.json["status"] == "under_negotiation"
    assert set(history.json["allowed"]) == {"text_agreed", "stalled", "abandoned"}

    refused = api.post(
        f"{url}/status",
        json={"status": "in_force", "effective_on": "2024-04-01"},
        headers={"If-Match": '"v1"'},
    )
    assert _errors(refused)["status"] == [
        "An agreement cannot go from “Under negotiation” to “In force”."
    ]
    too_early = api.post(
        f"{url}/status",
        json={"status": "text_agreed", "effective_on": "2024-01-01"},
        headers={"If-Match": '"v1"'},
    )
    assert "status" in _errors(too_early)
    huge = api.post(
        f"{url}/status",
        json={"status": "text_agreed", "effective_on": "2024-04-01", "meeting": 2**40},
        headers={"If-Match": '"v1"'},
    )
    assert "meeting" in _errors(huge)
    elsewhere = api.post(
        f"{url}/status",
        json={"status": "text_agreed", "effective_on": "2024-04-01", "meeting": 999_999},
        headers={"If-Match": '"v1"'},
    )
    assert "meeting" in _errors(elsewhere)

    moved = api.post(
        f"{url}/status",
        json={"status": "text_agreed", "effective_on": "2024-04-01", "note": " Agreed "},
        headers={"If-Match": '"v1"'},
    )
    assert moved.status_code == 200, moved.json
    assert moved.json["status"] == "text_agreed" and moved.json["status_on"] == "2024-04-01"
    assert moved.headers["ETag"] == f'"v{moved.json["version"]}"' != '"v1"'
    steps = api.get(f"{url}/status").json["items"]
    assert [(s["from_status"], s["to_status"], s["effective_on"]) for s in steps] == [
        (None, "under_negotiation", "2024-03-01"),
        ("under_negotiation", "text_agreed", "2024-04-01"),
    ]
    assert steps[-1]["note"] == "Agreed" and steps[-1]["recorded_by"] == api.user.display_name


def test_archive_restore_and_delete(api, api_as, parties, db):
    made = _new(api, parties).json
    url = made["url"]
    archived = api.post(f"{url}/archive")
    assert archived.status_code == 200 and archived.json["archived"] is True
    assert [a["id"] for a in api.get(URL).json["items"]] == []
    assert [a["id"] for a in api.get(f"{URL}?archived=true").json["items"]] == [made["id"]]
    assert api.post(f"{url}/restore").status_code == 403
    admin = api_as(Role.ADMIN)
    restored = admin.post(f"{url}/restore")
    assert restored.status_code == 200 and restored.json["archived"] is False
    assert admin.delete(url).status_code == 428
    version = restored.headers["ETag"]
    assert api.delete(url, headers={"If-Match": version}).status_code == 403
    assert admin.delete(url, headers={"If-Match": version}).status_code == 204
    assert api.get(url).status_code == 404
    assert db.session.get(Agreement, made["id"]) is None


# The list: the same rows in the same order as the agreements page, a page at a time.


@pytest.fixture
def shelf(db, make_party):
    """Seven agreements: two parties, statuses, categories, activity days and words."""
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    specs = [
        ("Maritime security", "security_dialogue", "proposed", 5, [india]),
        ("Logistics support", "logistics", "under_negotiation", 9, [india, japan]),
        ("Maritime logistics", "logistics", "proposed", 9, [japan]),
        ("Cyber dialogue", "security_dialogue", "under_negotiation", 1, [india]),
        ("Air training", "exercises_training", "proposed", 20, []),
        ("Maritime domain awareness", "information_sharing", "stalled", 3, [india]),
        ("Logistics support", "other", "proposed", 9, [japan]),  # same title: the id decides
    ]
    for title, category, status, day, with_parties in specs:
        db.session.add(
            Agreement(
                title=title,
                category=category,
                status=status,
                status_on=date(2024, 1, day),
                party_links=[AgreementParty(party=party) for party in with_parties],
            )
        )
    db.session.commit()
    return {"india": india.id, "japan": japan.id}


def _walk(api, query: str, limit: int = 2) -> list[int]:
    """Every id the list gives for ``query``, following the Link headers."""
    ids, url = [], f"{URL}?{query}&limit={limit}"
    while url:
        response = api.get(url)
        assert response.status_code == 200, response.json
        ids += [item["id"] for item in response.json["items"]]
        link = response.headers.get("Link")
        assert (link is None) == (response.json["next"] is None)
        url = link.split(">")[0].lstrip("<") if link else None
        assert len(ids) < 100
    return ids


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"sort": "status"},
        {"sort": "activity"},
        {"status": "proposed"},
        {"category": "logistics", "sort": "activity"},
        {"party": "india"},
        {"party": "japan", "sort": "status"},
        {"q": "maritime"},
        {"q": "maritime", "party": "india", "sort": "activity"},
        {"q": "logist", "status": "proposed"},
    ],
    ids=lambda args: "&".join(f"{k}={v}" for k, v in args.items()) or "all",
)
def test_the_list_pages_through_what_the_agreements_page_shows(api, shelf, args):
    args = {k: str(shelf.get(v, v)) for k, v in args.items()}
    wanted, problems = read_filters(args)
    assert not problems
    expected = [row.id for row in queries.list_agreements(wanted, 1, 100).items]
    assert expected, "a filter that finds nothing tests little"
    query = "&".join(f"{k}={v}" for k, v in args.items())
    assert _walk(api, query) == expected
    assert _walk(api, query, limit=200) == expected


def test_list_items_show_parties_and_status(api, shelf):
    item = api.get(f"{URL}?q=cyber").json["items"][0]
    assert item["title"] == "Cyber dialogue" and item["status_on"] == "2024-01-01"
    assert [p["name"] for p in item["parties"]] == ["India"]
    assert item["url"] == f"{URL}{item['id']}" and item["version"] == 1


def test_a_list_row_shows_what_the_agreement_itself_shows_of_it(api, shelf):
    """The list's rows are written without a schema per party: the same JSON all the same."""
    for item in api.get(f"{URL}?limit=200").json["items"]:
        whole = api.get(item["url"]).json
        assert item == {name: whole[name] for name in item}
        assert {"summary", "lead", "signed_on"} <= whole.keys() - item.keys()


@pytest.mark.parametrize(
    ("query", "argument"),
    [
        ("status=signedd", "status"),
        ("sort=newest", "sort"),
        ("party=0", "party"),
        ("lead=abc", "lead"),
        ("limit=500", "limit"),
    ],
)
def test_a_list_argument_that_makes_no_sense_is_a_problem_naming_it(api, query, argument):
    response = api.get(f"{URL}?{query}")
    assert response.status_code == 422
    assert argument in response.json["errors"]["query"]


def test_a_cursor_of_other_filters_or_edited_is_refused(api, shelf):
    following = api.get(f"{URL}?limit=1").json["next"]
    assert api.get(f"{URL}?limit=1&cursor={following}").status_code == 200
    assert api.get(f"{URL}?limit=1&sort=status&cursor={following}").status_code == 400
    assert api.get(f"{URL}?limit=1&cursor={following[:-2]}xx").status_code == 400


def _grow(db, size: int) -> None:
    """``size`` agreements with two parties each, some discussed at a meeting."""
    india, japan = (
        db.session.scalar(sa.select(Party).where(Party.name == name))
        or Party(name=name, kind="grouping")
        for name in ("Xindia", "Xjapan")
    )
    meeting = Meeting(
        title="Plenary", starts_at=datetime(2024, 1, 1, 9, tzinfo=UTC), level="multilateral"
    )
    for n in range(size):
        agreement = Agreement(
            title=f"Agreement {n:04d} maritime",
            category="logistics",
            status="proposed",
            status_on=date(2024, 1, 1) + timedelta(days=n % 50),
            party_links=[AgreementParty(party=india), AgreementParty(party=japan)],
        )
        agreement.points = [NegotiationPoint(subject="Scope")]
        db.session.add(agreement)
        if n % 3 == 0:
            db.session.add(AgendaItem(meeting=meeting, agreement=agreement, outcome="Noted"))
    db.session.commit()


LIST_PAGES = ["", "sort=activity", "status=proposed&sort=status", "q=maritime", "party=PARTY"]


def _list_counts(api, db) -> list[int]:
    party = db.session.scalar(sa.select(Party.id).where(Party.name == "Xjapan"))
    counts = []
    for query in LIST_PAGES:
        query = query.replace("PARTY", str(party))
        first = api.get(f"{URL}?limit=5&{query}")
        for url in (f"{URL}?limit=5&{query}", f"{URL}?limit=5&{query}&cursor={first.json['next']}"):
            db.session.expire_all()
            with counting(db) as statements:
                response = api.get(url)
            assert response.status_code == 200 and len(response.json["items"]) == 5
            counts.append(len(statements))
    return counts


def test_a_list_page_costs_the_same_few_queries_whatever_the_size(api, db):
    _grow(db, 12)
    small = _list_counts(api, db)
    _grow(db, 300)
    assert _list_counts(api, db) == small
    # Issue 13's target of 6, and one query for the reader's access (issue 14).
    assert max(small) <= 7, small


# What the API did is what the pages, the report and the portfolio show.


def test_an_agreement_made_by_the_api_looks_the_same_on_its_page_report_and_portfolio(
    api, parties, client, make_user, db
):
    made = _new(api, parties, lead=api.user.id, summary="Fuel and spares at each other's bases.")
    url = made.headers["Location"]
    changed = api.patch(
        url,
        json={"title": "Supplies Agreement", "target_on": "2025-06-30"},
        headers={"If-Match": made.headers["ETag"]},
    )
    moved = api.post(
        f"{url}/status",
        json={"status": "text_agreed", "effective_on": "2024-04-01", "note": "Text agreed"},
        headers={"If-Match": changed.headers["ETag"]},
    )
    assert moved.status_code == 200, moved.json
    agreement = moved.json

    make_user("reader", role=Role.VIEWER)
    assert log_in(client, "reader").status_code == 302
    page = client.get(f"/agreements/{agreement['id']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for shown in (
        "Supplies Agreement",
        "RPSS",
        "Text agreed",
        "India",
        "Japan",
        "Observer",
        api.user.display_name,
        "Fuel and spares at each other",
    ):
        assert shown in html, shown

    report = client.get(f"/agreements/{agreement['id']}/report.json?as_of=2024-05-01")
    assert report.status_code == 200
    data = json.loads(report.get_data(as_text=True))
    assert data["agreement"]["title"] == agreement["title"]
    assert data["agreement"]["short_name"] == agreement["short_name"]
    assert data["agreement"]["lead"] == agreement["lead_name"]
    assert data["status"]["status"] == agreement["status"]
    assert data["status"]["since"] == agreement["status_on"]
    assert sorted((p["name"], p["role"].lower()) for p in data["parties"]) == sorted(
        (p["name"], p["role"]) for p in agreement["parties"]
    )
    history = api.get(f"{url}/status").json["items"]
    assert [(s["status"], s["effective_on"]) for s in data["status_history"]] == [
        (s["to_status"], s["effective_on"]) for s in history
    ]

    portfolio = client.get("/portfolio/?status=text_agreed").get_data(as_text=True)
    assert "Supplies Agreement" in portfolio
    assert "Supplies Agreement" not in client.get("/portfolio/?status=proposed").get_data(
        as_text=True
    )
