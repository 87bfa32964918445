"""An issued revision as plain values is kept between reading requests (it is frozen): reused
only for readers who see the same records, never for a draft, with the markings of what it
shows still on the page, and read again when a later draft changes whose proposal a cleaned
bracket was."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.helpers import log_in
from tests.texts import test_text_need_to_know
from tracker.data import access
from tracker.extensions import db as _db
from tracker.models import Revision, User
from tracker.models import text_document as doc
from tracker.texts import queries, services

texts = test_text_need_to_know.texts
world = test_text_need_to_know.world


def _document(app, db, username: str, revision_id: int) -> doc.Document:
    """The revision as ``username`` reads it in a reading request (the test's session
    reads everything again afterwards; what it holds is forgotten)."""
    db.session.expunge_all()
    with app.test_request_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        access.use(db.session, access.for_user(db.session, user))
        try:
            return queries.document(db.session.get(Revision, revision_id))
        finally:
            access.use(db.session, access.EVERYTHING)


def _queries(client, path: str) -> tuple[int, str]:
    """How many statements ``path`` ran, and its page."""
    count = 0

    def counted(*_args) -> None:
        nonlocal count
        count += 1

    engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", counted)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", counted)
    assert response.status_code == 200
    return count, response.get_data(as_text=True)


def _issued(texts) -> int:
    return next(r.id for r in texts.revisions if r.is_issued)


def test_an_issued_revision_is_read_once_and_shown_the_same(app, db, client, texts):
    issued, text = _issued(texts), texts.id
    log_in(client, "secret")
    client.get("/")  # the welcome
    path = f"/texts/{text}/compare?from={issued}&to={issued}&all=1"
    cold, page = _queries(client, path)
    warm, page_again = _queries(client, path)
    assert page_again == page
    assert warm < cold

    first = _document(app, db, "viewer", issued)
    again = _document(app, db, "viewer", issued)
    assert again == first
    assert again.provisions is first.provisions  # kept, not read again


def test_readers_who_see_different_alternatives_share_nothing(app, db, texts):
    issued = _issued(texts)
    cleared = _document(app, db, "secret", issued)
    viewer = _document(app, db, "viewer", issued)
    assert "gazelle" in repr(cleared)
    assert "gazelle" not in repr(viewer) and "lynx" not in repr(viewer)
    assert "gazelle" in repr(_document(app, db, "secret", issued))


def test_a_kept_revision_still_marks_the_page_with_what_it_shows(app, db, client, texts):
    # Only the issued revision left: its Confidential alternative and note are all that
    # make the page Confidential.
    services.delete_draft(services.draft_of(texts))
    db.session.commit()
    issued = _issued(texts)
    log_in(client, "secret")
    path = f"/texts/{texts.id}/compare?from={issued}&to={issued}&all=1"
    for _ in range(2):  # read, then kept
        _count, page = _queries(client, path)
        assert "gazelle" in page
        assert 'aria-label="Classification">CONFIDENTIAL' in page


def test_a_draft_is_read_afresh(app, db, texts):
    draft = services.draft_of(texts)
    draft.marking_id = db.session.get(Revision, _issued(texts)).marking_id  # the viewer's too
    db.session.commit()
    draft_id = draft.id
    before = _document(app, db, "viewer", draft_id)
    row = db.session.get(Revision, draft_id).provisions[0]
    services.save_provision(
        row,
        doc.Provision(label="Article 1", segments=(doc.Segment(text="Supplies and fuel"),)),
    )
    db.session.commit()
    after = _document(app, db, "viewer", draft_id)
    assert before.provisions[0].plain_text != after.provisions[0].plain_text
    assert after.provisions[0].plain_text == "Supplies and fuel"


def _cleaned_text(db, make_agreement):
    """A text whose Rev.1 cleaned a bracket into Japan's proposal; Rev.2 is a draft."""
    agreement = make_agreement()
    text = services.create_text(agreement, title="Main text", first_label="Draft 1")
    services.add_provision(
        text.revisions[0],
        doc.Provision(
            label="Article 1",
            segments=(
                doc.Segment(text="Supplies "),
                doc.Segment(
                    alternatives=(
                        doc.Alternative("and services", proposed_by=("JPN",)),
                        doc.Alternative("only", proposed_by=("IND",)),
                    )
                ),
            ),
        ),
    )
    services.issue(text.revisions[0], services.Issue(issued_on=date(2025, 1, 10)))
    rev1 = services.start_revision(text, label="Rev.1")
    row = rev1.provisions[0]
    winner = row.segments[1].alternatives[0].proposal_id
    services.clean_bracket(row, 1, winner)
    services.issue(rev1, services.Issue(issued_on=date(2025, 2, 10)))
    rev2 = services.start_revision(text, label="Rev.2")
    db.session.commit()
    return rev1.id, rev2.id, winner


def test_a_cleaned_bracket_names_its_proposers_as_the_latest_draft_says(
    app, db, make_agreement, make_user
):
    make_user("viewer")
    rev1, rev2, winner = _cleaned_text(db, make_agreement)
    assert _document(app, db, "viewer", rev1).provisions[0].segments[1].won_by == ("JPN",)
    # The draft brackets the agreed words again, now as India's proposal.
    services.save_provision(
        db.session.get(Revision, rev2).provisions[0],
        doc.Provision(
            label="Article 1",
            segments=(
                doc.Segment(text="Supplies "),
                doc.Segment(
                    alternatives=(
                        doc.Alternative("and services", proposed_by=("IND",), key=winner),
                        doc.Alternative("and fuel", proposed_by=("JPN",)),
                    )
                ),
            ),
        ),
    )
    db.session.commit()
    assert _document(app, db, "viewer", rev1).provisions[0].segments[1].won_by == ("IND",)
