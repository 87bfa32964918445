"""CSV for spreadsheets: BOM and header first, one line per row, formulas neutralised."""

from __future__ import annotations

import itertools

from tracker.render.csvfile import lines, neutralise_text

HEADER = ["id", "note", "days"]


def test_bom_and_header_come_first_then_one_line_per_row():
    rows = [[1, "plain", 3], [2, None, 4]]
    assert list(lines(HEADER, rows)) == [
        "\ufeffid,note,days\r\n",
        "1,plain,3\r\n",
        "2,,4\r\n",
    ]


def test_every_cell_is_neutralised_unless_numbers_are_kept():
    row = [-5, "-5", "=SUM(A1)", "@cmd", None]
    assert list(lines(HEADER, [row]))[1] == "'-5,'-5,'=SUM(A1),'@cmd,\r\n"
    assert list(lines(HEADER, [row], cell=neutralise_text))[1] == "-5,'-5,'=SUM(A1),'@cmd,\r\n"


def test_rows_are_read_only_as_lines_are_asked_for():
    endless = itertools.repeat([1, "again", 2])
    assert list(itertools.islice(lines(HEADER, endless), 3))[2] == "1,again,2\r\n"
