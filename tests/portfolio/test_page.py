"""The portfolio page: filters in the URL, the chart and its table, stalled agreements, meetings."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tests.helpers import extra_app, log_in
from tracker.models import Role


def _section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def _row(html: str, text: str) -> str:
    """The table row of the agreements table that holds ``text``."""
    rows = _section(html, "agreements-heading").split("<tr>")
    (row,) = [row for row in rows if text in row]
    return row


def test_viewers_find_the_portfolio_in_the_navigation(viewer):
    html = viewer.get("/").get_data(as_text=True)
    assert '<a class="nav-link" href="/portfolio/">Portfolio</a>' in html


def test_stalled_agreement_is_flagged_on_the_page_and_a_fresh_one_is_not(
    viewer, db, agreement_since, discuss
):
    old = agreement_since("OLD", 100, title="Old talks")
    agreement_since("NEW", 10, title="New talks")
    discuss(-120, old, title="Last round")
    discuss(6, old, title="Next round", city="Tokyo", country="Japan", timezone="Asia/Tokyo")
    db.session.commit()

    html = viewer.get("/portfolio/").get_data(as_text=True)
    stalled = _row(html, "Old talks")
    assert "Stalled" in stalled
    assert ">100<" in stalled  # days in status
    assert "Stalled" not in _row(html, "New talks")
    assert html.index("Old talks") < html.index("New talks")
    assert "<strong>1 stalled</strong>" in html
    assert "in the last 90 days" in html

    upcoming = _section(html, "upcoming-heading")
    assert "Next round" in upcoming and "Tokyo, Japan" in upcoming and "JST" in upcoming
    assert f'href="/agreements/{old.id}">OLD</a>' in upcoming
    assert "Last round" not in upcoming


def test_the_configured_number_of_days_is_used(app, viewer, db, agreement_since):
    agreement_since("MID", 40, title="Midway talks")
    db.session.commit()
    assert "Stalled" not in _row(viewer.get("/portfolio/").get_data(as_text=True), "Midway")
    app.config["STALLED_AFTER_DAYS"] = 30
    html = viewer.get("/portfolio/").get_data(as_text=True)
    assert "Stalled" in _row(html, "Midway")
    assert "in the last 30 days" in html


def test_stalled_after_days_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRACKER_STALLED_AFTER_DAYS", "45")
    with extra_app("sqlite://") as app:
        assert app.config["STALLED_AFTER_DAYS"] == 45


def test_counts_chart_and_table_link_to_the_filtered_agreements_list(
    viewer, db, agreement_since, parties
):
    india, _ = parties
    agreement_since("A", 10, category="logistics")
    agreement_since("B", 10, category="logistics", status="signed")
    agreement_since("C", 10, category="technology", status="signed")
    db.session.commit()

    html = viewer.get(f"/portfolio/?party={india.id}&category=logistics").get_data(as_text=True)
    section = _section(html, "by-status-heading")
    link = f"/agreements/?party={india.id}&amp;category=logistics&amp;status=signed"
    assert f'<th scope="row"><a href="{link}">Signed</a></th>' in section
    assert re.search(r">Signed</a></th>\s*<td[^>]*>1</td>", section)
    assert re.search(r">In force</a></th>\s*<td[^>]*>0</td>", section)
    # The chart draws the same numbers, each bar a link, and stays out of the way of
    # screen readers and the keyboard (the table says the same).
    svg = section.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'aria-hidden="true"' in svg
    assert f'<a href="{link}" tabindex="-1">' in svg
    assert svg.count("<rect") == 7
    assert "style=" not in html  # the CSP forbids style attributes


def test_the_download_links_carry_the_filters(viewer, db, agreement_since, parties):
    agreement_since("A", 10)
    db.session.commit()
    html = viewer.get(f"/portfolio/?status=under_negotiation&party={parties[1].id}").get_data(
        as_text=True
    )
    args = f"party={parties[1].id}&amp;status=under_negotiation"
    assert f'href="/portfolio.csv?{args}"' in html
    assert f'href="/portfolio.pdf?{args}"' in html
    assert '<option value="under_negotiation" selected>' in html
    assert f'<option value="{parties[1].id}" selected>' in html


def test_a_status_filter_narrows_the_table_but_not_the_counts(viewer, db, agreement_since):
    agreement_since("A", 10, title="Alpha")
    agreement_since("B", 10, title="Bravo", status="signed")
    db.session.commit()
    html = viewer.get("/portfolio/?status=signed").get_data(as_text=True)
    table = _section(html, "agreements-heading")
    assert "Bravo" in table and "Alpha" not in table
    assert re.search(r">Under negotiation</a></th>\s*<td[^>]*>1</td>", html)
    assert "the table below lists only “Signed”" in html


def test_archived_agreements_are_left_out(viewer, db, agreement_since):
    agreement_since("KEPT", 10, title="Kept talks")
    agreement_since("GONE", 10, title="Archived talks").archived_at = datetime.now(UTC)
    db.session.commit()
    html = viewer.get("/portfolio/").get_data(as_text=True)
    assert "Kept talks" in html and "Archived talks" not in html


def test_an_empty_portfolio_says_so(viewer):
    html = viewer.get("/portfolio/?category=technology").get_data(as_text=True)
    assert "No agreements match." in html
    assert "No meetings in the next 30 days." in html


BAD_QUERIES = [
    "status=xyz",
    "status=%00",
    "category=%3Cscript%3Ealert(1)%3C/script%3E",
    "party=abc",
    "party=-1",
    "party=0",
    "party=99999",
    "party=%C2%B2",  # a superscript two: a digit to str.isdigit, not to int()
    "party=1e3",
    "party=" + "9" * 400,
    "status=" + "x" * 5000,
    "status=signed&status=xyz",
]


def test_unknown_filter_values_are_ignored_on_the_page_with_a_message(viewer):
    for query in BAD_QUERIES:
        response = viewer.get(f"/portfolio/?{query}")
        assert response.status_code == 200, query
        html = response.get_data(as_text=True)
        warnings = re.findall(r'<div class="alert alert-warning" role="status">(.*?)</div>', html)
        if query.startswith("status=signed"):
            assert not warnings  # only the first value of a repeated argument counts
            continue
        assert len(warnings) == 1, query
        assert re.match(r"Unknown (status|category|party) “.*” ignored", warnings[0]), query
        assert len(warnings[0]) < 200
        assert "<script>" not in html


def test_unknown_filter_values_refuse_a_download_with_400(viewer):
    for download in ("/portfolio.csv", "/portfolio.pdf"):
        for query in BAD_QUERIES[:-1]:
            response = viewer.get(f"{download}?{query}")
            assert response.status_code == 400, (download, query)
            html = response.get_data(as_text=True)
            assert "Unknown " in html
            assert "Choose the filters on the Portfolio page" in html


def test_an_archived_party_is_not_offered(viewer, db, make_party):
    party = make_party("Former partner", None, kind="grouping")
    party.archived_at = datetime.now(UTC)
    db.session.commit()
    html = viewer.get(f"/portfolio/?party={party.id}").get_data(as_text=True)
    assert "Former partner" not in html
    assert f"Unknown party “{party.id}” ignored" in html


def test_demo_data_shows_rpss_under_negotiation_and_stalled(client, db, runner, make_user):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    make_user("minister.office", role=Role.VIEWER)
    log_in(client, "minister.office")
    html = client.get("/portfolio/").get_data(as_text=True)
    row = _row(html, "(RPSS)")
    assert "Reciprocal Provision of Supplies and Services Agreement" in row
    assert "Under negotiation" in row and "since 20 Nov 2024" in row
    assert "5 May 2025" in row  # the New Delhi ministerial meeting
    # Nothing has happened since May 2025, so it is stalled by the default 90 days.
    assert "Stalled" in row
    # In force since 2014: closed, never stalled.
    assert "Stalled" not in _row(html, "(SSGP)")


def test_a_large_portfolio_is_shown_a_page_at_a_time(app, viewer, db, agreement_since):
    for n, days in enumerate((200, 10, 20, 30, 40)):
        agreement_since(f"A{n}", days, title=f"Talks {n}")
    db.session.commit()
    app.config["PAGE_SIZE"] = 2

    first = viewer.get("/portfolio/").get_data(as_text=True)
    assert "5 agreements" in first and "Page 1 of 3" in first
    # Stalled first on the first page, then by title.
    assert "Talks 0" in first and "Talks 1" in first and "Talks 2" not in first
    last = viewer.get("/portfolio/?page=3").get_data(as_text=True)
    assert "Talks 4" in last and "Talks 3" not in last
    # Out of range pages are clamped; the downloads still hold every agreement.
    assert "Talks 4" in viewer.get("/portfolio/?page=99").get_data(as_text=True)
    csv_text = viewer.get("/portfolio.csv").get_data(as_text=True)
    assert all(f"Talks {n}" in csv_text for n in range(5))
