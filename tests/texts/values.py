"""Small builders for revisions of a text as plain values, so a test reads like the text."""

from __future__ import annotations

from datetime import date

from tracker.models.text_document import (
    Alternative,
    Document,
    IssuedBy,
    Provision,
    ProvisionStatus,
    Segment,
)

PARTIES = {"IND": "India", "JPN": "Japan", "AUS": "Australia"}


def alt(wording: str, *proposed_by: str, key: int | None = None, **more) -> Alternative:
    return Alternative(wording, proposed_by=proposed_by, key=key, **more)


def bracket(*alternatives: Alternative) -> Segment:
    return Segment(alternatives=alternatives)


def text(wording: str, won: int | None = None, **more) -> Segment:
    return Segment(text=wording, won=won, **more)


def article(
    label: str,
    *segments: Segment | str,
    key: int | None,
    status: ProvisionStatus = ProvisionStatus.OPEN,
    **more,
) -> Provision:
    parts = tuple(text(s) if isinstance(s, str) else s for s in segments)
    return Provision(label, segments=parts, key=key, status=status, **more)


def revision(
    label: str,
    *provisions: Provision,
    issued_on: date | None = None,
    issued_by: IssuedBy = IssuedBy.JOINT,
    issuing_party: str | None = None,
    parties: dict[str, str] | None = None,
) -> Document:
    return Document(
        "Agreement on defence cooperation (main text)",
        label=label,
        issued_by=issued_by,
        issuing_party=issuing_party,
        issued_on=issued_on,
        provisions=provisions,
        parties=PARTIES if parties is None else parties,
    )
