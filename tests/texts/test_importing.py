"""A whole revision stored from plain values (tracker/texts/importing.py): what a Word file
calls the same provision or alternative keeps its identity, and nothing is dropped."""

from __future__ import annotations

from datetime import date

import pytest

from tracker.models import text_document as doc
from tracker.texts import compare, importing, queries, services
from tracker.texts.services import Issue


def _doc(*provisions: doc.Provision) -> doc.Document:
    return doc.Document(title="Main text", provisions=provisions)


def _bracket(*wordings: tuple[str, str]) -> doc.Segment:
    return doc.Segment(
        alternatives=tuple(doc.Alternative(w, proposed_by=(by,)) for w, by in wordings)
    )


@pytest.fixture
def text(db, make_agreement):
    text = services.create_text(make_agreement(), title="Main text", first_label="Draft 1")
    db.session.commit()
    return text


def test_a_word_file_continues_the_provisions_and_proposals_it_names(db, text):
    first = _doc(
        doc.Provision("Article 1", segments=(doc.Segment("Scope "), _bracket(("A", "JPN")))),
        doc.Provision("Article 2", segments=(doc.Segment("Settlement."),)),
        doc.Provision("Article 3", segments=(doc.Segment("Entry into force."),)),
    )
    services.delete_draft(text.revisions[0])
    db.session.flush()
    rev0 = importing.store(text, first, label="Japan's draft")
    services.issue(rev0, Issue(issued_on=date(2025, 1, 1)))
    # India's counter-draft, read from a Word file: no keys; Article 2 gone, a new Article 4.
    second = _doc(
        doc.Provision(
            "Article 1", segments=(doc.Segment("Scope "), _bracket(("A", "JPN"), ("B", "IND")))
        ),
        doc.Provision("Article 3", segments=(doc.Segment("Entry into force on signature."),)),
        doc.Provision("Article 4", segments=(doc.Segment("Disputes."),)),
    )
    planned = importing.plan(text, second)
    assert planned.new == 1 and [r.label for r in planned.deleted] == ["Article 2"]
    rev1 = importing.store(text, second, label="India's counter-draft")
    db.session.commit()
    old, new = queries.document(rev0), queries.document(rev1)
    assert [p.label for p in new.provisions] == ["Article 1", "Article 2", "Article 3", "Article 4"]
    assert new.provisions[1].status == doc.ProvisionStatus.DELETED  # kept, struck through
    assert old.provisions[0].key == new.provisions[0].key
    japan_old = old.provisions[0].segments[1].alternatives[0]
    japan_new, india = new.provisions[0].segments[1].alternatives
    assert japan_new.key == japan_old.key  # the same proposal, carried
    assert india.key not in (None, japan_old.key)  # tabled in this round
    change = {c.new.label: c for c in compare.compare(old, new).provisions if c.new}
    assert [a.wording for a in change["Article 1"].new_alternatives] == ["B"]
    assert change["Article 4"].presence == "added"


def test_a_series_of_documents_keeps_its_own_keys(db, text):
    """Documents with keys of their own (a generated series): mapped onto the database's."""
    keys: dict[int, int] = {}
    proposals: dict[int, int] = {}
    services.delete_draft(text.revisions[0])
    db.session.flush()
    a = doc.Alternative("shall", proposed_by=("JPN",), key=101)
    b = doc.Alternative("may", proposed_by=("IND",), key=102)
    first = _doc(
        doc.Provision("Article 1", key=1, segments=(doc.Segment(alternatives=(a, b)),)),
    )
    rev0 = importing.store(text, first, label="R0", keys=keys, proposals=proposals)
    services.issue(rev0, Issue(issued_on=date(2025, 1, 1)))
    cleaned = _doc(
        doc.Provision("Article 7", key=1, segments=(doc.Segment("shall", won=101),)),
    )
    rev1 = importing.store(text, cleaned, label="R1", keys=keys, proposals=proposals)
    db.session.commit()
    old, new = queries.document(rev0), queries.document(rev1)
    (change,) = compare.compare(old, new).provisions
    assert change.old.label == "Article 1" and change.new.label == "Article 7"
    assert [c.winner.wording for c in change.cleaned] == ["shall"]
    assert new.provisions[0].segments[0].won_by == ("JPN",)
