"""A streamed download is read for the reader it was marked for."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tracker.data import access
from tracker.markings.services import stored_id
from tracker.models import Agreement, MarkingValue, User
from tracker.web import outgoing


@pytest.mark.parametrize("cleared_meanwhile", [False, True])
def test_a_streamed_body_reads_for_the_reader_it_was_marked_for(
    app, db, make_party, make_agreement, make_user, cleared_meanwhile
):
    """Its access is read again in the body's own transaction (where the data layer may
    know more of it), and kept as the response was marked for if it changed meanwhile."""
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    make_agreement(title="Open talks", short_name="OPEN", parties=[india])
    secret = make_agreement(title="Secret talks", short_name="SEC", parties=[japan])
    secret.marking_id = stored_id(MarkingValue(2))
    reader = make_user("reader")
    db.session.commit()

    def titles():
        yield ", ".join(db.session.scalars(sa.select(Agreement.title).order_by(Agreement.id)))

    with app.test_request_context():
        user = db.session.get(User, reader.id)
        access.use(db.session, access.for_user(db.session, user))
        body = outgoing.streamed(titles())
        if cleared_meanwhile:  # after the response was marked, before its body is read
            user.clearance = 4
            db.session.commit()
        assert list(body) == ["Open talks"]
