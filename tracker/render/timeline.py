"""The timeline picture: status phases as coloured bands and meetings as marks on one time axis.

Pure functions over plain values: no database, no clock. ``until`` says where the history
ends (today on the agreement page, the as-of date in a report), so nothing here assumes
"today". The result is a standalone SVG document that a browser shows inline and fpdf2
embeds in a PDF, so it keeps to what both understand: presentation attributes only (the
app's CSP forbids inline styles, and fpdf2 reads attributes), shapes and plain <text>.

Readable at any size of history: axis ticks step from days to decades so their labels never
overlap, and meetings too close to tell apart are counted per day, week, month, year or
longer in a small histogram, which bounds the number of elements whatever the meeting count.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.models.status import Status
from tracker.render import svg
from tracker.render.colours import MUTED, STATUS_COLOURS, TEXT
from tracker.render.dates import format_date
from tracker.render.timescale import UNITS, Scale, month_span, ticks

__all__ = ["MeetingMark", "Phase", "describe_timeline", "render_timeline"]


@dataclass(frozen=True)
class Phase:
    """A status held from ``start`` until the next phase starts (or the timeline's ``until``)."""

    status: Status
    start: date


@dataclass(frozen=True)
class MeetingMark:
    """A meeting on the axis; ``level`` is a human label ("Ministerial") for its tooltip."""

    day: date
    title: str
    level: str | None = None


# fpdf2 takes the first family it knows: the reports register DejaVu as "DejaVu".
FONT = "DejaVu Sans, DejaVu, sans-serif"
AFTER_FILL = "#e9ecef"
MARK_FILL = TEXT

MARGIN_X = 40  # room for half a tick label at either end
BAND_TOP, BAND_HEIGHT = 8, 30
MEETING_TOP, MEETING_HEIGHT = 46, 36
AXIS_Y = 88
TICK_LENGTH = 5
TICK_LABEL_Y = 104
LEGEND_TOP = 126
LEGEND_LINE = 20
FONT_SIZE = 11
BAND_FONT_SIZE = 12
LABEL_GAP = 10  # least space between two tick labels
MARK_RADIUS = 4.5
MARK_GAP = 2 * MARK_RADIUS + 2  # closer marks would touch: count them instead
MIN_BAR_SLOT = 12  # narrowest histogram bin that stays legible
MAX_BAR_WIDTH = 28
MIN_WIDTH = 300


def _sorted_phases(phases: Sequence[Phase], until: date) -> list[Phase]:
    kept = [phase for phase in phases if phase.start <= until]
    return sorted(kept, key=lambda phase: phase.start)  # stable: same-day changes keep order


def describe_timeline(
    phases: Sequence[Phase], meetings: Sequence[MeetingMark], *, until: date
) -> str:
    """The picture in words, for its <desc> and a PDF's alt text."""
    kept = _sorted_phases(phases, until)
    parts = []
    if kept:
        steps = [
            f"{Status(phase.status).label.lower()} from {format_date(phase.start)}"
            for phase in kept
        ]
        steps[0] = steps[0][:1].upper() + steps[0][1:]
        parts.append("; ".join(steps) + f" (status as of {format_date(until)}).")
    else:
        parts.append(f"No status recorded by {format_date(until)}.")
    days = sorted(meeting.day for meeting in meetings)
    if not days:
        parts.append("No meetings.")
    elif len(days) == 1:
        parts.append(f"1 meeting, on {format_date(days[0])}.")
    else:
        parts.append(
            f"{len(days)} meetings between {format_date(days[0])} and {format_date(days[-1])}."
        )
    return " ".join(parts)


def render_timeline(
    phases: Sequence[Phase],
    meetings: Sequence[MeetingMark],
    *,
    until: date,
    width: int = 900,
    title: str = "Status and meetings over time",
    for_pdf: bool = False,
) -> str:
    """A standalone SVG document showing ``phases`` up to ``until`` and every given meeting.

    Phases starting after ``until`` are left out; the last phase lasts to the end of
    ``until``. Meetings are drawn as given (pass only those to show): any after ``until``
    widen the axis and sit over a grey "after" band. ``width`` is the viewBox width (the
    height follows from the legend); the picture scales to its container. ``for_pdf`` leaves
    out the document's <title> and <desc>, which fpdf2 does not support and warns about:
    give the PDF image ``alt_text=describe_timeline(...)`` instead.
    """
    if width < MIN_WIDTH:
        raise ValueError(f"A timeline needs a width of at least {MIN_WIDTH}.")
    kept = _sorted_phases(phases, until)
    marks = sorted(meetings, key=lambda meeting: meeting.day)
    days = [until] + [phase.start for phase in kept[:1]] + [mark.day for mark in marks]
    scale = Scale(min(days), max(days), MARGIN_X, width - MARGIN_X)

    body: list[ET.Element] = []
    legend: list[tuple[ET.Element, str]] = []

    body.extend(_bands(kept, until, scale, legend))
    body.extend(_meeting_row(marks, scale, legend))
    body.extend(_axis(scale))
    legend_elements, legend_lines = _legend(legend, width)
    height = LEGEND_TOP + max(legend_lines, 1) * LEGEND_LINE

    root = svg.document(
        width,
        height,
        {"role": "img", "font-family": FONT, "font-size": FONT_SIZE, "class": "timeline-svg"},
    )
    if not for_pdf:
        svg.sub(root, "title", text=title)
        svg.sub(root, "desc", text=describe_timeline(kept, marks, until=until))
    root.extend(body)
    root.extend(legend_elements)
    return svg.to_string(root)


def _bands(
    phases: list[Phase], until: date, scale: Scale, legend: list[tuple[ET.Element, str]]
) -> list[ET.Element]:
    elements = [
        svg.element(
            "rect",
            {
                "x": scale.left,
                "y": BAND_TOP,
                "width": scale.right - scale.left,
                "height": BAND_HEIGHT,
                "fill": "none",
                "stroke": "#adb5bd",
            },
            cls="band-frame",
        )
    ]
    seen: set[Status] = set()
    after_until = until + timedelta(days=1)
    for index, phase in enumerate(phases):
        is_last = index == len(phases) - 1
        end = after_until if is_last else phases[index + 1].start
        if end <= phase.start:
            continue  # replaced the same day: nothing to draw
        status = Status(phase.status)
        seen.add(status)
        x0, x1 = scale.x(phase.start), scale.x(end)
        if is_last:
            tooltip = f"{status.label} from {format_date(phase.start)} (as of {format_date(until)})"
        else:
            tooltip = f"{status.label} from {format_date(phase.start)} until {format_date(end)}"
        elements.append(_band(x0, x1, STATUS_COLOURS[status], f"band band-{status.value}", tooltip))
        if svg.text_width(status.label, BAND_FONT_SIZE) + 8 <= x1 - x0:
            elements.append(_band_label(status.label, (x0 + x1) / 2, "#ffffff"))
    if after_until < scale.end:
        x0, x1 = scale.x(after_until), scale.right
        text = f"After {format_date(until)}"
        elements.append(_band(x0, x1, AFTER_FILL, "band-after", text))
        if svg.text_width(text, BAND_FONT_SIZE) + 8 <= x1 - x0:
            elements.append(_band_label(text, (x0 + x1) / 2, MUTED))
    for status in Status:  # workflow order
        if status in seen:
            legend.append((_swatch(STATUS_COLOURS[status]), status.label))
    return elements


def _band(x0: float, x1: float, fill: str, cls: str, tooltip: str) -> ET.Element:
    return svg.with_tooltip(
        svg.element(
            "rect",
            {"x": x0, "y": BAND_TOP, "width": x1 - x0, "height": BAND_HEIGHT, "fill": fill},
            cls=cls,
        ),
        tooltip,
    )


def _band_label(text: str, x: float, fill: str) -> ET.Element:
    return svg.element(
        "text",
        {
            "x": x,
            "y": BAND_TOP + BAND_HEIGHT / 2 + BAND_FONT_SIZE * 0.35,
            "text-anchor": "middle",
            "font-size": BAND_FONT_SIZE,
            "fill": fill,
        },
        text=text,
        cls="band-label",
    )


def _swatch(fill: str) -> ET.Element:
    return svg.element("rect", {"x": 0, "y": -10, "width": 12, "height": 12, "fill": fill})


def _meeting_tooltip(mark: MeetingMark) -> str:
    level = f" ({mark.level})" if mark.level else ""
    return f"{mark.title}{level}, {format_date(mark.day)}"


def _meeting_row(
    marks: list[MeetingMark], scale: Scale, legend: list[tuple[ET.Element, str]]
) -> list[ET.Element]:
    centre = MEETING_TOP + MEETING_HEIGHT / 2
    if not marks:
        return [
            svg.element(
                "text",
                {"x": scale.left, "y": centre + FONT_SIZE * 0.35, "fill": MUTED},
                text="No meetings",
                cls="no-meetings",
            )
        ]
    positions = [scale.middle(mark.day) for mark in marks]
    if all(b - a >= MARK_GAP for a, b in zip(positions, positions[1:], strict=False)):
        legend.append((_dot(6, -4), "Meeting"))
        return [
            svg.with_tooltip(_dot(x, centre, cls="meeting"), _meeting_tooltip(mark))
            for x, mark in zip(positions, marks, strict=True)
        ]
    return _histogram(marks, scale, legend)


def _dot(x: float, y: float, cls: str | None = None) -> ET.Element:
    return svg.element(
        "circle",
        {"cx": x, "cy": y, "r": MARK_RADIUS, "fill": MARK_FILL, "stroke": "#ffffff"},
        cls=cls,
    )


def _histogram(
    marks: list[MeetingMark], scale: Scale, legend: list[tuple[ET.Element, str]]
) -> list[ET.Element]:
    """Meetings counted per calendar unit: bars as tall as their count, with the count."""
    unit = next((u for u in UNITS if u.shortest_days * scale.per_day >= MIN_BAR_SLOT), UNITS[-1])
    bins: dict[date, list[MeetingMark]] = {}
    for mark in marks:
        bins.setdefault(unit.floor(mark.day), []).append(mark)
    most = max(len(group) for group in bins.values())
    bottom = MEETING_TOP + MEETING_HEIGHT
    tallest = MEETING_HEIGHT - FONT_SIZE - 2  # room for the count above the tallest bar
    elements = []
    for start, group in bins.items():
        x0 = scale.x(start)
        x1 = scale.x(unit.step(start))
        slot = x1 - x0
        bar_width = min(max(slot - 2, 2), MAX_BAR_WIDTH)
        height = max(3.0, tallest * len(group) / most)
        centre = (x0 + x1) / 2
        if len(group) == 1:
            tooltip = _meeting_tooltip(group[0])
        else:
            tooltip = f"{len(group)} meetings, {month_span(group[0].day, group[-1].day)}"
        elements.append(
            svg.with_tooltip(
                svg.element(
                    "rect",
                    {
                        "x": centre - bar_width / 2,
                        "y": bottom - height,
                        "width": bar_width,
                        "height": height,
                        "fill": MARK_FILL,
                    },
                    cls="meetings",
                ),
                tooltip,
            )
        )
        count = str(len(group))
        if svg.text_width(count, FONT_SIZE - 1) + 4 <= slot:
            elements.append(
                svg.element(
                    "text",
                    {
                        "x": centre,
                        "y": bottom - height - 2,
                        "text-anchor": "middle",
                        "font-size": FONT_SIZE - 1,
                        "fill": TEXT,
                    },
                    text=count,
                    cls="meeting-count",
                )
            )
    legend.append(
        (
            svg.element("rect", {"x": 3, "y": -10, "width": 6, "height": 12, "fill": MARK_FILL}),
            f"Meetings per {unit.name} (bar height: count)",
        )
    )
    return elements


def _axis(scale: Scale) -> list[ET.Element]:
    elements = [
        svg.element(
            "line",
            {
                "x1": scale.left,
                "y1": AXIS_Y,
                "x2": scale.right,
                "y2": AXIS_Y,
                "stroke": MUTED,
            },
            cls="axis",
        )
    ]
    unit, days, labels = ticks(scale, font_size=FONT_SIZE, gap=LABEL_GAP)
    edges = [scale.x(day) for day in days]
    if unit.centred:  # labels sit mid-day, between ticks: close the last day too
        edges.append(scale.x(scale.end))
    elements += [
        svg.element(
            "line",
            {"x1": x, "y1": AXIS_Y, "x2": x, "y2": AXIS_Y + TICK_LENGTH, "stroke": MUTED},
            cls="tick",
        )
        for x in edges
    ]
    width = scale.right + MARGIN_X
    for x, text in labels:
        half = svg.text_width(text, FONT_SIZE) / 2
        if x - half < 0 or x + half > width:
            continue
        elements.append(
            svg.element(
                "text",
                {"x": x, "y": TICK_LABEL_Y, "text-anchor": "middle", "fill": TEXT},
                text=text,
                cls="tick-label",
            )
        )
    return elements


def _legend(items: list[tuple[ET.Element, str]], width: int) -> tuple[list[ET.Element], int]:
    """Swatches with their names, wrapped into as many lines as the width needs."""
    elements = []
    x, line = MARGIN_X, 0
    for swatch, text in items:
        item_width = 18 + svg.text_width(text, FONT_SIZE)
        if x > MARGIN_X and x + item_width > width - MARGIN_X:
            x, line = MARGIN_X, line + 1
        y = LEGEND_TOP + line * LEGEND_LINE
        group = svg.element(
            "g", {"transform": f"translate({svg.number(x)} {svg.number(y)})"}, cls="legend-item"
        )
        group.append(swatch)
        svg.sub(group, "text", {"x": 18, "y": 0, "fill": TEXT}, text=text)
        elements.append(group)
        x += item_width + 16
    return elements, line + 1 if items else 0
