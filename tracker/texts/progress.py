"""How far a text has come: provisions agreed out of total and brackets still open, per
article and overall, one revision at a time, and the burn-down of brackets across revisions.

Pure functions over plain values. A deleted provision is no longer part of the text: it counts
neither in the total nor for its brackets. Agreed means agreed or agreed ad referendum.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from tracker.models.text_document import Document, IssuedBy, Provision, ProvisionStatus

__all__ = [
    "ArticleProgress",
    "BurnDownPoint",
    "Progress",
    "ProvisionProgress",
    "burn_down",
    "issuer",
    "progress",
]


@dataclass(frozen=True)
class ProvisionProgress:
    key: int | None
    label: str
    status: ProvisionStatus
    open_brackets: int

    @property
    def agreed(self) -> bool:
        return self.status.is_agreed


@dataclass(frozen=True)
class ArticleProgress:
    """A top-level provision (an article, a preamble paragraph) with the provisions under it."""

    key: int | None
    label: str
    heading: str
    provisions: tuple[ProvisionProgress, ...]  # itself first, when it is not deleted

    @property
    def agreed(self) -> int:
        return sum(1 for p in self.provisions if p.agreed)

    @property
    def total(self) -> int:
        return len(self.provisions)

    @property
    def open_brackets(self) -> int:
        return sum(p.open_brackets for p in self.provisions)


@dataclass(frozen=True)
class Progress:
    """One revision's progress, overall and per article."""

    label: str
    issued_on: date | None
    articles: tuple[ArticleProgress, ...]

    @property
    def agreed(self) -> int:
        return sum(a.agreed for a in self.articles)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.articles)

    @property
    def open_brackets(self) -> int:
        return sum(a.open_brackets for a in self.articles)

    @property
    def open_provisions(self) -> int:
        return self.total - self.agreed


@dataclass(frozen=True)
class BurnDownPoint:
    """One revision on the burn-down: what ``tracker.render.text_chart`` draws."""

    label: str
    issued_on: date | None
    issued_by: str  # "Chair", "Joint", or the issuing party's name
    open_brackets: int
    agreed: int
    total: int


def progress(document: Document) -> Progress:
    """The progress of one revision; provisions deeper than the top level count under the
    top-level provision before them."""
    groups: list[tuple[Provision, list[Provision]]] = []
    for provision in document.provisions:
        if provision.depth == 0 or not groups:
            groups.append((provision, []))
        groups[-1][1].append(provision)
    articles = []
    for head, members in groups:
        counted = tuple(
            ProvisionProgress(p.key, p.label, p.status, p.brackets)
            for p in members
            if p.status != ProvisionStatus.DELETED
        )
        if counted:
            articles.append(ArticleProgress(head.key, head.label, head.heading, counted))
    return Progress(document.label, document.issued_on, tuple(articles))


def issuer(document: Document) -> str:
    """Who issued a revision, in words: "Chair", "Joint", or the party's name."""
    if document.issued_by == IssuedBy.PARTY:
        code = document.issuing_party or ""
        return document.parties.get(code, code) or "A party"
    return document.issued_by.value.capitalize()


def burn_down(revisions: Sequence[Document]) -> tuple[BurnDownPoint, ...]:
    """One point per revision, in the order given (oldest first, as the picture reads)."""
    points = []
    for document in revisions:
        made = progress(document)
        points.append(
            BurnDownPoint(
                label=document.label,
                issued_on=document.issued_on,
                issued_by=issuer(document),
                open_brackets=made.open_brackets,
                agreed=made.agreed,
                total=made.total,
            )
        )
    return tuple(points)
