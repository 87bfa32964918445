"""Each agreement's activity dates, kept by database triggers whoever writes the rows."""

from datetime import UTC, date, datetime

import sqlalchemy as sa

from tracker.models import AgendaItem, Agreement, Meeting, StatusChange


def _dates(db, agreement_id: int) -> tuple:
    row = db.session.execute(
        sa.select(
            Agreement.status_changed_on, Agreement.last_meeting_at, Agreement.last_activity_on
        ).where(Agreement.id == agreement_id)
    ).one()
    return tuple(row)


def _meeting(db, day: datetime, title: str = "Talks") -> Meeting:
    meeting = Meeting(title=title, starts_at=day, level="working_group")
    db.session.add(meeting)
    return meeting


def test_status_changes_set_the_status_date_and_activity(db, make_agreement):
    agreement = make_agreement(status_on=date(2024, 11, 1))
    db.session.commit()
    assert _dates(db, agreement.id) == (date(2024, 11, 1), None, date(2024, 11, 1))

    agreement.change_status("under_negotiation", effective_on=date(2025, 1, 15))
    db.session.commit()
    assert _dates(db, agreement.id) == (date(2025, 1, 15), None, date(2025, 1, 15))

    agreement.status_changes.pop()  # an orphan: deleted at the flush
    agreement.status = "proposed"
    db.session.commit()
    assert _dates(db, agreement.id) == (date(2024, 11, 1), None, date(2024, 11, 1))


def test_meetings_set_the_last_meeting_and_activity(db, make_agreement):
    agreement = make_agreement(status_on=date(2024, 11, 1))
    early = _meeting(db, datetime(2024, 12, 2, 23, 30, tzinfo=UTC), "Early")
    late = _meeting(db, datetime(2025, 3, 3, 9, tzinfo=UTC), "Late")
    db.session.add_all(
        [
            AgendaItem(meeting=early, agreement=agreement),
            AgendaItem(meeting=late, agreement=agreement),
        ]
    )
    db.session.commit()
    assert _dates(db, agreement.id) == (
        date(2024, 11, 1),
        datetime(2025, 3, 3, 9, tzinfo=UTC),
        date(2025, 3, 3),
    )

    # Moving, archiving and deleting meetings all count.
    late.starts_at = datetime(2024, 12, 1, 9, tzinfo=UTC)
    db.session.commit()
    assert _dates(db, agreement.id)[1:] == (
        datetime(2024, 12, 2, 23, 30, tzinfo=UTC),
        date(2024, 12, 2),
    )

    early.archived_at = datetime(2025, 1, 1, tzinfo=UTC)
    db.session.commit()
    assert _dates(db, agreement.id)[1:] == (datetime(2024, 12, 1, 9, tzinfo=UTC), date(2024, 12, 1))

    early.archived_at = None
    db.session.commit()
    assert _dates(db, agreement.id)[1] == datetime(2024, 12, 2, 23, 30, tzinfo=UTC)

    db.session.delete(early)
    db.session.commit()
    assert _dates(db, agreement.id)[1] == datetime(2024, 12, 1, 9, tzinfo=UTC)

    db.session.delete(db.session.get(AgendaItem, (late.id, agreement.id)))
    db.session.commit()
    assert _dates(db, agreement.id) == (date(2024, 11, 1), None, date(2024, 11, 1))


def test_an_archived_meeting_put_on_the_agenda_does_not_count(db, make_agreement):
    agreement = make_agreement(status_on=date(2024, 11, 1))
    meeting = _meeting(db, datetime(2025, 3, 3, 9, tzinfo=UTC))
    meeting.archived_at = datetime(2025, 4, 1, tzinfo=UTC)
    db.session.add(AgendaItem(meeting=meeting, agreement=agreement))
    db.session.commit()
    assert _dates(db, agreement.id) == (date(2024, 11, 1), None, date(2024, 11, 1))


def test_rows_written_without_the_orm_are_covered_too(db, make_agreement):
    agreement = make_agreement(status_on=date(2024, 11, 1))
    meeting = _meeting(db, datetime(2025, 2, 2, 9, tzinfo=UTC))
    db.session.commit()
    db.session.execute(
        sa.insert(StatusChange),
        [
            {
                "agreement_id": agreement.id,
                "from_status": "proposed",
                "to_status": "under_negotiation",
                "effective_on": date(2025, 1, 10),
                "note": "",
                "recorded_at": datetime(2025, 1, 10, tzinfo=UTC),
            }
        ],
    )
    db.session.execute(
        sa.insert(AgendaItem), [{"meeting_id": meeting.id, "agreement_id": agreement.id}]
    )
    db.session.commit()
    assert _dates(db, agreement.id) == (
        date(2025, 1, 10),
        datetime(2025, 2, 2, 9, tzinfo=UTC),
        date(2025, 2, 2),
    )
