"""CSV for spreadsheets: BOM and header first, one line per row, formulas neutralised."""

from __future__ import annotations

import itertools

from tracker.render.csvfile import chunks, lines, neutralise_text

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


def test_chunks_hold_the_same_text_as_the_lines_a_few_hundred_rows_to_a_piece():
    rows = [[n, "=x" if n % 2 else "plain", -n] for n in range(1_203)]
    pieces = list(chunks(HEADER, rows, size=500))
    assert len(pieces) == 3
    assert "".join(pieces) == "".join(lines(HEADER, rows))
    assert "".join(chunks(HEADER, rows, cell=None)).count("'=x") == 0  # taken as they are
    assert list(chunks(HEADER, [])) == ["\ufeffid,note,days\r\n"]


def test_chunks_read_rows_only_as_pieces_are_asked_for():
    endless = itertools.repeat([1, "again", 2])
    first = next(chunks(HEADER, endless, size=10))
    assert first.count("1,again,2\r\n") == 10
