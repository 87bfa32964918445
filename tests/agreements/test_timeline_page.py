"""The agreement page shows its history and meetings as a timeline picture."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

from tracker.models import AgendaItem, Meeting

NS = "{http://www.w3.org/2000/svg}"


def test_agreement_page_shows_the_timeline_figure(logged_in, db, make_agreement):
    agreement = make_agreement(status_on=date(2024, 11, 1))
    agreement.change_status("under_negotiation", effective_on=date(2025, 1, 10))
    held = Meeting(
        title='Talks <b>"round" one</b> & more',
        # Late evening in UTC is the next morning in Tokyo: the picture shows Tokyo's day.
        starts_at=datetime(2025, 3, 3, 23, 30, tzinfo=UTC),
        timezone="Asia/Tokyo",
        level="ministerial",
    )
    archived = Meeting(
        title="Cancelled talks",
        starts_at=datetime(2025, 2, 1, 9, tzinfo=UTC),
        level="virtual",
        archived_at=datetime(2025, 1, 20, tzinfo=UTC),
    )
    db.session.add_all(
        [
            held,
            archived,
            AgendaItem(meeting=held, agreement=agreement),
            AgendaItem(meeting=archived, agreement=agreement),
        ]
    )
    db.session.commit()

    html = logged_in.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    figure = re.search(r'<figure class="timeline[^"]*">(.*?)</figure>', html, re.S).group(1)
    assert "<figcaption" in figure
    svg = ET.fromstring(re.search(r"<svg.*</svg>", figure, re.S).group(0))  # noqa: S314
    assert svg.get("role") == "img" and svg.get("viewBox")
    assert svg.find(f"{NS}title").text == "Timeline of RPSS"
    bands = [e for e in svg.iter(f"{NS}rect") if "band" in e.get("class", "").split()]
    assert [band.find(f"{NS}title").text for band in bands] == [
        "Proposed from 1 Nov 2024 until 10 Jan 2025",
        f"Under negotiation from 10 Jan 2025 (as of {date.today():%-d %b %Y})",
    ]
    marks = [e.find(f"{NS}title").text for e in svg.iter() if e.get("class") == "meeting"]
    assert marks == ['Talks <b>"round" one</b> & more (Ministerial), 4 Mar 2025']
    assert "Cancelled talks" not in ET.tostring(svg, encoding="unicode")
    # Nor does the page's list of meetings, like every other list.
    meetings = html.split('id="meetings-heading"', 1)[1].split("</section>", 1)[0]
    assert "Talks &lt;b&gt;" in meetings and "Cancelled talks" not in meetings
