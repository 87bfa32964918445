"""Comparing two revisions of a text: what was added, deleted, renumbered, agreed and cleaned,
which proposals were tabled or withdrawn, and the wording's difference word by word.

Pure functions over the plain values of ``tracker.models.text_document``: no database, so the
page, the API, the status report and a script compare the same way. Provisions are followed by
their ``key`` (articles are renumbered; their identity is not their number) and proposals by
theirs; values not stored yet (``key`` None, just imported) fall back to the label or wording.
Nothing is silently dropped: a deleted provision keeps its place with its wording struck
through, and every alternative that left the text is either a cleaned bracket's loser or
withdrawn (those of a provision gone from the new revision too). An alternative that moved to
another provision is neither withdrawn nor new: proposals are looked up in the whole revision.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from tracker.models.text_document import (
    Alternative,
    Document,
    Provision,
    ProvisionStatus,
    Segment,
)

__all__ = [
    "CleanedBracket",
    "Comparison",
    "DiffOp",
    "Presence",
    "ProvenanceRow",
    "ProvisionChange",
    "WordRun",
    "compare",
    "word_diff",
]


class DiffOp(enum.StrEnum):
    EQUAL = "equal"
    INSERT = "insert"
    DELETE = "delete"  # shown struck through, never left out


class Presence(enum.StrEnum):
    """Whether a provision is part of the text in each revision (deleted counts as not)."""

    KEPT = "kept"
    ADDED = "added"
    DELETED = "deleted"  # absent from the new revision, or there with status deleted
    RESTORED = "restored"  # deleted in the old revision, back in the new one
    STILL_DELETED = "still_deleted"

    @property
    def label(self) -> str:
        return {"still_deleted": "Still deleted"}.get(self.value, self.value.capitalize())


@dataclass(frozen=True)
class WordRun:
    """Consecutive words with one fate; ``text`` keeps their spacing for display."""

    op: DiffOp
    text: str

    @cached_property
    def words(self) -> tuple[str, ...]:
        # The text is a stretch of one wording from a word's start: its words are those.
        return tuple(word for word, _ in _TOKEN.findall(self.text))


@dataclass(frozen=True)
class CleanedBracket:
    """A bracket of the old revision that the new one agreed as one of its alternatives."""

    alternatives: tuple[Alternative, ...]  # the bracket as it stood
    winner: Alternative
    text: str  # the agreed wording in the new revision

    @property
    def proposed_by(self) -> tuple[str, ...]:
        return self.winner.proposed_by

    @property
    def dropped(self) -> tuple[Alternative, ...]:
        return tuple(a for a in self.alternatives if a is not self.winner)


@dataclass(frozen=True)
class ProvisionChange:
    """One provision across the two revisions; ``old`` or ``new`` is None where it is absent."""

    old: Provision | None
    new: Provision | None
    presence: Presence
    cleaned: tuple[CleanedBracket, ...] = ()
    new_alternatives: tuple[Alternative, ...] = ()
    withdrawn: tuple[Alternative, ...] = ()
    # The wording as part of the text: all struck through when deleted, inserted when restored.
    words: tuple[WordRun, ...] = ()

    @property
    def key(self) -> int | None:
        keys = [p.key for p in (self.new, self.old) if p is not None and p.key is not None]
        return keys[0] if keys else None

    @property
    def label(self) -> str:
        """The label in the new revision, or in the old one for a provision no longer there."""
        return self.new.label if self.new is not None else self.old.label if self.old else ""

    @property
    def old_label(self) -> str | None:
        return self.old.label if self.old is not None else None

    @property
    def new_label(self) -> str | None:
        return self.new.label if self.new is not None else None

    @property
    def renumbered(self) -> bool:
        return (
            self.old is not None
            and self.new is not None
            and _normal(self.old.label) != _normal(self.new.label)
        )

    @property
    def old_status(self) -> ProvisionStatus | None:
        return self.old.status if self.old is not None else None

    @property
    def new_status(self) -> ProvisionStatus | None:
        return self.new.status if self.new is not None else None

    @property
    def status_changed(self) -> bool:
        return self.old is not None and self.new is not None and self.old.status != self.new.status

    @property
    def heading_changed(self) -> bool:
        return (
            self.old is not None
            and self.new is not None
            and _normal(self.old.heading) != _normal(self.new.heading)
        )

    @property
    def wording_changed(self) -> bool:
        return any(run.op != DiffOp.EQUAL for run in self.words)

    @property
    def changed(self) -> bool:
        return (
            self.presence not in (Presence.KEPT, Presence.STILL_DELETED)
            or self.renumbered
            or self.status_changed
            or self.heading_changed
            or self.wording_changed
            or bool(self.cleaned or self.new_alternatives or self.withdrawn)
        )


@dataclass(frozen=True)
class ProvenanceRow:
    """A provision's label in both revisions and the parties whose language it holds."""

    key: int | None
    old_label: str | None
    new_label: str | None
    proposed_by: tuple[str, ...]  # parties proposing its alternatives, in either revision
    cleaned_from: tuple[str, ...]  # proposers of the alternatives its agreed text won from

    @property
    def contributors(self) -> tuple[str, ...]:
        return _unique([*self.proposed_by, *self.cleaned_from])


@dataclass(frozen=True)
class Comparison:
    """What changed from ``old`` to ``new``: provisions in the new revision's order, deleted
    ones where they were."""

    old_label: str
    new_label: str
    provisions: tuple[ProvisionChange, ...]
    provenance: tuple[ProvenanceRow, ...]
    parties: Mapping[str, str] = field(default_factory=dict)  # code -> name, both revisions

    def _where(self, presence: Presence) -> tuple[ProvisionChange, ...]:
        return tuple(change for change in self.provisions if change.presence == presence)

    @property
    def changed(self) -> tuple[ProvisionChange, ...]:
        return tuple(change for change in self.provisions if change.changed)

    @property
    def added(self) -> tuple[ProvisionChange, ...]:
        return self._where(Presence.ADDED)

    @property
    def deleted(self) -> tuple[ProvisionChange, ...]:
        return self._where(Presence.DELETED)

    @property
    def restored(self) -> tuple[ProvisionChange, ...]:
        return self._where(Presence.RESTORED)

    @property
    def renumbered(self) -> tuple[ProvisionChange, ...]:
        return tuple(change for change in self.provisions if change.renumbered)

    @property
    def status_changed(self) -> tuple[ProvisionChange, ...]:
        return tuple(change for change in self.provisions if change.status_changed)

    @property
    def cleaned(self) -> tuple[tuple[ProvisionChange, CleanedBracket], ...]:
        return tuple((change, bracket) for change in self.provisions for bracket in change.cleaned)

    @property
    def new_alternatives(self) -> tuple[tuple[ProvisionChange, Alternative], ...]:
        return tuple((c, a) for c in self.provisions for a in c.new_alternatives)

    @property
    def withdrawn(self) -> tuple[tuple[ProvisionChange, Alternative], ...]:
        return tuple((c, a) for c in self.provisions for a in c.withdrawn)

    def party_name(self, code: str) -> str:
        return self.parties.get(code, code)


def compare(old: Document, new: Document) -> Comparison:
    """Everything that changed from revision ``old`` to revision ``new`` of one text."""
    pairs = _pairs(old.provisions, new.provisions)
    won = {
        segment.won: segment
        for provision in new.provisions
        for segment in provision.segments
        if segment.won is not None and not segment.is_bracket
    }
    old_proposals = {a.key for _, _, a in old.alternatives() if a.key is not None}
    new_proposals = {a.key for _, _, a in new.alternatives() if a.key is not None}
    changes = tuple(
        _change(before, after, won, old_proposals, new_proposals) for before, after in pairs
    )
    return Comparison(
        old_label=old.label,
        new_label=new.label,
        provisions=changes,
        provenance=tuple(_provenance(change) for change in changes),
        parties={**old.parties, **new.parties},
    )


def word_diff(old: str, new: str) -> tuple[WordRun, ...]:
    """The difference of two wordings as runs of equal, inserted and deleted words.

    Square brackets count as words of their own, so cleaning "[shall / may]" into "shall"
    reads as the brackets and the losing option struck through. A replacement is its deletion
    followed by its insertion.
    """
    if new == old:  # most provisions between two rounds: no need to match anything
        # Its words and their spacing: the wording from its first word on.
        text = old.lstrip()
        return (WordRun(DiffOp.EQUAL, text),) if text else ()
    return _word_diff(old, new)


# Kept by the wordings compared: a page compares the same revisions again and again (each
# reader, each "show every provision"), and most of its time is matching words.
@lru_cache(maxsize=2048)
def _word_diff(old: str, new: str) -> tuple[WordRun, ...]:
    old_words, old_spelled = _tokens(old)
    new_words, new_spelled = _tokens(new)
    # Edits are local: match only what lies between the common beginning and end.
    start, end = 0, 0
    most = min(len(old_words), len(new_words))
    while start < most and old_words[start] == new_words[start]:
        start += 1
    while end < most - start and old_words[-1 - end] == new_words[-1 - end]:
        end += 1
    runs: list[WordRun] = []
    _append(runs, DiffOp.EQUAL, new_words[:start], new_spelled[:start])
    # autojunk would treat frequent words ("the", "shall") of a long article as noise.
    matcher = difflib.SequenceMatcher(
        None,
        old_words[start : len(old_words) - end],
        new_words[start : len(new_words) - end],
        autojunk=False,
    )
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        i1, i2, j1, j2 = i1 + start, i2 + start, j1 + start, j2 + start
        if tag == "equal":
            _append(runs, DiffOp.EQUAL, new_words[j1:j2], new_spelled[j1:j2])
            continue
        if i2 > i1:
            _append(runs, DiffOp.DELETE, old_words[i1:i2], old_spelled[i1:i2])
        if j2 > j1:
            _append(runs, DiffOp.INSERT, new_words[j1:j2], new_spelled[j1:j2])
    tail = len(new_words) - end
    _append(runs, DiffOp.EQUAL, new_words[tail:], new_spelled[tail:])
    return tuple(runs)


# A word is a square bracket or a run of anything else up to a space or bracket; its
# spelling keeps the spaces after it.
_TOKEN = re.compile(r"([\[\]]|[^\s\[\]]+)(\s*)")


def _tokens(text: str) -> tuple[list[str], list[str]]:
    pairs = _TOKEN.findall(text)
    return [word for word, _ in pairs], [word + space for word, space in pairs]


def _append(runs: list[WordRun], op: DiffOp, words: list[str], spelled: list[str]) -> None:
    if not words:
        return
    if runs and runs[-1].op == op:
        last = runs.pop()
        runs.append(WordRun(op, last.text + "".join(spelled)))
    else:
        runs.append(WordRun(op, "".join(spelled)))


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _pairs(
    old: tuple[Provision, ...], new: tuple[Provision, ...]
) -> list[tuple[Provision | None, Provision | None]]:
    """Old and new provisions matched: by key, else by label where either side has no key
    (two different keys are two provisions, whatever their labels). New order; an old
    provision with no match follows the old provision before it that has one."""
    old_of_new: dict[int, int] = {}
    by_key = {p.key: i for i, p in enumerate(old) if p.key is not None}
    for j, provision in enumerate(new):
        if provision.key is not None and provision.key in by_key:
            old_of_new[j] = by_key.pop(provision.key)
    taken = set(old_of_new.values())
    by_label: dict[str, list[int]] = {}
    for i, provision in enumerate(old):
        if i not in taken:
            by_label.setdefault(_normal(provision.label), []).append(i)
    for j, provision in enumerate(new):
        if j in old_of_new:
            continue
        waiting = by_label.get(_normal(provision.label), [])
        for i in waiting:
            if provision.key is None or old[i].key is None:
                old_of_new[j] = i
                waiting.remove(i)
                break
    new_of_old = {i: j for j, i in old_of_new.items()}

    # Each old-only provision goes after the nearest earlier old provision still matched.
    after: dict[int | None, list[int]] = {}
    anchor: int | None = None
    for i in range(len(old)):
        if i in new_of_old:
            anchor = new_of_old[i]
        else:
            after.setdefault(anchor, []).append(i)
    pairs: list[tuple[Provision | None, Provision | None]] = [
        (old[i], None) for i in after.get(None, [])
    ]
    for j, provision in enumerate(new):
        pairs.append((old[old_of_new[j]] if j in old_of_new else None, provision))
        pairs.extend((old[i], None) for i in after.get(j, []))
    return pairs


def _present(provision: Provision | None) -> bool:
    return provision is not None and provision.status != ProvisionStatus.DELETED


def _presence(old: Provision | None, new: Provision | None) -> Presence:
    was, now = _present(old), _present(new)
    if was and now:
        return Presence.KEPT
    if now:
        return Presence.ADDED if old is None else Presence.RESTORED
    return Presence.DELETED if was else Presence.STILL_DELETED


def _brackets(provision: Provision | None) -> Iterator[Segment]:
    if provision is not None:
        yield from (segment for segment in provision.segments if segment.is_bracket)


def _change(
    old: Provision | None,
    new: Provision | None,
    won: Mapping[int, Segment],
    old_proposals: set[int],
    new_proposals: set[int],
) -> ProvisionChange:
    cleaned: list[CleanedBracket] = []
    settled: set[int] = set()  # ids of the old alternatives of cleaned brackets
    for bracket in _brackets(old):
        winner = next((a for a in bracket.alternatives if a.key in won), None)
        if winner is not None and winner.key is not None:
            cleaned.append(CleanedBracket(bracket.alternatives, winner, won[winner.key].text))
            settled.update(id(a) for a in bracket.alternatives)

    old_wordings = {_normal(a.wording) for b in _brackets(old) for a in b.alternatives}
    new_wordings = {_normal(a.wording) for b in _brackets(new) for a in b.alternatives}
    tabled = tuple(
        alternative
        for bracket in _brackets(new)
        for alternative in bracket.alternatives
        if (
            alternative.key not in old_proposals
            if alternative.key is not None
            else _normal(alternative.wording) not in old_wordings
        )
    )
    withdrawn = tuple(
        alternative
        for bracket in _brackets(old)
        for alternative in bracket.alternatives
        if id(alternative) not in settled
        and (
            alternative.key not in new_proposals and alternative.key not in won
            if alternative.key is not None
            else _normal(alternative.wording) not in new_wordings
        )
    )
    return ProvisionChange(
        old=old,
        new=new,
        presence=_presence(old, new),
        cleaned=tuple(cleaned),
        new_alternatives=tabled,
        withdrawn=withdrawn,
        words=_wording_diff(old, new),
    )


def _wording_diff(old: Provision | None, new: Provision | None) -> tuple[WordRun, ...]:
    """The wording as part of the text in each revision: a provision deleted in one of them
    has none there, so deleting it strikes all its words and restoring it inserts them."""
    if not _present(old) and not _present(new):  # deleted in both: how its wording moved
        return word_diff(old.plain_text if old else "", new.plain_text if new else "")
    return word_diff(
        old.plain_text if old is not None and _present(old) else "",
        new.plain_text if new is not None and _present(new) else "",
    )


def _provenance(change: ProvisionChange) -> ProvenanceRow:
    sides = [p for p in (change.new, change.old) if p is not None]
    proposed = _unique(
        party
        for provision in sides
        for bracket in _brackets(provision)
        for alternative in bracket.alternatives
        for party in alternative.proposed_by
    )
    cleaned = _unique(
        [
            *(party for bracket in change.cleaned for party in bracket.proposed_by),
            *(
                party
                for provision in sides
                for segment in provision.segments
                for party in segment.won_by
            ),
        ]
    )
    return ProvenanceRow(change.key, change.old_label, change.new_label, proposed, cleaned)
