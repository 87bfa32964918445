"""Rules the database itself enforces, on SQLite as on PostgreSQL."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tracker.models import (
    ActionItem,
    AgendaItem,
    AgreementParty,
    Meeting,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
    User,
)


def _expect_integrity_error(db, *objects):
    db.session.add_all(objects)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_party_names_are_unique(db, make_party):
    make_party("India", "IND")
    db.session.commit()
    _expect_integrity_error(db, Party(name="India", code="XXI", kind="state"))


def test_states_need_an_iso_alpha3_code(db):
    _expect_integrity_error(db, Party(name="Japan", code=None, kind="state"))
    _expect_integrity_error(db, Party(name="Japan", code="JP", kind="state"))
    _expect_integrity_error(db, Party(name="Japan", code="jpn", kind="state"))


def test_groupings_may_have_any_short_code(db):
    db.session.add(Party(name="Quad", code="QUAD", kind="grouping"))
    db.session.add(Party(name="ADMM-Plus", code=None, kind="grouping"))
    db.session.commit()


def test_foreign_keys_are_enforced(db):
    _expect_integrity_error(db, Person(name="Nobody", position="", party_id=9999))


def test_short_names_are_unique(db, make_agreement, make_party):
    make_agreement(short_name="RPSS")
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        make_agreement(short_name="RPSS", parties=[])
    db.session.rollback()


def test_signed_cannot_precede_opened(db, make_agreement):
    agreement = make_agreement(opened_on=date(2024, 5, 1))
    db.session.commit()
    agreement.signed_on = date(2024, 4, 1)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_in_force_cannot_precede_signature(db, make_agreement):
    agreement = make_agreement(signed_on=date(2024, 5, 1))
    db.session.commit()
    agreement.in_force_on = date(2024, 4, 30)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_a_party_joins_an_agreement_once(db, make_agreement, make_party):
    india = make_party("India", "IND")
    agreement = make_agreement(parties=[india])
    db.session.commit()
    _expect_integrity_error(db, AgreementParty(agreement_id=agreement.id, party_id=india.id))


def test_party_roles_are_restricted(db, make_agreement, make_party):
    agreement = make_agreement(parties=[])
    party = make_party("ASEAN", "ASEAN", kind="organisation")
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError):
        db.session.execute(
            sa.text(
                "INSERT INTO agreement_party (agreement_id, party_id, role) "
                "VALUES (:a, :p, 'guarantor')"
            ),
            {"a": agreement.id, "p": party.id},
        )
    db.session.rollback()


def test_meeting_cannot_end_before_it_starts(db):
    start = datetime(2025, 5, 5, 10, tzinfo=UTC)
    _expect_integrity_error(
        db,
        Meeting(
            title="Talks",
            starts_at=start,
            ends_at=datetime(2025, 5, 4, tzinfo=UTC),
            level="ministerial",
        ),
    )


def test_meeting_times_are_stored_in_utc_and_shown_in_local_time(db):
    from zoneinfo import ZoneInfo

    delhi = ZoneInfo("Asia/Kolkata")
    meeting = Meeting(
        title="Talks",
        starts_at=datetime(2025, 5, 5, 10, tzinfo=delhi),
        timezone="Asia/Kolkata",
        level="ministerial",
    )
    db.session.add(meeting)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Meeting, meeting.id)
    assert stored.starts_at == datetime(2025, 5, 5, 4, 30, tzinfo=UTC)
    assert stored.starts_at.tzinfo is not None
    assert stored.local_starts_at.hour == 10
    assert stored.local_starts_at.tzname() == "IST"


def test_naive_datetimes_are_refused(db):
    db.session.add(Meeting(title="Talks", starts_at=datetime(2025, 5, 5, 10), level="virtual"))
    with pytest.raises(sa.exc.StatementError, match="naive"):
        db.session.flush()
    db.session.rollback()


def test_side_meetings_link_to_their_gathering(db):
    start = datetime(2024, 11, 20, 2, tzinfo=UTC)
    admm = Meeting(title="ADMM-Plus", starts_at=start, level="multilateral")
    bilateral = Meeting(
        title="Singh–Nakatani",
        starts_at=start,
        level="ministerial",
        parent=admm,
        setting="Sidelines of the ADMM-Plus",
    )
    db.session.add_all([admm, bilateral])
    db.session.commit()
    db.session.expire_all()
    assert [m.title for m in db.session.get(Meeting, admm.id).side_meetings] == ["Singh–Nakatani"]


def test_agreement_discussed_once_per_meeting(db, make_agreement):
    agreement = make_agreement()
    meeting = Meeting(title="Talks", starts_at=datetime(2025, 5, 5, tzinfo=UTC), level="virtual")
    db.session.add_all([meeting, AgendaItem(meeting=meeting, agreement=agreement, outcome="A")])
    db.session.commit()
    _expect_integrity_error(
        db, AgendaItem(meeting_id=meeting.id, agreement_id=agreement.id, outcome="B")
    )


def test_point_is_settled_only_when_agreed_or_dropped(db, make_agreement):
    agreement = make_agreement()
    meeting = Meeting(title="Talks", starts_at=datetime(2025, 5, 5, tzinfo=UTC), level="virtual")
    db.session.add(meeting)
    _expect_integrity_error(
        db,
        NegotiationPoint(agreement=agreement, subject="Scope", status="open", settled_at=meeting),
    )


def test_each_party_has_one_position_per_point(db, make_agreement, make_party):
    india = make_party("India", "IND")
    agreement = make_agreement(parties=[india])
    point = NegotiationPoint(
        agreement=agreement,
        subject="Scope",
        positions=[PartyPosition(party=india, position="Broad")],
    )
    db.session.add(point)
    db.session.commit()
    _expect_integrity_error(db, PartyPosition(point_id=point.id, party_id=india.id, position="X"))


def test_action_done_date_needs_done_flag(db, make_agreement):
    agreement = make_agreement()
    _expect_integrity_error(
        db,
        ActionItem(
            agreement=agreement, description="Send draft", done=False, done_on=date(2025, 1, 1)
        ),
    )


def test_deleting_an_agreement_removes_its_dependants(db, make_agreement):
    agreement = make_agreement()
    db.session.add(ActionItem(agreement=agreement, description="Send draft"))
    db.session.add(NegotiationPoint(agreement=agreement, subject="Scope"))
    db.session.commit()
    db.session.delete(agreement)
    db.session.commit()
    for table in ("status_change", "action_item", "negotiation_point", "agreement_party"):
        count = db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))  # noqa: S608
        assert count == 0, table


def test_usernames_are_unique_and_lower_case(db):
    db.session.add(User(username="ann", display_name="Ann", role="viewer", password_hash="x"))
    db.session.commit()
    _expect_integrity_error(
        db, User(username="ann", display_name="Ann 2", role="viewer", password_hash="x")
    )
    _expect_integrity_error(
        db, User(username="Bob", display_name="Bob", role="viewer", password_hash="x")
    )
