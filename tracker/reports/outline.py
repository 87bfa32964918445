"""The status report's outline: its sections, headings, columns and empty-state sentences,
written once as plain blocks that the HTML page, the Markdown file and the PDF each render.

A section is a heading, an ordered list of blocks and the sentence shown when it has no
blocks. Blocks are paragraphs, tables (columns with headings, rows of cells), entries (a
titled group of blocks: one negotiation point) and the timeline figure. A heading, fact or
cell is a plain string, or spans where part of it stands out: strong, muted, an alert
("Overdue"), a link to a record (the HTML page follows it), or a new line within its cell.
Renaming a section or adding a column is one change here; how each block looks is up to
the format.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Literal

from tracker.render.dates import format_date, format_local_datetime
from tracker.render.text_chart import burn_down_table
from tracker.reports.content import (
    DRAFTS_NOTE,
    KEY_DATE_LABELS,
    AgreementReport,
    RevisionLine,
    TextLine,
)

Style = Literal["", "strong", "muted", "alert"]


@dataclass(frozen=True, slots=True)
class Span:
    """A run of text; spans follow each other as written (their text holds the spaces)."""

    text: str
    style: Style = ""
    link: tuple[str, int] | None = None  # (record type, id), such as ("meeting", 12)
    new_line: bool = False  # starts a new line in its cell


# Text with spans set apart; most cells and facts are a plain string.
Inline = str | tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Fact:
    label: str
    value: Inline


@dataclass(frozen=True, slots=True)
class Paragraph:
    kind: ClassVar[str] = "paragraph"
    text: str  # may hold line breaks, which are kept
    note: bool = False  # an aside in small print


@dataclass(frozen=True, slots=True)
class Column:
    heading: str
    width: float  # relative to the table's other columns (the PDF sets widths)
    nowrap: bool = False  # dates and times read badly broken
    multiline: bool = False  # recorded text whose line breaks are kept


@dataclass(frozen=True, slots=True)
class Table:
    kind: ClassVar[str] = "table"
    columns: tuple[Column, ...]
    rows: tuple[tuple[Inline, ...], ...]

    def cells(self) -> Iterator[Iterator[tuple[Column, Inline]]]:
        """Each row's cells with their columns."""
        return (zip(self.columns, row, strict=True) for row in self.rows)


@dataclass(frozen=True, slots=True)
class Figure:
    """A picture, drawn by each format that can show one: the timeline, or a negotiating
    text's bracket burn-down (``key``: the text's id)."""

    kind: ClassVar[str] = "figure"
    caption: str
    picture: Literal["timeline", "burn_down"] = "timeline"
    key: int | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """A titled group of blocks within a section, kept together (one negotiation point)."""

    kind: ClassVar[str] = "entry"
    heading: Inline
    blocks: tuple[Block, ...]


Block = Paragraph | Table | Figure | Entry


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # names the section in HTML ids and classes
    heading: str
    blocks: tuple[Block, ...]
    empty: str = ""  # said instead of blocks when there are none


@dataclass(frozen=True, slots=True)
class Outline:
    title: Inline
    subtitle: str
    facts: tuple[tuple[Fact, ...], ...]  # in lines; the first is the headline
    sections: tuple[Section, ...]
    # The highest marking of what the report shows, in words: first and last in every format.
    marking: str = ""


def outline(report: AgreementReport) -> Outline:
    """Everything the report says, in the order it says it."""
    title: Inline = report.title
    if report.short_name:
        title = (Span(report.title), Span(" "), Span(f"({report.short_name})", "muted"))
    sections = [
        _summary(report),
        _parties(report),
        _timeline(report),
        _history(report),
        _meetings(report),
        _points(report),
        _texts(report),
        _actions(report),
        _updates(report),
    ]
    return Outline(
        title=title,
        subtitle=f"Status report as of {report.as_of_text}",
        facts=_facts(report),
        sections=tuple(section for section in sections if section is not None),
        marking=report.marking,
    )


def _facts(report: AgreementReport) -> tuple[tuple[Fact, ...], ...]:
    status: Inline = "Not yet recorded on that date"
    if report.recorded:
        since = f" since {format_date(report.status_since)} ({report.days_in_status} days)"
        status = (Span(report.status.label, "strong"), Span(since))
    standing = [Fact("Category", report.category), Fact("Priority", report.priority)]
    if report.lead:
        standing.append(Fact("Lead", report.lead))
    next_meeting: Inline = "None scheduled"
    if upcoming := report.next_meeting:
        when = format_local_datetime(upcoming.starts_at, upcoming.timezone)
        place = f", {upcoming.place}" if upcoming.place else ""
        next_meeting = (
            Span(f"{when}, "),
            Span(upcoming.title, link=("meeting", upcoming.id)),
            Span(place),
        )
    dates = tuple(
        Fact(KEY_DATE_LABELS[key], format_date(day)) for key, day in report.key_dates.items() if day
    )
    lines = ((Fact("Status", status),), tuple(standing), (Fact("Next meeting", next_meeting),))
    return lines + ((dates,) if dates else ())


def _summary(report: AgreementReport) -> Section | None:
    if not report.summary:
        return None
    return Section("summary", "Summary", (Paragraph(report.summary),))


def _parties(report: AgreementReport) -> Section:
    columns = (Column("Party", 3), Column("Kind", 2), Column("Role", 1))
    rows = [
        (party.name + (f" ({party.code})" if party.code else ""), party.kind, party.role)
        for party in report.parties
    ]
    blocks = (Table(columns, tuple(rows)),) if rows else ()
    return Section("parties", "Parties", blocks, "No parties recorded.")


def _timeline(report: AgreementReport) -> Section | None:
    if not report.history:
        return None
    caption = (
        "Status phases as coloured bands and meetings as marks, up to "
        f"{format_date(report.as_of)}. The status history below says the same in words."
    )
    return Section("timeline", "Timeline", (Figure(caption),))


def _history(report: AgreementReport) -> Section:
    columns = (
        Column("From", 2, nowrap=True),
        Column("Status", 2),
        Column("Decided at", 3),
        Column("Note", 5, multiline=True),
    )
    rows = [
        (format_date(step.effective_on), step.status.label, step.meeting or "", step.note)
        for step in report.history
    ]
    blocks = (Table(columns, tuple(rows)),) if rows else ()
    return Section("history", "Status history", blocks, "No status recorded by that date.")


def _meetings(report: AgreementReport) -> Section:
    columns = (
        Column("When", 2, nowrap=True),
        Column("Meeting", 3),
        Column("Outcome for this agreement", 5, multiline=True),
    )
    rows = []
    for meeting in reversed(report.meetings):
        name: Inline = (Span(meeting.title, link=("meeting", meeting.id)),)
        if meeting.place:
            name += (Span(meeting.place, "muted", new_line=True),)
        when = format_local_datetime(meeting.starts_at, meeting.timezone)
        rows.append((when, name, meeting.outcome))
    blocks = (Table(columns, tuple(rows)),) if rows else ()
    empty = "No meeting had discussed this agreement by that date."
    return Section("meetings", "Meetings", blocks, empty)


def _points(report: AgreementReport) -> Section:
    columns = (Column("Party", 1), Column("Position", 3, multiline=True))
    entries: list[Block] = []
    for point in report.open_points:
        blocks: list[Block] = []
        if point.details:
            blocks.append(Paragraph(point.details))
        if point.raised_at:
            blocks.append(Paragraph(f"Raised at: {point.raised_at}", note=True))
        if point.positions:
            rows = [(position.party, position.position) for position in point.positions]
            blocks.append(Table(columns, tuple(rows)))
        heading = (Span(point.subject), Span(" "), Span(f"({point.status.label})", "muted"))
        entries.append(Entry(heading, tuple(blocks)))
    if entries:
        entries.append(Paragraph(report.positions_note, note=True))
    return Section("points", "Open negotiation points", tuple(entries), "No open points.")


def _actions(report: AgreementReport) -> Section:
    columns = (Column("Action", 4.5), Column("Owner", 2), Column("Due", 2, nowrap=True))
    rows = []
    for action in report.open_actions:
        due: Inline = format_date(action.due_on) or "—"
        if action.overdue:
            due = (Span(due), Span(" "), Span("Overdue", "alert"))
        rows.append((action.description, action.owner or "—", due))
    blocks = (Table(columns, tuple(rows)),) if rows else ()
    return Section("actions", "Open action items", blocks, "No open action items.")


def _updates(report: AgreementReport) -> Section:
    columns = (Column("When", 2, nowrap=True), Column("Who", 2), Column("What", 7))
    rows = []
    for update in report.latest_updates:
        what = f"{update.action}: {update.record_type} “{update.record}”"
        if update.fields:
            what += f" ({', '.join(update.fields)})"
        when = format_local_datetime(update.recorded_at)
        rows.append((when, update.user or "command line", what))
    blocks = (Table(columns, tuple(rows)),) if rows else ()
    return Section("updates", "Latest updates", blocks, "No recorded updates.")


def _issued(revision: RevisionLine) -> str:
    """Such as "Rev.2, issued 3 Mar 2025 by the Chair"."""
    day = f" {format_date(revision.issued_on)}" if revision.issued_on else ""
    who = {"Chair": " by the Chair", "Joint": " jointly"}.get(
        revision.issued_by, f" by {revision.issued_by}"
    )
    return f"{revision.label}, issued{day}{who}"


def _agreed_and_open(text: TextLine) -> str:
    summary, previous = text.summary, text.previous
    assert summary is not None
    now = f"Provisions agreed: {summary.agreed_now} of {summary.total_now}"
    brackets = f"Open brackets: {summary.brackets_now}"
    if previous is not None:
        now += f" ({summary.agreed_before} of {summary.total_before} in {previous.label})"
        brackets += f" ({summary.brackets_before} in {previous.label})"
    return f"{now}. {brackets}."


def _text_blocks(text: TextLine) -> tuple[Block, ...]:
    summary, revision, previous = text.summary, text.revision, text.previous
    if summary is None or revision is None:
        return (Paragraph("No revision of this text had been issued by that date."),)
    if previous is None:
        compared = "the first issued revision: there is no earlier round to compare it with."
    else:
        compared = f"compared with {_issued(previous)}."
    blocks: list[Block] = [
        Paragraph(f"{_issued(revision)}; {compared}"),
        Paragraph(_agreed_and_open(text)),
    ]
    if text.burn_down:
        figures = burn_down_table(text.burn_down)
        caption = (
            "Open brackets in each revision issued by that date; the table below gives the "
            "same figures."
        )
        blocks.append(Figure(caption, picture="burn_down", key=text.id))
        columns = tuple(
            Column(heading, 1.5 if numeric else 2, nowrap=numeric)
            for heading, numeric in zip(figures.header, figures.numeric, strict=True)
        )
        blocks.append(Table(columns, figures.rows))
    if previous is not None:
        if summary.changed:
            blocks.append(Paragraph(f"What changed since {previous.label}:"))
            columns = (Column("Provision", 2), Column("What changed", 5, multiline=True))
            rows = tuple(
                (
                    change.label
                    + (
                        f" (was {change.old_label})"
                        if change.old_label not in (None, change.label)
                        else ""
                    ),
                    "\n".join(change.what) or "—",
                )
                for change in summary.changed
            )
            blocks.append(Table(columns, rows))
        else:
            blocks.append(Paragraph(f"Nothing changed since {previous.label}."))
    if summary.still_bracketed:
        blocks.append(Paragraph(f"Still bracketed in {revision.label}:"))
        columns = (
            Column("Provision", 2),
            Column("Status", 2),
            Column("Open brackets", 1.5, nowrap=True),
            Column("Proposals by", 3),
        )
        rows = tuple(
            (
                provision.label,
                provision.status.label,
                str(provision.brackets),
                ", ".join(provision.parties) or "Not attributed",
            )
            for provision in summary.still_bracketed
        )
        blocks.append(Table(columns, rows))
    else:
        blocks.append(Paragraph(f"Nothing is bracketed in {revision.label}."))
    if summary.open_proposals:
        blocks.append(Paragraph("Open proposals by party:"))
        columns = (
            Column("Party", 2),
            Column("Open proposals", 1.5, nowrap=True),
            Column("In", 4),
        )
        rows = tuple(
            (party.name, str(party.count), ", ".join(party.provisions))
            for party in summary.open_proposals
        )
        blocks.append(Table(columns, rows))
    return tuple(blocks)


def _texts(report: AgreementReport) -> Section | None:
    """Each negotiating text the reader sees; no section at all when there is none."""
    if not report.texts:
        return None
    entries: list[Block] = []
    for text in report.texts:
        heading = (Span(text.title), Span(" "), Span(f"({text.kind})", "muted"))
        entries.append(Entry(heading, _text_blocks(text)))
    entries.append(Paragraph(DRAFTS_NOTE, note=True))
    return Section("texts", "Negotiating texts", tuple(entries))
