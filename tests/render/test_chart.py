"""The status chart: bars in the status colours, built from any status/count pairs, escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import NamedTuple

from tracker.models import Status
from tracker.render.chart import status_chart
from tracker.render.colours import STATUS_COLOURS

NS = "{http://www.w3.org/2000/svg}"


class Pair(NamedTuple):
    status: Status
    count: int


COUNTS = [Pair(Status.PROPOSED, 4), Pair(Status.SIGNED, 2), Pair(Status.STALLED, 0)]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314  (our own output; raises unless well-formed)


def test_one_bar_per_status_in_its_colour_as_long_as_its_count():
    root = parse(status_chart(COUNTS))
    bars = list(root.iter(f"{NS}rect"))
    assert [bar.get("fill") for bar in bars] == [STATUS_COLOURS[row.status] for row in COUNTS]
    assert [bar.get("width") for bar in bars] == ["300", "150", "2"]  # a zero keeps a sliver
    texts = [text.text for text in root.iter(f"{NS}text")]
    assert texts == ["Proposed", "4", "Signed", "2", "Stalled", "0"]
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert root.find(f"{NS}a") is None and root.get("aria-hidden") is None


def test_links_and_font_keep_markup_characters_as_text():
    href = '/agreements/?party=1&status=signed&q="<x>"'
    font = 'Name "with" <markup> & more'
    root = parse(status_chart(COUNTS, links={row.status: href for row in COUNTS}, font_family=font))
    links = root.findall(f"{NS}a")
    assert [(a.get("href"), a.get("tabindex")) for a in links] == [(href, "-1")] * 3
    assert root.get("font-family") == font
    assert root.get("aria-hidden") == "true"
