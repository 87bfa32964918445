"""A negotiating text read from a Word file (.docx) into plain values, for review before saving.

What starts a provision: a heading, or a short paragraph, that begins with a label such as
"Article 5", "Article 5 bis", "Article 5(2)", "PP3", "PP3bis", "OP2", "Preamble" or "Annex I"
(the rest of the line, after a dash or colon, is its heading; a label alone takes the next
heading as its heading). Any other heading starts a provision too: its text up to " – " is the
label, and its level the depth. Within an article, a paragraph numbered "1." or "(1)" is a
paragraph of it (depth 1, labelled "Article 5(1)"), and one lettered "(a)" a sub-paragraph of the
last numbered paragraph (depth 2, "Article 5(1)(a)"), or of the article when it has no
numbered paragraph yet (depth 1, "Article 5(a)"): each is a provision of its own, so it can
have its own status and be followed across revisions. Deeper levels ("(i)" under "(a)") stay in
the wording of the sub-paragraph before them.

Square brackets make brackets; inside one, alternatives are labelled ("Option 1 (JPN): ...
/ Option 2 (IND): ...", also "Alternative" or "Alt.") or separated by " / ". An alternative
whose wording is "delete" (or "deleted", "no text") proposes deleting the passage. A bracket
inside a bracket stays part of the outer alternative's wording, with a problem saying so.

What ``tracker.render.text_docx`` writes reads back the same: the title, revision label and
issue line, the status of each provision from its highlight (a file without that writer's
legend has no agreed highlight convention: its provisions are open unless highlighted or
struck through), the parties supporting and opposing an alternative from the comment on it,
footnotes and reservations from the numbered notes after a provision, and the marking from the
page header. An internal copy's internal notes are never imported.

Bad input never raises: ``read`` answers the problems a user can act on, and no document when
nothing usable was found.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import docx
from docx.enum.text import WD_COLOR_INDEX
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from tracker.models.text_document import (
    Alternative,
    Document,
    IssuedBy,
    Note,
    NoteKind,
    Provision,
    ProvisionKind,
    ProvisionStatus,
    Segment,
)
from tracker.render.text_docx import DELETE_WORD, INTERNAL_COPY, LEGEND_START

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 60 * 1024 * 1024  # a .docx is a zip: what it unpacks to is bounded too
MAX_PARTS = 1_000
MAX_PARAGRAPHS = 20_000
MAX_PROVISIONS = 2_000
MAX_CHARACTERS = 3_000_000  # a long treaty is a few hundred thousand
MAX_ALTERNATIVES = 20_000
MAX_PROBLEMS = 50

SUFFIXES = r"(?:\s?(?:bis|ter|quater|quinquies|sexies|septies|octies|novies|decies))?"
PARAGRAPHS = r"(?:\(\w{1,4}\))*"
# (label, the kind it gives (None: by its depth), whether wording may follow it on its line:
# "PP3 Recognising ..." is how preamble paragraphs are typed, while "Article 3 of the
# Convention ..." is a sentence citing an article)
LABELS = [
    (re.compile(r"(?:Article|ARTICLE|Art\.)\s*\d{1,4}[A-Z]?" + SUFFIXES + PARAGRAPHS), None, False),
    (re.compile(r"PP\s?\d{1,4}" + SUFFIXES + PARAGRAPHS), ProvisionKind.PREAMBLE, True),
    (re.compile(r"OP\s?\d{1,4}" + SUFFIXES + PARAGRAPHS), ProvisionKind.ARTICLE, True),
    (re.compile(r"(?:Preamble|PREAMBLE)"), ProvisionKind.PREAMBLE, False),
    (
        re.compile(r"(?:Annex|ANNEX)(?:\s+(?:[IVXLC]{1,8}|\d{1,3}|[A-Z]))?" + SUFFIXES),
        ProvisionKind.ANNEX_ITEM,
        False,
    ),
]
AFTER_LABEL = re.compile(r"(?=$|[\s.:–—-])")
SEPARATORS = " \t.:–—-"
BODY_HEADING_WORDS = 12  # a longer line after a label is a sentence citing it, not a heading
NUMBERED = re.compile(r"(?:(\d{1,3})\.|\((\d{1,3})\)|\(([a-z]{1,4})\))(?:\s+|$)")
NOTE = re.compile(r"(Footnote|Reservation)\s+(\d{1,3})(?:\s+\(([^()]{1,80})\))?:\s*(.*)", re.S)
MARKER = re.compile(
    r"(Option|Alternative|Alt\.)\s+(\w{1,8})\s*(?:\(([^()]{0,300})\))?\s*:(?:\s+|$)"
)
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9.&-]{0,15}")
DELETIONS = {DELETE_WORD, "deleted", "no text"}
ISSUED = re.compile(r"(Issued|Draft) by (.+?)(?: on (\d{1,2} \w+ \d{4})|, not yet issued)")
NAMED = re.compile(r"(.+?) \(([^()]{1,16})\)")
STANCE = re.compile(r"(Supported|Opposed) by:\s*(.*)")
HIGHLIGHTS = {
    WD_COLOR_INDEX.BRIGHT_GREEN: ProvisionStatus.AGREED_AD_REF,
    WD_COLOR_INDEX.GREEN: ProvisionStatus.AGREED_AD_REF,
    WD_COLOR_INDEX.YELLOW: ProvisionStatus.OPEN,
    WD_COLOR_INDEX.GRAY_25: ProvisionStatus.NOT_DISCUSSED,
    WD_COLOR_INDEX.GRAY_50: ProvisionStatus.NOT_DISCUSSED,
}
KIND_AT_DEPTH = {0: ProvisionKind.ARTICLE, 1: ProvisionKind.PARAGRAPH}


def read(data: bytes) -> tuple[Document | None, list[str]]:
    """The revision in ``data``, and what a user should know about it (or why there is none)."""
    if not data:
        return None, ["The file is empty."]
    if len(data) > MAX_BYTES:
        size = len(data) / 1024 / 1024
        return None, [f"The file is {size:.1f} MB; at most {MAX_BYTES // 1024 // 1024} MB."]
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return None, ["This is an older Word file (.doc): save it as .docx and import that."]
    refusal = _unpacked_refusal(data)
    if refusal:
        return None, [refusal]
    try:
        word = docx.Document(io.BytesIO(data))
    except Exception:  # whatever python-docx or lxml make of a broken file
        return None, ["This is not a Word file (.docx) that can be read."]
    problems: list[str] = []
    try:
        document = _Reader(word, problems).read()
    except _TooLarge as error:
        return None, [str(error)]
    except Exception:  # a file valid as a zip but not as Word: say so, never a 500
        return None, ["The Word file could not be read: it may be damaged."]
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        problems = problems[:MAX_PROBLEMS] + [f"…and {more} more problems."]
    return document, problems


def _unpacked_refusal(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
            names = {entry.filename for entry in entries}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return "This is not a Word file (.docx)."
    if "word/document.xml" not in names and "[Content_Types].xml" not in names:
        return "This is not a Word file (.docx)."
    if len(entries) > MAX_PARTS or sum(entry.file_size for entry in entries) > MAX_UNPACKED:
        return "The Word file unpacks to too much to import."
    return ""


class _TooLarge(Exception):
    pass


@dataclass
class _Line:
    """One paragraph as the reader needs it: its text, where comments and note references
    sit in it, its heading level and the formatting of its first words."""

    text: str
    style: str = ""
    level: int | None = None  # heading level
    highlight: WD_COLOR_INDEX | None = None
    strike: bool = False
    comments: list[tuple[int, int]] = field(default_factory=list)  # (offset, comment id)
    references: list[tuple[int, int]] = field(default_factory=list)  # (offset, note number)

    def after(self, start: int) -> _Line:
        """The line from ``start`` on (a numbered paragraph without its number)."""
        cut = start + len(self.text[start:]) - len(self.text[start:].lstrip())
        return _Line(
            self.text[cut:],
            comments=[(max(o - cut, 0), c) for o, c in self.comments],
            references=[(max(o - cut, 0), n) for o, n in self.references],
        )


@dataclass
class _Draft:
    """A provision being read."""

    label: str
    kind: ProvisionKind
    depth: int
    heading: str
    status: ProvisionStatus
    typed: bool = False  # its label is a line of text, not a heading
    lines: list[_Line] = field(default_factory=list)
    notes: list[tuple[int, Note]] = field(default_factory=list)


def _line(paragraph: Paragraph) -> _Line:
    style = paragraph.style
    name = (style.name or "") if style is not None else ""
    style_id = (style.style_id or "") if style is not None else ""
    level = None
    heading = re.fullmatch(r"(?:Heading|heading)\s?([1-9])", name) or re.fullmatch(
        r"Heading([1-9])", style_id
    )
    if heading:
        level = int(heading[1])
    line = _Line("", style=name, level=level)
    parts: list[str] = []
    offset = 0
    first = True
    for element in paragraph._p.iter(qn("w:r"), qn("w:commentRangeStart")):
        if element.tag == qn("w:commentRangeStart"):
            line.comments.append((offset, int(element.get(qn("w:id"), "-1"))))
            continue
        run = Run(element, paragraph)
        text = run.text
        if not text:
            continue
        if run.font.superscript and text.strip().isdigit():
            line.references.append((offset, int(text.strip())))
            continue
        if first and text.strip():
            line.highlight = run.font.highlight_color
            line.strike = bool(run.font.strike)
            first = False
        parts.append(text)
        offset += len(text)
    line.text = "".join(parts)
    return line


class _Reader:
    def __init__(self, word: docx.document.Document, problems: list[str]):
        self.word = word
        self.problems = problems
        self.parties: dict[str, str] = {}
        self.legend = False
        self.alternatives = 0

    def read(self) -> Document | None:
        paragraphs = self.word.paragraphs
        if len(paragraphs) > MAX_PARAGRAPHS:
            raise _TooLarge(
                f"The file has {len(paragraphs):,} paragraphs; at most {MAX_PARAGRAPHS:,}."
            )
        if self.word.tables:
            self.problems.append(
                f"The file has {len(self.word.tables)} table(s): text in tables is not imported."
            )
        self.comments = self._comments()
        marking, internal_copy = self._marking()
        title = label = ""
        issued: tuple[IssuedBy, str | None, date | None] = (IssuedBy.JOINT, None, None)
        drafts: list[_Draft] = []
        top: _Draft | None = None  # the current article (depth 0)
        paragraph_of: _Draft | None = None  # its current paragraph (depth 1)
        any_text = False
        characters = 0
        for paragraph in paragraphs:
            line = _line(paragraph)
            characters += len(line.text)
            if characters > MAX_CHARACTERS:
                raise _TooLarge(f"The file has more than {MAX_CHARACTERS:,} characters of text.")
            text = line.text.strip()
            if not text:
                continue
            any_text = True
            if line.level is not None and text.startswith("Internal notes"):
                internal_copy = True
                break  # our side's notes are never imported
            if (
                line.level is not None
                and drafts
                and drafts[-1].typed
                and not (drafts[-1].heading or drafts[-1].lines or drafts[-1].notes)
                and not _labelled(text)
            ):
                drafts[-1].heading = text[:500]  # "Article 5" typed, then the heading "Scope"
                continue
            start = self._start(line, text)
            if start is None and top is not None and line.level is None:
                start = self._numbered(line, text, top, paragraph_of)
            if start is not None:
                draft, body = start
                if len(drafts) >= MAX_PROVISIONS:
                    raise _TooLarge(f"The file has more than {MAX_PROVISIONS:,} provisions.")
                drafts.append(draft)
                if draft.depth == 0:
                    top, paragraph_of = draft, None
                elif draft.depth == 1:
                    paragraph_of = draft
                if body is not None:
                    draft.lines.append(body)
                continue
            if not drafts:
                title, label, issued = self._front(line, text, title, label, issued)
                continue
            current = drafts[-1]
            if note := NOTE.fullmatch(text):
                current.notes.append((int(note[2]), self._note(note)))
                continue
            current.lines.append(line)
        if not any_text:
            self.problems.insert(0, "The file has no text.")
            return None
        if not drafts:
            self.problems.insert(
                0,
                "No provisions found: start each with a heading or a line such as “Article 1”, "
                "“PP1”, “Preamble” or “Annex I”.",
            )
            return None
        if internal_copy:
            self.problems.append(
                "This file is an internal copy: its internal notes were not imported."
            )
        issued_by, issuing_party, issued_on = issued
        return Document(
            title=title or "Imported text",
            label=label,
            issued_by=issued_by,
            issuing_party=issuing_party,
            issued_on=issued_on,
            provisions=tuple(self._provision(draft) for draft in drafts),
            marking=marking,
            parties=self.parties,
        )

    def _comments(self) -> dict[int, str]:
        try:
            return {comment.comment_id: comment.text for comment in self.word.comments}
        except (KeyError, ValueError, AttributeError):
            return {}

    def _marking(self) -> tuple[str, bool]:
        """The marking in the first page header, and whether it calls itself an internal copy."""
        lines: list[str] = []
        internal = False
        for section in self.word.sections[:1]:
            if section.header.is_linked_to_previous:
                continue
            for paragraph in section.header.paragraphs:
                text = paragraph.text.strip()
                if text == INTERNAL_COPY:
                    internal = True
                elif text:
                    lines.append(text)
        return " ".join(lines)[:500], internal

    def _front(
        self,
        line: _Line,
        text: str,
        title: str,
        label: str,
        issued: tuple[IssuedBy, str | None, date | None],
    ) -> tuple[str, str, tuple[IssuedBy, str | None, date | None]]:
        """What comes before the first provision: title, revision label, issue, legend."""
        if line.style == "Title" or (not title and line.level is None and not label):
            return text[:500], label, issued
        if line.style == "Subtitle" and not label:
            return title, text[:100], issued
        if match := ISSUED.fullmatch(text):
            return title, label, self._issued(match)
        if text.startswith(LEGEND_START):
            self.legend = True
        return title, label, issued

    def _issued(self, match: re.Match[str]) -> tuple[IssuedBy, str | None, date | None]:
        when = None
        if match[3]:
            for pattern in ("%d %b %Y", "%d %B %Y"):
                try:
                    when = datetime.strptime(match[3], pattern).date()
                    break
                except ValueError:
                    continue
        who = match[2]
        if who == "the Chair":
            return IssuedBy.CHAIR, None, when
        if who == "the Parties jointly":
            return IssuedBy.JOINT, None, when
        return IssuedBy.PARTY, self._party(who), when

    def _party(self, text: str) -> str | None:
        """A party's code from "India (IND)" or "IND", noting its name."""
        text = text.strip()
        if named := NAMED.fullmatch(text):
            name, code = named[1].strip(), named[2].strip()
            if CODE.fullmatch(code):
                self.parties.setdefault(code, name)
                return code
        if CODE.fullmatch(text):
            return text
        return None

    def _status(self, line: _Line) -> ProvisionStatus:
        if line.strike:
            return ProvisionStatus.DELETED
        if line.highlight in HIGHLIGHTS:
            return HIGHLIGHTS[line.highlight]
        return ProvisionStatus.AGREED if self.legend else ProvisionStatus.OPEN

    def _start(self, line: _Line, text: str) -> tuple[_Draft, _Line | None] | None:
        """The provision a label line starts (an "Article 5 – Scope" heading or line)."""
        for pattern, kind, wording_follows in LABELS:
            match = pattern.match(text)
            if match and AFTER_LABEL.match(text, match.end()):
                label = re.sub(r"\s+", " ", match[0])
                rest = text[match.end() :].lstrip(SEPARATORS).strip()
                depth = min(label.count("("), 2)
                draft = _Draft(
                    label,
                    kind or KIND_AT_DEPTH.get(depth, ProvisionKind.SUBPARAGRAPH),
                    depth if kind is None else 0,
                    "",
                    self._status(line),
                )
                if line.level is None and rest:
                    separated = text[match.end() :].lstrip(" \t")[:1] in SEPARATORS.strip()
                    if wording_follows and not separated:
                        indent = len(line.text) - len(line.text.lstrip())
                        return draft, line.after(indent + match.end())
                    if not separated or len(rest.split()) > BODY_HEADING_WORDS:
                        return None  # a sentence that begins by citing an article
                draft.heading = rest[:500]
                draft.typed = line.level is None
                return draft, None
        if line.level is None:
            return None
        parts = re.split(r"\s+[–—]\s+", text, maxsplit=1)
        label = parts[0][:100]
        heading = parts[1][:500] if len(parts) > 1 else ""
        depth = min(line.level - 1, 2)
        kind = KIND_AT_DEPTH.get(depth, ProvisionKind.SUBPARAGRAPH)
        return _Draft(label, kind, depth, heading, self._status(line)), None

    def _numbered(
        self, line: _Line, text: str, top: _Draft, paragraph_of: _Draft | None
    ) -> tuple[_Draft, _Line | None] | None:
        """The paragraph or sub-paragraph a numbered line starts ("2. ...", "(a) ...")."""
        stripped = len(line.text) - len(line.text.lstrip())
        match = NUMBERED.match(line.text, stripped)
        if match is None:
            return None
        number = match[1] or match[2]
        body = line.after(match.end())
        status = self._status(line)
        if (
            number is None
            and paragraph_of is not None
            and re.search(r"\(\d+\)$", paragraph_of.label)
        ):
            label = f"{paragraph_of.label}({match[3]})"
            return _Draft(label, ProvisionKind.SUBPARAGRAPH, 2, "", status), body
        label = f"{top.label}({number or match[3]})"
        return _Draft(label, ProvisionKind.PARAGRAPH, 1, "", status), body

    def _note(self, match: re.Match[str]) -> Note:
        kind = NoteKind.RESERVATION if match[1] == "Reservation" else NoteKind.FOOTNOTE
        who = self._party(match[3]) if match[3] else None
        return Note(kind, match[4].strip(), who or (match[3] or None))

    def _provision(self, draft: _Draft) -> Provision:
        text, comments, references = _joined(draft.lines)
        segments, used = self._segments(draft.label, text, comments, references, dict(draft.notes))
        notes = tuple(note for number, note in draft.notes if number not in used)
        return Provision(
            label=draft.label,
            kind=draft.kind,
            heading=draft.heading,
            status=draft.status,
            segments=segments,
            notes=notes,
            depth=draft.depth,
        )

    def _segments(
        self,
        where: str,
        text: str,
        comments: list[tuple[int, int]],
        references: list[tuple[int, int]],
        notes: dict[int, Note],
    ) -> tuple[tuple[Segment, ...], set[int]]:
        """Agreed text and brackets; the note numbers the alternatives took."""
        segments: list[Segment] = []
        used: set[int] = set()
        depth, opened, last = 0, 0, 0
        nested = False
        for found in re.finditer(r"[\[\]]", text):
            index, char = found.start(), found[0]
            if char == "[":
                if depth == 0:
                    opened = index
                else:
                    nested = True
                depth += 1
            elif char == "]":
                if depth == 0:
                    self.problems.append(
                        f"{where}: a “]” closes no bracket, near “{_near(text, index)}”."
                    )
                    continue
                depth -= 1
                if depth == 0:
                    if opened > last:
                        segments.append(Segment(text[last:opened]))
                    alternatives = self._alternatives(
                        where, text, opened + 1, index, comments, references, notes, used
                    )
                    segments.append(Segment(alternatives=alternatives))
                    last = index + 1
        if depth:
            self.problems.append(
                f"{where}: a “[” is never closed, near “{_near(text, opened)}”; "
                "the rest is kept as agreed text."
            )
        if nested:
            self.problems.append(
                f"{where}: a bracket inside a bracket is kept as part of the outer "
                "alternative's wording."
            )
        if last < len(text):
            segments.append(Segment(text[last:]))
        return tuple(segments), used

    def _alternatives(
        self,
        where: str,
        text: str,
        start: int,
        end: int,
        comments: list[tuple[int, int]],
        references: list[tuple[int, int]],
        notes: dict[int, Note],
        used: set[int],
    ) -> tuple[Alternative, ...]:
        content = text[start:end]
        markers = []
        for match in MARKER.finditer(content):
            if not markers and content[: match.start()].strip():
                break  # labels count only when the bracket starts with one
            if markers and not content[
                max(match.start() - 20, 0) : match.start()
            ].rstrip().endswith("/"):
                continue
            markers.append(match)
        # (label match or None, start of wording, end of the alternative) in ``content``
        spans: list[tuple[re.Match[str] | None, int, int]] = []
        if markers:
            for number, match in enumerate(markers):
                stop = markers[number + 1].start() if number + 1 < len(markers) else len(content)
                spans.append((match, match.end(), stop))
        else:
            position = 0
            for separator in _separators(content):
                spans.append((None, position, separator.start()))
                position = separator.end()
            spans.append((None, position, len(content)))
        self.alternatives += len(spans)
        if self.alternatives > MAX_ALTERNATIVES:
            raise _TooLarge(f"The file has more than {MAX_ALTERNATIVES:,} alternatives.")
        alternatives = []
        for number, (match, begin, stop) in enumerate(spans, 1):
            wording = content[begin:stop].strip()
            if match is not None and number < len(spans):
                wording = wording.removesuffix("/").rstrip()
            if wording.lower().strip("()[]{}*_ ") in DELETIONS:
                wording = ""
            label, proposed = "", ()
            if match is not None:
                label = f"{match[1]} {match[2]}"
                if label == f"Option {number}":
                    label = ""
                proposed = self._codes(where, label or f"Option {number}", match[3] or "")
            first = start + (match.start() if match is not None else begin)
            last = start + stop
            supported, opposed = self._stances(
                [c for offset, c in comments if first <= offset < last]
            )
            numbers = [n for offset, n in references if start + begin <= offset <= last]
            mine = tuple(notes[n] for n in numbers if n in notes)
            used.update(n for n in numbers if n in notes)
            alternatives.append(
                Alternative(
                    wording=wording,
                    proposed_by=proposed,
                    supported_by=supported,
                    opposed_by=opposed,
                    label=label,
                    notes=mine,
                )
            )
        return tuple(alternatives)

    def _codes(self, where: str, label: str, text: str) -> tuple[str, ...]:
        codes = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                continue
            if code := self._party(item):
                codes.append(code)
            else:
                self.problems.append(
                    f"{where}, {label}: “{item[:40]}” is not a party code; it was left out."
                )
        return tuple(codes)

    def _stances(self, ids: list[int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        supported: list[str] = []
        opposed: list[str] = []
        for comment_id in ids:
            for text in self.comments.get(comment_id, "").splitlines():
                if match := STANCE.fullmatch(text.strip()):
                    into = supported if match[1] == "Supported" else opposed
                    for item in match[2].split(";"):
                        if (code := self._party(item)) and code not in into:
                            into.append(code)
        return tuple(supported), tuple(opposed)


def _labelled(text: str) -> bool:
    return any(
        (match := pattern.match(text)) and AFTER_LABEL.match(text, match.end())
        for pattern, _, _ in LABELS
    )


def _joined(lines: list[_Line]) -> tuple[str, list[tuple[int, int]], list[tuple[int, int]]]:
    """A provision's paragraphs as one wording, one paragraph a line."""
    texts: list[str] = []
    comments: list[tuple[int, int]] = []
    references: list[tuple[int, int]] = []
    offset = 0
    for line in lines:
        text = line.text.rstrip()
        if texts:
            offset += 1  # the newline
        comments.extend((offset + min(o, len(text)), c) for o, c in line.comments)
        references.extend((offset + min(o, len(text)), n) for o, n in line.references)
        texts.append(text)
        offset += len(text)
    return "\n".join(texts), comments, references


def _separators(content: str) -> list[re.Match[str]]:
    """The " / " between alternatives, not those inside a bracket within the bracket."""
    found = []
    depth = 0
    for match in re.finditer(r"\[|\]|\s/\s", content):
        if match[0] == "[":
            depth += 1
        elif match[0] == "]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            found.append(match)
    return found


def _near(text: str, index: int) -> str:
    excerpt = " ".join(text[max(index - 15, 0) : index + 25].split())
    return excerpt
