"""Every report, export and API answer carries the highest marking of what it shows, at the
top and the bottom: a Secret // REL TO IND, JPN record marks the file so, and a file showing
only unclassified records says UNCLASSIFIED."""

from __future__ import annotations

import csv
import io
import json

import pypdf
from icalendar import Calendar

from tests.markings_out.conftest import SECRET, UNCLASSIFIED


def pdf_pages(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def assert_every_page_marked(data: bytes, marking: str) -> None:
    pages = pdf_pages(data)
    for number, text in enumerate(pages, 1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        # Head and foot of each page: the marking twice, none of another.
        assert text.count(marking) == 2, (number, lines[:2], lines[-2:])
    return pages


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


# -- The status report ------------------------------------------------------------------


def test_report_pdf_is_marked_at_the_head_and_foot_of_every_page(cleared, world):
    response = cleared.get(f"/agreements/{world.secret.id}/report.pdf")
    assert response.status_code == 200
    assert response.headers["X-Classification"] == SECRET
    pages = assert_every_page_marked(response.get_data(), SECRET)
    assert len(pages) >= 2


def test_report_markdown_json_and_html_file_are_marked(cleared, world):
    base = f"/agreements/{world.secret.id}/report"
    markdown = cleared.get(f"{base}.md").get_data(as_text=True).splitlines()
    assert markdown[0] == markdown[-1] == f"**{SECRET}**"
    data = json.loads(cleared.get(f"{base}.json").get_data())
    assert next(iter(data)) == "marking" and data["marking"] == SECRET
    html = cleared.get(f"{base}.html").get_data(as_text=True)
    body = html.split("<body>", 1)[1]
    assert body.strip().startswith(
        f'<div class="marking-banner" role="note" aria-label="Classification">{SECRET}</div>'
    )
    assert (
        body.rstrip()
        .removesuffix("</html>")
        .rstrip()
        .removesuffix("</body>")
        .rstrip()
        .endswith(f"{SECRET}</div>")
    )


def test_report_page_and_print_view_carry_the_banner(cleared, world):
    html = cleared.get(f"/agreements/{world.secret.id}/report").get_data(as_text=True)
    assert html.count(f'aria-label="Classification">{SECRET}</div>') == 2


def test_a_report_showing_only_unclassified_records_says_unclassified(cleared, world):
    base = f"/agreements/{world.plain.id}/report"
    response = cleared.get(f"{base}.pdf")
    assert response.headers["X-Classification"] == UNCLASSIFIED
    assert_every_page_marked(response.get_data(), UNCLASSIFIED)
    assert SECRET not in " ".join(pdf_pages(response.get_data()))
    markdown = cleared.get(f"{base}.md").get_data(as_text=True).splitlines()
    assert markdown[0] == markdown[-1] == f"**{UNCLASSIFIED}**"
    assert json.loads(cleared.get(f"{base}.json").get_data())["marking"] == UNCLASSIFIED


def test_the_report_command_writes_marked_files(runner, world, tmp_path):
    out = tmp_path / "unicorn.pdf"
    assert (
        runner.invoke(args=["report", "UNICORN", "--format", "pdf", "-o", str(out)]).exit_code == 0
    )
    assert_every_page_marked(out.read_bytes(), SECRET)
    markdown = runner.invoke(args=["report", "UNICORN", "--format", "md"]).output.splitlines()
    assert markdown[0] == markdown[-1] == f"**{SECRET}**"
    data = json.loads(runner.invoke(args=["report", "OPEN", "--format", "json"]).output)
    assert data["marking"] == UNCLASSIFIED


# -- The portfolio ----------------------------------------------------------------------


def test_portfolio_csv_and_pdf_are_marked_as_the_records_they_count(cleared, world):
    response = cleared.get("/portfolio.csv")
    rows = csv_rows(response.get_data())
    assert rows[0] == rows[-1] == [SECRET]
    assert response.headers["X-Classification"] == SECRET
    assert any("Stealth antenna co-development" in row for row in rows)
    pdf = cleared.get("/portfolio.pdf")
    assert pdf.headers["X-Classification"] == SECRET
    assert_every_page_marked(pdf.get_data(), SECRET)
    page = cleared.get("/portfolio/").get_data(as_text=True)
    assert page.count(f'aria-label="Classification">{SECRET}</div>') == 2


def test_a_portfolio_of_unclassified_agreements_says_unclassified(cleared, world):
    rows = csv_rows(cleared.get("/portfolio.csv?category=technology").get_data())
    assert rows[0] == rows[-1] == [UNCLASSIFIED]
    assert [row[1] for row in rows[2:-1]] == ["Open logistics talks"]


def test_a_reader_who_may_not_see_the_secret_agreement_gets_an_unclassified_portfolio(
    uncleared, world
):
    response = uncleared.get("/portfolio.csv")
    text = response.get_data(as_text=True)
    rows = csv_rows(response.get_data())
    assert rows[0] == rows[-1] == [UNCLASSIFIED]
    assert "Stealth" not in text and "UNICORN" not in text
    pdf = uncleared.get("/portfolio.pdf")
    assert_every_page_marked(pdf.get_data(), UNCLASSIFIED)


# -- The audit trail's CSV --------------------------------------------------------------


def test_audit_csv_is_marked_first_and_last(cleared_admin, world):
    response = cleared_admin.get("/admin/audit.csv")
    rows = csv_rows(response.get_data())
    assert rows[0] == rows[-1] == [SECRET]
    assert response.headers["X-Classification"] == SECRET
    # Narrowed to what carries no marking: unclassified.
    rows = csv_rows(cleared_admin.get("/admin/audit.csv?type=party").get_data())
    assert rows[0] == rows[-1] == [UNCLASSIFIED]


# -- Calendars --------------------------------------------------------------------------


def test_calendars_are_marked_first_in_their_name_and_in_each_event(cleared, world):
    response = cleared.get("/calendar.ics")
    text = response.get_data(as_text=True)
    assert text.startswith(
        "BEGIN:VCALENDAR\r\nX-TRACKER-CLASSIFICATION:SECRET // REL TO IND\\, JPN\r\n"
    )
    calendar = Calendar.from_ical(response.get_data())
    assert str(calendar["X-WR-CALNAME"]).endswith(f"({SECRET})")
    assert str(calendar["X-WR-CALDESC"]) == f"Classification: {SECRET}"
    (event,) = calendar.events
    notes = str(event["DESCRIPTION"]).splitlines()
    assert notes[0] == notes[-1] == SECRET
    # The plain agreement's calendar shows the same meeting, secret outcome included.
    assert response.headers["X-Classification"] == SECRET


def test_a_calendar_without_marked_records_says_unclassified(uncleared, world):
    calendar = Calendar.from_ical(uncleared.get("/calendar.ics").get_data())
    assert str(calendar["X-WR-CALNAME"]).endswith(f"({UNCLASSIFIED})")
    (event,) = calendar.events
    notes = str(event["DESCRIPTION"])
    assert notes.startswith(UNCLASSIFIED) and notes.endswith(UNCLASSIFIED)
    assert "Stealth" not in notes and "Work share" not in notes


# -- The API ----------------------------------------------------------------------------


def test_every_api_answer_carries_the_marking_of_what_it_shows(client, cleared_token, world):
    listed = client.get("/api/v1/agreements/", headers=cleared_token)
    assert listed.headers["X-Classification"] == SECRET
    assert listed.get_json()["marking"] == SECRET
    narrowed = client.get("/api/v1/agreements/?category=technology", headers=cleared_token)
    assert narrowed.headers["X-Classification"] == UNCLASSIFIED
    assert narrowed.get_json()["marking"] == UNCLASSIFIED
    one = client.get(f"/api/v1/agreements/{world.secret.id}", headers=cleared_token)
    assert one.headers["X-Classification"] == SECRET
    report = client.get(f"/api/v1/agreements/{world.secret.id}/report", headers=cleared_token)
    assert report.headers["X-Classification"] == report.get_json()["marking"] == SECRET
    plain = client.get(f"/api/v1/agreements/{world.plain.id}/report", headers=cleared_token)
    assert plain.headers["X-Classification"] == plain.get_json()["marking"] == UNCLASSIFIED
    portfolio = client.get("/api/v1/portfolio/", headers=cleared_token)
    assert portfolio.headers["X-Classification"] == portfolio.get_json()["marking"] == SECRET
    audit = client.get("/api/v1/meetings/", headers=cleared_token)
    assert audit.headers["X-Classification"] == audit.get_json()["marking"] == SECRET
    missing = client.get("/api/v1/agreements/999999", headers=cleared_token)
    assert missing.status_code == 404
    assert missing.headers["X-Classification"] == UNCLASSIFIED
