"""Classification markings: how sensitive a record is, and who it may be released to.

A marking is a value: a **level** (the rank in the deployment's ordered list of levels,
``CLASSIFICATION_LEVELS``; 0 is the lowest), an optional **releasability** (``REL TO`` a
set of parties), the **caveats** a reader must hold one by one (from ``CLASSIFICATION_CAVEATS``)
and an optional **declassify on** date after which the record counts at the level it
downgrades to. Each distinct marking is one row of the ``marking`` table, written once and
never changed or deleted; records point at it (``Marked.marking_id``). So the rule "who may
see what" is a question about the few markings in use, answered once per request, and a
query only asks whether a record's ``marking_id`` is among the ones its reader may see.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from tracker.models.base import Base

DEFAULT_LEVELS = ("Unclassified", "Restricted", "Confidential", "Secret", "Top Secret")
DEFAULT_CAVEATS = ("CABINET", "LEGAL ADVICE", "NATIONAL ONLY")
# The lowest marking (level 0, no release list, no caveats): the migration makes it first.
UNMARKED_ID = 1


marking_release = sa.Table(
    "marking_release",
    Base.metadata,
    sa.Column("marking_id", sa.ForeignKey("marking.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("party_id", sa.ForeignKey("party.id"), primary_key=True, index=True),
)


class Marking(Base):
    """One distinct marking in use; rows are written once and never change."""

    __tablename__ = "marking"
    __table_args__ = (
        sa.CheckConstraint("level >= 0", name="level_not_negative"),
        sa.CheckConstraint(
            "(declassify_on IS NULL) = (downgrade_to IS NULL)", name="declassify_with_level"
        ),
        sa.CheckConstraint("downgrade_to IS NULL OR downgrade_to < level", name="downgrade_lower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The value in one text, e.g. "3|rel=4,9|cav=CABINET|decl=2031-01-01>1": unique, so
    # each marking is stored once whoever asks for it.
    key: Mapped[str] = mapped_column(sa.String(400), unique=True)
    level: Mapped[int]
    # Sorted, comma-separated caveats; "" for none.
    caveats: Mapped[str] = mapped_column(sa.String(300), default="")
    declassify_on: Mapped[date | None]
    downgrade_to: Mapped[int | None]

    def value(self, release_to: Iterable[int]) -> MarkingValue:
        return MarkingValue(
            level=self.level,
            release_to=frozenset(release_to),
            caveats=frozenset(c for c in self.caveats.split(",") if c),
            declassify_on=self.declassify_on,
            downgrade_to=self.downgrade_to,
        )


@dataclass(frozen=True)
class MarkingValue:
    """A marking as a plain value: compare, combine, check and describe it."""

    level: int = 0
    release_to: frozenset[int] = field(default_factory=frozenset)
    caveats: frozenset[str] = field(default_factory=frozenset)
    declassify_on: date | None = None
    downgrade_to: int | None = None

    @property
    def key(self) -> str:
        parts = [str(self.level)]
        if self.release_to:
            parts.append("rel=" + ",".join(str(p) for p in sorted(self.release_to)))
        if self.caveats:
            parts.append("cav=" + ",".join(sorted(self.caveats)))
        if self.declassify_on is not None:
            parts.append(f"decl={self.declassify_on.isoformat()}>{self.downgrade_to}")
        return "|".join(parts)

    def level_on(self, day: date) -> int:
        """The level the record counts at on ``day`` (lower once it is declassified)."""
        if self.declassify_on is not None and day >= self.declassify_on:
            return self.downgrade_to if self.downgrade_to is not None else self.level
        return self.level

    def current(self, day: date) -> MarkingValue:
        """This marking as it stands on ``day``: a passed declassification applied."""
        if self.declassify_on is None or day < self.declassify_on:
            return self
        return MarkingValue(self.level_on(day), self.release_to, self.caveats)

    def readable_by(
        self, *, clearance: int, party_id: int | None, caveats: frozenset[str], day: date
    ) -> bool:
        """The rule: clearance high enough, party released to (if a list is set), every
        caveat held."""
        return (
            clearance >= self.level_on(day)
            and (not self.release_to or party_id in self.release_to)
            and self.caveats <= caveats
        )

    @staticmethod
    def combined(values: Iterable[MarkingValue], day: date) -> MarkingValue:
        """The marking of something showing all of ``values`` together: the highest level,
        released only where every part is, every caveat of every part."""
        level, caveats, release = 0, set(), None
        for value in values:
            value = value.current(day)
            level = max(level, value.level)
            caveats |= value.caveats
            if value.release_to:
                release = set(value.release_to) if release is None else release & value.release_to
        return MarkingValue(level, frozenset(release or ()), frozenset(caveats))

    def describe(self, levels: Sequence[str], codes: dict[int, str]) -> str:
        """As shown on banners: ``SECRET // CABINET // REL TO IND, JPN``."""
        parts = [levels[min(self.level, len(levels) - 1)].upper()]
        parts += sorted(self.caveats)
        if self.release_to:
            names = sorted(codes.get(p, f"#{p}") for p in self.release_to)
            parts.append("REL TO " + ", ".join(names))
        text = " // ".join(parts)
        if self.declassify_on is not None and self.downgrade_to is not None:
            lower = levels[min(self.downgrade_to, len(levels) - 1)].upper()
            text += f" (declassify on {self.declassify_on:%d %b %Y} to {lower})"
        return text


class Marked:
    """A record that carries a marking (see the module's description)."""

    @declared_attr
    def marking_id(cls) -> Mapped[int]:
        # No foreign key: markings are never deleted, and SQLite could only add one to
        # these tables by copying them (losing their triggers).
        return mapped_column(default=UNMARKED_ID, server_default=sa.text(str(UNMARKED_ID)))
