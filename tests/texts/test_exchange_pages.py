"""Comparing revisions, the text's burn-down, Word and PDF downloads and importing a draft
from Word, through the pages as a user would, on both databases."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tests.helpers import log_in
from tracker.models import NegotiatingText, Revision, Role
from tracker.models import text_document as doc
from tracker.render import text_docx
from tracker.texts import docx_import, queries, services
from tracker.web.outgoing import HEADER

FALLBACK = "Our walrus fallback"


@pytest.fixture
def text(db, make_agreement):
    """Japan's draft with a bracket, then Rev.1 where it is cleaned and India tables one."""
    agreement = make_agreement()
    text = services.create_text(agreement, title="Main text", first_label="Japan's draft")
    draft = text.revisions[0]
    services.add_provision(
        draft,
        doc.Provision(
            "Article 1",
            heading="Purpose",
            segments=(
                doc.Segment("Supplies "),
                doc.Segment(
                    alternatives=(
                        doc.Alternative("and services", proposed_by=("JPN",)),
                        doc.Alternative("only", proposed_by=("IND",)),
                    )
                ),
            ),
        ),
    )
    services.add_provision(draft, doc.Provision("Article 2", segments=(doc.Segment("Old."),)))
    services.add_internal_note(text, kind=doc.InternalKind.FALLBACK, body=FALLBACK, author_id=None)
    services.issue(draft, services.Issue(issued_on=date(2025, 1, 10)))
    rev = services.start_revision(text, label="Rev.1")
    row = rev.provisions[0]
    services.clean_bracket(row, 1, row.segments[1].alternatives[0].proposal_id)
    services.save_provision(
        rev.provisions[1],
        doc.Provision(
            "Article 3",
            segments=(doc.Segment(alternatives=(doc.Alternative("New.", proposed_by=("IND",)),)),),
        ),
    )
    services.issue(rev, services.Issue(issued_on=date(2025, 5, 6)))
    db.session.commit()
    return text


@pytest.fixture
def editor(client, make_user):
    make_user("editor", role=Role.EDITOR)
    assert log_in(client, "editor").status_code == 302
    return client


@pytest.fixture
def viewer(app, make_user):
    make_user("viewer", role=Role.VIEWER)
    client = app.test_client()
    assert log_in(client, "viewer").status_code == 302
    return client


def test_comparing_two_revisions_shows_what_changed_and_whose_it_was(editor, text):
    page = editor.get(f"/texts/{text.id}/compare").get_data(as_text=True)
    assert "Compare Japan&#39;s draft with Rev.1" in page
    assert "Bracket cleaned" in page and "JPN" in page
    assert "Renumbered from Article 2 to Article 3" in page
    assert "Tabled: “New.”, proposed by" in page
    assert "<del>" in page  # deleted words struck through, not dropped
    assert "Provenance" in page
    old, new = (r.id for r in text.revisions)
    backwards = editor.get(f"/texts/{text.id}/compare?from={new}&to={old}")
    assert backwards.status_code == 200
    assert editor.get(f"/texts/{text.id}/compare?from=x").status_code == 400
    assert editor.get(f"/texts/{text.id}/compare?from=999999").status_code == 404


def test_the_text_page_draws_the_bracket_burn_down(editor, text):
    page = editor.get(f"/texts/{text.id}").get_data(as_text=True)
    assert "<svg" in page and "Brackets round by round" in page
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td>[^<]*</td><td>[^<]*</td><td', page)
    assert rows == ["Japan&#39;s draft", "Rev.1"]


def test_a_revision_downloads_as_word_and_pdf_without_the_internal_layer(editor, viewer, text):
    revision = text.revisions[-1]
    word = editor.get(f"/texts/revisions/{revision.id}/text.docx")
    assert word.status_code == 200
    assert word.mimetype.endswith("wordprocessingml.document")
    assert "attachment" in word.headers["Content-Disposition"]
    assert HEADER in word.headers
    every_part = b"".join(
        zipfile.ZipFile(io.BytesIO(word.data)).read(name)
        for name in zipfile.ZipFile(io.BytesIO(word.data)).namelist()
    )
    assert FALLBACK.encode() not in every_part
    read, problems = docx_import.read(word.data)
    assert [p.label for p in read.provisions] == ["Article 1", "Article 3"], problems
    pdf = editor.get(f"/texts/revisions/{revision.id}/text.pdf")
    assert pdf.mimetype == "application/pdf"
    pdf_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Article 3" in pdf_text and "walrus" not in pdf_text
    internal = editor.get(f"/texts/revisions/{revision.id}/text.docx?internal=1")
    assert FALLBACK.encode() in zipfile.ZipFile(io.BytesIO(internal.data)).read("word/document.xml")
    # Viewers are our side's staff too: their internal copy has what they may read.
    viewer_copy = viewer.get(f"/texts/revisions/{revision.id}/text.docx?internal=1")
    assert FALLBACK.encode() in zipfile.ZipFile(io.BytesIO(viewer_copy.data)).read(
        "word/document.xml"
    )


def _word(*provisions: doc.Provision) -> bytes:
    return text_docx.write(doc.Document(title="Main text", provisions=provisions))


def test_a_draft_imported_from_word_is_reviewed_then_saved(db, editor, text):
    data = _word(
        doc.Provision(
            "Article 1", heading="Purpose", segments=(doc.Segment("Supplies and services."),)
        ),
        doc.Provision("Article 3", segments=(doc.Segment("New wording."),)),
        doc.Provision("Article 4", segments=(doc.Segment("Disputes."),)),
    )
    form = editor.get(f"/texts/{text.id}/import")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.get_data(True)
    review = editor.post(
        f"/texts/{text.id}/import",
        data={"file": (io.BytesIO(data), "rev2.docx"), "label": "Rev.2"},
        content_type="multipart/form-data",
    )
    page = review.get_data(as_text=True)
    assert review.status_code == 200, page
    assert "Nothing is saved yet" in page and "a new provision" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 2
    signed = re.search(r'name="document" type="hidden" value="([^"]+)"', page)
    payload = {"document": signed.group(1), "label": "Rev.2"}
    tampered = editor.post(
        f"/texts/{text.id}/import/save", data={**payload, "document": signed.group(1) + "x"}
    )
    assert tampered.status_code == 400
    saved = editor.post(f"/texts/{text.id}/import/save", data=payload)
    assert saved.status_code == 302
    db.session.expire_all()
    text = db.session.get(NegotiatingText, text.id)
    assert [r.label for r in text.revisions] == ["Japan's draft", "Rev.1", "Rev.2"]
    new = queries.document(text.revisions[-1])
    old = queries.document(text.revisions[-2])
    assert [p.label for p in new.provisions] == ["Article 1", "Article 3", "Article 4"]
    assert new.provisions[1].key == old.provisions[1].key  # the same provision, continued


def test_an_import_refuses_what_is_not_a_word_file_and_viewers(editor, viewer, text):
    bad = editor.post(
        f"/texts/{text.id}/import",
        data={"file": (io.BytesIO(b"%PDF-1.4 not word"), "rev2.docx"), "label": "Rev.2"},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 400
    assert "Word" in bad.get_data(as_text=True)
    wrong_kind = editor.post(
        f"/texts/{text.id}/import",
        data={"file": (io.BytesIO(b"x"), "rev2.doc"), "label": "Rev.2"},
        content_type="multipart/form-data",
    )
    assert wrong_kind.status_code == 400
    assert viewer.get(f"/texts/{text.id}/import").status_code == 403
