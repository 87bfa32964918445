"""The portfolio's filters, read from the query string and checked against what exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tracker.models import Category, Status
from tracker.web.arguments import clean_search

# Longest piece of an unknown value repeated back in a message.
ECHO_LENGTH = 40


@dataclass(frozen=True)
class PortfolioFilters:
    """Which agreements the portfolio covers; lives in the URL."""

    party: int | None = None
    category: Category | None = None
    status: Status | None = None

    def args(self, *, status: bool = True) -> dict[str, str]:
        """The query-string arguments that reproduce these filters (none for the unset ones)."""
        args = {}
        if self.party:
            args["party"] = str(self.party)
        if self.category:
            args["category"] = self.category.value
        if status and self.status:
            args["status"] = self.status.value
        return args

    def describe(self, parties: Mapping[int, str]) -> str:
        """The filters in words, for the PDF and CSV readers who never saw the page."""
        parts = []
        if self.party:
            parts.append(f"party {parties.get(self.party, self.party)}")
        if self.category:
            parts.append(f"category {self.category.label}")
        if self.status:
            parts.append(f"status {self.status.label}")
        return "; ".join(parts) if parts else "none (every agreement not archived)"


@dataclass(frozen=True)
class FilterProblem:
    """A filter value that names nothing: an unknown status, category or party."""

    field: str
    value: str

    @property
    def message(self) -> str:
        value = clean_search(self.value)
        if len(value) > ECHO_LENGTH:
            value = value[:ECHO_LENGTH] + "…"
        return f"Unknown {self.field} “{value}”"


def parse_filters(
    args: Mapping[str, str], parties: Mapping[int, str]
) -> tuple[PortfolioFilters, list[FilterProblem]]:
    """Filters from ``args``; an empty value means "any", an unknown one is a problem.

    ``parties`` maps the ids of the parties that may be chosen to their names.
    """
    problems = []

    def choose(name: str, enum_cls):
        value = args.get(name, "")
        if not value:
            return None
        try:
            return enum_cls(value)
        except ValueError:
            problems.append(FilterProblem(name, value))
            return None

    status = choose("status", Status)
    category = choose("category", Category)
    party = None
    value = args.get("party", "")
    if value:
        if value.isascii() and value.isdigit() and int(value) in parties:
            party = int(value)
        else:
            problems.append(FilterProblem("party", value))
    return PortfolioFilters(party=party, category=category, status=status), problems
