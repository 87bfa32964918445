"""The shared PDF page for reports: A4, a Unicode font, a running footer with page numbers,
and the document's classification marking at the top and bottom of every page.

fpdf2 installs from PyPI alone; the DejaVu Sans files next to this module are the font
(fpdf2's built-in fonts are Latin-1 only, and names like "Tōkyō" must survive).
Tables and paragraphs are laid out here and drawn with fpdf2's public API only (``text()``,
``rect()``, ``get_string_width()``): its private members may change in any release.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TextEmphasis

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
FAMILY_KEY = FAMILY.lower()  # as fpdf2 keeps it
# The PDF's built-in sans serif, for documents whose text needs no other characters.
CORE_FAMILY = "helvetica"
# The font files are subset to the Latin, Greek and Cyrillic scripts and common symbols,
# which keeps loading them fast; each style is loaded the first time a page uses it.
STYLE_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
# A4 portrait, millimetres; the text block of an A4 brief.
MARGIN = 18
# Where the marking line sits: mm from the top of the page, and from its foot.
MARKING_TOP = 7
MARKING_BOTTOM = 10


@dataclass(frozen=True)
class Cell:
    """A table cell, or one part of one: its text, and whether it stands out."""

    text: str
    bold: bool = False
    color: tuple[int, int, int] | None = None


class ReportPDF(FPDF):
    """An A4 report with a title line, generated-at footer and "Page n of m"."""

    def __init__(
        self,
        *,
        title: str,
        generated_at: datetime,
        orientation: str = "portrait",
        unicode: bool = True,
        marking: str = "",
    ):
        """``marking``: the highest marking of what the document shows, e.g. ``SECRET //
        REL TO IND, JPN``, set at the head and foot of every page.

        ``unicode=False`` sets the text in the PDF's built-in Helvetica (Windows-1252
        characters only; any other raises FPDFUnicodeEncodingException), which needs no
        font file to load, subset and embed: that is half the time of a long report."""
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.core = not unicode
        self._family_key = CORE_FAMILY if self.core else FAMILY_KEY
        if self.core:
            self.core_fonts_encoding = "windows-1252"
        self.report_title = title
        self.marking = marking
        self._widths: dict[tuple[str, str], dict[str, float]] = {}
        self.generated_at = generated_at
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_title(title)
        self.set_creator("tracker")
        self.set_creation_date(generated_at)
        self.alias_nb_pages()
        self.set_font(FAMILY, size=10)

    def set_font(self, family=None, style="", size=0) -> None:
        if (
            (style == "" or style == "B")
            and (family is None or family == FAMILY)
            and self.current_font is not None
            and self.font_family == self._family_key
            and self.font_style == style
            and self.font_size_pt == (size or self.font_size_pt)
            and not (self.underline or self.strikethrough)
        ):
            return  # already set: tables switch fonts cell by cell, and fpdf2's check is slow
        if self.core and (family or FAMILY).lower() == FAMILY_KEY:
            family = CORE_FAMILY
        elif (family or self.font_family or FAMILY).lower() == FAMILY_KEY:
            family = FAMILY
            style = TextEmphasis.coerce(style).style
            wanted = "".join(letter for letter in "BI" if letter in style.upper())
            if FAMILY.lower() + wanted not in self.fonts:
                # Bold italic is not shipped; bold reads as the stronger emphasis.
                wanted = wanted if wanted in STYLE_FILES else "B"
                style = style.upper().replace("I", "") if wanted == "B" else style
                if FAMILY.lower() + wanted not in self.fonts:
                    self.add_font(FAMILY, wanted, FONTS / STYLE_FILES[wanted])
        super().set_font(family, style, size)

    def header(self) -> None:
        if self.marking:
            self._marking_line(MARKING_TOP)
            self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(FAMILY, size=8)
        self.set_text_color(100)
        title = self.visible(self.report_title)
        self.cell(0, 5, f"{title} · generated {self.generated_at:%d %b %Y %H:%M} UTC")
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)
        if self.marking:
            self._marking_line(-MARKING_BOTTOM)

    def _marking_line(self, y: float) -> None:
        """The marking, centred in bold capitals on the line at ``y`` (negative: from the
        foot of the page)."""
        self.set_font(FAMILY, "B", 9)
        self.set_y(y)
        self.set_x(self.l_margin)
        self.cell(0, 5, self.visible(self.marking), align="C")
        self.set_font(FAMILY, size=10)

    def heading(self, text: str, level: int = 1) -> None:
        """A section heading that never sits alone at the foot of a page."""
        size = {1: 16, 2: 13, 3: 11}[level]
        if self.will_page_break(size * 2.5):
            self.add_page()
        self.ln(2 if level > 1 else 0)
        self.set_font(FAMILY, "B", size)
        self.flow(text, size * 0.5)
        self.ln(1)
        self.set_font(FAMILY, size=10)

    def paragraph(self, text: str, *, size: float = 10, style: str = "") -> None:
        self.set_font(FAMILY, style, size)
        self.flow(text, size * 0.5)
        self.set_font(FAMILY, size=10)

    def flow(self, text: str, line_height: float) -> None:
        """``text`` in the current font across the text block, breaking pages as needed,
        as ``multi_cell`` would lay it out (which costs about 2 ms a call)."""
        lines = self.wrap(text, self.epw)
        while lines:
            room = int((self.page_break_trigger - self.y) // line_height)
            if room < 1:
                self.add_page()
                continue
            first = self.y + 0.5 * line_height + 0.3 * self.font_size
            self.lines(self.l_margin, first, lines[:room], line_height)
            self.set_y(self.y + min(room, len(lines)) * line_height)
            lines = lines[room:]
        self.set_x(self.l_margin)

    def lines(self, x: float, y: float, lines: Sequence[str], line_height: float) -> None:
        """``lines`` one under the other, the first on baseline ``y``: one ``text()`` a line,
        which places a string without the layout work (and cost) of ``cell()``."""
        for number, line in enumerate(lines):
            if line:
                self.text(x, y + number * line_height, line)

    def _measure(self) -> Callable[[str], float]:
        """Width per point of font size of a text in the current font. Text is set without
        kerning or shaping, so a word is as wide as its characters: each character is
        measured once per font and each word summed once (tables repeat words a lot, and
        ``get_string_width`` costs microseconds a call)."""
        known = self._widths.setdefault((self.font_family, self.font_style), {})
        size = self.font_size_pt

        def measure(text: str) -> float:
            per_point = known.get(text)
            if per_point is None:
                per_point = 0.0
                for char in text:
                    width = known.get(char)
                    if width is None:
                        width = known[char] = self.get_string_width(char) / size
                    per_point += width
                known[text] = per_point
            return per_point

        return measure

    def visible(self, text: str) -> str:
        """``text`` with each character the font has no glyph for (an emoji, a script
        DejaVu lacks) written out by its name, "[grinning face]", instead of vanishing."""
        if self.core or text.isascii():
            return text  # the built-in font takes all it is given, or refuses the document
        cmap = self.current_font.cmap
        if all(ord(char) in cmap or not char.isprintable() for char in text):
            return text
        return "".join(
            char
            if ord(char) in cmap or not char.isprintable()
            else f"[{unicodedata.name(char, f'U+{ord(char):04X}').lower()}]"
            for char in text
        )

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` broken into lines no wider than ``width`` mm, at spaces where possible."""
        text = self.visible(str(text))
        measure = self._measure()
        width /= self.font_size_pt  # compared per point of font size from here on
        lines: list[str] = []
        space = measure(" ")
        for paragraph in str(text).splitlines() or [""]:
            line, line_width = "", 0.0
            for word in paragraph.split():
                word_width = measure(word)
                while word_width > width:  # a word wider than the column is cut
                    if line:
                        lines.append(line)
                        line, line_width = "", 0.0
                    cut = len(word)
                    while cut > 1 and measure(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_width = measure(word)
                if line and line_width + space + word_width > width:
                    lines.append(line)
                    line, line_width = "", 0.0
                line_width += (space if line else 0.0) + word_width
                line = f"{line} {word}" if line else word
            lines.append(line)
        return lines

    def grid(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Cell | str | Sequence[Cell]]],
        widths: Sequence[float],
        *,
        size: float = 9,
    ) -> None:
        """A bordered table whose rows never split and whose header repeats on each page.

        A cell is a text, a :class:`Cell`, or several cells that each start on a new line
        of it in their own weight and colour. fpdf2's own ``table()`` lays out every cell
        through ``multi_cell`` (about 7 ms a cell), which makes a report with hundreds of
        meetings take seconds; this draws each wrapped line once.
        """
        scale = self.epw / sum(widths)
        columns = [w * scale for w in widths]
        pad, line_height = 1.2, size * 0.42
        heading = [(Cell(text, bold=True),) for text in header]

        def draw(cells: Sequence[Sequence[Cell]], fill: bool) -> None:
            # Fonts are switched only where a part's weight differs from the one before.
            wrapped: list[list[tuple[Cell, list[str]]]] = []
            style = None
            for parts, width in zip(cells, columns, strict=True):
                wrapped.append([])
                for part in parts:
                    if (wanted := "B" if part.bold else "") != style:
                        self.set_font(FAMILY, wanted, size)
                        style = wanted
                    wrapped[-1].append((part, self.wrap(part.text, width - 2 * pad)))
            total = max(sum(len(lines) for _, lines in parts) for parts in wrapped)
            if not fill and self.y + total * line_height + 2 * pad > self.page_break_trigger:
                self.add_page()
                draw(heading, fill=True)
            done = 0
            while done < total:
                # A row taller than a page continues on the next one, under the header again.
                room = int((self.page_break_trigger - self.y - 2 * pad) // line_height)
                if room < 1:
                    self.add_page()
                    draw(heading, fill=True)
                    continue
                count = min(room, total - done)
                height = count * line_height + 2 * pad
                x, y = self.l_margin, self.y
                if fill:
                    self.set_fill_color(233, 236, 239)
                style = None
                for parts, width in zip(wrapped, columns, strict=True):
                    self.rect(x, y, width, height, style="DF" if fill else "D")
                    first = 0  # the line of the cell that this part starts on
                    for part, lines in parts:
                        start, end = max(first, done), min(first + len(lines), done + count)
                        if start < end:
                            if (wanted := "B" if part.bold else "") != style:
                                self.set_font(FAMILY, wanted, size)
                                style = wanted
                            if part.color:
                                self.set_text_color(*part.color)
                            self.lines(
                                x + pad,
                                y + pad + (0.78 + start - done) * line_height,
                                lines[start - first : end - first],
                                line_height,
                            )
                            if part.color:
                                self.set_text_color(0)
                        first += len(lines)
                    x += width
                self.set_y(y + height)
                done += count

        self.set_draw_color(200)
        self.set_line_width(0.2)
        if self.y + 4 * line_height > self.page_break_trigger:
            self.add_page()
        draw(heading, fill=True)
        for row in rows:
            draw([_parts(cell) for cell in row], fill=False)
        self.set_font(FAMILY, size=10)
        self.ln(3)

    def output_bytes(self) -> bytes:
        return bytes(self.output())


def _parts(cell: Cell | str | Sequence[Cell]) -> Sequence[Cell]:
    if isinstance(cell, str):
        return (Cell(cell),)
    return (cell,) if isinstance(cell, Cell) else cell
