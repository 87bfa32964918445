"""A time axis's arithmetic: days to x positions, calendar units, ticks whose labels fit.

The units step from days to millennia; the same units place the axis ticks and bin the
meetings of a histogram, so both read in calendar terms (per month, per year) at any span.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from tracker.render.dates import format_date
from tracker.render.svg import text_width


class Scale:
    """Days to x positions: the start of ``first`` at ``left``, the end of ``last`` at ``right``."""

    def __init__(self, first: date, last: date, left: float, right: float):
        self.first = first
        self.end = last + timedelta(days=1)
        self.days = (self.end - first).days
        self.left = left
        self.right = right
        self.per_day = (self.right - self.left) / self.days

    def x(self, day: date, fraction: float = 0.0) -> float:
        day = min(max(day, self.first), self.end)
        # Rounded as written out, so that touching shapes still touch in the document.
        return round(self.left + ((day - self.first).days + fraction) * self.per_day, 1)

    def middle(self, day: date) -> float:
        return self.x(day, 0.5)


@dataclass(frozen=True)
class Unit:
    """A calendar unit (a day, a quarter, a century…) that ticks step by and bins count in."""

    name: str  # "per …" in the legend
    shortest_days: int  # its shortest length, to check spacing before generating anything
    floor: Callable[[date], date]  # the start of the unit holding a day
    step: Callable[[date], date]  # the start of the next unit
    label: Callable[[date], str]
    centred: bool = False  # label the middle of the unit rather than its start


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_unit(months: int, name: str) -> Unit:
    return Unit(
        name=name,
        shortest_days=28 * months,
        floor=lambda d: date(d.year, d.month - (d.month - 1) % months, 1),
        step=lambda d: _add_months(d, months),
        label=lambda d: d.strftime("%b %Y"),
    )


def _year_unit(years: int) -> Unit:
    return Unit(
        name="year" if years == 1 else f"{years} years",
        shortest_days=365 * years,
        floor=lambda d: date(d.year - d.year % years, 1, 1),
        step=lambda d: date(d.year + years, 1, 1) if d.year + years <= 9999 else date.max,
        label=lambda d: str(d.year),
    )


UNITS: tuple[Unit, ...] = (
    Unit("day", 1, lambda d: d, lambda d: d + timedelta(days=1), format_date, centred=True),
    Unit(
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


def starts(unit: Unit, first: date, last: date) -> Iterator[date]:
    """Starts of the units that overlap ``first``..``last`` (the first may lie before it)."""
    current = unit.floor(first)
    while current <= last:
        yield current
        if current == date.max:
            return
        current = unit.step(current)


def month_span(first: date, last: date) -> str:
    """'Mar 2019', 'Mar–Jun 2019' or 'Nov 2018–Feb 2019'; a single day in full."""
    if first == last:
        return format_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return first.strftime("%b %Y")
    if first.year == last.year:
        return f"{first:%b}–{last:%b %Y}"
    return f"{first:%b %Y}–{last:%b %Y}"


def ticks(
    scale: Scale, *, font_size: float, gap: float
) -> tuple[Unit, list[date], list[tuple[float, str]]]:
    """The finest unit whose tick labels (x, text) stay ``gap`` apart, with its ticks.

    Beyond a millennium a step, every n-th tick of the largest unit is kept instead.
    """
    last_day = scale.end - timedelta(days=1)
    labels: list[tuple[float, str]] = []
    days: list[date] = []
    for unit in UNITS:
        if unit.shortest_days * scale.per_day < gap + 2 * font_size:
            continue  # cannot fit even "2019": skip generating a decade of days
        days = [day for day in starts(unit, scale.first, last_day) if day >= scale.first]
        if unit.centred:
            labels = [(scale.middle(day), unit.label(day)) for day in days]
        else:
            labels = [(scale.x(day), unit.label(day)) for day in days]
        if _labels_fit(labels, font_size, gap):
            return unit, days, labels
    stride = 1
    while len(labels[::stride]) > 1 and not _labels_fit(labels[::stride], font_size, gap):
        stride += 1
    return UNITS[-1], days[::stride], labels[::stride]


def _labels_fit(labels: list[tuple[float, str]], font_size: float, gap: float) -> bool:
    if not labels:
        return False
    widths = [text_width(text, font_size) for _, text in labels]
    return all(
        b[0] - a[0] >= (wa + wb) / 2 + gap
        for a, b, wa, wb in zip(labels, labels[1:], widths, widths[1:], strict=False)
    )
