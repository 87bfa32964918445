"""One agreement's status report in each format, for the web page and the command line alike."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, render_template
from markupsafe import Markup

from tracker.render.text_chart import burn_down_chart, describe_burn_down
from tracker.render.timeline import MeetingMark, Phase, describe_timeline, render_timeline
from tracker.reports.as_json import render_json
from tracker.reports.as_markdown import render_markdown
from tracker.reports.as_pdf import render_pdf
from tracker.reports.content import AgreementReport
from tracker.reports.outline import outline

FORMATS = ("html", "pdf", "md", "json")
MIMETYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
    "json": "application/json",
}


@dataclass(frozen=True)
class Document:
    content: bytes
    mimetype: str
    filename: str


def timeline_parts(report: AgreementReport) -> tuple[list[Phase], list[MeetingMark]]:
    phases = [Phase(step.status, step.effective_on) for step in report.history]
    return phases, [MeetingMark(m.day, m.title, m.level) for m in report.meetings]


def timeline_svg(report: AgreementReport, *, for_pdf: bool = False) -> str:
    """The report's timeline picture: status phases and meetings up to the as-of day."""
    phases, marks = timeline_parts(report)
    return render_timeline(
        phases,
        marks,
        until=report.as_of,
        title=f"Timeline of {report.name}",
        for_pdf=for_pdf,
    )


def burn_down_svgs(report: AgreementReport) -> dict[int, Markup]:
    """Each negotiating text's burn-down picture for the page, by the text's id."""
    return {
        text.id: Markup(  # noqa: S704  (escaped SVG)
            burn_down_chart(text.burn_down, title=f"Bracket burn-down of {text.title}")
        )
        for text in report.texts
        if text.burn_down
    }


def burn_down_images(report: AgreementReport) -> dict[int, tuple[str, str]]:
    """Each negotiating text's burn-down for the PDF: the picture and its alt text."""
    return {
        text.id: (burn_down_chart(text.burn_down, for_pdf=True), describe_burn_down(text.burn_down))
        for text in report.texts
        if text.burn_down
    }


def filename(report: AgreementReport, fmt: str) -> str:
    """An ASCII file name that says what and when: rpss-status-2025-05-05.pdf."""
    name = unicodedata.normalize("NFKD", report.short_name or report.title)
    slug = re.sub(r"[^a-z0-9]+", "-", name.encode("ascii", "ignore").decode().lower()).strip("-")
    return f"{slug[:40].strip('-') or f'agreement-{report.id}'}-status-{report.as_of}.{fmt}"


def render_html_document(report: AgreementReport) -> str:
    """A self-contained HTML file (styles embedded, no navigation) for saving or printing."""
    css = Path(current_app.static_folder, "report.css").read_text(encoding="utf-8")
    return render_template(
        "reports/agreement_document.html",
        report=report,
        outline=outline(report),
        report_css=Markup(css),  # noqa: S704  (our own stylesheet)
        timeline=Markup(timeline_svg(report)) if report.history else None,  # noqa: S704
        burn_downs=burn_down_svgs(report),
    )


def render(report: AgreementReport, fmt: str) -> Document:
    if fmt == "pdf":
        timeline = None
        if report.history:
            timeline = (
                timeline_svg(report, for_pdf=True),
                describe_timeline(*timeline_parts(report), until=report.as_of),
            )
        content = render_pdf(report, timeline, burn_down_images(report))
    elif fmt == "md":
        content = render_markdown(report).encode()
    elif fmt == "json":
        content = render_json(report).encode()
    elif fmt == "html":
        content = render_html_document(report).encode()
    else:
        raise ValueError(f"Unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}.")
    return Document(content, MIMETYPES[fmt], filename(report, fmt))
