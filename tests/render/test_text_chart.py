"""The bracket burn-down: well-formed SVG whatever the labels hold, a description and a table."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from tracker.render.text_chart import burn_down_chart, burn_down_table, describe_burn_down

NS = "{http://www.w3.org/2000/svg}"
NAME = 'Côte d\'Ivoire & <Friends> "of" the Chair'


@dataclass(frozen=True)
class Point:
    label: str
    issued_on: date | None
    issued_by: str
    open_brackets: int
    agreed: int
    total: int


POINTS = [
    Point("Japan's draft", date(2026, 1, 15), "Japan", 200, 0, 60),
    Point("<script>alert(1)</script> Rev.1", date(2026, 3, 2), NAME, 120, 25, 60),
    Point("Rev.2\x01", None, "Joint", 0, 60, 60),
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output; raises unless well-formed)


def test_one_column_per_revision_as_tall_as_its_open_brackets():
    root = parse(burn_down_chart(POINTS))
    assert root.get("role") == "img"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert root.find(f"{NS}title").text == "Bracket burn-down"
    bars = [rect for rect in root.iter(f"{NS}rect") if rect.get("class") == "bar"]
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[0] > heights[1] > heights[2] == 0
    assert heights[1] / heights[0] == 120 / 200
    counts = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "count"]
    assert counts == ["200", "120", "0"]


def test_party_names_and_labels_are_escaped_text_never_markup():
    svg = burn_down_chart(POINTS)
    root = parse(svg)
    assert "<script" not in svg and "&lt;script&gt;" in svg
    assert "&lt;Friends&gt;" in svg and "\x01" not in svg
    assert not list(root.iter(f"{NS}script"))
    tooltips = [t.text for t in root.iter(f"{NS}title")]
    assert any(NAME in tip for tip in tooltips)
    assert NAME in root.find(f"{NS}desc").text


def test_description_and_table_say_what_the_picture_shows():
    described = describe_burn_down(POINTS)
    assert "Japan's draft (Japan, 15 Jan 2026): 200 open brackets, 0 of 60 agreed" in described
    assert "Rev.2\x01 (Joint, draft, not issued): 0 open brackets, 60 of 60" in described
    table = burn_down_table(POINTS)
    assert table.header == (
        "Revision",
        "Issued by",
        "Issued on",
        "Open brackets",
        "Provisions agreed",
    )
    assert table.rows[1] == (POINTS[1].label, NAME, "2 Mar 2026", "120", "25 of 60")
    assert len(table.numeric) == len(table.header)


def test_no_revisions_and_the_pdf_variant():
    empty = parse(burn_down_chart([]))
    assert [t.text for t in empty.iter(f"{NS}text")] == ["No revisions yet"]
    pdf = parse(burn_down_chart(POINTS, for_pdf=True))
    assert pdf.find(f"{NS}title") is None and pdf.find(f"{NS}desc") is None


def test_many_revisions_widen_the_picture_and_shorten_long_labels():
    many = [Point(f"Japan's draft number {n}", None, "Japan", 15 - n, n, 15) for n in range(15)]
    root = parse(burn_down_chart(many))
    assert float(root.get("width")) >= 15 * 84
    labels = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "axis-label"]
    assert labels[0].endswith("...") and len(labels) == 45
