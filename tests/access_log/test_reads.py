"""Reads of records marked at or above ACCESS_LOG_LEVEL go to the access log: who, what, at
which level, when, from where, by which path; once per record per request."""

from __future__ import annotations

import sqlalchemy as sa

from tests.access_log.conftest import CONFIDENTIAL, RESTRICTED, SECRET, log_rows
from tests.helpers import log_in
from tests.texts import test_text_need_to_know
from tracker.accounts import tokens
from tracker.models import (
    AccessOutcome,
    Alternative,
    NegotiationPoint,
    PartyPosition,
    TextNote,
    utcnow,
)

texts = test_text_need_to_know.texts
world = test_text_need_to_know.world

ADDRESS = {"REMOTE_ADDR": "10.20.30.40"}


def test_a_read_above_the_level_is_logged_once_per_request(
    db, client, as_user, make_agreement, marking
):
    agreement = make_agreement(marking_id=marking(CONFIDENTIAL))
    db.session.commit()
    user = as_user("ann", clearance=SECRET)
    before = utcnow()

    response = client.get(f"/agreements/{agreement.id}", environ_base=ADDRESS)

    assert response.status_code == 200
    assert agreement.title in response.text
    rows = log_rows(db)
    # The page loads the agreement more than once (the record, the access check, its
    # banner); the log holds it once.
    assert [(r.record_type, r.record_id, r.part_id) for r in rows] == [
        ("agreement", agreement.id, None)
    ]
    (row,) = rows
    assert row.user_id == user.id
    assert row.level == CONFIDENTIAL
    assert row.outcome is AccessOutcome.READ
    assert row.address == "10.20.30.40"
    assert row.path == f"/agreements/{agreement.id}"
    assert before <= row.at <= utcnow()

    client.get(f"/agreements/{agreement.id}", environ_base=ADDRESS)
    assert len(log_rows(db)) == 2  # another request, another read


def test_a_read_below_the_level_is_not_logged(db, client, as_user, make_agreement, marking):
    agreement = make_agreement(marking_id=marking(RESTRICTED))
    db.session.commit()
    as_user("ann", clearance=SECRET)

    assert client.get(f"/agreements/{agreement.id}").status_code == 200
    assert client.get("/agreements/").status_code == 200
    assert log_rows(db) == []


def test_positions_are_named_by_point_and_party(db, client, as_user, make_agreement, marking):
    secret = marking(SECRET)
    agreement = make_agreement()
    party = agreement.party_links[0].party
    point = NegotiationPoint(agreement=agreement, subject="Fuel prices")
    point.positions = [
        PartyPosition(party=party, position="Fallback: cost price", marking_id=secret)
    ]
    db.session.add(point)
    db.session.commit()
    as_user("ann", clearance=SECRET)

    response = client.get(f"/agreements/{agreement.id}")

    assert "Fallback: cost price" in response.text
    assert [(r.record_type, r.record_id, r.part_id, r.level) for r in log_rows(db)] == [
        ("party_position", point.id, party.id, SECRET)
    ]


def test_api_calls_and_downloads_are_logged(db, client, reader, make_agreement, marking):
    agreement = make_agreement(marking_id=marking(CONFIDENTIAL))
    db.session.commit()
    user = reader("program", clearance=CONFIDENTIAL)
    _token, secret = tokens.create_token(user, "Script")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}

    response = client.get(f"/api/v1/agreements/{agreement.id}", headers=bearer)
    assert response.status_code == 200
    response = client.get(f"/api/v1/agreements/{agreement.id}/report", headers=bearer)
    assert response.status_code == 200
    response = client.get(f"/agreements/{agreement.id}/report.md", headers=bearer)
    assert response.status_code == 302  # a page: the token counts for nothing there

    rows = log_rows(db)
    assert [(r.path, r.record_type, r.record_id, r.user_id) for r in rows] == [
        (f"/api/v1/agreements/{agreement.id}", "agreement", agreement.id, user.id),
        (f"/api/v1/agreements/{agreement.id}/report", "agreement", agreement.id, user.id),
    ]


def test_a_download_is_logged(db, client, as_user, make_agreement, marking):
    agreement = make_agreement(marking_id=marking(CONFIDENTIAL))
    db.session.commit()
    as_user("ann", clearance=CONFIDENTIAL)

    response = client.get(f"/agreements/{agreement.id}/report.md")

    assert response.status_code == 200
    assert agreement.title in response.text
    assert [(r.record_type, r.record_id, r.path) for r in log_rows(db)] == [
        ("agreement", agreement.id, f"/agreements/{agreement.id}/report.md")
    ]


def test_a_texts_alternatives_and_notes_read_as_rows_are_logged(app, db, client, texts, reader):
    """The parts of a revision are read as plain rows, and kept between requests once it is
    issued; each read of the text still logs the parts marked above the level, by name."""
    issued = next(r for r in texts.revisions if r.is_issued)
    alternative = db.session.scalar(
        sa.select(Alternative).where(
            Alternative.revision_id == issued.id, Alternative.wording.contains("gazelle")
        )
    )
    note = db.session.scalar(sa.select(TextNote).where(TextNote.revision_id == issued.id))
    wanted = {("text_alternative", alternative.id), ("text_note", note.id)}
    path = f"/texts/revisions/{issued.id}"

    assert log_in(client, "viewer").status_code == 302
    assert "gazelle" not in client.get(path).text
    assert log_rows(db) == []  # nothing above the level was shown to them

    cleared = app.test_client()
    assert log_in(cleared, "secret").status_code == 302
    for request_number in (1, 2):  # read, then kept: logged both times
        page = cleared.get(path)
        assert page.status_code == 200 and "gazelle" in page.text
        logged = [(r.record_type, r.record_id) for r in log_rows(db)]
        assert all(logged.count(part) == request_number for part in wanted), logged

    reader("officer", clearance=SECRET, officer=True)
    officer = app.test_client()
    assert log_in(officer, "officer").status_code == 302
    page = officer.get("/security/access-log").text
    assert f"Bracketed alternative #{alternative.id}" in page
    assert "gazelle fallback wording" in page
    assert f"Note in a text #{note.id}" in page and "Reservation: India reserves on lynx" in page
