"""Changing agreements. Services add and flush; the view commits once."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.markings.services import MarkingChoice, set_marking
from tracker.models import AgendaItem, Agreement, AgreementParty, Meeting, Party, User
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


def date_problems(
    opened_on: date | None, signed_on: date | None, in_force_on: date | None
) -> dict[str, str]:
    """What is wrong with an agreement's key dates, by field (the form shows them all)."""
    problems = {}
    if signed_on and opened_on and signed_on < opened_on:
        problems["signed_on"] = "The signature date cannot be before negotiations opened."
    if in_force_on and signed_on and in_force_on < signed_on:
        problems["in_force_on"] = "Entry into force cannot be before the signature date."
    if in_force_on and not signed_on:
        problems["in_force_on"] = "Give the signature date as well."
    return problems


def party_rows_problem(party_ids: list[int]) -> str | None:
    """What is wrong with the parties chosen for an agreement, beyond their existence."""
    if len(party_ids) != len(set(party_ids)):
        return "A party can be listed only once."
    return None


def _check_values(values: dict, lead_id_before: int | None = None) -> None:
    problems = date_problems(
        values.get("opened_on"), values.get("signed_on"), values.get("in_force_on")
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise AgreementError(message, field)
    lead_id = values.get("lead_id")
    # A lead who has since left may stay; a new lead must be active staff.
    if lead_id is not None and lead_id != lead_id_before:
        lead = db.session.get(User, lead_id)
        if lead is None or not lead.active:
            raise AgreementError("Choose the lead from the staff list.", "lead")


def _set_parties(agreement: Agreement, rows: list[tuple[int, str]]) -> None:
    if len(rows) > MAX_PARTIES:
        raise AgreementError(f"An agreement lists at most {MAX_PARTIES} parties.", "parties")
    problem = party_rows_problem([party_id for party_id, _ in rows])
    if problem:
        raise AgreementError(problem, "parties")
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
            # An archived party stays where it was listed, but is chosen for no new one.
            if party_id not in parties or parties[party_id].archived_at is not None:
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
    marking: MarkingChoice | None = None,
) -> Agreement:
    _check_short_name(values.get("short_name"), None)
    _check_values(values)
    agreement = Agreement(status=status, status_on=status_on, recorded_by=recorded_by, **values)
    set_marking(agreement, marking)
    for change in agreement.status_changes:  # its first step, as marked as it is
        set_marking(change, None, parents=[agreement])
    _set_parties(agreement, parties)
    db.session.add(agreement)
    db.session.flush()
    return agreement


def update_agreement(
    agreement: Agreement,
    *,
    values: dict,
    parties: list[tuple[int, str]],
    marking: MarkingChoice | None = None,
) -> None:
    _check_short_name(values.get("short_name"), agreement.id)
    _check_values({**_key_dates(agreement), **values}, agreement.lead_id)
    set_marking(agreement, marking)
    for name, value in values.items():
        setattr(agreement, name, value)
    _set_parties(agreement, parties)
    db.session.flush()


def _key_dates(agreement: Agreement) -> dict:
    return {
        "opened_on": agreement.opened_on,
        "signed_on": agreement.signed_on,
        "in_force_on": agreement.in_force_on,
    }


def change_status(
    agreement: Agreement,
    *,
    status: str,
    effective_on: date,
    note: str,
    meeting_id: int | None,
    recorded_by: User | None,
    marking: MarkingChoice | None = None,
) -> None:
    meeting = None
    if meeting_id:
        # Only a meeting that discussed the agreement can have decided its status.
        meeting = db.session.scalar(
            sa.select(Meeting)
            .join(AgendaItem, AgendaItem.meeting_id == Meeting.id)
            .where(
                Meeting.id == meeting_id,
                AgendaItem.agreement_id == agreement.id,
                Meeting.archived_at.is_(None),
            )
        )
        if meeting is None:
            raise AgreementError("Choose a meeting that discussed the agreement.", "meeting")
    change = agreement.change_status(
        status, effective_on=effective_on, note=note, meeting=meeting, recorded_by=recorded_by
    )
    set_marking(change, marking, parents=[agreement])
    db.session.flush()


def delete(agreement: Agreement) -> None:
    """Remove the agreement; its history, points, actions and agenda entries go with it."""
    db.session.delete(agreement)
    db.session.flush()
