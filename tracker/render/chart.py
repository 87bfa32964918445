"""Agreements by status as an SVG bar chart, drawn on the server for the page and the PDF.

Presentation attributes only (fill, font-size…): the CSP forbids style attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from tracker.models.status import Status
from tracker.render import svg
from tracker.render.colours import STATUS_COLOURS, TEXT

LABEL_WIDTH = 150
BAR_SPACE = 300
COUNT_WIDTH = 50
ROW_HEIGHT = 26
BAR_HEIGHT = 16
FONT_SIZE = 13
WIDTH = LABEL_WIDTH + BAR_SPACE + COUNT_WIDTH


class HasStatusCount(Protocol):
    """How many agreements hold a status (the portfolio's counts, or any such pair)."""

    @property
    def status(self) -> Status: ...

    @property
    def count(self) -> int: ...


def status_chart(
    counts: Sequence[HasStatusCount],
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
    attributes: dict[str, str | float] = {"font-family": font_family, "font-size": FONT_SIZE}
    if links:
        attributes |= {"class": "img-fluid portfolio-chart", "aria-hidden": "true"}
    root = svg.document(WIDTH, height, attributes)
    for n, row in enumerate(counts):
        top = n * ROW_HEIGHT + 4
        baseline = top + BAR_HEIGHT - 3
        # A zero still shows a sliver, so every status has a visible place on the chart.
        bar = max(round(BAR_SPACE * row.count / largest), 2)
        parent = (
            svg.sub(root, "a", {"href": links[row.status], "tabindex": "-1"}) if links else root
        )
        svg.sub(
            parent,
            "text",
            {"x": LABEL_WIDTH - 8, "y": baseline, "text-anchor": "end", "fill": TEXT},
            text=row.status.label,
        )
        svg.sub(
            parent,
            "rect",
            {
                "x": LABEL_WIDTH,
                "y": top,
                "width": bar,
                "height": BAR_HEIGHT,
                "fill": STATUS_COLOURS[row.status],
            },
        )
        svg.sub(
            parent,
            "text",
            {"x": LABEL_WIDTH + bar + 6, "y": baseline, "fill": TEXT},
            text=str(row.count),
        )
    return svg.to_string(root)
