"""CSV files for spreadsheets: UTF-8 with a BOM, streamed a line at a time, no formulas,
and the classification marking of what they hold as their first and last line.

Named csvfile, not csv, so that it can never shadow the standard library's module.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """The cell's text, with a leading apostrophe if a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def neutralise_text(value: object) -> object:
    """Text neutralised; anything else as it is, so numbers (a negative count) stay numbers."""
    return neutralise(value) if isinstance(value, str) else value


def lines(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    cell: Callable[[object], object] = neutralise,
    marking: str | None = None,
    last_marking: Callable[[], str] | None = None,
) -> Iterator[str]:
    """The CSV text one line at a time, BOM and header first, every cell passed through ``cell``.

    Rows are read one at a time as the lines are asked for, so a response can stream them.
    With a ``marking`` (e.g. ``SECRET // REL TO IND, JPN``), it is a row of one cell
    before the header and after the last row; ``last_marking``, if given, says the last one
    once every row has been read (what was streamed, which can only add to the first).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells: Sequence[object]) -> str:
        writer.writerow([cell(value) for value in cells])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    if marking is None:
        yield "\ufeff" + line(header)
    else:
        yield "\ufeff" + line([marking]) + line(header)
    for row in rows:
        yield line(row)
    if marking is not None:
        yield line([last_marking() if last_marking else marking])


def chunks(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    cell: Callable[[object], object] | None = neutralise,
    size: int = 500,
    marking: str | None = None,
) -> Iterator[str]:
    """The text of :func:`lines`, ``size`` rows to a piece: a long export streams a few
    hundred pieces instead of one per row (each piece costs the server as a line did).
    ``cell`` None takes the cells as they are, already made safe by the caller; a
    ``marking`` is a row of one cell before the header and after the last row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    if marking is not None:
        writer.writerow([neutralise(marking)])
    writer.writerow(header)
    rows = iter(rows)
    while batch := list(itertools.islice(rows, size)):
        if cell is not None:
            batch = [[cell(value) for value in row] for row in batch]
        writer.writerows(batch)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if marking is not None:
        writer.writerow([neutralise(marking)])
    if buffer.tell():  # no rows: the header alone, or the last marking
        yield buffer.getvalue()
