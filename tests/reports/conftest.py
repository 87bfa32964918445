"""A constructed negotiation whose history the report tests read at different days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest

from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    Meeting,
    MeetingLevel,
    NegotiationPoint,
    PartyPosition,
    PointStatus,
)


@dataclass
class Negotiation:
    agreement: Agreement
    first_round: Meeting
    second_round: Meeting
    next_round: Meeting


def meeting(title: str, when: datetime, zone: str = "Asia/Kolkata", **values) -> Meeting:
    return Meeting(
        title=title,
        starts_at=when,
        timezone=zone,
        city="New Delhi",
        country="India",
        level=MeetingLevel.SENIOR_OFFICIALS,
        **values,
    )


@pytest.fixture
def negotiation(db, make_agreement) -> Negotiation:
    """Proposed 2020, negotiated from March 2021, stalled June 2023; rounds in 2021 and 2024.

    One point raised in 2021 and agreed in 2024, one raised in 2024 and still open; an action
    due mid-2021 done in mid-2022, and one due 2030 still open.
    """
    agreement = make_agreement(
        title="Joint development of stealth radio antenna equipment",
        short_name="UNICORN",
        category="technology",
        status="proposed",
        status_on=date(2020, 1, 15),
    )
    first = meeting("First official-level round", datetime(2021, 3, 1, 4, 30, tzinfo=UTC))
    second = meeting("Second official-level round", datetime(2024, 2, 10, 4, 30, tzinfo=UTC))
    upcoming = meeting(
        "Third official-level round",
        datetime(2030, 5, 5, 4, 30, tzinfo=UTC),
        created_at=datetime(2024, 2, 11, tzinfo=UTC),
    )
    db.session.add_all([first, second, upcoming])
    db.session.flush()
    db.session.add_all(
        [
            AgendaItem(agreement=agreement, meeting=first, outcome="Negotiations opened."),
            AgendaItem(agreement=agreement, meeting=second, outcome="Work-share principle agreed."),
            AgendaItem(agreement=agreement, meeting=upcoming),
        ]
    )
    agreement.change_status("under_negotiation", effective_on=date(2021, 3, 1), meeting=first)
    agreement.change_status("stalled", effective_on=date(2023, 6, 1), note="Budget review.")
    india, japan = (link.party for link in agreement.party_links)
    # Built whole before the session sees them: half-linked rows must not autoflush.
    with db.session.no_autoflush:
        _points_and_actions(agreement, first, second, india, japan)
    db.session.commit()
    return Negotiation(agreement, first, second, upcoming)


def _points_and_actions(agreement, first, second, india, japan) -> None:
    work_share = NegotiationPoint(
        subject="Work share",
        details="Who builds which part.",
        raised_at=first,
        settled_at=second,
        status=PointStatus.AGREED,
        positions=[
            PartyPosition(party=india, position="Equal shares."),
            PartyPosition(party=japan, position="By capability."),
        ],
    )
    export = NegotiationPoint(subject="Export to third countries", raised_at=second)
    agreement.points = [work_share, export]
    agreement.action_items = [
        ActionItem(
            description="Circulate a draft annex",
            meeting=first,
            due_on=date(2021, 6, 1),
            done=True,
            done_on=date(2022, 6, 1),
        ),
        ActionItem(description="Cost study", meeting=second, due_on=date(2030, 1, 1)),
    ]
