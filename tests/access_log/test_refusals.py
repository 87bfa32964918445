"""A request for a record that exists but that its reader may not see is answered exactly as
one for a record that does not exist (404), and the access log records a refusal."""

from __future__ import annotations

import re

from tests.access_log.conftest import CONFIDENTIAL, SECRET, log_rows
from tracker.accounts import tokens
from tracker.models import AccessOutcome, NegotiationPoint, Role
from tracker.texts import services

ADDRESS = {"REMOTE_ADDR": "10.9.8.7"}
# Different on every answer whatever it says: the request's id (a header, and in API
# problems), the signed CSRF token of the page's logout button.
VARYING_HEADERS = {"X-Request-ID"}
CSRF_TOKEN = re.compile(rb'name="csrf_token" value="[^"]*"')


def _constant(response) -> bytes:
    body = response.data.replace(response.headers["X-Request-ID"].encode(), b"<request id>")
    return CSRF_TOKEN.sub(b'name="csrf_token" value="<token>"', body)


def _same_answer(first, second) -> None:
    assert first.status_code == second.status_code == 404
    assert _constant(first) == _constant(second)
    headers = [
        (name, value) for name, value in first.headers.items() if name not in VARYING_HEADERS
    ]
    assert headers == [
        (name, value) for name, value in second.headers.items() if name not in VARYING_HEADERS
    ]


def test_a_hidden_record_is_a_404_like_a_missing_one_and_is_logged_refused(
    db, client, as_user, make_agreement, marking
):
    hidden = make_agreement(marking_id=marking(SECRET))
    db.session.commit()
    user = as_user("ann", clearance=CONFIDENTIAL)
    client.get("/")  # the welcome after logging in, shown once
    url = f"/agreements/{hidden.id}"

    refused = client.get(url, environ_base=ADDRESS)
    never_was = client.get(f"/agreements/{hidden.id + 1000}", environ_base=ADDRESS)

    _same_answer(refused, never_was)
    (row,) = log_rows(db)
    assert (row.outcome, row.record_type, row.record_id, row.level) == (
        AccessOutcome.REFUSED,
        "agreement",
        hidden.id,
        SECRET,
    )
    assert (row.user_id, row.address, row.path) == (user.id, "10.9.8.7", url)

    # The same address once the record is gone: the very same answer, and nothing logged.
    db.session.delete(db.session.get(type(hidden), hidden.id))
    db.session.commit()
    _same_answer(refused, client.get(url, environ_base=ADDRESS))
    assert len(log_rows(db)) == 1


def test_a_refusal_on_the_api_is_logged_and_answered_as_a_missing_record(
    db, client, reader, make_agreement, marking
):
    hidden = make_agreement(marking_id=marking(SECRET))
    db.session.commit()
    user = reader("program", clearance=CONFIDENTIAL)
    _token, secret = tokens.create_token(user, "Script")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {secret}"}
    url = f"/api/v1/agreements/{hidden.id}"

    refused = client.get(url, headers=bearer)

    assert [(r.outcome, r.record_id, r.path) for r in log_rows(db)] == [
        (AccessOutcome.REFUSED, hidden.id, url)
    ]
    db.session.delete(db.session.get(type(hidden), hidden.id))
    db.session.commit()
    _same_answer(refused, client.get(url, headers=bearer))


def test_need_to_know_refusals_are_logged_at_any_level(
    db, client, as_user, make_agreement, marking
):
    marking(0)
    listed_only = make_agreement(need_to_know=True)
    db.session.commit()
    as_user("ann", clearance=SECRET)

    assert client.get(f"/agreements/{listed_only.id}").status_code == 404

    assert [(r.outcome, r.record_id, r.level) for r in log_rows(db)] == [
        (AccessOutcome.REFUSED, listed_only.id, 0)
    ]


def test_a_hidden_point_under_a_visible_agreement_is_refused_alone(
    db, client, as_user, make_agreement, marking
):
    secret = marking(SECRET)
    agreement = make_agreement()
    point = NegotiationPoint(agreement=agreement, subject="Fallback", marking_id=secret)
    db.session.add(point)
    db.session.commit()
    as_user("ann", clearance=CONFIDENTIAL, role=Role.EDITOR)

    assert client.get(f"/points/{point.id}/edit").status_code == 404
    assert client.post(f"/points/{point.id}/edit", data={}).status_code == 404

    rows = log_rows(db)
    assert [(r.outcome, r.record_type, r.record_id) for r in rows] == [
        (AccessOutcome.REFUSED, "negotiation_point", point.id)
    ] * 2


def test_a_hidden_revision_of_a_visible_text_is_refused_alone(
    db, client, as_user, make_agreement, marking
):
    text = services.create_text(make_agreement(), title="Main text", first_label="Draft 1")
    hidden = text.revisions[0]
    hidden.marking_id = marking(SECRET)
    db.session.commit()
    as_user("ann", clearance=CONFIDENTIAL)

    assert client.get(f"/texts/{text.id}").status_code == 200
    assert client.get(f"/texts/revisions/{hidden.id}").status_code == 404
    assert client.get(f"/texts/revisions/{hidden.id}/text.docx").status_code == 404

    rows = log_rows(db)
    assert [(r.outcome, r.record_type, r.record_id, r.level) for r in rows] == [
        (AccessOutcome.REFUSED, "text_revision", hidden.id, SECRET)
    ] * 2


def test_a_missing_record_or_a_visible_one_logs_nothing(db, client, as_user, make_agreement):
    agreement = make_agreement()
    db.session.commit()
    as_user("ann", clearance=CONFIDENTIAL, role=Role.EDITOR)

    # The agreement exists and is seen; the point does not exist.
    assert client.get(f"/agreements/{agreement.id + 50}").status_code == 404
    assert client.get("/points/4242/edit").status_code == 404
    assert client.get("/no/such/page").status_code == 404
    assert log_rows(db) == []
