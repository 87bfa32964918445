"""A negotiating text's revision as plain values: what import reads, export writes,
comparison compares and the consolidated view shows.

A **text** (an agreement's main text, an annex, an implementing arrangement) is issued in
**revisions** ("Japan's draft", "Rev.1"). A revision is a sequence of **provisions**
(preamble paragraphs, articles, paragraphs...), each with a stable ``key`` across revisions
(articles are renumbered; their identity is not their number), a ``label`` in this revision
("Article 5(2)", "PP3bis"), an optional heading and a status. A provision's wording is a
sequence of **segments**: agreed text, or a **bracket** holding **alternatives**. An
alternative's wording may be empty: "delete this". Each alternative has the parties that
propose, support or oppose it, and a stable ``key`` of its own (the proposal) so it can be
followed from the round it was tabled to the one that accepted or dropped it. A segment of
agreed text that a bracket was cleaned into names the proposal that won (``won``).

Parties are named by code ("IND", "JPN") in these values; keys are database ids, or None
for a value not stored yet (just imported). Nothing here touches the database.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cached_property


class ProvisionKind(enum.StrEnum):
    PREAMBLE = "preamble"
    ARTICLE = "article"
    PARAGRAPH = "paragraph"
    SUBPARAGRAPH = "subparagraph"
    ANNEX_ITEM = "annex_item"

    @property
    def label(self) -> str:
        return {"annex_item": "Annex item"}.get(self.value, self.value.capitalize())


class ProvisionStatus(enum.StrEnum):
    """Where the parties stand on a provision in one revision; the order is progress."""

    NOT_DISCUSSED = "not_discussed"
    OPEN = "open"
    AGREED_AD_REF = "agreed_ad_ref"
    AGREED = "agreed"
    DELETED = "deleted"

    @property
    def label(self) -> str:
        return {
            "not_discussed": "Not yet discussed",
            "agreed_ad_ref": "Agreed ad referendum",
        }.get(self.value, self.value.capitalize())

    @property
    def is_agreed(self) -> bool:
        return self in (ProvisionStatus.AGREED_AD_REF, ProvisionStatus.AGREED)


class Stance(enum.StrEnum):
    """A party's stance on an alternative."""

    PROPOSES = "proposes"
    SUPPORTS = "supports"
    OPPOSES = "opposes"


class NoteKind(enum.StrEnum):
    """Notes that are part of the shared text: a footnote, or a party's reservation
    ("subject to legal scrub", "India reserves")."""

    FOOTNOTE = "footnote"
    RESERVATION = "reservation"


class InternalKind(enum.StrEnum):
    """Our side's own notes on a text: never in anything exported as the shared text."""

    NOTE = "note"
    FALLBACK = "fallback"
    INSTRUCTION = "instruction"

    @property
    def label(self) -> str:
        return {"fallback": "Fallback position"}.get(self.value, self.value.capitalize())


class IssuedBy(enum.StrEnum):
    """Who issued a revision: one party (named), the chair, or the parties jointly."""

    PARTY = "party"
    CHAIR = "chair"
    JOINT = "joint"


@dataclass(frozen=True)
class Note:
    kind: NoteKind
    body: str
    party: str | None = None  # who reserves, for a reservation


@dataclass(frozen=True)
class Alternative:
    wording: str  # "" means: delete the bracketed passage
    proposed_by: tuple[str, ...] = ()
    supported_by: tuple[str, ...] = ()
    opposed_by: tuple[str, ...] = ()
    label: str = ""  # "Option 1"; empty: numbered when shown
    notes: tuple[Note, ...] = ()
    key: int | None = None  # the proposal's id

    @property
    def is_deletion(self) -> bool:
        return not self.wording.strip()


@dataclass(frozen=True)
class Segment:
    """Agreed ``text``, or a bracket when ``alternatives`` is not empty."""

    text: str = ""
    alternatives: tuple[Alternative, ...] = ()
    won: int | None = None  # the proposal this agreed text was cleaned from
    # Who proposed the winning proposal, so later revisions still say whose text this is.
    won_by: tuple[str, ...] = ()

    @property
    def is_bracket(self) -> bool:
        return bool(self.alternatives)


@dataclass(frozen=True)
class Provision:
    label: str
    kind: ProvisionKind = ProvisionKind.ARTICLE
    heading: str = ""
    status: ProvisionStatus = ProvisionStatus.OPEN
    segments: tuple[Segment, ...] = ()
    notes: tuple[Note, ...] = ()
    depth: int = 0  # 0 for an article or preamble paragraph, 1 for its paragraphs...
    key: int | None = None  # the provision's id, the same in every revision

    @property
    def brackets(self) -> int:
        return sum(1 for s in self.segments if s.is_bracket)

    @cached_property
    def plain_text(self) -> str:
        """The wording with brackets written the way negotiators type them."""
        parts = []
        for segment in self.segments:
            if segment.is_bracket:
                parts.append("[" + " / ".join(a.wording for a in segment.alternatives) + "]")
            else:
                parts.append(segment.text)
        return "".join(parts)


@dataclass(frozen=True)
class InternalNote:
    kind: InternalKind
    body: str
    provision_key: int | None = None  # None: about the text as a whole
    proposal_key: int | None = None


@dataclass(frozen=True)
class Document:
    """One revision of one text."""

    title: str  # the text's title: "Agreement between ... (main text)", "Annex A"
    label: str = ""  # the revision: "Rev.1"
    issued_by: IssuedBy = IssuedBy.JOINT
    issuing_party: str | None = None  # code, when issued_by is PARTY
    issued_on: date | None = None  # None: a draft still being worked on
    provisions: tuple[Provision, ...] = ()
    marking: str = ""  # e.g. "RESTRICTED // REL TO IND, JPN"; "" when unmarked
    # Our side's notes: only in an internal copy, which says so on every page.
    internal: tuple[InternalNote, ...] = ()
    is_internal_copy: bool = False
    parties: dict[str, str] = field(default_factory=dict)  # code -> name, for attributions

    def alternatives(self) -> Iterator[tuple[Provision, Segment, Alternative]]:
        for provision in self.provisions:
            for segment in provision.segments:
                for alternative in segment.alternatives:
                    yield provision, segment, alternative

    @property
    def open_brackets(self) -> int:
        return sum(p.brackets for p in self.provisions if p.status != ProvisionStatus.DELETED)


# -- As JSON-ready values (a review page carries an imported document to its save) -------


def to_data(document: Document) -> dict:
    """``document`` as dicts, lists and strings; :func:`from_data` reads it back."""
    return asdict(document) | {
        "issued_on": document.issued_on.isoformat() if document.issued_on else None
    }


def from_data(data: dict) -> Document:
    def note(n: dict) -> Note:
        return Note(kind=NoteKind(n["kind"]), body=n["body"], party=n.get("party"))

    def alternative(a: dict) -> Alternative:
        return Alternative(
            wording=a["wording"],
            proposed_by=tuple(a["proposed_by"]),
            supported_by=tuple(a["supported_by"]),
            opposed_by=tuple(a["opposed_by"]),
            label=a["label"],
            notes=tuple(note(n) for n in a["notes"]),
            key=a["key"],
        )

    def segment(s: dict) -> Segment:
        return Segment(
            text=s["text"],
            alternatives=tuple(alternative(a) for a in s["alternatives"]),
            won=s["won"],
            won_by=tuple(s.get("won_by", ())),
        )

    def provision(p: dict) -> Provision:
        return Provision(
            label=p["label"],
            kind=ProvisionKind(p["kind"]),
            heading=p["heading"],
            status=ProvisionStatus(p["status"]),
            segments=tuple(segment(s) for s in p["segments"]),
            notes=tuple(note(n) for n in p["notes"]),
            depth=p["depth"],
            key=p["key"],
        )

    return Document(
        title=data["title"],
        label=data["label"],
        issued_by=IssuedBy(data["issued_by"]),
        issuing_party=data["issuing_party"],
        issued_on=date.fromisoformat(data["issued_on"]) if data["issued_on"] else None,
        provisions=tuple(provision(p) for p in data["provisions"]),
        marking=data["marking"],
        internal=tuple(
            InternalNote(
                kind=InternalKind(n["kind"]),
                body=n["body"],
                provision_key=n["provision_key"],
                proposal_key=n["proposal_key"],
            )
            for n in data["internal"]
        ),
        is_internal_copy=data["is_internal_copy"],
        parties=dict(data["parties"]),
    )
