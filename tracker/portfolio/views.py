"""The portfolio page and its CSV and PDF downloads, all narrowed by the same filters.

Unknown filter values (a status, category or party that does not exist): the page ignores
them and says so above the results; a download refuses them with 400, because a file has
no place for the warning and a report quietly wider than asked for could travel unnoticed.
The page's own download links carry only the filters it applied, so they never fail.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    get_template_attribute,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup
from wtforms import SelectChoice

from tracker.data.cache import remember
from tracker.models import Category, Status, clock
from tracker.portfolio import queries
from tracker.portfolio.export import csv_chunks
from tracker.portfolio.filters import FilterProblem, PortfolioFilters, parse_filters
from tracker.portfolio.pdf import portfolio_pdf
from tracker.render.chart import status_chart
from tracker.web import outgoing
from tracker.web.arguments import page_arg
from tracker.web.pagination import Page, locate

bp = Blueprint("portfolio", __name__)


@dataclass(frozen=True)
class PortfolioRequest:
    """What every form of the portfolio is computed from."""

    filters: PortfolioFilters
    problems: list[FilterProblem]
    parties: tuple[queries.PartyChoice, ...]
    today: date
    now: datetime
    stalled_after: int

    @property
    def party_names(self) -> dict[int, str]:
        return queries.party_names()

    def rows(self) -> Iterator[queries.PortfolioRow]:
        return queries.iter_rows(
            self.filters, today=self.today, now=self.now, stalled_after=self.stalled_after
        )

    def records(self) -> Iterator:
        """The rows as the database gives them, for the CSV (see queries.iter_records)."""
        return queries.iter_records(
            self.filters, today=self.today, now=self.now, stalled_after=self.stalled_after
        )

    def summary(self) -> queries.Summary:
        return queries.summary(
            self.filters, today=self.today, now=self.now, stalled_after=self.stalled_after
        )

    def meetings(self) -> list[queries.UpcomingMeeting]:
        return queries.upcoming_meetings(self.filters, today=self.today, now=self.now)

    def note_marking(self, *, chart: bool) -> None:
        """Count the records the portfolio's rows and figures draw on as shown by the
        request: its rows are plain values and its figures counts, which load none."""
        outgoing.note(queries.marking_ids(self.filters, today=self.today, chart=chart))


def _request() -> PortfolioRequest:
    parties = queries.parties()
    filters, problems = parse_filters(request.args, queries.party_names())
    return PortfolioRequest(
        filters=filters,
        problems=problems,
        parties=parties,
        today=clock.today(),
        # To the minute: what the portfolio counts once is reused for that minute.
        now=clock.utcnow().replace(second=0, microsecond=0),
        stalled_after=current_app.config["STALLED_AFTER_DAYS"],
    )


def _download_request() -> PortfolioRequest:
    """The portfolio request for a download, refused with 400 if a filter names nothing."""
    portfolio = _request()
    if portfolio.problems:
        abort(
            400,
            description=". ".join(problem.message for problem in portfolio.problems)
            + ". Choose the filters on the Portfolio page and download from there.",
        )
    return portfolio


def _list_links(filters: PortfolioFilters) -> dict[Status, str]:
    """The agreements list for each status, under the portfolio's other filters."""
    return {
        status: url_for("agreements.index", **filters.args(status=False), status=status.value)
        for status in Status
    }


@bp.route("/portfolio/")
def index():
    portfolio = _request()
    portfolio.note_marking(chart=True)
    filters = portfolio.filters
    counts = queries.status_counts(filters)
    links = _list_links(filters)
    summary = portfolio.summary()
    size = current_app.config["PAGE_SIZE"]
    number, pages = locate(page_arg(), summary.agreements, size)
    rows = queries.page_rows(
        filters,
        today=portfolio.today,
        now=portfolio.now,
        stalled_after=portfolio.stalled_after,
        number=number,
        size=size,
        summary=summary,
    )
    return render_template(
        "portfolio/index.html",
        filters=filters,
        problems=portfolio.problems,
        rows=rows,
        page=Page(items=rows, number=number, pages=pages, total=summary.agreements),
        summary=summary,
        counts=counts,
        chart=Markup(status_chart(counts, links=links)),  # noqa: S704  (escaped as it is built)
        links=links,
        meetings=portfolio.meetings(),
        party_filter=_party_filter(portfolio.parties, filters.party),
        statuses=list(Status),
        categories=list(Category),
        today=portfolio.today,
        stalled_after=portfolio.stalled_after,
        upcoming_days=queries.UPCOMING_DAYS,
    )


def _party_filter(parties: tuple[queries.PartyChoice, ...], chosen: int | None) -> Markup:
    """The party filter (200 options), drawn once for each state of the data when no party
    is chosen, as most views draw it."""

    def draw() -> Markup:
        choices = [
            SelectChoice(party.id, party.name, optgroup=party.kind.label) for party in parties
        ]
        # By kind's label, then as read (by name), as Jinja's groupby filter orders them.
        groups = itertools.groupby(
            sorted(choices, key=lambda choice: choice.optgroup), lambda choice: choice.optgroup
        )
        macro = get_template_attribute("_macros/filters.html", "party_filter")
        return macro([(group, list(choices)) for group, choices in groups], chosen)

    if chosen is not None:
        return draw()
    return remember("portfolio party filter, none chosen", draw)


def _attachment(extension: str, today: date) -> dict[str, str]:
    name = f"portfolio-{today.isoformat()}.{extension}"
    return {"Content-Disposition": f'attachment; filename="{name}"'}


@bp.route("/portfolio.csv")
def export_csv():
    portfolio = _download_request()
    # Known before the first row is read: the markings of the rows the query selects.
    portfolio.note_marking(chart=False)
    marking = outgoing.shown_text()
    pieces = outgoing.streamed(csv_chunks(portfolio.records(), portfolio.today, marking))
    response = Response(pieces, mimetype="text/csv", headers=_attachment("csv", portfolio.today))
    return outgoing.mark(response, marking)


@bp.route("/portfolio.pdf")
def export_pdf():
    portfolio = _download_request()
    filters = portfolio.filters
    meetings = portfolio.meetings()  # loaded first: their markings count
    portfolio.note_marking(chart=True)
    marking = outgoing.shown_text()
    document = portfolio_pdf(
        rows=portfolio.rows(),
        counts=queries.status_counts(filters),
        summary=portfolio.summary(),
        meetings=meetings,
        filters_text=filters.describe(portfolio.party_names),
        status_filter=filters.status,
        stalled_after=portfolio.stalled_after,
        upcoming_days=queries.UPCOMING_DAYS,
        today=portfolio.today,
        generated_at=portfolio.now,
        marking=marking,
    )
    response = Response(
        document, mimetype="application/pdf", headers=_attachment("pdf", portfolio.today)
    )
    return outgoing.mark(response, marking)
