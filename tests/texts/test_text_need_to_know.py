"""Need-to-know for negotiating texts: a text is seen with its agreement, a revision,
alternative, note or internal note only at a marking its reader may read, and everything
inside a revision only with it; on PostgreSQL the row-level security policies say the same
(tests/test_row_security.py has the rule for the other tables)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests import test_need_to_know
from tests.conftest import BACKENDS
from tracker.data import access, markings
from tracker.models import (
    Alternative,
    AlternativeStance,
    InternalNote,
    MarkingValue,
    NegotiatingText,
    Proposal,
    Provision,
    ProvisionRevision,
    Revision,
    Segment,
    TextNote,
    User,
)
from tracker.models import text_document as doc
from tracker.texts import queries, services

world = test_need_to_know.world
CONFIDENTIAL, SECRET = test_need_to_know.CONFIDENTIAL, test_need_to_know.SECRET
POSTGRESQL_ONLY = pytest.mark.parametrize("database_url", BACKENDS[1:], indirect=True)
TABLES = (
    NegotiatingText,
    Revision,
    Provision,
    ProvisionRevision,
    Segment,
    Proposal,
    Alternative,
    AlternativeStance,
    TextNote,
    InternalNote,
)


def _mark(db, record, level: int) -> None:
    record.marking_id = markings.id_for(db.session, MarkingValue(level=level))


@pytest.fixture
def texts(db, world):
    """The open agreement's text, with a Confidential alternative, note and internal note
    and a Secret draft; the secret agreement's unmarked text."""
    text = services.create_text(world.open, title="Main text", first_label="Draft 1")
    draft = text.revisions[0]
    services.add_provision(
        draft,
        doc.Provision(
            label="Article 1",
            segments=(
                doc.Segment(text="Supplies "),
                doc.Segment(
                    alternatives=(
                        doc.Alternative("and services", proposed_by=("JPN",)),
                        doc.Alternative("gazelle fallback wording", proposed_by=("IND",)),
                    )
                ),
            ),
            notes=(doc.Note(doc.NoteKind.RESERVATION, "India reserves on lynx", "IND"),),
        ),
    )
    row = draft.provisions[0]
    _mark(db, row.segments[1].alternatives[1], CONFIDENTIAL)
    _mark(db, row.notes[0], CONFIDENTIAL)
    services.add_internal_note(
        text, kind=doc.InternalKind.FALLBACK, body="Our yak fallback", author_id=None
    )
    db.session.flush()
    note = db.session.scalars(sa.select(InternalNote)).one()
    _mark(db, note, CONFIDENTIAL)
    services.issue(draft, services.Issue(issued_on=date(2025, 1, 10)))
    rev = services.start_revision(text, label="Rev.1 osprey")
    _mark(db, rev, SECRET)
    hidden = services.create_text(world.secret, title="Quasar text", first_label="Draft 1")
    services.add_provision(
        hidden.revisions[0], doc.Provision(label="Article 1", segments=(doc.Segment("Quasar"),))
    )
    db.session.commit()
    return text


def _reader(db, name: str) -> access.Access:
    user = db.session.scalar(sa.select(User).where(User.username == name))
    return access.for_user(db.session, user)


def test_a_reader_sees_only_the_parts_of_a_text_they_may(app, db, texts):
    with app.test_request_context():
        access.use(db.session, _reader(db, "viewer"))
        titles = db.session.scalars(sa.select(NegotiatingText.title)).all()
        assert titles == ["Main text"]  # not the secret agreement's
        labels = db.session.scalars(sa.select(Revision.label)).all()
        assert labels == ["Draft 1"]  # not the Secret draft
        draft = db.session.scalars(sa.select(Revision)).one()
        shown = queries.document(draft, internal=True)
        words = repr(shown)
        assert "and services" in words
        for hidden in ("gazelle", "lynx", "yak", "osprey", "Quasar"):
            assert hidden not in words, hidden
        # Everything under the Secret draft and the secret agreement is out of sight too.
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ProvisionRevision)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Provision)) == 1

        access.use(db.session, _reader(db, "secret"))
        assert len(db.session.scalars(sa.select(Revision)).all()) == 3
        draft = db.session.get(Revision, draft.id)
        words = repr(queries.document(draft, internal=True))
        assert all(w in words for w in ("gazelle", "lynx", "yak"))


@POSTGRESQL_ONLY
@pytest.mark.parametrize("username", ["viewer", "secret", "listed", "cabinet"])
def test_the_policies_and_the_app_agree_on_texts(app, db, texts, username):
    with app.test_request_context():
        access.use(db.session, _reader(db, username))
        for model in TABLES:
            key = list(model.__table__.primary_key.columns)
            names = ", ".join(c.name for c in key)
            raw = sa.text(f"SELECT {names} FROM {model.__tablename__}")  # noqa: S608
            forgot = {tuple(r) for r in db.session.execute(raw)}
            columns = [getattr(model, c.key) for c in key]
            seen = {tuple(r) for r in db.session.execute(sa.select(*columns))}
            assert forgot == seen, model


def test_an_editor_cannot_drop_what_is_marked_above_them(app, db, world):
    """Saving a provision replaces its alternatives and notes with what the editor sent:
    one marked above them is refused rather than deleted unseen."""
    text = services.create_text(world.open, title="Annex", first_label="Draft 1")
    draft = text.revisions[0]
    row = services.add_provision(
        draft,
        doc.Provision(
            label="Article 1",
            segments=(
                doc.Segment(
                    alternatives=(
                        doc.Alternative("seen", proposed_by=("JPN",)),
                        doc.Alternative("marten wording", proposed_by=("IND",)),
                    )
                ),
            ),
        ),
    )
    _mark(db, row.segments[0].alternatives[1], CONFIDENTIAL)
    db.session.commit()
    row_id = row.id
    with app.test_request_context():
        access.use(db.session, _reader(db, "viewer"))
        db.session.expire_all()
        row = db.session.get(ProvisionRevision, row_id)
        (shown,) = queries.document(row.revision).provisions
        assert [a.wording for a in shown.segments[0].alternatives] == ["seen"]
        for change in (
            lambda: services.save_provision(row, shown),
            lambda: services.clean_bracket(row, 0, shown.segments[0].alternatives[0].key),
            lambda: services.remove_provision(row),
            lambda: services.delete_draft(row.revision),
        ):
            with pytest.raises(services.TextError, match="marked above"):
                change()
    db.session.rollback()
    with access.reading_whole(db.session):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Alternative)) == 2


def test_an_agreements_texts_name_the_latest_revision_their_reader_sees(app, db, texts, world):
    """The agreement page's summary: the Secret draft for a reader cleared for it, the
    issued draft before it (and its counts) for one who is not, never nothing."""
    agreement_id = world.open.id
    with app.test_request_context():
        access.use(db.session, _reader(db, "viewer"))
        (summary,) = queries.text_summaries(agreement_id)
        assert (summary.latest.label, summary.total, summary.open_brackets) == ("Draft 1", 1, 1)
        access.use(db.session, _reader(db, "secret"))
        db.session.expire_all()
        (summary,) = queries.text_summaries(agreement_id)
        assert summary.latest.label == "Rev.1 osprey"
        assert (summary.total, summary.open_brackets) == (1, 1)  # a copy of its base
