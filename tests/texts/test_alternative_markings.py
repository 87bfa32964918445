"""A marking per alternative on the provision form: shown with the alternative's own (its
revision's for a new one), raised there, never lowered below its revision's or what it was
without a downgrade's reason, and each change in the revision's history."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.texts.test_pages import BRACKETED, _add_article, _create_text, _provision_form, _text
from tracker.data import markings
from tracker.markings.services import stored_id
from tracker.models import Alternative, AuditRecord, MarkingValue, Revision, User

CONFIDENTIAL = 2
MARKING = "segments-1-alternatives-1-marking-"


@pytest.fixture
def article(logged_in, db, rpss):
    """A draft's Article 1 with a bracket of two alternatives, edited by a cleared editor."""
    editor = db.session.scalar(sa.select(User).where(User.username == "desk.officer"))
    editor.clearance = 4
    db.session.commit()
    _create_text(logged_in, rpss)
    draft = _text(db).revisions[0]
    return _add_article(logged_in, db, draft.id)


@pytest.fixture
def rpss(db, make_agreement):
    agreement = make_agreement()
    db.session.commit()
    return agreement


def _alternatives(db, row) -> list[Alternative]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Alternative)
            .where(Alternative.revision_id == row.revision_id)
            .order_by(Alternative.position)
        )
    )


def _edit(client, db, row, **marking) -> tuple[int, str]:
    """Save the article as loaded, with the second alternative's marking fields given."""
    url = f"/texts/provisions/{row.id}/edit"
    form = client.get(url).get_data(as_text=True)
    keys = [a.proposal_id for a in _alternatives(db, row)]
    data = _provision_form(form, **BRACKETED)
    data["segments-1-alternatives-0-key"] = str(keys[0])
    data["segments-1-alternatives-1-key"] = str(keys[1])
    data.update({MARKING + name: value for name, value in marking.items()})
    response = client.post(url, data=data)
    return response.status_code, response.get_data(as_text=True)


def _level(db, alternative: Alternative) -> int:
    return markings.value_of(db.session, alternative.marking_id).level


def test_an_alternative_is_marked_higher_from_the_provision_form(logged_in, db, article):
    form = logged_in.get(f"/texts/provisions/{article.id}/edit").get_data(as_text=True)
    assert f'name="{MARKING}level"' in form
    assert "Classification of this alternative" in form

    status, page = _edit(logged_in, db, article, level=str(CONFIDENTIAL))
    assert status == 302, page
    first, second = _alternatives(db, article)
    assert _level(db, first) == 0 and _level(db, second) == CONFIDENTIAL
    # Shown with its own marking next time; saved as shown, it keeps it.
    status, page = _edit(logged_in, db, article)
    assert status == 302, page
    assert _level(db, _alternatives(db, article)[1]) == CONFIDENTIAL

    entries = db.session.scalars(
        sa.select(AuditRecord).where(
            AuditRecord.record_type == "revision", AuditRecord.record_id == article.revision_id
        )
    ).all()
    changes = [c for entry in entries for c in entry.changes]
    assert any(c["field"] == "marking of Option 2 in Article 1" for c in changes)


def test_an_alternative_is_not_lowered_without_a_reason(logged_in, db, article):
    status, page = _edit(logged_in, db, article, level=str(CONFIDENTIAL))
    assert status == 302, page
    status, page = _edit(logged_in, db, article, level="0")
    assert status == 200
    assert "Option 2 cannot be marked lower than it is" in page
    assert f'id="{MARKING}downgrade_reason"' in page  # the reason is asked for
    assert _level(db, _alternatives(db, article)[1]) == CONFIDENTIAL

    status, page = _edit(logged_in, db, article, level="0", downgrade_reason="Released at talks")
    assert status == 302, page
    assert _level(db, _alternatives(db, article)[1]) == 0
    entries = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.record_type == "revision")
    ).all()
    reasons = [c["new"] for e in entries for c in e.changes if c["field"] == "downgrade reason"]
    assert reasons == ["Released at talks"]


def test_an_alternative_is_not_marked_below_its_revision(logged_in, db, article):
    restricted = stored_id(MarkingValue(level=1))
    db.session.execute(
        sa.update(Revision).where(Revision.id == article.revision_id).values(marking_id=restricted)
    )
    db.session.execute(
        sa.update(Alternative)
        .where(Alternative.revision_id == article.revision_id)
        .values(marking_id=restricted)
    )
    db.session.commit()
    status, page = _edit(logged_in, db, article, level="0")
    assert status == 200
    assert "Option 2 cannot be marked lower than its revision" in page
    assert _level(db, _alternatives(db, article)[1]) == 1
