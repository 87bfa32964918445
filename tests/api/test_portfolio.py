"""The portfolio on the API: the page's filters and stalled flag, stalled first, by cursor."""

from __future__ import annotations

import csv
import io

import pytest

from tests.api.described import assert_described
from tests.helpers import log_in
from tests.meetings.conftest import make_meeting  # noqa: F401
from tests.portfolio.conftest import agreement_since, discuss, parties  # noqa: F401
from tests.test_query_counts import counting
from tracker.models import Party, PartyKind, Role


@pytest.fixture
def portfolio(db, agreement_since, discuss):  # noqa: F811
    """Two stalled agreements and three that are not, in titles that sort across both."""
    made = {
        "stalled_b": agreement_since("SB", 100, title="Bravo talks"),
        "stalled_d": agreement_since("SD", 200, title="Delta talks", category="technology"),
        "fresh_a": agreement_since("FA", 10, title="Alpha talks"),
        "fresh_c": agreement_since("FC", 20, title="Charlie talks", category="technology"),
        "met_e": agreement_since("ME", 150, title="Echo talks"),
    }
    discuss(-5, made["met_e"])  # a meeting held lately: not stalled
    db.session.commit()
    return {name: agreement.id for name, agreement in made.items()}


def walk(caller, url: str) -> list[dict]:
    """Every row, following the Link header from page to page."""
    rows = []
    while url:
        response = caller.get(url)
        assert response.status_code == 200, response.json
        rows += response.json["items"]
        link = response.headers.get("Link")
        assert (link is None) == (response.json["next"] is None)
        url = link.split(">")[0].lstrip("<") if link else None
    return rows


def test_stalled_agreements_come_first_then_by_title(api, portfolio):
    response = api.get("/api/v1/portfolio/")
    assert response.status_code == 200, response.json
    rows = response.json["items"]
    assert [row["title"] for row in rows] == [
        "Bravo talks",
        "Delta talks",
        "Alpha talks",
        "Charlie talks",
        "Echo talks",
    ]
    assert [row["stalled"] for row in rows] == [True, True, False, False, False]
    assert response.json["summary"] == {"agreements": 5, "stalled": 2}
    echo = rows[-1]
    assert echo["last_meeting"] is not None and echo["days_in_status"] == 150
    assert echo["parties"] == ["India", "Japan"]
    assert echo["report"] == f"/api/v1/agreements/{portfolio['met_e']}/report"
    assert_described(api.client, response.json, "PortfolioPage")


def test_rows_are_the_csv_downloads(api, client, portfolio):
    rows = api.get("/api/v1/portfolio/").json["items"]
    log_in(client, api.user.username)
    text = client.get("/portfolio.csv").get_data(as_text=True).lstrip("\ufeff")
    # Between the marking's first and last line.
    lines = list(csv.DictReader(io.StringIO(text.split("\n", 1)[1].rsplit("\r\n", 2)[0])))
    assert [(int(line["id"]), line["stalled"] == "yes") for line in lines] == [
        (row["id"], row["stalled"]) for row in rows
    ]
    assert [int(line["open_points"]) for line in lines] == [row["open_points"] for row in rows]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=under_negotiation", {"stalled_b", "stalled_d", "fresh_a", "fresh_c", "met_e"}),
        ("status=signed", set()),
        ("category=technology", {"stalled_d", "fresh_c"}),
        ("category=technology&status=", {"stalled_d", "fresh_c"}),
    ],
)
def test_the_pages_filters_narrow_it(api, portfolio, query, expected):
    rows = api.get(f"/api/v1/portfolio/?{query}").json["items"]
    assert {row["id"] for row in rows} == {portfolio[name] for name in expected}


def test_the_party_filter(api, db, portfolio, make_agreement):
    nepal = Party(name="Nepal", code="NPL", kind=PartyKind.STATE)
    make_agreement(title="Golf talks", short_name="GT", parties=[nepal])
    db.session.commit()
    rows = api.get(f"/api/v1/portfolio/?party={nepal.id}").json["items"]
    assert [row["title"] for row in rows] == ["Golf talks"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=dormant", "status"),
        ("category=space", "category"),
        ("party=999999", "party"),
        ("party=abc", "party"),
        ("limit=0", "limit"),
    ],
)
def test_a_filter_that_names_nothing_is_a_problem_on_it(api, portfolio, query, field):
    response = api.get(f"/api/v1/portfolio/?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert list(response.json["errors"]["query"]) == [field]


def test_an_archived_party_is_no_filter(api, db, portfolio, make_party):
    gone = make_party("Atlantis", None, PartyKind.GROUPING)
    gone.archived_at = gone.created_at
    db.session.commit()
    response = api.get(f"/api/v1/portfolio/?party={gone.id}")
    assert response.status_code == 422 and "party" in response.json["errors"]["query"]


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_cursor_pages_walk_the_portfolio_once_in_order(api, portfolio, limit):
    whole = api.get("/api/v1/portfolio/").json["items"]
    assert walk(api, f"/api/v1/portfolio/?limit={limit}") == whole


def test_cursor_pages_keep_their_filters(api, portfolio):
    whole = api.get("/api/v1/portfolio/?category=technology").json["items"]
    assert walk(api, "/api/v1/portfolio/?category=technology&limit=1") == whole
    cursor = api.get("/api/v1/portfolio/?category=technology&limit=1").json["next"]
    other = api.get(f"/api/v1/portfolio/?limit=1&cursor={cursor}")
    assert other.status_code == 400 and other.mimetype == "application/problem+json"
    assert api.get(f"/api/v1/portfolio/?cursor={cursor}x").status_code == 400


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewers_token_reads_it(api_as, portfolio, read_only):
    caller = api_as(Role.VIEWER, read_only=read_only)
    assert caller.get("/api/v1/portfolio/").status_code == 200


def test_without_a_token_it_is_401(client, portfolio):
    assert client.get("/api/v1/portfolio/").status_code == 401


def test_a_page_costs_the_same_queries_however_many_agreements(
    api,
    db,
    agreement_since,  # noqa: F811
    discuss,  # noqa: F811
):
    def page_queries(url: str) -> int:
        api.get(url)  # the token's last use and the counts, noted once
        with counting(db) as statements:
            response = api.get(url)
        assert response.status_code == 200
        return len(statements)

    for n in range(3):
        discuss(-n - 1, agreement_since(f"S{n}", 100 + n, title=f"Small {n}"))
    db.session.commit()
    small = page_queries("/api/v1/portfolio/?limit=2")
    for n in range(20):
        discuss(-n - 1, agreement_since(f"L{n}", 100 + n, title=f"Large {n}"))
        agreement_since(f"M{n}", 5, title=f"More {n}")
    db.session.commit()
    assert page_queries("/api/v1/portfolio/?limit=2") == small
    deep = api.get("/api/v1/portfolio/?limit=30").json["next"]
    assert page_queries(f"/api/v1/portfolio/?limit=2&cursor={deep}") <= small
