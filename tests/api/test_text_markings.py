"""An alternative's marking written through the API as the provision form writes it: raised,
never lowered below its revision or what it was without a reason, hidden from readers below
it, and a read answer sent back as it is changes nothing."""

from __future__ import annotations

import copy

import pytest
import sqlalchemy as sa

from tests.api.test_texts import ARTICLE_1, add, new_text
from tracker.markings.services import stored_id
from tracker.models import Alternative, AuditRecord, MarkingValue, Revision, Role

WHERE = ("segments", "1", "alternatives", "1", "marking")


@pytest.fixture
def draft(api, make_agreement, db):
    """A cleared editor's draft holding Article 1 (a bracket of two options)."""
    api.user.clearance = 4
    agreement = make_agreement()
    db.session.commit()
    text = new_text(api, agreement)
    revision = text["revisions"][0]["url"]
    added = add(api, revision, ARTICLE_1)
    assert added.status_code == 201, added.json
    return {"text": text, "revision": revision, "provision": added.json}


def _put(api, url: str, body: dict):
    read = api.get(url)
    return api.put(url, json=body, headers={"If-Match": read.headers["ETag"]})


def _marked(api, url: str, marking: dict | None):
    """PUT the provision as read, with the second option's marking replaced."""
    body = copy.deepcopy(api.get(url).json)
    body["segments"][1]["alternatives"][1]["marking"] = marking
    return _put(api, url, body)


def _levels(api, url: str) -> list[str]:
    return [a["marking"]["level"] for a in api.get(url).json["segments"][1]["alternatives"]]


def _history(db, revision_id: int) -> list[dict]:
    db.session.expire_all()
    entries = db.session.scalars(
        sa.select(AuditRecord).where(
            AuditRecord.record_type == "revision", AuditRecord.record_id == revision_id
        )
    ).all()
    return [c for entry in entries for c in entry.changes]


def _error(response) -> list[str]:
    found = response.json["errors"]["json"]
    for part in WHERE:
        found = found[part]
    return found


def test_an_alternative_is_marked_higher_through_the_api(api, draft, db):
    url = draft["provision"]["url"]
    saved = _marked(api, url, {"level": "Confidential"})
    assert saved.status_code == 200, saved.json
    assert [a["marking"]["level"] for a in saved.json["segments"][1]["alternatives"]] == [
        "Unclassified",
        "Confidential",
    ]
    assert _levels(api, url) == ["Unclassified", "Confidential"]
    revision_id = api.get(draft["revision"]).json["id"]
    assert any(c["field"] == "marking of Option 2 in Article 1" for c in _history(db, revision_id))
    # A new provision's alternative is marked as it is added.
    body = copy.deepcopy(ARTICLE_1)
    body["label"] = "Article 2"
    body["segments"][1]["alternatives"][0]["marking"] = {"level": "Restricted"}
    made = add(api, draft["revision"], body)
    assert made.status_code == 201, made.json
    assert _levels(api, made.json["url"]) == ["Restricted", "Unclassified"]


def test_a_reader_below_the_raised_marking_no_longer_sees_the_alternative(api, api_as, draft):
    url = draft["provision"]["url"]
    hidden = draft["provision"]["segments"][1]["alternatives"][1]["key"]
    reader = api_as(Role.VIEWER)  # cleared for nothing above Unclassified
    assert hidden in [a["key"] for a in reader.get(url).json["segments"][1]["alternatives"]]
    assert _marked(api, url, {"level": "Secret"}).status_code == 200
    for answer in (reader.get(url).json, reader.get(draft["revision"]).json["provisions"][0]):
        assert hidden not in [a["key"] for a in answer["segments"][1]["alternatives"]]


def test_an_alternative_is_not_lowered_without_a_reason(api, draft, db):
    url = draft["provision"]["url"]
    assert _marked(api, url, {"level": "Confidential"}).status_code == 200
    refused = _marked(api, url, {"level": "Unclassified"})
    assert refused.status_code == 422, refused.json
    assert "Option 2 cannot be marked lower than it is" in _error(refused)["level"][0]
    assert _levels(api, url) == ["Unclassified", "Confidential"]

    lowered = _marked(
        api, url, {"level": "Unclassified", "downgrade_reason": "Released at the talks"}
    )
    assert lowered.status_code == 200, lowered.json
    assert _levels(api, url) == ["Unclassified", "Unclassified"]
    revision_id = api.get(draft["revision"]).json["id"]
    reasons = [c["new"] for c in _history(db, revision_id) if c["field"] == "downgrade reason"]
    assert reasons == ["Released at the talks"]


def test_an_alternative_is_not_marked_below_its_revision(api, draft, db):
    restricted = stored_id(MarkingValue(level=1))
    revision_id = api.get(draft["revision"]).json["id"]
    db.session.execute(
        sa.update(Revision).where(Revision.id == revision_id).values(marking_id=restricted)
    )
    db.session.execute(
        sa.update(Alternative)
        .where(Alternative.revision_id == revision_id)
        .values(marking_id=restricted)
    )
    db.session.commit()
    url = draft["provision"]["url"]
    refused = _marked(api, url, {"level": "Unclassified"})
    assert refused.status_code == 422, refused.json
    assert "cannot be marked lower than its revision" in _error(refused)["level"][0]
    assert _levels(api, url) == ["Restricted", "Restricted"]


def test_a_refused_marking_is_a_422_on_its_field(api, draft):
    url = draft["provision"]["url"]
    for marking in ({"level": "Cosmic"}, {"level": "Restricted", "caveats": ["NOPE"]}, "x"):
        refused = _marked(api, url, marking)
        assert refused.status_code == 422, (marking, refused.json)
        assert _error(refused), refused.json
    assert _levels(api, url) == ["Unclassified", "Unclassified"]


def test_a_read_answer_sent_back_changes_nothing(api, draft, db):
    """Sent back as read (the marking with its `text`), even when an alternative is marked
    below what its revision has since become, no marking moves and nothing is recorded."""
    url = draft["provision"]["url"]
    assert _marked(api, url, {"level": "Confidential"}).status_code == 200
    revision_id = api.get(draft["revision"]).json["id"]
    db.session.execute(
        sa.update(Revision)
        .where(Revision.id == revision_id)
        .values(marking_id=stored_id(MarkingValue(level=3)))
    )
    db.session.commit()
    before = _history(db, revision_id)
    read = api.get(url).json
    assert "text" in read["segments"][1]["alternatives"][1]["marking"]
    saved = _put(api, url, read)
    assert saved.status_code == 200, saved.json
    assert _history(db, revision_id) == before
    assert _levels(api, url) == ["Unclassified", "Confidential"]
