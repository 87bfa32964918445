"""The bracket burn-down: open brackets in each revision of a negotiating text, as an SVG column
chart, and the same figures as a table for those who cannot see the picture.

Pure functions over plain values (any rows with the attributes of ``BurnDownRow``; the text
feature's ``burn_down`` makes them). Like the timeline, the result is a standalone SVG document
that a browser shows inline and fpdf2 embeds in a PDF: presentation attributes only (the CSP
forbids style attributes), shapes and plain <text>, no scripts; every label goes through
ElementTree, which escapes it.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from tracker.render import svg
from tracker.render.colours import MUTED, TEXT
from tracker.render.dates import format_date

__all__ = [
    "BurnDownRow",
    "BurnDownTable",
    "burn_down_chart",
    "burn_down_table",
    "describe_burn_down",
]

FONT = "DejaVu Sans, DejaVu, sans-serif"  # fpdf2 takes the first family it knows
FONT_SIZE = 11
BAR_FILL = "#0a58ca"  # the "under negotiation" blue: AA contrast on white
GRID = "#dee2e6"
LEFT, RIGHT, TOP = 48, 16, 24  # room for the count axis and the figure over the tallest bar
LINE = 15  # one line of the labels under each column
BOTTOM = 3 * LINE + 10  # revision, date, agreed
PLOT_HEIGHT = 180
MIN_SLOT = 84  # a column's share of the width: more revisions widen the picture
MAX_BAR_WIDTH = 44


class BurnDownRow(Protocol):
    """One revision's figures."""

    @property
    def label(self) -> str: ...

    @property
    def issued_on(self) -> date | None: ...

    @property
    def issued_by(self) -> str: ...

    @property
    def open_brackets(self) -> int: ...

    @property
    def agreed(self) -> int: ...

    @property
    def total(self) -> int: ...


@dataclass(frozen=True)
class BurnDownTable:
    """The chart's figures for a <table>: the page draws it, with ``caption``."""

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]  # which columns hold numbers (aligned right)


def _issued(row: BurnDownRow) -> str:
    return format_date(row.issued_on) if row.issued_on else "draft, not issued"


def _agreed(row: BurnDownRow) -> str:
    return f"{row.agreed} of {row.total} agreed"


def _brackets(count: int) -> str:
    return f"{count} open bracket" + ("" if count == 1 else "s")


def describe_burn_down(rows: Sequence[BurnDownRow]) -> str:
    """The picture in words, for its <desc> and a PDF's alt text."""
    if not rows:
        return "No revisions of this text yet."
    parts = [
        f"{row.label or 'Unnamed revision'} ({row.issued_by}, {_issued(row)}): "
        f"{_brackets(row.open_brackets)}, {_agreed(row)} provisions"
        for row in rows
    ]
    return "Open brackets by revision. " + "; ".join(parts) + "."


def burn_down_table(rows: Sequence[BurnDownRow]) -> BurnDownTable:
    return BurnDownTable(
        caption="Open brackets and agreed provisions by revision",
        header=("Revision", "Issued by", "Issued on", "Open brackets", "Provisions agreed"),
        rows=tuple(
            (
                row.label or "Unnamed revision",
                row.issued_by,
                _issued(row),
                str(row.open_brackets),
                f"{row.agreed} of {row.total}",
            )
            for row in rows
        ),
        numeric=(False, False, False, True, True),
    )


def _step(largest: int) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving at most five steps to ``largest``."""
    if largest <= 5:
        return 1
    power = 10 ** math.floor(math.log10(largest / 5))
    return next(n * power for n in (1, 2, 5, 10) if largest / (n * power) <= 5)


def _fit(text: str, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` (the full text is in the tooltip)."""
    if svg.text_width(text, FONT_SIZE) <= width:
        return text
    room = max(int(width / (FONT_SIZE * 0.62)) - 1, 1)
    # Three dots, not "…": the PDF draws the picture in a core font without that character.
    return text[:room].rstrip() + "..."


def burn_down_chart(
    rows: Sequence[BurnDownRow],
    *,
    title: str = "Bracket burn-down",
    for_pdf: bool = False,
) -> str:
    """A standalone SVG document with one column of open brackets per revision, in order.

    Under each column: the revision's label, its date and its provisions agreed out of total.
    ``for_pdf`` leaves out <title> and <desc>, which fpdf2 does not support: give the image
    ``alt_text=describe_burn_down(rows)`` instead. The page shows ``burn_down_table(rows)``
    beside it.
    """
    slot = MIN_SLOT
    width = max(LEFT + RIGHT + slot * len(rows), 360)
    slot = (width - LEFT - RIGHT) / max(len(rows), 1)
    height = TOP + PLOT_HEIGHT + BOTTOM
    root = svg.document(
        width,
        height,
        {"role": "img", "font-family": FONT, "font-size": FONT_SIZE, "class": "burn-down-svg"},
    )
    if not for_pdf:
        svg.sub(root, "title", text=title)
        svg.sub(root, "desc", text=describe_burn_down(rows))
    base = TOP + PLOT_HEIGHT
    if not rows:
        svg.sub(
            root,
            "text",
            {"x": LEFT, "y": TOP + PLOT_HEIGHT / 2, "fill": MUTED},
            text="No revisions yet",
            cls="no-revisions",
        )
        return svg.to_string(root)

    step = _step(max(row.open_brackets for row in rows))
    top = max(math.ceil(max(row.open_brackets for row in rows) / step), 1) * step
    _axis(root, top, step, width)
    bar_width = min(slot * 0.6, MAX_BAR_WIDTH)
    for n, row in enumerate(rows):
        middle = LEFT + slot * (n + 0.5)
        bar = PLOT_HEIGHT * row.open_brackets / top
        column = svg.sub(root, "g", cls="revision")
        svg.with_tooltip(
            svg.sub(
                column,
                "rect",
                {
                    "x": middle - bar_width / 2,
                    "y": base - bar,
                    "width": bar_width,
                    "height": bar,
                    "fill": BAR_FILL,
                },
                cls="bar",
            ),
            f"{row.label} ({row.issued_by}, {_issued(row)}): {_brackets(row.open_brackets)}, "
            f"{_agreed(row)} provisions",
        )
        svg.sub(
            column,
            "text",
            {"x": middle, "y": base - bar - 5, "text-anchor": "middle", "fill": TEXT},
            text=str(row.open_brackets),
            cls="count",
        )
        for line, (text, fill) in enumerate(
            (
                (row.label or "Unnamed", TEXT),
                (format_date(row.issued_on) if row.issued_on else "draft", MUTED),
                (f"{row.agreed}/{row.total}", MUTED),
            ),
            start=1,
        ):
            svg.sub(
                column,
                "text",
                {"x": middle, "y": base + LINE * line, "text-anchor": "middle", "fill": fill},
                text=_fit(text, slot - 6),
                cls="axis-label",
            )
    svg.sub(
        root,
        "text",
        {"x": LEFT - 6, "y": base + LINE * 3, "text-anchor": "end", "fill": MUTED},
        text="Agreed",
        cls="axis-title",
    )
    return svg.to_string(root)


def _axis(root: ET.Element, top: int, step: int, width: float) -> None:
    base = TOP + PLOT_HEIGHT
    for value in range(0, top + 1, step):
        y = base - PLOT_HEIGHT * value / top
        svg.sub(
            root,
            "line",
            {
                "x1": LEFT,
                "y1": y,
                "x2": width - RIGHT,
                "y2": y,
                "stroke": MUTED if not value else GRID,
            },
            cls="grid",
        )
        svg.sub(
            root,
            "text",
            {"x": LEFT - 6, "y": y + FONT_SIZE * 0.35, "text-anchor": "end", "fill": MUTED},
            text=str(value),
            cls="tick",
        )
    svg.sub(
        root,
        "text",
        {
            "x": 12,
            "y": TOP + PLOT_HEIGHT / 2,
            "text-anchor": "middle",
            "fill": MUTED,
            "transform": f"rotate(-90 12 {svg.number(TOP + PLOT_HEIGHT / 2)})",
        },
        text="Open brackets",
        cls="axis-title",
    )
