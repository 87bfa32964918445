"""A revision of a negotiating text as a Word file, the way ministries exchange drafts.

What negotiators expect to see, and what ``tracker.texts.docx_import`` reads back:

- the title (style Title), the revision label (style Subtitle), and who issued it when
  ("Issued by Japan (JPN) on 3 Mar 2025", "Draft by the Chair, not yet issued");
- a legend: the status of each provision is the highlight of its heading and wording (agreed:
  none, agreed ad referendum: green, open: yellow, not yet discussed: grey); a deleted
  provision is struck through, never dropped;
- each provision's label and heading as a heading ("Article 5 – Scope", Heading 1 for an
  article, 2 and 3 for its paragraphs); a paragraph without a heading whose label continues its
  parent's ("Article 5(2)", "Article 5(2)(a)") is written as ministries number it, "2." and
  "(a)" at the start of its wording;
- a bracket in square brackets, its alternatives separated by " / " and labelled with their
  proposers, "[Option 1 (JPN): shall / Option 2 (IND): *delete*]" (a lone alternative nobody is
  named for is just "[wording]"); "delete" in italics is the alternative that deletes the passage;
- the parties supporting or opposing an alternative as a Word comment on it;
- footnotes and reservations as numbered notes after the provision's wording ("Footnote 1: ...",
  "Reservation 2 (IND): ..."), an alternative's notes referenced by a superscript number after
  its wording: python-docx 1.2 cannot write real Word footnotes;
- the marking in every page's header and footer (none when the text is unmarked);
- the internal notes only in an internal copy, in a section of their own at the end, with
  "INTERNAL COPY – NOT FOR EXCHANGE" in the header and footer of every page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from tracker.models.text_document import (
    Alternative,
    Document,
    InternalNote,
    IssuedBy,
    Note,
    Provision,
    ProvisionKind,
    ProvisionStatus,
)
from tracker.render.dates import format_date

INTERNAL_COPY = "INTERNAL COPY – NOT FOR EXCHANGE"
INTERNAL_HEADING = "Internal notes – " + INTERNAL_COPY
LEGEND_START = "Status of each provision:"
DELETE_WORD = "delete"
DASH = " – "
# Highlight per status; agreed text has none, a deleted provision is struck through instead.
HIGHLIGHT = {
    ProvisionStatus.AGREED_AD_REF: WD_COLOR_INDEX.BRIGHT_GREEN,
    ProvisionStatus.OPEN: WD_COLOR_INDEX.YELLOW,
    ProvisionStatus.NOT_DISCUSSED: WD_COLOR_INDEX.GRAY_25,
}
COLOUR_NAME = {
    ProvisionStatus.AGREED: "no highlight",
    ProvisionStatus.AGREED_AD_REF: "green",
    ProvisionStatus.OPEN: "yellow",
    ProvisionStatus.NOT_DISCUSSED: "grey",
    ProvisionStatus.DELETED: "struck through",
}
# The kind a provision read back from a heading or a numbered paragraph gets by its depth.
KIND_AT_DEPTH = {0: ProvisionKind.ARTICLE, 1: ProvisionKind.PARAGRAPH}
ALERT = RGBColor(0xB0, 0x2A, 0x37)


def write(document: Document) -> bytes:
    """``document`` as a .docx file."""
    word = docx.Document()
    properties = word.core_properties
    properties.title = document.title[:255]
    properties.subject = document.label[:255]
    properties.author = properties.last_modified_by = "tracker"
    properties.comments = properties.keywords = properties.category = ""
    _page_marks(word, document)
    word.add_paragraph(document.title, style="Title")
    if document.label:
        word.add_paragraph(document.label, style="Subtitle")
    word.add_paragraph(issued_line(document))
    _legend(word.add_paragraph())
    Writer(word, document).provisions()
    if document.is_internal_copy and document.internal:
        _internal(word, document)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def party(document: Document, code: str) -> str:
    """A party as attributions name it: "India (IND)", or the code alone."""
    name = document.parties.get(code)
    return f"{name} ({code})" if name and name != code else code


def issued_line(document: Document) -> str:
    """Who issued the revision and when: "Issued by Japan (JPN) on 3 Mar 2025"."""
    if document.issued_by == IssuedBy.PARTY and document.issuing_party:
        who = party(document, document.issuing_party)
    elif document.issued_by == IssuedBy.CHAIR:
        who = "the Chair"
    else:
        who = "the Parties jointly"
    if document.issued_on is None:
        return f"Draft by {who}, not yet issued"
    return f"Issued by {who} on {format_date(document.issued_on)}"


def option_label(alternative: Alternative, number: int, alone: bool) -> str:
    """What stands before an alternative's wording: "Option 2 (IND, JPN): ", or nothing for
    a lone alternative nobody is named for."""
    if alone and not alternative.label and not alternative.proposed_by:
        return ""
    label = alternative.label or f"Option {number}"
    if alternative.proposed_by:
        label += " (" + ", ".join(alternative.proposed_by) + ")"
    return label + ": "


def stance_comment(document: Document, alternative: Alternative) -> str:
    """The comment on an alternative: who supports and who opposes it, one line each."""
    lines = []
    for title, codes in (
        ("Supported by", alternative.supported_by),
        ("Opposed by", alternative.opposed_by),
    ):
        if codes:
            lines.append(f"{title}: " + "; ".join(party(document, code) for code in codes))
    return "\n".join(lines)


def note_line(note: Note, number: int) -> str:
    kind = note.kind.value.capitalize()
    return f"{kind} {number}" + (f" ({note.party})" if note.party else "") + f": {note.body}"


def local_number(provision: Provision, parent: Provision | None, numeric_parent: bool) -> str:
    """How a paragraph is numbered in its parent's wording ("2.", "(a)"), or "" when it must
    be written as a heading to be read back the same (it has a heading, or its label does
    not continue its parent's)."""
    if (
        parent is None
        or provision.heading
        or provision.depth != parent.depth + 1
        or provision.kind != _kind_at(provision.depth)
    ):
        return ""
    match = re.fullmatch(re.escape(parent.label) + r"\(([0-9]{1,4}|[a-z]{1,4})\)", provision.label)
    if match is None:
        return ""
    number = match[1]
    if provision.depth == 1:
        return f"{number}." if number.isdigit() else f"({number})"
    if provision.depth == 2 and numeric_parent and not number.isdigit():
        return f"({number})"
    return ""


def _kind_at(depth: int) -> ProvisionKind:
    return KIND_AT_DEPTH.get(depth, ProvisionKind.SUBPARAGRAPH)


class Writer:
    """Writes the provisions, keeping what the reader will know when it reads them back."""

    def __init__(self, word: docx.document.Document, document: Document):
        self.word = word
        self.document = document
        # Looking a style up by name costs milliseconds (python-docx searches the styles part
        # each time): a 60-article text spent a fifth of its time there. Each heading style's
        # id is looked up once and set on the paragraph's element, as python-docx itself does
        # for comment paragraphs.
        self.headings = {level: word.styles[f"Heading {level}"].style_id for level in range(1, 10)}

    def provisions(self) -> None:
        parents: dict[int, Provision] = {}
        numeric: dict[int, bool] = {}
        for provision in self.document.provisions:
            parent = parents.get(provision.depth - 1)
            number = local_number(provision, parent, numeric.get(provision.depth - 1, False))
            parents[provision.depth] = provision
            numeric[provision.depth] = number.endswith(".")
            for deeper in [d for d in parents if d > provision.depth]:
                del parents[deeper]
            self.provision(provision, number)

    def provision(self, provision: Provision, number: str) -> None:
        status = provision.status
        if number:
            paragraph = self.word.add_paragraph()
            paragraph.paragraph_format.left_indent = Pt(18 * provision.depth)
            _mark(paragraph.add_run(number + " "), status)
        else:
            title = provision.label + (DASH + provision.heading if provision.heading else "")
            paragraph = self.word.add_paragraph()
            paragraph._p.style = self.headings[min(provision.depth + 1, 9)]
            _mark(paragraph.add_run(title), status)
            paragraph = None
        notes: list[Note] = list(provision.notes)
        for segment in provision.segments:
            if not segment.is_bracket:
                paragraph = self.text(paragraph, segment.text, status)
                continue
            paragraph = self.text(paragraph, "[", status)
            alone = len(segment.alternatives) == 1
            for number_in_bracket, alternative in enumerate(segment.alternatives, 1):
                if number_in_bracket > 1:
                    paragraph = self.text(paragraph, " / ", status)
                paragraph, runs = self.alternative(
                    paragraph, alternative, number_in_bracket, alone, status
                )
                for note in alternative.notes:
                    notes.append(note)
                    reference = paragraph.add_run(str(len(notes)))
                    reference.font.superscript = True
                    _mark(reference, status)
                comment = stance_comment(self.document, alternative)
                if comment and runs:
                    self.word.add_comment(runs, text=comment, author="tracker", initials="")
            paragraph = self.text(paragraph, "]", status)
        for number_of_note, note in enumerate(notes, 1):
            line = self.word.add_paragraph()
            run = line.add_run(note_line(note, number_of_note))
            run.font.size = Pt(9)
            _mark(run, status)

    def alternative(
        self,
        paragraph: Paragraph | None,
        alternative: Alternative,
        number: int,
        alone: bool,
        status: ProvisionStatus,
    ) -> tuple[Paragraph, list[Run]]:
        runs: list[Run] = []
        label = option_label(alternative, number, alone)
        if label:
            paragraph = paragraph or self.word.add_paragraph()
            run = paragraph.add_run(label)
            run.bold = True
            _mark(run, status)
            runs.append(run)
        if alternative.is_deletion:
            paragraph = paragraph or self.word.add_paragraph()
            run = paragraph.add_run(DELETE_WORD)
            run.italic = True
            _mark(run, status)
            runs.append(run)
        else:
            paragraph = self.text(paragraph, alternative.wording, status, runs)
        assert paragraph is not None
        return paragraph, runs

    def text(
        self,
        paragraph: Paragraph | None,
        text: str,
        status: ProvisionStatus,
        runs: list[Run] | None = None,
    ) -> Paragraph:
        """``text`` continued in ``paragraph``; a line break in it starts a new paragraph."""
        for number, line in enumerate(text.split("\n")):
            if number or paragraph is None:
                paragraph = self.word.add_paragraph()
            if line:
                run = paragraph.add_run(line)
                _mark(run, status)
                if runs is not None:
                    runs.append(run)
        assert paragraph is not None
        return paragraph


def _mark(run: Run, status: ProvisionStatus) -> None:
    """The status's highlight on ``run``; a deleted provision struck through."""
    if status == ProvisionStatus.DELETED:
        run.font.strike = True
    elif colour := HIGHLIGHT.get(status):
        run.font.highlight_color = colour


def _legend(paragraph: Paragraph) -> None:
    paragraph.add_run(LEGEND_START + " ").bold = True
    for number, status in enumerate(
        (
            ProvisionStatus.AGREED,
            ProvisionStatus.AGREED_AD_REF,
            ProvisionStatus.OPEN,
            ProvisionStatus.NOT_DISCUSSED,
            ProvisionStatus.DELETED,
        )
    ):
        if number:
            paragraph.add_run("; ")
        _mark(paragraph.add_run(f"{status.label.lower()} – {COLOUR_NAME[status]}"), status)
    paragraph.add_run(
        ". Square brackets mark text not agreed; each alternative is labelled with the "
        f"parties proposing it; “{DELETE_WORD}” proposes to delete the bracketed passage; "
        "comments name the parties supporting or opposing an alternative."
    )
    for run in paragraph.runs:
        run.font.size = Pt(9)


def _page_marks(word: docx.document.Document, document: Document) -> None:
    """The marking, and an internal copy's warning, at the head and foot of every page."""
    lines = [line for line in (document.marking.strip(),) if line]
    if document.is_internal_copy:
        lines.append(INTERNAL_COPY)
    if not lines:
        return
    for section in word.sections:
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
            paragraphs: Iterable[Paragraph] = [part.paragraphs[0]] + [
                part.add_paragraph() for _ in lines[1:]
            ]
            for paragraph, line in zip(paragraphs, lines, strict=True):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                run = paragraph.add_run(line)
                run.bold = True
                if line == INTERNAL_COPY:
                    run.font.color.rgb = ALERT


def where(document: Document, note: InternalNote) -> str:
    """What an internal note is about: the text, a provision, or one proposal in it."""
    for provision in document.provisions:
        if note.provision_key is not None and provision.key == note.provision_key:
            about = provision.label
            break
    else:
        about = ""
    if note.proposal_key is not None:
        for provision, segment, alternative in document.alternatives():
            if alternative.key == note.proposal_key:
                number = segment.alternatives.index(alternative) + 1
                label = option_label(alternative, number, False).removesuffix(": ")
                return f"{label} in {provision.label}"
    return about or "the text as a whole"


def _internal(word: docx.document.Document, document: Document) -> None:
    heading = word.add_heading(level=1)
    heading.add_run(INTERNAL_HEADING).font.color.rgb = ALERT
    for note in document.internal:
        paragraph = word.add_paragraph()
        paragraph.add_run(f"{note.kind.label} – {where(document, note)}: ").bold = True
        paragraph.add_run(note.body)
