"""The database snapshots tests compare (tests/helpers.py) see every change, and only changes."""

from datetime import UTC, datetime

import sqlalchemy as sa

from tests.helpers import db_snapshot, snapshot_difference
from tracker.models import Party, PartyKind, User


def test_a_snapshot_changes_with_any_value_and_only_then(app, db, make_user):
    db.session.add(Party(name="Quad", code=None, kind=PartyKind.GROUPING))
    user = make_user("ann")
    db.session.commit()
    before = db_snapshot(db.engine)
    assert db_snapshot(db.engine) == before

    # Bookkeeping a login changes is not a write.
    user.last_login_at = datetime(2024, 1, 2, tzinfo=UTC)
    db.session.commit()
    assert db_snapshot(db.engine) == before

    # An empty code is not a missing one (a change to parties raises the change counter).
    db.session.execute(sa.text("UPDATE party SET code = ''"))
    db.session.commit()
    assert snapshot_difference(before, db_snapshot(db.engine)) == [
        "data_version: 1 rows -> 1 rows (contents changed)",
        "party: 1 rows -> 1 rows (contents changed)",
    ]
    db.session.execute(sa.text("UPDATE party SET code = NULL"))
    db.session.commit()
    assert db_snapshot(db.engine)["party"] == before["party"]

    db.session.execute(sa.update(User).values(display_name="Ann B."))
    db.session.commit()
    assert snapshot_difference(before, db_snapshot(db.engine))[-1] == (
        "user: 1 rows -> 1 rows (contents changed)"
    )
    db.session.add(Party(name="EU", code="EU", kind=PartyKind.ORGANISATION))
    db.session.commit()
    assert "party: 1 rows -> 2 rows" in snapshot_difference(before, db_snapshot(db.engine))
