"""Each API token may make API_RATE calls per window; one more gets a 429 problem with
Retry-After, and other tokens go on as before."""

import pytest
import sqlalchemy as sa

from tests.conftest import BACKENDS
from tests.helpers import db_snapshot, make_test_app, snapshot_difference
from tracker.accounts import api_rate, tokens
from tracker.data import database
from tracker.models import ApiCallCount, Role

PARTIES = "/api/v1/parties/"


@pytest.fixture(params=["database", "memory://"])
def limited(request, app, monkeypatch):
    """The app with 3 calls a minute per token, counted in the database or by ``limits``
    (the database's windows on a clock standing mid-minute, so a test never straddles two)."""
    monkeypatch.setattr(api_rate, "_now", lambda: 1_800_000_030.0)
    app.config.update(
        RATELIMIT_ENABLED=True, API_RATE="3/minute", RATELIMIT_STORAGE_URI=request.param
    )
    api_rate.init_app(app)
    return app


def test_the_call_past_the_rate_is_refused_with_retry_after(limited, api_as, db, make_user):
    caller = api_as(Role.EDITOR)
    other_token, other_secret = tokens.create_token(caller.user, "Other script")
    someone = api_as(Role.VIEWER)
    db.session.commit()
    for _ in range(3):
        assert caller.get(PARTIES).status_code == 200
    refused = caller.get(PARTIES)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 429 and "3 calls" in refused.json["detail"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    # Writes are refused too, and change nothing.
    before = db_snapshot(db.engine)
    write = caller.post(PARTIES, json={"name": "India", "kind": "state", "code": "IND"})
    assert write.status_code == 429 and "Retry-After" in write.headers
    assert snapshot_difference(before, db_snapshot(db.engine)) == []
    # Another token, of the same user or another, is not affected.
    other = caller.client.get(PARTIES, headers={"Authorization": f"Bearer {other_secret}"})
    assert other.status_code == 200
    assert someone.get(PARTIES).status_code == 200


def test_an_unknown_secret_never_uses_up_a_tokens_calls(limited, api):
    for _ in range(5):
        response = api.client.get(PARTIES, headers={"Authorization": "Bearer trk_unknown"})
        # Never let in; the database counts only tokens that exist, limits' stores any.
        assert response.status_code in (401, 429)
    assert api.get(PARTIES).status_code == 200


def test_a_new_window_lets_the_token_call_again_and_the_old_count_goes(app, api, db, monkeypatch):
    app.config.update(RATELIMIT_ENABLED=True, API_RATE="2/minute")
    api_rate.init_app(app)
    start = 1_800_000_000.0  # the start of a minute
    monkeypatch.setattr(api_rate, "_now", lambda: start + 10)
    assert [api.get(PARTIES).status_code for _ in range(3)] == [200, 200, 429]
    assert api.get(PARTIES).headers["Retry-After"] == "50"
    monkeypatch.setattr(api_rate, "_now", lambda: start + 61)
    assert api.get(PARTIES).status_code == 200
    rows = db.session.execute(sa.select(ApiCallCount.window_number, ApiCallCount.calls)).all()
    assert [tuple(row) for row in rows] == [(int((start + 61) // 60), 1)]


def test_no_rate_or_throttling_off_counts_nothing(app, api, db):
    app.config.update(RATELIMIT_ENABLED=True, API_RATE="")
    api_rate.init_app(app)
    assert all(api.get(PARTIES).status_code == 200 for _ in range(5))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiCallCount)) == 0


def test_a_rate_that_makes_no_sense_stops_the_app_at_start(database_url):
    with pytest.raises(ValueError, match="API_RATE"):
        make_test_app(database_url, API_RATE="lots")


# SQLite has one writer at a time, the counter included.
@pytest.mark.parametrize("database_url", BACKENDS[1:], indirect=True)
def test_counting_a_call_never_waits_for_a_save_on_postgresql(app, api, db):
    """On PostgreSQL the count takes no write lock: a read goes on while a save holds it."""
    app.config.update(RATELIMIT_ENABLED=True, API_RATE="3/minute", LOCK_WAIT_SECONDS=1)
    api_rate.init_app(app)
    with db.engine.connect() as writer:
        writer.exec_driver_sql(database.WRITE_LOCK)
        assert api.get(PARTIES).status_code == 200
        writer.rollback()
    assert db.session.scalar(sa.select(ApiCallCount.calls)) == 1
