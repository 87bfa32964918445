"""Every change leaves an audit record in the same transaction, and records are never changed."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers import loaded_from, log_in
from tracker.data import row_security
from tracker.models import (
    AuditAction,
    AuditRecord,
    NegotiationPoint,
    PartyPosition,
    Role,
    Status,
)


def _trail(db, record_type=None, record_id=None):
    db.session.expire_all()
    stmt = sa.select(AuditRecord).order_by(AuditRecord.id)
    if record_type:
        stmt = stmt.where(AuditRecord.record_type == record_type)
    if record_id:
        stmt = stmt.where(AuditRecord.record_id == record_id)
    return list(db.session.scalars(stmt))


def _change(record, field):
    return next(c for c in record.changes if c["field"] == field)


def test_create_records_every_field_and_the_parties(db, make_agreement):
    agreement = make_agreement(summary="Bases for resupply")
    db.session.commit()
    [created] = [r for r in _trail(db, "agreement", agreement.id) if r.action == AuditAction.CREATE]
    assert created.summary == agreement.title
    assert _change(created, "summary") == {
        "field": "summary",
        "old": None,
        "new": "Bases for resupply",
    }
    assert _change(created, "category")["new"] == "logistics"
    assert _change(created, "party India") == {"field": "party India", "old": None, "new": "party"}
    assert created.user_id is None  # not made through a request: no user


def test_update_records_old_and_new_values_and_who(client, db, make_agreement, make_user):
    agreement = make_agreement(summary="Old")
    db.session.commit()
    make_user("ann", role=Role.EDITOR)
    log_in(client, "ann")
    form = {
        "title": agreement.title,
        "short_name": "RPSS",
        "category": "technology",
        "priority": "normal",
        "summary": "New",
        "lead": "",
    }
    for n, link in enumerate(agreement.party_links):
        form |= {f"parties-{n}-party": str(link.party_id), f"parties-{n}-role": "party"}
    form |= loaded_from(agreement)
    assert client.post(f"/agreements/{agreement.id}/edit", data=form).status_code == 302

    [update] = [r for r in _trail(db, "agreement", agreement.id) if r.action == AuditAction.UPDATE]
    assert update.user.username == "ann"
    assert _change(update, "summary") == {"field": "summary", "old": "Old", "new": "New"}
    assert _change(update, "category") == {
        "field": "category",
        "old": "logistics",
        "new": "technology",
    }
    assert update.recorded_at.tzinfo is not None


def test_status_change_archive_restore_and_delete(db, make_agreement):
    agreement = make_agreement(status="proposed", status_on=date(2024, 1, 1))
    db.session.commit()
    agreement.change_status(
        Status.UNDER_NEGOTIATION, effective_on=date(2024, 2, 1), note="Launched"
    )
    db.session.commit()
    from tracker.web.archiving import archive, restore

    archive(agreement)
    db.session.commit()
    restore(agreement)
    db.session.commit()
    agreement_id = agreement.id
    db.session.delete(agreement)
    db.session.commit()

    actions = [r.action for r in _trail(db, "agreement", agreement_id)]
    assert actions == [
        AuditAction.CREATE,
        AuditAction.STATUS_CHANGE,
        AuditAction.ARCHIVE,
        AuditAction.RESTORE,
        AuditAction.DELETE,
    ]
    status = _trail(db, "agreement", agreement_id)[1]
    assert _change(status, "status") == {
        "field": "status",
        "old": "proposed",
        "new": "under_negotiation",
    }
    assert _change(status, "note")["new"] == "Launched"


def test_positions_are_recorded_on_their_point(db, make_agreement, make_party):
    india = make_party("India", "IND")
    agreement = make_agreement(parties=[india])
    point = NegotiationPoint(agreement=agreement, subject="Scope")
    db.session.add(point)
    db.session.commit()
    point.positions = [PartyPosition(party=india, position="Broad scope")]
    db.session.commit()
    position = _trail(db, "point", point.id)[-1]
    assert _change(position, "position of India") == {
        "field": "position of India",
        "old": None,
        "new": "Broad scope",
    }


def test_passwords_never_reach_the_trail(db, make_user):
    user = make_user("ann")
    user.set_password("another secret password")
    db.session.commit()
    for record in _trail(db, "user", user.id):
        text = str(record.changes)
        assert "argon2" not in text and "secret" not in text
    assert _change(_trail(db, "user", user.id)[-1], "password")["new"] == "(changed)"


def test_a_rolled_back_change_leaves_no_record(db, make_agreement):
    make_agreement()
    db.session.flush()
    db.session.rollback()
    assert _trail(db) == []


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_record SET summary = 'x'", "DELETE FROM audit_record"]
)
def test_the_database_refuses_to_change_the_trail(db, make_agreement, statement):
    make_agreement()
    db.session.commit()
    before = _trail(db)
    # The app's PostgreSQL role may not even try (tracker db grant), or, where a later table
    # got the schema's default privileges, finds no entry it may delete (no row-level policy
    # lets it); on SQLite, and for the owner, the trigger refuses. Either way nothing changes.
    try:
        db.session.execute(sa.text(statement))
        db.session.commit()
    except sa.exc.DatabaseError as error:
        assert "append-only" in str(error) or "permission denied" in str(error), error
        db.session.rollback()
    assert _trail(db) == before
    owner = row_security.maintenance_engine()
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), owner.begin() as connection:
        connection.execute(sa.text(statement))
    assert _trail(db)
