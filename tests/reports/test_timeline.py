"""The timeline picture: well-formed SVG whose bands, marks and labels say what happened when."""

from __future__ import annotations

import io
import logging
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest

from tracker.models import Status
from tracker.render.colours import STATUS_COLOURS
from tracker.render.pdf import ReportPDF
from tracker.render.timeline import MeetingMark, Phase, describe_timeline, render_timeline

NS = "{http://www.w3.org/2000/svg}"
UNTIL = date(2025, 5, 5)
ISO_OR_NUMERIC_DATE = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}")

HISTORY = [
    Phase(Status.PROPOSED, date(2014, 1, 3)),
    Phase(Status.UNDER_NEGOTIATION, date(2015, 3, 5)),
    Phase(Status.STALLED, date(2019, 2, 1)),
    Phase(Status.UNDER_NEGOTIATION, date(2020, 6, 1)),
    Phase(Status.SIGNED, date(2024, 3, 1)),
]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # noqa: S314  (our own output; raises unless well-formed)
    assert root.tag == f"{NS}svg"
    return root


def parts(root: ET.Element, tag: str, cls: str) -> list[ET.Element]:
    return [e for e in root.iter(f"{NS}{tag}") if cls in e.get("class", "").split()]


def tooltip(element: ET.Element) -> str:
    return element.find(f"{NS}title").text


def num(element: ET.Element, name: str) -> float:
    return float(element.get(name))


def scattered(count: int, first: date, days: int, title: str = "Meeting") -> list[MeetingMark]:
    """``count`` meetings spread unevenly over ``days`` days, the same on every run."""
    return [
        MeetingMark(first + timedelta(days=(n * 7919 + n * n * 13) % days), f"{title} {n}")
        for n in range(count)
    ]


def label_boxes(root: ET.Element) -> list[tuple[float, float, str]]:
    """Tick labels as (left, right, text), with the same generous width estimate as the code."""
    boxes = []
    for label in parts(root, "text", "tick-label"):
        half = len(label.text) * 11 * 0.62 / 2
        boxes.append((num(label, "x") - half, num(label, "x") + half, label.text))
    return boxes


def test_document_is_a_standalone_accessible_svg():
    meetings = [
        MeetingMark(date(2015, 6, 1), "First round"),
        MeetingMark(date(2016, 1, 9), "Second"),
    ]
    root = parse(render_timeline(HISTORY, meetings, until=UNTIL, title="Timeline of RPSS"))
    width, height = root.get("width"), root.get("height")
    assert root.get("viewBox") == f"0 0 {width} {height}" and width == "900"
    assert root.get("role") == "img"
    assert [child.tag for child in root[:2]] == [f"{NS}title", f"{NS}desc"]
    assert root[0].text == "Timeline of RPSS"
    assert root[1].text == (
        "Proposed from 3 Jan 2014; under negotiation from 5 Mar 2015; stalled from 1 Feb 2019;"
        " under negotiation from 1 Jun 2020; signed from 1 Mar 2024 (status as of 5 May 2025)."
        " 2 meetings between 1 Jun 2015 and 9 Jan 2016."
    )


def test_bands_follow_the_history_in_order_with_the_badge_colours():
    root = parse(render_timeline(HISTORY, [], until=UNTIL))
    bands = parts(root, "rect", "band")
    assert [band.get("class").split()[1] for band in bands] == [
        f"band-{phase.status.value}" for phase in HISTORY
    ]
    assert [band.get("fill") for band in bands] == [STATUS_COLOURS[p.status] for p in HISTORY]
    # Each band starts where the previous ends; the last runs to the end of the axis.
    for before, after in zip(bands, bands[1:], strict=False):
        assert num(before, "x") + num(before, "width") == pytest.approx(num(after, "x"), abs=0.1)
    frame = parts(root, "rect", "band-frame")[0]
    last = bands[-1]
    assert num(last, "x") + num(last, "width") == pytest.approx(
        num(frame, "x") + num(frame, "width"), abs=0.1
    )
    assert tooltip(bands[1]) == "Under negotiation from 5 Mar 2015 until 1 Feb 2019"
    assert tooltip(bands[-1]) == "Signed from 1 Mar 2024 (as of 5 May 2025)"
    # Wide bands carry their status name, so colour is not the only clue.
    assert "Under negotiation" in [t.text for t in parts(root, "text", "band-label")]


def test_legend_names_only_the_statuses_that_occur():
    root = parse(render_timeline(HISTORY, [], until=UNTIL))
    legend = [group.find(f"{NS}text").text for group in parts(root, "g", "legend-item")]
    assert legend == ["Proposed", "Under negotiation", "Signed", "Stalled"]


def test_history_after_until_is_left_out_and_nothing_assumes_today():
    later = [*HISTORY, Phase(Status.IN_FORCE, date(2025, 6, 1))]
    as_of = date(2019, 12, 31)
    root = parse(render_timeline(later, [], until=as_of))
    bands = parts(root, "rect", "band")
    assert [b.get("fill") for b in bands] == [STATUS_COLOURS[p.status] for p in HISTORY[:3]]
    assert tooltip(bands[-1]) == "Stalled from 1 Feb 2019 (as of 31 Dec 2019)"
    labels = [label.text for label in parts(root, "text", "tick-label")]
    assert labels[-1] == "Jul 2019"  # the axis ends with the as-of year
    assert "In force" not in describe_timeline(later, [], until=as_of)


def test_meetings_sit_at_their_dates_from_left_to_right():
    days = [date(2014, 2, 1), date(2015, 3, 5), date(2019, 2, 1), date(2024, 12, 24)]
    meetings = [MeetingMark(day, f"Round {n}", "Ministerial") for n, day in enumerate(days)]
    root = parse(render_timeline(HISTORY, list(reversed(meetings)), until=UNTIL))
    marks = parts(root, "circle", "meeting")
    assert [tooltip(mark) for mark in marks] == [
        "Round 0 (Ministerial), 1 Feb 2014",
        "Round 1 (Ministerial), 5 Mar 2015",
        "Round 2 (Ministerial), 1 Feb 2019",
        "Round 3 (Ministerial), 24 Dec 2024",
    ]
    xs = [num(mark, "cx") for mark in marks]
    assert xs == sorted(xs) and len(set(xs)) == len(xs)
    # A meeting on the day a status began sits inside that status's band.
    bands = parts(root, "rect", "band")
    for x, band in ((xs[1], bands[1]), (xs[2], bands[2])):
        assert num(band, "x") < x < num(band, "x") + num(band, "width")
    # The axis agrees: the mark of 1 Feb 2019 lies between the ticks of 2018 and 2020.
    ticks = {label.text: num(label, "x") for label in parts(root, "text", "tick-label")}
    assert ticks["2018"] < xs[2] < ticks["2020"]
    assert list(ticks.values()) == sorted(ticks.values())


@pytest.mark.parametrize(
    ("first", "span_days", "expected"),
    [
        (date(2025, 5, 5), 1, ["5 May 2025"]),
        (date(2025, 5, 1), 5, ["1 May 2025", "2 May 2025", "3 May 2025"]),
        (date(2025, 3, 1), 60, ["3 Mar 2025", "10 Mar 2025"]),
        (date(2024, 6, 1), 330, ["Jun 2024", "Jul 2024"]),
        (date(2021, 1, 1), 4 * 365, ["Jan 2021", "Jul 2021"]),
        (date(2001, 1, 1), 20 * 365, ["2001", "2002"]),
        (date(1985, 1, 1), 40 * 365, ["1986", "1988"]),
        (date(1800, 1, 1), 200 * 365, ["1800", "1810"]),
    ],
)
def test_axis_steps_from_days_to_decades_without_overlapping_labels(first, span_days, expected):
    until = first + timedelta(days=span_days - 1)
    root = parse(render_timeline([Phase(Status.PROPOSED, first)], [], until=until))
    boxes = label_boxes(root)
    assert [text for _, _, text in boxes[: len(expected)]] == expected
    for (_, right, _), (left, _, _) in zip(boxes, boxes[1:], strict=False):
        assert right < left, boxes
    assert all(left >= 0 and right <= 900 for left, right, _ in boxes)
    assert not any(ISO_OR_NUMERIC_DATE.search(text) for _, _, text in boxes)


def test_labels_do_not_overlap_in_a_narrow_picture():
    root = parse(render_timeline(HISTORY, [], until=UNTIL, width=320))
    boxes = label_boxes(root)
    assert len(boxes) >= 2
    for (_, right, _), (left, _, _) in zip(boxes, boxes[1:], strict=False):
        assert right < left


def test_800_meetings_over_40_years_are_counted_in_a_bounded_picture():
    meetings = scattered(800, date(1985, 1, 1), 40 * 365)
    svg = render_timeline(HISTORY, meetings, until=UNTIL)
    root = parse(svg)
    assert len(list(root.iter())) < 400
    assert len(svg.encode()) < 40_000
    assert not parts(root, "circle", "meeting")
    bars = parts(root, "rect", "meetings")
    assert 20 <= len(bars) <= 120
    counts = [int(re.match(r"(\d+) meetings, ", tooltip(bar)).group(1)) for bar in bars]
    assert sum(counts) == 800
    assert re.fullmatch(
        r"\d+ meetings, [A-Z][a-z]{2}( \d{4})?–[A-Z][a-z]{2} \d{4}", tooltip(bars[0])
    )
    # Taller bars for busier years.
    heights = [num(bar, "height") for bar in bars]
    assert heights[counts.index(max(counts))] == max(heights)
    legend = [group.find(f"{NS}text").text for group in parts(root, "g", "legend-item")]
    assert legend[-1] == "Meetings per year (bar height: count)"


def test_marks_that_would_touch_are_counted_even_when_few():
    meetings = [MeetingMark(date(2024, 3, 4), "Plenary"), MeetingMark(date(2024, 3, 4), "Side")]
    root = parse(render_timeline(HISTORY, meetings, until=UNTIL))
    bars = parts(root, "rect", "meetings")
    assert [tooltip(bar) for bar in bars] == ["2 meetings, 4 Mar 2024"]
    assert [t.text for t in parts(root, "text", "meeting-count")] == ["2"]


def test_everything_on_one_day():
    day = date(2025, 5, 5)
    meetings = [MeetingMark(day, "Opening"), MeetingMark(day, "Closing")]
    svg = render_timeline([Phase(Status.PROPOSED, day)], meetings, until=day)
    root = parse(svg)
    (band,) = parts(root, "rect", "band")
    frame = parts(root, "rect", "band-frame")[0]
    assert num(band, "width") == num(frame, "width")
    assert [label.text for label in parts(root, "text", "tick-label")] == ["5 May 2025"]
    (bar,) = parts(root, "rect", "meetings")
    assert tooltip(bar) == "2 meetings, 5 May 2025"
    assert num(band, "x") < num(bar, "x") < num(band, "x") + num(band, "width")


def test_no_meetings_and_no_history():
    root = parse(render_timeline(HISTORY, [], until=UNTIL))
    assert [t.text for t in parts(root, "text", "no-meetings")] == ["No meetings"]
    assert not parts(root, "rect", "meetings") and not parts(root, "circle", "meeting")
    assert root.find(f"{NS}desc").text.endswith("No meetings.")
    empty = parse(render_timeline([], [], until=UNTIL))
    assert not parts(empty, "rect", "band")
    assert empty.find(f"{NS}desc").text == "No status recorded by 5 May 2025. No meetings."


def test_meetings_after_until_sit_over_a_grey_band():
    meetings = [MeetingMark(date(2025, 4, 1), "Held"), MeetingMark(date(2025, 9, 1), "Planned")]
    root = parse(render_timeline(HISTORY, meetings, until=UNTIL))
    (after,) = parts(root, "rect", "band-after")
    assert tooltip(after) == "After 5 May 2025"
    planned = parts(root, "circle", "meeting")[-1]
    assert num(after, "x") < num(planned, "cx")
    signed = parts(root, "rect", "band")[-1]
    assert num(signed, "x") + num(signed, "width") == pytest.approx(num(after, "x"), abs=0.1)


def test_hostile_titles_come_back_as_text():
    hostile = "<script>alert(1)</script> \"quoted\" & 'single' ]]> \x00\x0b"
    root = parse(
        render_timeline(
            HISTORY, [MeetingMark(date(2016, 1, 1), hostile, "<b>")], until=UNTIL, title=hostile
        )
    )
    assert not list(root.iter(f"{NS}script")) and not list(root.iter("script"))
    assert not list(root.iter(f"{NS}b"))
    clean = hostile.replace("\x00", "").replace("\x0b", "")
    assert root.find(f"{NS}title").text == clean
    (mark,) = parts(root, "circle", "meeting")
    assert tooltip(mark) == f"{clean} (<b>), 1 Jan 2016"


def test_no_inline_styles_for_the_content_security_policy():
    meetings = [MeetingMark(date(2016, 1, 1), "A"), MeetingMark(date(2016, 1, 1), "B")]
    root = parse(render_timeline(HISTORY, meetings, until=UNTIL))
    assert not list(root.iter(f"{NS}style"))
    assert not [e.tag for e in root.iter() if "style" in e.attrib]


def test_visible_dates_are_never_iso():
    meetings = [MeetingMark(date(2025, 5, d), "Talks") for d in (1, 2, 3)]
    root = parse(
        render_timeline([Phase(Status.PROPOSED, date(2025, 4, 28))], meetings, until=UNTIL)
    )
    visible = [e.text for e in root.iter(f"{NS}text")]
    assert "28 Apr 2025" in visible
    assert not any(ISO_OR_NUMERIC_DATE.search(text) for text in visible)


def test_too_narrow_a_picture_is_refused():
    with pytest.raises(ValueError, match="width"):
        render_timeline(HISTORY, [], until=UNTIL, width=100)


def test_fpdf2_embeds_it_without_warnings(caplog):
    busy = scattered(300, date(1990, 1, 1), 12000, title="Round & <more>")
    sparse = [MeetingMark(date(2016, 5, 1), "Tōkyō round", "Ministerial")]
    pdf = ReportPDF(title="Timeline", generated_at=datetime(2025, 5, 5, tzinfo=UTC))
    pdf.add_page()
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        for meetings in (busy, sparse, []):
            svg = render_timeline(HISTORY, meetings, until=UNTIL, for_pdf=True)
            alt = describe_timeline(HISTORY, meetings, until=UNTIL)
            pdf.image(io.BytesIO(svg.encode()), w=pdf.epw, alt_text=alt)
        pdf.image(
            io.BytesIO(render_timeline(HISTORY, [], until=UNTIL, for_pdf=True, width=300).encode()),
            w=60,
        )
    assert not [r for r in caplog.records if r.name.startswith("fpdf")]
    reader = pypdf.PdfReader(io.BytesIO(pdf.output_bytes()))
    text = reader.pages[0].extract_text()
    for words in ("Under negotiation", "Stalled", "2016", "Meetings per year", "No meetings"):
        assert words in text


def test_for_pdf_leaves_out_only_what_fpdf2_cannot_read():
    web = parse(render_timeline(HISTORY, [], until=UNTIL))
    pdf = parse(render_timeline(HISTORY, [], until=UNTIL, for_pdf=True))
    assert pdf.find(f"{NS}title") is None and pdf.find(f"{NS}desc") is None
    assert len(list(web.iter())) - len(list(pdf.iter())) == 2
