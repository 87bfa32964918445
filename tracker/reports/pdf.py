"""The shared PDF page for reports: A4, a Unicode font, a running footer with page numbers.

fpdf2 installs from PyPI alone; the DejaVu Sans files next to this module are the font
(fpdf2's built-in fonts are Latin-1 only, and names like "Tōkyō" must survive).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import TextEmphasis, XPos, YPos

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
# The font files are subset to the Latin, Greek and Cyrillic scripts and common symbols,
# which keeps loading them fast; each style is loaded the first time a page uses it.
STYLE_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf", "I": "DejaVuSans-Oblique.ttf"}
# A4 portrait, millimetres; the text block of an A4 brief.
MARGIN = 18


class ReportPDF(FPDF):
    """An A4 report with a title line, generated-at footer and "Page n of m"."""

    def __init__(self, *, title: str, generated_at: datetime, orientation: str = "portrait"):
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.report_title = title
        self.generated_at = generated_at
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=MARGIN)
        self.set_title(title)
        self.set_creator("tracker")
        self.set_creation_date(generated_at)
        self.alias_nb_pages()
        self.set_font(FAMILY, size=10)

    def set_font(self, family=None, style="", size=0) -> None:
        if (family or self.font_family or FAMILY).lower() == FAMILY.lower():
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

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.set_text_color(100)
        self.cell(0, 5, f"{self.report_title} · generated {self.generated_at:%d %b %Y %H:%M} UTC")
        self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0)

    def heading(self, text: str, level: int = 1) -> None:
        """A section heading that never sits alone at the foot of a page."""
        size = {1: 16, 2: 13, 3: 11}[level]
        if self.will_page_break(size * 2.5):
            self.add_page()
        self.ln(2 if level > 1 else 0)
        self.set_font(FAMILY, "B", size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font(FAMILY, size=10)

    def paragraph(self, text: str, *, size: float = 10, style: str = "") -> None:
        self.set_font(FAMILY, style, size)
        self.multi_cell(0, size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FAMILY, size=10)

    def output_bytes(self) -> bytes:
        return bytes(self.output())
