"""Each format of the status report, read back by a real reader of that format."""

from __future__ import annotations

import io
import json
from pathlib import Path

import defusedxml.ElementTree as ET
import jsonschema
import pypdf
import pytest
from markdown_it import MarkdownIt

from tests.helpers import log_in
from tracker.models import Role

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "agreement-report.schema.json").read_text()
)


@pytest.fixture
def viewer(client, make_user):
    """Reports are for everyone who may read: a viewer produces them."""
    log_in(client, make_user("minister.office", role=Role.VIEWER).username)
    return client


def url(negotiation, suffix="", **query):
    base = f"/agreements/{negotiation.agreement.id}/report{suffix}"
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def pdf_text(content: bytes) -> str:
    """The PDF's words as one line: wrapping and justification do not change what it says."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_page_shows_the_report_with_timeline_and_downloads(viewer, negotiation):
    response = viewer.get(url(negotiation))
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "Joint development of stealth radio antenna equipment" in page
    assert "Stalled" in page and "since 1 Jun 2023" in page
    assert "Second official-level round" in page and "Work-share principle agreed." in page
    assert "Export to third countries" in page and "Cost study" in page
    assert "<svg" in page
    for fmt in ("pdf", "md", "json", "html"):
        assert f"/report.{fmt}" in page


def test_page_as_of_a_past_day_links_downloads_for_that_day(viewer, negotiation):
    page = viewer.get(url(negotiation, as_of="2022-01-01")).get_data(as_text=True)

    assert "Status report as of 1 Jan 2022" in page
    assert "Under negotiation" in page and "since 1 Mar 2021" in page
    assert "Second official-level round" not in page
    assert "report.pdf?as_of=2022-01-01" in page


@pytest.mark.parametrize("bad", ["2022-13-01", "yesterday", "2999-01-01"])
def test_a_bad_day_is_refused_with_a_message(viewer, negotiation, bad):
    page = viewer.get(url(negotiation, as_of=bad))
    assert page.status_code == 400
    message = "only describe today" if bad.startswith("2999") else "Not a valid date"
    assert message in page.get_data(as_text=True)
    download = viewer.get(url(negotiation, ".pdf", as_of=bad))
    assert download.status_code == 400
    assert message in download.get_data(as_text=True)


def test_unknown_agreement_is_404(viewer, negotiation):
    assert viewer.get(f"/agreements/{negotiation.agreement.id + 99}/report").status_code == 404
    assert viewer.get(f"/agreements/{negotiation.agreement.id + 99}/report.md").status_code == 404
    assert viewer.get(url(negotiation, ".docx")).status_code == 404


def test_pdf_holds_the_key_facts(viewer, negotiation):
    response = viewer.get(url(negotiation, ".pdf"))

    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert "unicorn-status-" in response.headers["Content-Disposition"]
    text = pdf_text(response.data)
    for fact in (
        "Joint development of stealth radio antenna equipment",
        "Stalled since 1 Jun 2023",
        "India",
        "Japan",
        "Second official-level round",
        "Work-share principle agreed.",
        "Export to third countries",
        "Cost study",
        "Third official-level round",
    ):
        assert fact in text, fact


def test_pdf_as_of_a_past_day(viewer, negotiation):
    text = pdf_text(viewer.get(url(negotiation, ".pdf", as_of="2022-01-01")).data)

    assert "Status report as of 1 Jan 2022" in text
    assert "Under negotiation since 1 Mar 2021 (306 days)" in text
    assert "Overdue" in text and "Circulate a draft annex" in text
    assert "Second official-level round" not in text


def test_json_matches_its_documented_shape(viewer, negotiation):
    response = viewer.get(url(negotiation, ".json", as_of="2022-01-01"))

    data = response.get_json()
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    assert data["as_of"] == "2022-01-01"
    assert data["status"] == {
        "status": "under_negotiation",
        "label": "Under negotiation",
        "since": "2021-03-01",
        "days": 306,
    }
    assert [m["title"] for m in data["meetings"]] == ["First official-level round"]
    assert data["meetings"][0]["date"] == "2021-03-01"
    assert data["open_points"][0]["subject"] == "Work share"
    assert data["open_actions"] == [
        {
            "id": data["open_actions"][0]["id"],
            "description": "Circulate a draft annex",
            "owner": None,
            "due_on": "2021-06-01",
            "overdue": True,
        }
    ]


def test_json_schema_rejects_a_wrong_shape():
    """The schema is strict enough to catch a renamed or missing key."""
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"format_version": 3, "as_of": "2022-01-01"}, SCHEMA)


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("md", "text/markdown; charset=utf-8"),
        ("html", "text/html; charset=utf-8"),
        ("json", "application/json"),
        ("pdf", "application/pdf"),
    ],
)
def test_downloads_name_their_type_and_charset_once(viewer, negotiation, fmt, content_type):
    response = viewer.get(url(negotiation, f".{fmt}"))
    assert response.headers["Content-Type"] == content_type


def test_markdown_renders_to_the_report(viewer, negotiation):
    response = viewer.get(url(negotiation, ".md"))

    assert response.mimetype == "text/markdown"
    html = MarkdownIt("commonmark").enable("table").render(response.get_data(as_text=True))
    assert "<h1>Joint development of stealth radio antenna equipment (UNICORN)</h1>" in html
    assert "<h2>Open negotiation points</h2>" in html
    assert "<td>India (IND)</td>" in html
    assert "Work-share principle agreed." in html


def test_html_file_is_standalone_and_printable(viewer, negotiation):
    response = viewer.get(url(negotiation, ".html"))

    page = response.get_data(as_text=True)
    assert response.headers["Content-Disposition"].endswith('.html"')
    assert "<style>" in page and "@media print" in page
    assert 'rel="stylesheet"' not in page  # nothing to fetch: it opens anywhere
    assert "Log out" not in page and "<nav" not in page
    assert "Export to third countries" in page


def test_timeline_in_the_page_is_well_formed_svg(viewer, negotiation):
    page = viewer.get(url(negotiation)).get_data(as_text=True)

    svg = page[page.index("<svg") : page.index("</svg>") + len("</svg>")]
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")


def test_hostile_text_stays_text_in_every_format(db, viewer, negotiation):
    payload = '<script>alert("x")</script> *bold* [link](javascript:alert(1)) & =1+1'
    negotiation.agreement.summary = payload
    negotiation.agreement.points[1].details = payload
    db.session.commit()

    page = viewer.get(url(negotiation)).get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    document = viewer.get(url(negotiation, ".html")).get_data(as_text=True)
    assert "<script>alert" not in document
    rendered = MarkdownIt("commonmark").render(viewer.get(url(negotiation, ".md")).get_data(True))
    assert "<script>" not in rendered and "<a href" not in rendered
    assert "<em>bold</em>" not in rendered and "*bold*" in rendered
    assert "&lt;script&gt;alert" in rendered
    data = viewer.get(url(negotiation, ".json")).get_json()
    assert data["agreement"]["summary"] == payload
    assert payload.split(" *")[0] in pdf_text(viewer.get(url(negotiation, ".pdf")).data)


def _fonts(content: bytes) -> set[str]:
    """Base names of the fonts the PDF uses, and whether any is embedded as a file."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            descendants = font.get("/DescendantFonts")
            if descendants:
                descriptor = descendants[0].get_object()["/FontDescriptor"].get_object()
                if "/FontFile2" in descriptor:
                    names.add("embedded")
    return names


def test_pdf_in_latin_text_uses_the_built_in_font_and_any_other_script_embeds_one(
    viewer, db, negotiation
):
    """Embedding a font is half the time of a long report, so it is done only when a
    character outside Windows-1252 needs it; either way every character survives."""
    latin = viewer.get(url(negotiation, ".pdf")).data
    assert _fonts(latin) <= {"/Helvetica", "/Helvetica-Bold", "/Helvetica-Oblique"}
    assert "Work-share principle agreed." in pdf_text(latin)

    negotiation.agreement.summary = "Talks in Tōkyō and Αθήνα — “the text”."
    db.session.commit()
    unicode = viewer.get(url(negotiation, ".pdf")).data
    assert "embedded" in _fonts(unicode)
    assert not any(name.startswith("/Helvetica") for name in _fonts(unicode))
    assert "Talks in Tōkyō and Αθήνα — “the text”." in pdf_text(unicode)
    assert "Work-share principle agreed." in pdf_text(unicode)


def test_characters_no_font_has_are_written_out_not_dropped(viewer, db, negotiation):
    """DejaVu has no emoji (nor every script): the PDF names them instead of losing them."""
    negotiation.agreement.summary = "Agreed 🤝 in Tōkyō, with 𝄞 music."
    db.session.commit()
    text = pdf_text(viewer.get(url(negotiation, ".pdf")).data)
    assert "Agreed [handshake] in Tōkyō, with [musical symbol g clef] music." in text
