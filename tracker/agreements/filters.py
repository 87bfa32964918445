"""The agreements list's filters: a frozen value read from the list's query arguments, with
what was wrong with them (the page ignores a value that makes no sense, the API refuses it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from tracker.markings.queries import read_level
from tracker.models import Category, Status
from tracker.web.arguments import clean_search, record_id

SORTS = ("title", "status", "activity")


@dataclass(frozen=True)
class AgreementFilters:
    """What the agreements list is narrowed and ordered by; lives in the URL."""

    q: str = ""
    status: str = ""
    category: str = ""
    party: int | None = None
    lead: int | None = None
    # Marked at this classification level (a rank) or higher.
    classification: int | None = None
    sort: str = "title"
    archived: bool = False


# The list's query arguments that read_filters takes.
FILTER_ARGS = ("q", "status", "category", "party", "lead", "classification", "sort")


def read_filters(args: Mapping[str, str]) -> tuple[AgreementFilters, dict[str, str]]:
    """The filters in the list's query arguments ``args``, and what was wrong with any of
    them, by argument: the page ignores a value that makes no sense, the API refuses it."""
    problems = {}

    def one_of(name: str, allowed: Iterable[str], default: str) -> str:
        value = args.get(name, default)
        if value in allowed or value == default:
            return value
        problems[name] = f"Not one of: {', '.join(allowed)}."
        return default

    def an_id(name: str) -> int | None:
        value = args.get(name)
        number = record_id(value)
        if value and number is None:
            problems[name] = "Not a record id."
        return number

    classification, problem = read_level(args.get("classification"))
    if problem:
        problems["classification"] = problem
    filters = AgreementFilters(
        q=clean_search(args.get("q")),
        status=one_of("status", [s.value for s in Status], ""),
        category=one_of("category", [c.value for c in Category], ""),
        party=an_id("party"),
        lead=an_id("lead"),
        classification=classification,
        sort=one_of("sort", SORTS, "title"),
    )
    return filters, problems
