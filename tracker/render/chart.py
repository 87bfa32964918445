"""Agreements by status as an SVG bar chart, drawn on the server for the page and the PDF.

Presentation attributes only (fill, font-size…): the CSP forbids style attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from tracker.models import Status
from tracker.portfolio.queries import StatusCount

# The status colours of tracker.css, so the chart matches the status badges.
STATUS_COLOURS = {
    Status.PROPOSED: "#495057",
    Status.UNDER_NEGOTIATION: "#0a58ca",
    Status.TEXT_AGREED: "#6f42c1",
    Status.SIGNED: "#146c43",
    Status.IN_FORCE: "#0f5132",
    Status.STALLED: "#9a3d00",
    Status.ABANDONED: "#6c1d24",
}

LABEL_WIDTH = 150
BAR_SPACE = 300
COUNT_WIDTH = 50
ROW_HEIGHT = 26
BAR_HEIGHT = 16
FONT_SIZE = 13
WIDTH = LABEL_WIDTH + BAR_SPACE + COUNT_WIDTH


def status_chart(
    counts: Sequence[StatusCount],
    *,
    links: Mapping[Status, str] | None = None,
    font_family: str = "DejaVu Sans, Verdana, sans-serif",
) -> str:
    """An SVG document with one labelled bar per status; ``links`` makes each bar a link.

    On the page the chart repeats the table next to it, so it is hidden from screen readers
    and its links are left out of the tab order: the table carries the same links.
    """
    height = ROW_HEIGHT * len(counts) + 4
    largest = max((row.count for row in counts), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family={quoteattr(font_family)} '
        f'font-size="{FONT_SIZE}"'
        + (' class="img-fluid portfolio-chart" aria-hidden="true">' if links else ">")
    ]
    for n, row in enumerate(counts):
        top = n * ROW_HEIGHT + 4
        baseline = top + BAR_HEIGHT - 3
        # A zero still shows a sliver, so every status has a visible place on the chart.
        bar = max(round(BAR_SPACE * row.count / largest), 2)
        label = xml_escape(row.status.label)
        shapes = (
            f'<text x="{LABEL_WIDTH - 8}" y="{baseline}" text-anchor="end" fill="#212529">'
            f"{label}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{top}" width="{bar}" height="{BAR_HEIGHT}" '
            f'fill="{STATUS_COLOURS[row.status]}"/>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{baseline}" fill="#212529">{row.count}</text>'
        )
        if links:
            parts.append(f'<a href={quoteattr(links[row.status])} tabindex="-1">{shapes}</a>')
        else:
            parts.append(shapes)
    parts.append("</svg>")
    return "".join(parts)
