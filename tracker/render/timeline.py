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

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.models.status import Status
from tracker.render.dates import format_date

__all__ = ["MeetingMark", "Phase", "STATUS_COLOURS", "describe_timeline", "render_timeline"]

# The badges' colours (tracker/static/tracker.css, .status-*): chosen for white text.
STATUS_COLOURS: dict[Status, str] = {
    Status.PROPOSED: "#495057",
    Status.UNDER_NEGOTIATION: "#0a58ca",
    Status.TEXT_AGREED: "#6f42c1",
    Status.SIGNED: "#146c43",
    Status.IN_FORCE: "#0f5132",
    Status.STALLED: "#9a3d00",
    Status.ABANDONED: "#6c1d24",
}


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


SVG_NS = "http://www.w3.org/2000/svg"
# fpdf2 takes the first family it knows: the reports register DejaVu as "DejaVu".
FONT = "DejaVu Sans, DejaVu, sans-serif"
TEXT = "#212529"
MUTED = "#495057"
AFTER_FILL = "#e9ecef"
MARK_FILL = "#212529"

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

# Characters XML 1.0 cannot carry; a title pasted with one must not break the document.
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text_width(text: str, size: float) -> float:
    """A generous estimate of the width of ``text`` in DejaVu Sans (about 0.62 em a glyph)."""
    return len(text) * size * 0.62


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _clean(text: str) -> str:
    return _NOT_XML.sub("", text)


# --- Calendar units for ticks and bins -----------------------------------------------------


@dataclass(frozen=True)
class _Unit:
    name: str  # "per …" in the legend
    shortest_days: int  # its shortest length, to check spacing before generating anything
    floor: Callable[[date], date]  # the start of the unit holding a day
    step: Callable[[date], date]  # the start of the next unit
    label: Callable[[date], str]
    centred: bool = False  # label the middle of the unit rather than its start


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_unit(months: int, name: str) -> _Unit:
    return _Unit(
        name=name,
        shortest_days=28 * months,
        floor=lambda d: date(d.year, d.month - (d.month - 1) % months, 1),
        step=lambda d: _add_months(d, months),
        label=lambda d: d.strftime("%b %Y"),
    )


def _year_unit(years: int) -> _Unit:
    return _Unit(
        name="year" if years == 1 else f"{years} years",
        shortest_days=365 * years,
        floor=lambda d: date(d.year - d.year % years, 1, 1),
        step=lambda d: date(d.year + years, 1, 1) if d.year + years <= 9999 else date.max,
        label=lambda d: str(d.year),
    )


UNITS: tuple[_Unit, ...] = (
    _Unit("day", 1, lambda d: d, lambda d: d + timedelta(days=1), format_date, centred=True),
    _Unit(
        "week",
        7,
        lambda d: d - timedelta(days=d.weekday()),
        lambda d: d + timedelta(days=7),
        format_date,
    ),
    _month_unit(1, "month"),
    _month_unit(3, "quarter"),
    _month_unit(6, "half-year"),
    *(_year_unit(years) for years in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)),
)


def _starts(unit: _Unit, first: date, last: date) -> Iterator[date]:
    """Starts of the units that overlap ``first``..``last`` (the first may lie before it)."""
    current = unit.floor(first)
    while current <= last:
        yield current
        if current == date.max:
            return
        current = unit.step(current)


def _month_span(first: date, last: date) -> str:
    """'Mar 2019', 'Mar–Jun 2019' or 'Nov 2018–Feb 2019'; a single day in full."""
    if first == last:
        return format_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return first.strftime("%b %Y")
    if first.year == last.year:
        return f"{first:%b}–{last:%b %Y}"
    return f"{first:%b %Y}–{last:%b %Y}"


# --- The picture ---------------------------------------------------------------------------


class _Scale:
    """Days to x positions; the domain runs from the start of ``first`` to the end of ``last``."""

    def __init__(self, first: date, last: date, width: int):
        self.first = first
        self.end = last + timedelta(days=1)
        self.days = (self.end - first).days
        self.left = MARGIN_X
        self.right = width - MARGIN_X
        self.per_day = (self.right - self.left) / self.days

    def x(self, day: date, fraction: float = 0.0) -> float:
        day = min(max(day, self.first), self.end)
        # Rounded as written out, so that touching shapes still touch in the document.
        return round(self.left + ((day - self.first).days + fraction) * self.per_day, 1)

    def middle(self, day: date) -> float:
        return self.x(day, 0.5)


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
    scale = _Scale(min(days), max(days), width)

    body: list[ET.Element] = []
    legend: list[tuple[ET.Element, str]] = []

    body.extend(_bands(kept, until, scale, legend))
    body.extend(_meeting_row(marks, scale, legend))
    body.extend(_axis(scale))
    legend_elements, legend_lines = _legend(legend, width)
    height = LEGEND_TOP + max(legend_lines, 1) * LEGEND_LINE

    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {width} {height}",
            "width": str(width),
            "height": str(height),
            "role": "img",
            "font-family": FONT,
            "font-size": str(FONT_SIZE),
            "class": "timeline-svg",
        },
    )
    if not for_pdf:
        _sub(root, "title", text=_clean(title))
        _sub(root, "desc", text=_clean(describe_timeline(kept, marks, until=until)))
    root.extend(body)
    root.extend(legend_elements)
    return ET.tostring(root, encoding="unicode")


def _element(
    tag: str,
    attributes: dict[str, str | float],
    *,
    text: str | None = None,
    cls: str | None = None,
) -> ET.Element:
    """An element; ``cls`` names its part of the picture for tests and report stylesheets."""
    element = ET.Element(
        tag,
        {
            key: _number(value) if isinstance(value, float | int) else value
            for key, value in attributes.items()
        },
    )
    if cls:
        element.set("class", cls)
    if text is not None:
        element.text = text
    return element


def _sub(parent: ET.Element, tag: str, attributes=None, *, text: str | None = None):
    child = _element(tag, attributes or {}, text=text)
    parent.append(child)
    return child


def _with_tooltip(element: ET.Element, tooltip: str) -> ET.Element:
    # A <title> inside a shape: a tooltip in browsers, silently skipped by fpdf2.
    _sub(element, "title", text=_clean(tooltip))
    return element


def _bands(
    phases: list[Phase], until: date, scale: _Scale, legend: list[tuple[ET.Element, str]]
) -> list[ET.Element]:
    elements = [
        _element(
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
        elements.append(
            _with_tooltip(
                _element(
                    "rect",
                    {
                        "x": x0,
                        "y": BAND_TOP,
                        "width": x1 - x0,
                        "height": BAND_HEIGHT,
                        "fill": STATUS_COLOURS[status],
                    },
                    cls=f"band band-{status.value}",
                ),
                tooltip,
            )
        )
        if _text_width(status.label, BAND_FONT_SIZE) + 8 <= x1 - x0:
            elements.append(_band_label(status.label, (x0 + x1) / 2, "#ffffff"))
    if after_until < scale.end:
        x0, x1 = scale.x(after_until), scale.right
        text = f"After {format_date(until)}"
        elements.append(
            _with_tooltip(
                _element(
                    "rect",
                    {
                        "x": x0,
                        "y": BAND_TOP,
                        "width": x1 - x0,
                        "height": BAND_HEIGHT,
                        "fill": AFTER_FILL,
                    },
                    cls="band-after",
                ),
                text,
            )
        )
        if _text_width(text, BAND_FONT_SIZE) + 8 <= x1 - x0:
            elements.append(_band_label(text, (x0 + x1) / 2, MUTED))
    for status in Status:  # workflow order
        if status in seen:
            legend.append((_swatch(STATUS_COLOURS[status]), status.label))
    return elements


def _band_label(text: str, x: float, fill: str) -> ET.Element:
    return _element(
        "text",
        {
            "x": x,
            "y": BAND_TOP + BAND_HEIGHT / 2 + BAND_FONT_SIZE * 0.35,
            "text-anchor": "middle",
            "font-size": BAND_FONT_SIZE,
            "fill": fill,
        },
        text=_clean(text),
        cls="band-label",
    )


def _swatch(fill: str) -> ET.Element:
    return _element("rect", {"x": 0, "y": -10, "width": 12, "height": 12, "fill": fill})


def _meeting_tooltip(mark: MeetingMark) -> str:
    level = f" ({mark.level})" if mark.level else ""
    return f"{mark.title}{level}, {format_date(mark.day)}"


def _meeting_row(
    marks: list[MeetingMark], scale: _Scale, legend: list[tuple[ET.Element, str]]
) -> list[ET.Element]:
    centre = MEETING_TOP + MEETING_HEIGHT / 2
    if not marks:
        return [
            _element(
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
            _with_tooltip(_dot(x, centre, cls="meeting"), _meeting_tooltip(mark))
            for x, mark in zip(positions, marks, strict=True)
        ]
    return _histogram(marks, scale, legend)


def _dot(x: float, y: float, cls: str | None = None) -> ET.Element:
    return _element(
        "circle",
        {"cx": x, "cy": y, "r": MARK_RADIUS, "fill": MARK_FILL, "stroke": "#ffffff"},
        cls=cls,
    )


def _histogram(
    marks: list[MeetingMark], scale: _Scale, legend: list[tuple[ET.Element, str]]
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
            tooltip = f"{len(group)} meetings, {_month_span(group[0].day, group[-1].day)}"
        elements.append(
            _with_tooltip(
                _element(
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
        if _text_width(count, FONT_SIZE - 1) + 4 <= slot:
            elements.append(
                _element(
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
            _element("rect", {"x": 3, "y": -10, "width": 6, "height": 12, "fill": MARK_FILL}),
            f"Meetings per {unit.name} (bar height: count)",
        )
    )
    return elements


def _axis(scale: _Scale) -> list[ET.Element]:
    elements = [
        _element(
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
    last_day = scale.end - timedelta(days=1)
    labels: list[tuple[float, str]] = []
    ticks: list[date] = []
    for unit in UNITS:
        if unit.shortest_days * scale.per_day < LABEL_GAP + 2 * FONT_SIZE:
            continue  # cannot fit even "2019": skip generating a decade of days
        ticks = [day for day in _starts(unit, scale.first, last_day) if day >= scale.first]
        if unit.centred:
            labels = [(scale.middle(day), unit.label(day)) for day in ticks]
        else:
            labels = [(scale.x(day), unit.label(day)) for day in ticks]
        if _labels_fit(labels):
            break
    else:
        # Beyond a millennium a step: keep every n-th label of the last unit.
        stride = 1
        while len(labels[::stride]) > 1 and not _labels_fit(labels[::stride]):
            stride += 1
        labels = labels[::stride]
        ticks = ticks[::stride]
    width = scale.right + MARGIN_X
    for day in ticks:
        x = scale.x(day)
        elements.append(
            _element(
                "line",
                {"x1": x, "y1": AXIS_Y, "x2": x, "y2": AXIS_Y + TICK_LENGTH, "stroke": MUTED},
                cls="tick",
            )
        )
    if unit.centred:
        x = scale.x(scale.end)
        elements.append(
            _element(
                "line",
                {"x1": x, "y1": AXIS_Y, "x2": x, "y2": AXIS_Y + TICK_LENGTH, "stroke": MUTED},
                cls="tick",
            )
        )
    for x, text in labels:
        half = _text_width(text, FONT_SIZE) / 2
        if x - half < 0 or x + half > width:
            continue
        elements.append(
            _element(
                "text",
                {"x": x, "y": TICK_LABEL_Y, "text-anchor": "middle", "fill": TEXT},
                text=text,
                cls="tick-label",
            )
        )
    return elements


def _labels_fit(labels: list[tuple[float, str]]) -> bool:
    if not labels:
        return False
    widths = [_text_width(text, FONT_SIZE) for _, text in labels]
    return all(
        b[0] - a[0] >= (wa + wb) / 2 + LABEL_GAP
        for a, b, wa, wb in zip(labels, labels[1:], widths, widths[1:], strict=False)
    )


def _legend(items: list[tuple[ET.Element, str]], width: int) -> tuple[list[ET.Element], int]:
    """Swatches with their names, wrapped into as many lines as the width needs."""
    elements = []
    x, line = MARGIN_X, 0
    for swatch, text in items:
        item_width = 18 + _text_width(text, FONT_SIZE)
        if x > MARGIN_X and x + item_width > width - MARGIN_X:
            x, line = MARGIN_X, line + 1
        y = LEGEND_TOP + line * LEGEND_LINE
        group = _element(
            "g", {"transform": f"translate({_number(x)} {_number(y)})"}, cls="legend-item"
        )
        group.append(swatch)
        _sub(group, "text", {"x": 18, "y": 0, "fill": TEXT}, text=_clean(text))
        elements.append(group)
        x += item_width + 16
    return elements, line + 1 if items else 0
