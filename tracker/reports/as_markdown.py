"""The status report as Markdown (CommonMark), for pasting into a brief.

Every piece of recorded text is escaped, so a title like ``<b>*x*</b>`` reads literally
wherever the Markdown is rendered and can never become markup or a link.
"""

from __future__ import annotations

import re

from tracker.render.dates import format_date, format_local_datetime
from tracker.reports.content import KEY_DATE_LABELS, POSITIONS_NOTE, AgreementReport

# CommonMark lets any ASCII punctuation be backslash-escaped. These can open or close
# markup anywhere in a line (emphasis, code, links, HTML, entities, table cells)…
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
# …and these only at the start of a line (headings, lists, quotes, rules, setext).
_LINE_START = re.compile(r"^(\s*\d*)([#+\-=]|(?<=\d)[.)])")


def md(text: object) -> str:
    """Recorded text made inert: Markdown punctuation escaped, line breaks kept as breaks."""
    lines = []
    for line in str(text or "").splitlines():
        line = _INLINE.sub(r"\\\1", line.strip())
        lines.append(_LINE_START.sub(lambda m: f"{m[1]}\\{m[2]}", line))
    return "  \n".join(lines)


def cell(text: object) -> str:
    """Text for a table cell, where a line break would end the row."""
    return " ".join(md(text).replace("  \n", " ").split()) or "—"


def render_markdown(report: AgreementReport) -> str:
    lines: list[str] = []
    add = lines.append
    heading = md(report.title) + (f" ({md(report.short_name)})" if report.short_name else "")
    add(f"# {heading}")
    add("")
    add(f"*Status report as of {report.as_of_text}*")
    add("")
    if report.recorded:
        add(
            f"**Status:** {report.status.label} since {format_date(report.status_since)} "
            f"({report.days_in_status} days)  "
        )
    else:
        add("**Status:** not yet recorded on that date  ")
    add(f"**Category:** {md(report.category)} · **Priority:** {md(report.priority)}  ")
    if report.lead:
        add(f"**Lead:** {md(report.lead)}  ")
    if report.next_meeting:
        nxt = report.next_meeting
        place = f", {md(nxt.place)}" if nxt.place else ""
        add(
            f"**Next meeting:** {format_local_datetime(nxt.starts_at, nxt.timezone)}, "
            f"{md(nxt.title)}{place}"
        )
    else:
        add("**Next meeting:** none scheduled")
    add("")
    if report.summary:
        add("## Summary")
        add("")
        add(md(report.summary))
        add("")
    dates = [(KEY_DATE_LABELS[k], v) for k, v in report.key_dates.items() if v]
    if dates:
        add("## Key dates")
        add("")
        lines.extend(f"- {label}: {format_date(day)}" for label, day in dates)
        add("")

    add("## Parties")
    add("")
    if report.parties:
        add("| Party | Kind | Role |")
        add("|---|---|---|")
        for party in report.parties:
            name = cell(party.name) + (f" ({cell(party.code)})" if party.code else "")
            add(f"| {name} | {cell(party.kind)} | {cell(party.role)} |")
    else:
        add("No parties recorded.")
    add("")

    add("## Status history")
    add("")
    if report.history:
        add("| From | Status | Decided at | Note |")
        add("|---|---|---|---|")
        for step in report.history:
            add(
                f"| {format_date(step.effective_on)} | {step.status.label} | "
                f"{cell(step.meeting)} | {cell(step.note)} |"
            )
    else:
        add("No status recorded by that date.")
    add("")

    add("## Meetings")
    add("")
    if report.meetings:
        for meeting in reversed(report.meetings):
            place = f", {md(meeting.place)}" if meeting.place else ""
            when = format_local_datetime(meeting.starts_at, meeting.timezone)
            add(f"- **{when}**: {md(meeting.title)}{place} ({md(meeting.level)})")
            if meeting.outcome:
                add(f"  Outcome: {md(meeting.outcome)}".replace("  \n", "  \n  "))
    else:
        add("No meeting had discussed this agreement by that date.")
    add("")

    add("## Open negotiation points")
    add("")
    if report.open_points:
        for point in report.open_points:
            add(f"### {md(point.subject)} ({point.status.label})")
            add("")
            if point.details:
                add(md(point.details))
                add("")
            if point.raised_at:
                add(f"Raised at: {md(point.raised_at)}")
                add("")
            for position in point.positions:
                add(f"- **{md(position.party)}:** {md(position.position)}")
            if point.positions:
                add("")
        add(f"*{POSITIONS_NOTE}*")
    else:
        add("No open points.")
    add("")

    add("## Open action items")
    add("")
    if report.open_actions:
        add("| Action | Owner | Due | |")
        add("|---|---|---|---|")
        for action in report.open_actions:
            flag = "**Overdue**" if action.overdue else ""
            add(
                f"| {cell(action.description)} | {cell(action.owner)} | "
                f"{format_date(action.due_on) or '—'} | {flag} |"
            )
    else:
        add("No open action items.")
    add("")

    add("## Latest updates")
    add("")
    if report.latest_updates:
        for update in report.latest_updates:
            fields = f" ({md(', '.join(update.fields))})" if update.fields else ""
            who = md(update.user or "command line")
            add(
                f"- {format_local_datetime(update.recorded_at)}: {who} — "
                f"{update.action.lower()} {md(update.record_type)} “{md(update.record)}”{fields}"
            )
    else:
        add("No recorded updates.")
    add("")
    return "\n".join(lines)
