"""The status report's section on a text: what changed since the last round, what is still
bracketed, and whose proposals are open.

Plain values made from a ``Comparison`` of the last two revisions and the newer revision; the
report draws them. Parties are given by code and name (the revisions' ``parties``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tracker.models.text_document import Alternative, Document, ProvisionStatus
from tracker.texts.compare import Comparison, Presence, ProvisionChange

__all__ = [
    "BracketedProvision",
    "ChangedProvision",
    "PartyProposals",
    "RoundSummary",
    "round_summary",
]

UNATTRIBUTED = "Not attributed"


@dataclass(frozen=True)
class ChangedProvision:
    label: str  # in the new revision; the old one for a provision no longer there
    old_label: str | None
    what: tuple[str, ...]  # "renumbered from Article 4", "open → agreed"...
    change: ProvisionChange = field(repr=False, compare=False)


@dataclass(frozen=True)
class BracketedProvision:
    key: int | None
    label: str
    status: ProvisionStatus
    brackets: int
    parties: tuple[str, ...]  # names of the parties proposing its open alternatives


@dataclass(frozen=True)
class PartyProposals:
    party: str | None  # code; None for proposals nobody is recorded as making
    name: str
    count: int  # open alternatives the party proposes (alone or with others)
    provisions: tuple[str, ...]  # their labels, in the text's order


@dataclass(frozen=True)
class RoundSummary:
    old_label: str
    new_label: str
    changed: tuple[ChangedProvision, ...]
    still_bracketed: tuple[BracketedProvision, ...]
    open_proposals: tuple[PartyProposals, ...]  # most open proposals first
    brackets_before: int
    brackets_now: int
    agreed_before: int
    agreed_now: int
    total_before: int
    total_now: int


def round_summary(comparison: Comparison, new: Document) -> RoundSummary:
    """What the status report says about a text's last round: ``comparison`` runs from the
    previous revision to ``new``."""
    name = comparison.party_name
    olds = [c.old for c in comparison.provisions if c.old is not None]
    olds = [p for p in olds if p.status != ProvisionStatus.DELETED]
    news = [p for p in new.provisions if p.status != ProvisionStatus.DELETED]

    bracketed = []
    by_party: dict[str | None, tuple[list[int], dict[str, None]]] = {}
    for provision in news:
        if not provision.brackets:
            continue
        parties: dict[str, None] = {}
        for segment in provision.segments:
            for alternative in segment.alternatives:
                codes: tuple[str | None, ...] = alternative.proposed_by or (None,)
                for code in codes:
                    count, labels = by_party.setdefault(code, ([0], {}))
                    count[0] += 1
                    labels[provision.label] = None
                    if code is not None:
                        parties[name(code)] = None
        bracketed.append(
            BracketedProvision(
                provision.key, provision.label, provision.status, provision.brackets, tuple(parties)
            )
        )
    proposals = sorted(
        (
            PartyProposals(
                code, name(code) if code is not None else UNATTRIBUTED, count[0], tuple(labels)
            )
            for code, (count, labels) in by_party.items()
        ),
        key=lambda p: (p.party is None, -p.count, p.name.casefold()),
    )
    return RoundSummary(
        old_label=comparison.old_label,
        new_label=comparison.new_label,
        changed=tuple(
            ChangedProvision(c.label, c.old_label, _what(c, comparison), c)
            for c in comparison.changed
        ),
        still_bracketed=tuple(bracketed),
        open_proposals=tuple(proposals),
        brackets_before=sum(p.brackets for p in olds),
        brackets_now=sum(p.brackets for p in news),
        agreed_before=sum(1 for p in olds if p.status.is_agreed),
        agreed_now=sum(1 for p in news if p.status.is_agreed),
        total_before=len(olds),
        total_now=len(news),
    )


def _by(alternative: Alternative, comparison: Comparison) -> str:
    """by India and Japan", or " (not attributed)"."""
    names = [comparison.party_name(code) for code in alternative.proposed_by]
    if not names:
        return " (not attributed)"
    return " by " + (names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1])


def _what(change: ProvisionChange, comparison: Comparison) -> tuple[str, ...]:
    """The changes to one provision in words, most important first."""
    what = []
    if change.presence in (Presence.ADDED, Presence.DELETED, Presence.RESTORED):
        what.append(change.presence.label.lower())
    if change.renumbered:
        what.append(f"renumbered from {change.old_label}")
    if change.status_changed and change.old and change.new:
        what.append(f"{change.old.status.label.lower()} → {change.new.status.label.lower()}")
    if change.heading_changed:
        what.append("heading changed")
    for bracket in change.cleaned:
        what.append(f"bracket cleaned: proposal{_by(bracket.winner, comparison)} agreed")
    for alternative in change.new_alternatives:
        what.append(f"new proposal{_by(alternative, comparison)}")
    for alternative in change.withdrawn:
        what.append(f"proposal{_by(alternative, comparison)} withdrawn")
    explained = change.cleaned or change.new_alternatives or change.withdrawn
    if change.presence == Presence.KEPT and change.wording_changed and not explained:
        what.append("wording changed")
    return tuple(what)
