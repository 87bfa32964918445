"""The rules for changing negotiating texts (tracker/texts/services.py), on both databases."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tracker.models import AuditRecord, Revision
from tracker.models import text_document as doc
from tracker.texts import queries, services
from tracker.texts.services import Issue, TextError

JOINT = Issue(issued_by=doc.IssuedBy.JOINT, issued_on=date(2024, 11, 20))


def _bracket(*alternatives: doc.Alternative) -> doc.Segment:
    return doc.Segment(alternatives=alternatives)


def _article(label: str, *segments: doc.Segment, **kw) -> doc.Provision:
    return doc.Provision(label=label, segments=segments, **kw)


@pytest.fixture
def text(db, make_agreement):
    agreement = make_agreement()
    text = services.create_text(agreement, title="Main text", first_label="Japan's draft")
    draft = text.revisions[0]
    services.add_provision(
        draft,
        _article(
            "Article 1",
            doc.Segment(text="The Parties shall provide supplies "),
            _bracket(
                doc.Alternative("and services", proposed_by=("JPN",)),
                doc.Alternative("", proposed_by=("IND",), opposed_by=("JPN",)),
            ),
            doc.Segment(text="."),
            heading="Purpose",
        ),
    )
    services.add_provision(draft, _article("Article 2", doc.Segment(text="Definitions.")))
    db.session.commit()
    return text


def test_a_revision_reads_back_as_it_was_written(db, text):
    document = queries.document(text.revisions[0])
    first, second = document.provisions
    assert (first.label, first.heading, second.label) == ("Article 1", "Purpose", "Article 2")
    bracket = first.segments[1]
    assert [a.wording for a in bracket.alternatives] == ["and services", ""]
    assert bracket.alternatives[0].proposed_by == ("JPN",)
    assert bracket.alternatives[1].opposed_by == ("JPN",)
    assert bracket.alternatives[1].is_deletion
    assert first.plain_text == "The Parties shall provide supplies [and services / ]."
    assert document.open_brackets == 1


def test_an_issued_revision_is_frozen_and_a_new_draft_copies_it(db, text):
    draft = text.revisions[0]
    services.issue(draft, JOINT)
    db.session.commit()
    with pytest.raises(TextError, match="frozen"):
        services.save_provision(draft.provisions[0], _article("Article 9"))
    rev = services.start_revision(text, label="Rev.1")
    db.session.commit()
    old, new = queries.document(draft), queries.document(rev)
    assert [p.key for p in old.provisions] == [p.key for p in new.provisions]
    keys = [a.key for _p, _s, a in old.alternatives()]
    assert keys == [a.key for _p, _s, a in new.alternatives()]
    with pytest.raises(TextError, match="still a draft"):
        services.start_revision(text, label="Rev.2")


def test_cleaning_a_bracket_keeps_the_winner_and_names_it(db, text):
    services.issue(text.revisions[0], JOINT)
    rev = services.start_revision(text, label="Rev.1")
    row = rev.provisions[0]
    winner = row.segments[1].alternatives[0].proposal_id
    services.clean_bracket(row, 1, winner)
    db.session.commit()
    cleaned = queries.document(rev).provisions[0]
    assert cleaned.plain_text == "The Parties shall provide supplies and services."
    assert cleaned.segments[1].won == winner
    assert cleaned.brackets == 0
    # The issued revision still has its bracket.
    assert queries.document(text.revisions[0]).provisions[0].brackets == 1
    entries = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.record_type == "revision")
    ).all()
    assert any("bracket cleaned" in str(e.changes) for e in entries)


def test_removing_a_provision_the_base_had_marks_it_deleted(db, text):
    services.issue(text.revisions[0], JOINT)
    rev = services.start_revision(text, label="Rev.1")
    services.remove_provision(rev.provisions[1])
    added = services.add_provision(rev, _article("Article 3", doc.Segment(text="New.")))
    services.remove_provision(added)
    db.session.commit()
    statuses = [(p.label, p.status) for p in queries.document(rev).provisions]
    assert statuses == [("Article 1", doc.ProvisionStatus.OPEN), ("Article 2", "deleted")]


def test_an_alternative_of_another_provision_or_an_unknown_party_is_refused(db, text):
    draft = text.revisions[0]
    first, second = draft.provisions
    foreign = first.segments[1].alternatives[0].proposal_id
    with pytest.raises(TextError, match="another provision") as error:
        services.save_provision(
            second, _article("Article 2", _bracket(doc.Alternative("x", key=foreign)))
        )
    assert error.value.field == "segments-0-alternatives-0"
    with pytest.raises(TextError, match="XYZ"):
        services.save_provision(
            second, _article("Article 2", _bracket(doc.Alternative("x", proposed_by=("XYZ",))))
        )


def test_saving_a_provision_raises_its_version(db, text):
    """What an edit conflict is detected by: a form or If-Match from before a save carries
    an older version."""
    row = text.revisions[0].provisions[1]
    loaded = row.version
    services.save_provision(row, _article("Article 2", doc.Segment(text="First edit.")))
    db.session.commit()
    assert row.version == loaded + 1


def test_a_text_has_one_draft_and_unique_labels(db, text):
    with pytest.raises(TextError) as error:
        services.start_revision(text, label="Japan's draft")
    assert error.value.field == "label"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1
