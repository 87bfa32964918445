"""The portfolio on the API: every agreement not archived with its standing and stalled flag,
narrowed by the portfolio page's filters, stalled first and then by title, a page at a time."""

from __future__ import annotations

import marshmallow as ma
from flask import current_app
from flask_smorest import abort

from tracker.api.access import requires
from tracker.api.blueprint import Blueprint
from tracker.api.fields import Link
from tracker.api.pagination import (
    PageArgs,
    decode_cursor,
    encode_cursor,
    link_header,
    marking_field,
)
from tracker.models import Category, Role, Status, clock
from tracker.portfolio import queries
from tracker.portfolio.filters import parse_filters
from tracker.web import outgoing

blp = Blueprint(
    "api_portfolio",
    __name__,
    url_prefix="/api/v1/portfolio",
    description="Where every agreement stands: status, meetings, open points, overdue actions "
    "and whether it is stalled, as the Portfolio page shows it.",
)


class PortfolioArgs(PageArgs):
    """The Portfolio page's filters; a value that names nothing is refused."""

    party = ma.fields.Integer(
        metadata={"description": "Only agreements this party (its id, not archived) is in."}
    )
    category = ma.fields.String(
        validate=ma.validate.OneOf(["", *(category.value for category in Category)]),
        metadata={"description": "Only agreements of this category."},
    )
    status = ma.fields.String(
        validate=ma.validate.OneOf(["", *(status.value for status in Status)]),
        metadata={"description": "Only agreements in this status."},
    )


class MeetingDaySchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    date = ma.fields.Date(
        attribute="local_day",
        required=True,
        metadata={"description": "The day in the meeting's own time zone."},
    )
    starts_at = ma.fields.AwareDateTime(required=True, metadata={"description": "In UTC."})
    timezone = ma.fields.String(
        required=True, metadata={"description": "IANA time zone name, e.g. Asia/Kolkata."}
    )


class PortfolioRowSchema(ma.Schema):
    """One agreement's standing, as a row of the Portfolio page and its CSV."""

    id = ma.fields.Integer(required=True, metadata={"description": "The agreement's id."})
    title = ma.fields.String(required=True)
    short_name = ma.fields.String(allow_none=True, required=True)
    category = ma.fields.Enum(Category, by_value=True, required=True)
    status = ma.fields.Enum(Status, by_value=True, required=True)
    parties = ma.fields.List(
        ma.fields.String(), required=True, metadata={"description": "Their names, sorted."}
    )
    status_since = ma.fields.Date(
        allow_none=True, required=True, metadata={"description": "When the status took effect."}
    )
    days_in_status = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "Days since, up to today."}
    )
    last_meeting = ma.fields.Nested(
        MeetingDaySchema,
        allow_none=True,
        required=True,
        metadata={"description": "The latest meeting about it held by now."},
    )
    next_meeting = ma.fields.Nested(
        MeetingDaySchema,
        allow_none=True,
        required=True,
        metadata={"description": "The next meeting about it not yet begun."},
    )
    open_points = ma.fields.Integer(
        required=True, metadata={"description": "Negotiation points open or converging."}
    )
    overdue_actions = ma.fields.Integer(
        required=True, metadata={"description": "Action items not done and due before today."}
    )
    stalled = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "Recorded as stalled, or open with neither a meeting held nor a "
            "status change within the deployment's stalled period (STALLED_AFTER_DAYS)."
        },
    )
    url = Link(
        "api_agreements.one",
        {"agreement_id": "id"},
        required=True,
        metadata={"description": "The agreement on the API.", "type": "string"},
    )
    report = Link(
        "api_reports.report",
        {"agreement_id": "id"},
        required=True,
        metadata={"description": "Its status report on the API.", "type": "string"},
    )


class SummarySchema(ma.Schema):
    agreements = ma.fields.Integer(
        required=True, metadata={"description": "How many agreements the filters cover."}
    )
    stalled = ma.fields.Integer(required=True, metadata={"description": "How many are stalled."})


class PortfolioPageSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(PortfolioRowSchema), required=True)
    next = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "The cursor of the next page; null on the last."},
    )
    summary = ma.fields.Nested(
        SummarySchema, required=True, metadata={"description": "Every page, not this one."}
    )
    marking = marking_field()


@blp.route("/", endpoint="list", methods=["GET"])
@requires(Role.VIEWER)
@blp.arguments(PortfolioArgs, location="query")
@blp.response(200, PortfolioPageSchema)
def portfolio(args):
    """The portfolio: stalled agreements first, then the others, each by title. The stalled
    flag is worked out as each page is read, so an agreement whose flag changes between
    pages can move from one part to the other."""
    parties = {party.id: party.name for party in queries.parties()}
    raw = {name: str(args[name]) for name in ("party", "category", "status") if name in args}
    filters, problems = parse_filters(raw, parties)
    if problems:
        abort(
            422,
            message=". ".join(problem.message for problem in problems) + ".",
            errors={"query": {problem.field: [problem.message] for problem in problems}},
        )
    today = clock.today()
    # To the minute, as the page: what the portfolio counts once is reused for that minute.
    now = clock.utcnow().replace(second=0, microsecond=0)
    stalled_after = current_app.config["STALLED_AFTER_DAYS"]
    scope = "portfolio:" + "&".join(f"{k}={v}" for k, v in sorted(filters.args().items()))
    after = None
    if args.get("cursor"):
        flag, title, agreement_id = decode_cursor(args["cursor"], scope, 3)
        after = (flag, title, agreement_id)
    rows = queries.rows_after(
        filters,
        today=today,
        now=now,
        stalled_after=stalled_after,
        after=after,
        limit=args["limit"] + 1,
    )
    following = None
    if len(rows) > args["limit"]:
        rows = rows[: args["limit"]]
        last = rows[-1]
        following = encode_cursor(scope, [int(last.stalled), last.title, last.id])
    summary = queries.summary(filters, today=today, now=now, stalled_after=stalled_after)
    # The rows are plain values and the summary counts: the records they draw on, asked of
    # the database, mark the answer (its `marking` and X-Classification).
    outgoing.note(queries.marking_ids(filters, today=today, chart=False))
    return (
        {"items": rows, "next": following, "summary": summary},
        200,
        link_header(following, "api_portfolio.list"),
    )
