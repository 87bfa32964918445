"""Personal API tokens: made with a secret shown once, stored as a hash, and recognised only
while the token and its user may act."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tracker.accounts import services as accounts
from tracker.accounts import tokens
from tracker.models import ApiToken, AuditRecord, Role, clock, utcnow


def test_a_token_is_shown_once_and_stored_only_as_a_hash(db, make_user):
    user = make_user("analyst", role=Role.VIEWER)
    token, secret = tokens.create_token(user, "Briefing tool")
    db.session.commit()
    assert secret.startswith("trk_") and len(secret) >= 40
    row = db.session.execute(sa.select(ApiToken.__table__)).one()._asdict()
    assert secret not in {str(value) for value in row.values()}
    assert row["secret_hash"] == tokens.hash_secret(secret)
    assert row["hint"] == secret[4:12]
    assert tokens.authenticate(secret).user.username == "analyst"
    # Two tokens never share a secret.
    assert tokens.create_token(user, "Other")[1] != secret


@pytest.mark.parametrize("secret", [None, "", "trk_", "trk_wrong", "x" * 50, "trk_" + "a" * 500])
def test_anything_but_a_known_secret_is_no_token(db, make_user, secret):
    tokens.create_token(make_user("analyst"), "Briefing tool")
    db.session.commit()
    assert tokens.authenticate(secret) is None


def test_revoked_expired_and_deactivated_tokens_stop_working(db, make_user):
    user = make_user("analyst", role=Role.EDITOR)
    make_user("chief", role=Role.ADMIN)
    revoked, revoked_secret = tokens.create_token(user, "Old script")
    expiring, expiring_secret = tokens.create_token(user, "Pilot")
    kept, kept_secret = tokens.create_token(user, "Notebook")
    tokens.revoke(revoked)
    expiring.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert tokens.authenticate(revoked_secret) is None
    assert tokens.authenticate(expiring_secret) is None
    assert tokens.authenticate(kept_secret) is not None

    accounts.deactivate(user, by=None)
    db.session.commit()
    assert tokens.authenticate(kept_secret) is None
    accounts.reactivate(user)
    db.session.commit()
    assert tokens.authenticate(kept_secret) is not None


def test_a_token_acts_with_its_users_role_of_the_moment(db, make_user):
    user = make_user("analyst", role=Role.EDITOR)
    make_user("chief", role=Role.ADMIN)
    _, secret = tokens.create_token(user, "Script")
    db.session.commit()
    accounts.change_role(user, Role.VIEWER)
    db.session.commit()
    assert tokens.authenticate(secret).user.role == Role.VIEWER


def test_names_are_required_short_and_unique_among_working_tokens(db, make_user):
    user = make_user("analyst")
    with pytest.raises(tokens.TokenError, match="Give the token a name") as refused:
        tokens.create_token(user, "   ")
    assert refused.value.field == "name"
    with pytest.raises(tokens.TokenError, match="at most 80"):
        tokens.create_token(user, "x" * 81)
    first, _ = tokens.create_token(user, "Briefing  tool")
    assert first.name == "Briefing tool"
    with pytest.raises(tokens.TokenError, match="already a token called"):
        tokens.create_token(user, "Briefing tool")
    tokens.revoke(first)
    tokens.create_token(user, "Briefing tool")  # the name is free again


def test_a_token_expires_at_the_end_of_its_day_and_not_in_the_past(db, make_user):
    user = make_user("analyst")
    with pytest.raises(tokens.TokenError, match="expire after today") as refused:
        tokens.create_token(user, "Late", expires_on=clock.today())
    assert refused.value.field == "expires_on"
    token, _ = tokens.create_token(user, "Pilot", expires_on=clock.today() + timedelta(days=1))
    assert utcnow() + timedelta(days=1) < token.expires_at <= utcnow() + timedelta(days=2, hours=1)


def test_tokens_are_audited_without_their_secret(db, make_user):
    user = make_user("analyst")
    token, secret = tokens.create_token(user, "Script")
    db.session.commit()
    tokens.revoke(token)
    db.session.commit()
    records = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.record_type == "token")
    ).all()
    assert [record.action.value for record in records] == ["create", "update"]
    changes = [change for record in records for change in record.changes]
    assert {"field": "secret", "old": None, "new": "(changed)"} in changes
    recorded = str(changes)
    assert secret not in recorded and token.secret_hash not in recorded
