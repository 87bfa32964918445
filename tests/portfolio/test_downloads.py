"""The portfolio as CSV (read back with the csv module) and as PDF (read back with pypdf)."""

from __future__ import annotations

import csv
import io
import itertools
from datetime import date, timedelta

import pypdf

from tests.portfolio.conftest import days_ago
from tracker.models import ActionItem, Category, NegotiationPoint, Status, clock
from tracker.portfolio.export import HEADER, csv_lines
from tracker.portfolio.queries import PortfolioRow


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that tells spreadsheets it is UTF-8
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    # The marking of what the file holds is its first line and its last.
    marking, header, *rows, last = list(reader)
    assert marking == last == [response.headers["X-Classification"]]
    assert header == HEADER
    return [dict(zip(header, row, strict=True)) for row in rows]


def pdf_text(response) -> str:
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.get_data()))
    page = reader.pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape, for the wide table
    return "\n".join(page.extract_text() for page in reader.pages)


def test_csv_has_a_row_per_agreement_with_iso_dates_and_yes_no(
    viewer, db, agreement_since, discuss
):
    old = agreement_since("OLD", 100, title="Old talks — Tōkyō round")
    agreement_since("NEW", 10, title="New talks")
    discuss(-120, old)
    discuss(6, old, timezone="Asia/Tokyo")
    db.session.add(NegotiationPoint(agreement=old, subject="Scope"))
    db.session.add(ActionItem(agreement=old, description="Draft", due_on=days_ago(3)))
    db.session.commit()

    response = viewer.get("/portfolio.csv")
    today = date.today().isoformat()
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="portfolio-{today}.csv"'
    )
    rows = read_csv(response)
    assert [row["short_name"] for row in rows] == ["OLD", "NEW"]
    old_row, new_row = rows
    assert old_row["title"] == "Old talks — Tōkyō round"
    assert old_row["id"] == str(old.id)
    assert old_row["category"] == "Logistics"
    assert old_row["parties"] == "India; Japan"
    assert old_row["status"] == "Under negotiation"
    assert old_row["status_since"] == days_ago(100).isoformat()
    assert old_row["days_in_status"] == "100"
    assert old_row["last_meeting"] == days_ago(120).isoformat()
    assert date.fromisoformat(old_row["next_meeting"]) == date.today() + timedelta(days=6)
    assert (old_row["open_points"], old_row["overdue_actions"]) == ("1", "1")
    assert (old_row["stalled"], new_row["stalled"]) == ("yes", "no")
    assert new_row["last_meeting"] == new_row["next_meeting"] == ""


def test_csv_follows_the_filters(viewer, db, agreement_since):
    agreement_since("LOG", 10, category="logistics")
    agreement_since("TECH", 10, category="technology")
    db.session.commit()
    rows = read_csv(viewer.get("/portfolio.csv?category=technology&status=&party="))
    assert [row["short_name"] for row in rows] == ["TECH"]


def test_csv_cells_cannot_run_as_spreadsheet_formulas(viewer, db, agreement_since):
    agreement_since("EVIL", 10, title='=HYPERLINK("http://evil.example","Click")')
    agreement_since("-5", 10, title="Plain title")
    db.session.commit()
    rows = {row["id"]: row for row in read_csv(viewer.get("/portfolio.csv"))}
    titles = {row["title"] for row in rows.values()}
    assert '\'=HYPERLINK("http://evil.example","Click")' in titles
    assert {row["short_name"] for row in rows.values()} == {"EVIL", "'-5"}


def test_csv_lines_are_produced_as_rows_arrive():
    """The CSV is written row by row from an iterator, never from a list of the portfolio."""
    row = PortfolioRow(
        id=1,
        title="Endless",
        short_name=None,
        category=Category.LOGISTICS,
        status=Status.PROPOSED,
        parties=[],
        status_since=None,
        days_in_status=None,
        last_meeting=None,
        next_meeting=None,
        open_points=0,
        overdue_actions=0,
        stalled=False,
    )
    lines = list(itertools.islice(csv_lines(itertools.repeat(row)), 3))
    assert lines[0].startswith("\ufeffid,title,")
    assert lines[1] == lines[2] == "1,Endless,,Logistics,,Proposed,,,,,0,0,no\r\n"


def test_today_comes_from_one_replaceable_place(viewer, db, agreement_since, monkeypatch):
    agreement_since("NEW", 10)
    db.session.commit()
    monkeypatch.setattr(clock, "today", lambda: date.today() + timedelta(days=365))
    (row,) = read_csv(viewer.get("/portfolio.csv"))
    assert (row["days_in_status"], row["stalled"]) == ("375", "yes")


def test_pdf_holds_the_facts_a_minister_reads(viewer, db, agreement_since, discuss, parties):
    old = agreement_since("OLD", 100, title="Old talks on logistics")
    agreement_since("NEW", 10, title="New talks on logistics", status="signed")
    discuss(5, old, title="Vientiane follow-up")
    db.session.commit()

    response = viewer.get(f"/portfolio.pdf?party={parties[0].id}")
    today = date.today().isoformat()
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="portfolio-{today}.pdf"'
    )
    text = pdf_text(response)
    assert "Portfolio of agreements" in text
    assert "Filters: party India." in text
    assert "2 agreements listed, of which 1 is stalled" in text
    assert "in the last 90 days" in text
    assert "Old talks on logistics" in text and "(OLD)" in text
    assert "New talks on logistics" in text
    # Stalled first: the OLD row, flagged, then the NEW one, not flagged.
    old_row = text[text.index("Old talks on logistics") : text.index("New talks on logistics")]
    new_row = text[text.index("New talks on logistics") : text.index("Meetings in the next")]
    assert "Stalled" in old_row and "Stalled" not in new_row
    # Counts by status, drawn as a chart with its numbers.
    assert "Under negotiation 1" in text and "Signed 1" in text and "In force 0" in text
    assert "Vientiane follow-up" in text
    assert "Meetings in the next 30 days" in text


def test_pdf_of_an_empty_portfolio(viewer):
    text = pdf_text(viewer.get("/portfolio.pdf?category=technology"))
    assert "Filters: category Technology co-development." in text
    assert "No agreements match these filters." in text
    assert "No meetings in the next 30 days." in text
