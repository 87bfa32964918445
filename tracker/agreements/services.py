"""Changing agreements. Services add and flush; the view commits once."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Agreement, AgreementParty, Meeting, Party, User
from tracker.models.errors import RuleError

# The most parties an agreement lists: enough for a convention open to every state, few
# enough that its form (a row per party, each a select of every party) stays quick to check
# and draw. A negotiation point's form has a field per party, so this bounds it too.
MAX_PARTIES = 250


class AgreementError(RuleError):
    """A change to an agreement that the rules do not allow."""


def _check_short_name(short_name: str | None, agreement_id: int | None) -> None:
    if not short_name:
        return
    clash = db.session.scalar(
        sa.select(Agreement.id).where(
            sa.func.lower(Agreement.short_name) == short_name.lower(),
            Agreement.id != (agreement_id or 0),
        )
    )
    if clash:
        raise AgreementError(f"Another agreement is already called “{short_name}”.", "short_name")


def _set_parties(agreement: Agreement, rows: list[tuple[int, str]]) -> None:
    if len(rows) > MAX_PARTIES:
        raise AgreementError(f"An agreement lists at most {MAX_PARTIES} parties.", "parties")
    # Load every party first: building links while loading would autoflush half-made rows.
    wanted = [party_id for party_id, _ in rows]
    parties = {
        party.id: party
        for party in db.session.scalars(sa.select(Party).where(Party.id.in_(wanted)))
    }
    existing = {link.party_id: link for link in agreement.party_links}
    links = []
    for party_id, role in rows:
        link = existing.get(party_id)
        if link is None:
            if party_id not in parties:
                raise AgreementError("Choose parties from the list.", "parties")
            link = AgreementParty(party=parties[party_id])
        link.role = role
        links.append(link)
    agreement.party_links = links


def create_agreement(
    *,
    values: dict,
    parties: list[tuple[int, str]],
    status: str,
    status_on: date,
    recorded_by: User | None,
) -> Agreement:
    _check_short_name(values.get("short_name"), None)
    agreement = Agreement(status=status, status_on=status_on, recorded_by=recorded_by, **values)
    _set_parties(agreement, parties)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def update_agreement(agreement: Agreement, *, values: dict, parties: list[tuple[int, str]]) -> None:
    _check_short_name(values.get("short_name"), agreement.id)
    for name, value in values.items():
        setattr(agreement, name, value)
    _set_parties(agreement, parties)
    db.session.flush()


def change_status(
    agreement: Agreement,
    *,
    status: str,
    effective_on: date,
    note: str,
    meeting_id: int | None,
    recorded_by: User | None,
) -> None:
    meeting = db.session.get(Meeting, meeting_id) if meeting_id else None
    agreement.change_status(
        status, effective_on=effective_on, note=note, meeting=meeting, recorded_by=recorded_by
    )
    db.session.flush()


def delete(agreement: Agreement) -> None:
    """Remove the agreement; its history, points, actions and agenda entries go with it."""
    db.session.delete(agreement)
    db.session.flush()
