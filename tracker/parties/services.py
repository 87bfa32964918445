"""Creating, changing, archiving and deleting parties. Services flush; callers commit."""

from __future__ import annotations

import pycountry
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.models import Party, PartyKind
from tracker.models.errors import RuleError
from tracker.parties import queries


class PartyError(RuleError):
    """A change to a party that the rules do not allow."""


def check_code(kind: PartyKind | str, code: str | None) -> str | None:
    """The code to store for a party of ``kind``: upper case, None when blank.

    States need their ISO 3166-1 alpha-3 code; organisations and groupings may have any
    short code or none.
    """
    code = (code or "").strip().upper() or None
    if PartyKind(kind) == PartyKind.STATE:
        if code is None:
            raise PartyError("A state needs its ISO 3166-1 alpha-3 code, such as IND.", "code")
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise PartyError(f"“{code}” is not an ISO 3166-1 alpha-3 code (three letters).", "code")
        if pycountry.countries.get(alpha_3=code) is None:
            raise PartyError(f"“{code}” is not an ISO 3166-1 alpha-3 country code.", "code")
    elif code is not None and len(code) > 16:
        raise PartyError("Codes are at most 16 characters.", "code")
    return code


def _check_unique(name: str, code: str | None, party_id: int | None) -> None:
    other = queries.find_party_by_name(name, exclude_id=party_id)
    if other is not None:
        raise PartyError(f"There is already a party called “{other.name}”.", "name")
    if code is not None:
        other = queries.find_party_by_code(code, exclude_id=party_id)
        if other is not None:
            raise PartyError(f"The code {code} is already used by {other.name}.", "code")


def _flush() -> None:
    try:
        db.session.flush()
    except IntegrityError as error:
        # Another request took the name or code between our check and this write.
        raise PartyError("That name or code is already used by another party.", "name") from error


def create_party(name: str, kind: PartyKind | str, code: str | None) -> Party:
    name = name.strip()
    kind = PartyKind(kind)
    code = check_code(kind, code)
    _check_unique(name, code, None)
    party = Party(name=name, kind=kind, code=code)
    db.session.add(party)
    _flush()
    return party


def update_party(party: Party, name: str, kind: PartyKind | str, code: str | None) -> None:
    name = name.strip()
    kind = PartyKind(kind)
    code = check_code(kind, code)
    _check_unique(name, code, party.id)
    party.name, party.kind, party.code = name, kind, code
    _flush()


def delete_party(party: Party) -> None:
    """Delete a party nothing refers to; otherwise raise PartyError (archive it instead)."""
    usage = queries.party_usage(party.id)
    if usage.in_use:
        raise PartyError(
            f"{party.name} cannot be deleted: {describe_usage(usage)} still refer to it. "
            "Archive it instead."
        )
    db.session.delete(party)
    db.session.flush()


def describe_usage(usage: queries.PartyUsage) -> str:
    parts = [
        (usage.people, "person", "people"),
        (usage.agreements, "agreement", "agreements"),
        (usage.positions, "negotiating position", "negotiating positions"),
        (usage.stated, "step of a position's history", "steps of positions' histories"),
    ]
    return ", ".join(f"{n} {one if n == 1 else many}" for n, one, many in parts if n)
