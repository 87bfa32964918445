"""The status report as Markdown (CommonMark), for pasting into a brief.

Every piece of recorded text is escaped, so a title like ``<b>*x*</b>`` reads literally
wherever the Markdown is rendered and can never become markup or a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from tracker.reports.content import AgreementReport
from tracker.reports.outline import Block, Entry, Figure, Inline, Paragraph, Span, Table, outline

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


def cell(markdown: str) -> str:
    """Escaped text on one line for a table cell, where a line break would end the row."""
    return " ".join(markdown.replace("  \n", " ").split()) or "—"


def inline(spans: Inline) -> str:
    """Spans as escaped Markdown: strong text and alerts in bold; a span on a new line
    follows a comma instead, since a table row cannot break."""
    if isinstance(spans, str):
        return md(spans)
    return "".join(_span(span) for span in spans)


def _span(span: Span) -> str:
    text = md(span.text)
    if text and span.style in ("strong", "alert"):
        text = f"**{text}**"
    if span.text[:1].isspace() or (span.new_line and text):
        text = (", " if span.new_line else " ") + text
    if span.text[-1:].isspace() and span.text.strip():
        text += " "
    return text


def render_markdown(report: AgreementReport) -> str:
    shape = outline(report)
    # The marking is the first line and the last, in bold, as banners are.
    banner = [f"**{md(shape.marking)}**", ""] if shape.marking else []
    lines = [*banner, f"# {inline(shape.title)}", "", f"*{md(shape.subtitle)}*", ""]
    facts = [
        " · ".join(f"**{md(fact.label)}:** {inline(fact.value)}" for fact in line)
        for line in shape.facts
    ]
    lines += [f"{line}  " for line in facts[:-1]] + facts[-1:] + [""]
    for section in shape.sections:
        blocks = [block for block in section.blocks if not isinstance(block, Figure)]
        if section.blocks and not blocks:
            continue  # a picture alone: Markdown has none to show
        lines += [f"## {md(section.heading)}", ""]
        for block in blocks:
            lines += _block(block)
        if not blocks:
            lines += [md(section.empty), ""]
    return "\n".join(lines + banner[:1]) + ("\n" if banner else "")


def _block(block: Block) -> list[str]:
    """The lines of one block, a blank line after it."""
    if isinstance(block, Paragraph):
        text = md(block.text)
        return [f"*{text}*" if block.note and text else text, ""]
    if isinstance(block, Table):
        lines = [_row(md(column.heading) for column in block.columns)]
        lines.append("|" + "|".join("---" for _ in block.columns) + "|")
        lines += [_row(cell(inline(spans)) for spans in row) for row in block.rows]
        return [*lines, ""]
    if isinstance(block, Entry):
        lines = [f"### {inline(block.heading)}", ""]
        for inner in block.blocks:
            lines += _block(inner)
        return lines
    return []  # a figure


def _row(cells: Iterable[str]) -> str:
    return f"| {' | '.join(cells)} |"
