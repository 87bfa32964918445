"""The negotiating text pages: a text and its revisions, editing a draft a provision at a
time (without JavaScript), cleaning a bracket, the consolidated view and who sees what."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.helpers import log_in
from tracker.markings.services import stored_id
from tracker.models import (
    Alternative,
    InternalNote,
    MarkingValue,
    NegotiatingText,
    ProvisionRevision,
    Revision,
    Role,
)
from tracker.models import text_document as doc
from tracker.texts import queries, services


@pytest.fixture
def rpss(db, make_agreement):
    agreement = make_agreement()
    db.session.commit()
    return agreement


def _text(db, title="Main text") -> NegotiatingText:
    db.session.expire_all()
    return db.session.scalar(sa.select(NegotiatingText).where(NegotiatingText.title == title))


def _rows(db, revision_id: int) -> list[ProvisionRevision]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(ProvisionRevision)
            .where(ProvisionRevision.revision_id == revision_id)
            .order_by(ProvisionRevision.position)
        )
    )


def _document(db, revision) -> doc.Document:
    db.session.expire_all()
    return queries.document(db.session.get(Revision, revision.id))


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    assert found, f"no hidden {name}"
    return found.group(1)


def _provision_form(html: str, **fields) -> dict:
    """What a browser sends for a loaded provision form, with ``fields`` changed."""
    data = {
        "version": _hidden(html, "version"),
        "seen_change": _hidden(html, "seen_change"),
        "label": "Article 1",
        "heading": "Purpose",
        "kind": "article",
        "depth": "0",
        "status": "open",
    }
    data.update(fields)
    return data


BRACKETED = {
    "segments-0-kind": "text",
    "segments-0-text": "The Parties shall provide supplies ",
    "segments-1-kind": "bracket",
    "segments-1-alternatives-0-label": "Option 1",
    "segments-1-alternatives-0-wording": "and services",
    "segments-1-alternatives-0-proposed_by": "JPN",
    "segments-1-alternatives-0-opposed_by": "IND",
    "segments-1-alternatives-1-wording": "",
    "segments-1-alternatives-1-proposed_by": "IND",
    "segments-2-kind": "text",
    "segments-2-text": ".",
}


def _create_text(client, agreement) -> NegotiatingText:
    response = client.post(
        f"/agreements/{agreement.id}/texts/new",
        data={"title": "Main text", "kind": "main", "first_label": "Japan's draft"},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


def _add_article(client, db, revision_id: int) -> ProvisionRevision:
    page = client.get(f"/texts/revisions/{revision_id}/provisions/new").get_data(as_text=True)
    assert 'name="segments-0-text"' in page
    data = {"label": "Article 1", "heading": "Purpose", "kind": "article", "depth": "0"}
    response = client.post(
        f"/texts/revisions/{revision_id}/provisions/new",
        data={**data, "status": "open", **BRACKETED},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return _rows(db, revision_id)[-1]


def test_a_text_from_creation_to_its_second_revision(logged_in, db, rpss):
    client = logged_in
    _create_text(client, rpss)
    text = _text(db)
    draft = text.revisions[0]
    assert draft.label == "Japan's draft" and not draft.is_issued
    page = client.get(f"/agreements/{rpss.id}").get_data(as_text=True)
    assert "Negotiating texts" in page and "Main text" in page
    assert "0 of 0 provisions agreed" in page

    row = _add_article(client, db, draft.id)
    value = _document(db, draft).provisions[0]
    assert value.plain_text == "The Parties shall provide supplies [and services / ]."
    assert value.segments[1].alternatives[0].proposed_by == ("JPN",)
    assert value.segments[1].alternatives[0].opposed_by == ("IND",)
    page = client.get(f"/agreements/{rpss.id}").get_data(as_text=True)
    assert "0 of 1 provision agreed" in page and "1 open bracket" in page

    # Edit it: the alternatives keep their proposals.
    keys = [a.key for a in value.segments[1].alternatives]
    form = client.get(f"/texts/provisions/{row.id}/edit").get_data(as_text=True)
    assert f'value="{keys[0]}"' in form
    data = _provision_form(form, heading="Purpose and scope")
    data.update(BRACKETED)
    data["segments-1-alternatives-0-key"] = str(keys[0])
    data["segments-1-alternatives-1-key"] = str(keys[1])
    data["segments-1-alternatives-0-wording"] = "and related services"
    response = client.post(f"/texts/provisions/{row.id}/edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    value = _document(db, draft).provisions[0]
    assert value.heading == "Purpose and scope"
    assert [a.key for a in value.segments[1].alternatives] == keys

    # Clean the bracket: Japan's wording wins.
    segment_id = _rows(db, draft.id)[0].segments[1].id
    page = client.get(f"/texts/brackets/{segment_id}/clean").get_data(as_text=True)
    assert "and related services" in page and 'type="radio"' in page
    response = client.post(
        f"/texts/brackets/{segment_id}/clean",
        data={
            "version": _hidden(page, "version"),
            "seen_change": _hidden(page, "seen_change"),
            "proposal_id": str(keys[0]),
        },
    )
    assert response.status_code == 302
    value = _document(db, draft).provisions[0]
    assert value.plain_text == "The Parties shall provide supplies and related services."
    assert value.segments[1].won == keys[0]

    # Issue it, then start Rev.1: a copy.
    page = client.get(f"/texts/revisions/{draft.id}/issue").get_data(as_text=True)
    response = client.post(
        f"/texts/revisions/{draft.id}/issue",
        data={
            "version": _hidden(page, "version"),
            "seen_change": _hidden(page, "seen_change"),
            "issued_on": "2024-11-20",
            "issued_by": "joint",
            "issuing_party_id": "",
            "meeting_id": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Revision, draft.id).is_issued
    # A frozen revision's forms say so instead.
    assert "issued and frozen" in client.get(f"/texts/provisions/{row.id}/edit").get_data(
        as_text=True
    )
    response = client.post(
        f"/texts/{text.id}/revisions/new", data={"label": "Rev.1", "based_on": str(draft.id)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    rev1 = _text(db).revisions[-1]
    assert rev1.label == "Rev.1" and rev1.based_on_id == draft.id
    assert [p.key for p in _document(db, rev1).provisions] == [row.provision_id]
    page = client.get(f"/texts/{text.id}").get_data(as_text=True)
    assert "Rev.1" in page and "Draft" in page and "Issued" in page
    # The agreement's page: the latest revision (the new draft) and the issued one's
    # brackets drawn round by round.
    page = client.get(f"/agreements/{rpss.id}").get_data(as_text=True)
    assert "latest: <a" in page and ">Rev.1</a> (draft)" in page
    figure = page[page.index('<figure class="mt-1 mb-0 burn-down-small">') :]
    figure = figure[: figure.index("</figure>")]
    assert "<svg" in figure and "Bracket burn-down of Main text" in figure
    assert "Japan's draft (Joint, 20 Nov 2024)" in figure  # the issued revision, not the draft


@pytest.fixture
def drafted(logged_in, db, rpss):
    _create_text(logged_in, rpss)
    text = _text(db)
    row = _add_article(logged_in, db, text.revisions[0].id)
    services.add_provision(
        text.revisions[0],
        doc.Provision(
            label="Article 2",
            status=doc.ProvisionStatus.AGREED,
            segments=(doc.Segment(text="Definitions apply."),),
            notes=(doc.Note(doc.NoteKind.RESERVATION, "Subject to legal scrub", "IND"),),
        ),
    )
    db.session.commit()
    return text, row


def test_the_consolidated_view_shows_brackets_attributions_and_the_legend(logged_in, db, drafted):
    text, row = drafted
    page = logged_in.get(f"/texts/revisions/{row.revision_id}").get_data(as_text=True)
    assert "Status legend" in page
    for status in doc.ProvisionStatus:
        assert f'provision-status-{status}">{status.label}<' in page
    assert 'aria-hidden="true">[</span>' in page
    assert "Option 1 (<abbr" in page and 'proposed by <abbr title="Japan">JPN</abbr>' in page
    assert "opposed by <abbr" in page and "delete the passage" in page
    assert 'Reservation (<abbr title="India">IND</abbr>):</span> Subject to legal scrub' in page
    assert "<del>" not in page

    # Open provisions only / agreed text only.
    open_only = logged_in.get(f"/texts/revisions/{row.revision_id}?show=open").get_data(
        as_text=True
    )
    assert "Article 1" in open_only and "Definitions apply." not in open_only
    agreed = logged_in.get(f"/texts/revisions/{row.revision_id}?show=agreed").get_data(as_text=True)
    assert "Definitions apply." in agreed and "and services" not in agreed
    assert 'aria-current="page" href' in agreed or 'aria-current="page"' in agreed


def test_a_provision_deleted_in_a_later_revision_is_struck_through(logged_in, db, drafted):
    text, row = drafted
    services.issue(
        text.revisions[0], services.Issue(issued_on=__import__("datetime").date(2024, 11, 20))
    )
    rev1 = services.start_revision(text, label="Rev.1")
    db.session.commit()
    copy = _rows(db, rev1.id)[0]
    assert logged_in.post(f"/texts/provisions/{copy.id}/remove").status_code == 302
    page = logged_in.get(f"/texts/revisions/{rev1.id}").get_data(as_text=True)
    assert re.search(r"<del>\s*<span class=\"agreed\">The Parties", page)
    assert "<del>Article 1: Purpose</del>" in page
    # A provision new in the draft goes outright.
    second = _rows(db, rev1.id)[1]
    logged_in.post(f"/texts/provisions/{second.id}/move", data={"direction": "up"})
    assert [r.label for r in _rows(db, rev1.id)] == ["Article 2", "Article 1"]


def test_as_of_a_date_shows_the_revision_that_stood_then(logged_in, db, drafted):
    from datetime import date

    text, _row = drafted
    services.issue(text.revisions[0], services.Issue(issued_on=date(2024, 11, 20)))
    db.session.commit()
    page = logged_in.get(f"/texts/{text.id}?on=2024-12-01").get_data(as_text=True)
    assert "The text as it stood on" in page and "Article 1" in page
    early = logged_in.get(f"/texts/{text.id}?on=2024-01-01")
    assert early.status_code == 302
    assert logged_in.get(f"/texts/{text.id}?on=nonsense").status_code == 302


def test_add_buttons_redraw_the_form_without_javascript_keeping_input(logged_in, db, drafted):
    _text_, row = drafted
    form = logged_in.get(f"/texts/provisions/{row.id}/edit").get_data(as_text=True)
    data = _provision_form(form, heading="Typed but not saved")
    data.update(BRACKETED)
    for button, expect in [
        ({"add_passage": "1"}, 'name="segments-3-text"'),
        ({"add_bracket": "1"}, 'name="segments-3-alternatives-1-wording"'),
        ({"segments-1-add_alternative": "1"}, 'name="segments-1-alternatives-2-wording"'),
        ({"add_note": "1"}, 'name="notes-0-body"'),
    ]:
        response = logged_in.post(f"/texts/provisions/{row.id}/edit", data={**data, **button})
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert expect in page
        assert "Typed but not saved" in page
    assert _document(db, _text(db).revisions[0]).provisions[0].heading == "Purpose"


def test_an_edit_conflict_keeps_the_second_editors_input(logged_in, db, drafted):
    _text_, row = drafted
    first = logged_in.get(f"/texts/provisions/{row.id}/edit").get_data(as_text=True)
    second = logged_in.get(f"/texts/provisions/{row.id}/edit").get_data(as_text=True)
    saved = logged_in.post(
        f"/texts/provisions/{row.id}/edit",
        data={**_provision_form(first, heading="First"), **BRACKETED},
    )
    assert saved.status_code == 302
    refused = logged_in.post(
        f"/texts/provisions/{row.id}/edit",
        data={**_provision_form(second, heading="Second editor's heading"), **BRACKETED},
    )
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Second editor&#39;s heading" in page or "Second editor's heading" in page
    assert _document(db, _text(db).revisions[0]).provisions[0].heading == "First"


def test_bad_input_gets_messages_not_errors(logged_in, db, drafted):
    _text_, row = drafted
    form = logged_in.get(f"/texts/provisions/{row.id}/edit").get_data(as_text=True)
    cases = [
        {"label": ""},
        {"depth": "9"},
        {"depth": "x"},
        {"status": "nonsense"},
        {"segments-1-alternatives-0-proposed_by": "XXX"},
        {"segments-1-alternatives-0-key": "abc"},
        {"segments-1-alternatives-0-key": "999999"},
        {"segments-1-alternatives-0-remove": "y", "segments-1-alternatives-1-remove": "y"},
        {"segments-0-won": "12345"},
    ]
    for change in cases:
        data = {**_provision_form(form), **BRACKETED, **change}
        response = logged_in.post(f"/texts/provisions/{row.id}/edit", data=data)
        assert response.status_code == 200, (change, response.status_code)
        page = response.get_data(as_text=True)
        assert "invalid-feedback" in page or "alert-danger" in page, change
    assert logged_in.post(f"/agreements/{row.agreement_id}/texts/new", data={}).status_code == 200
    assert (
        logged_in.post(f"/texts/{_text_.id}/revisions/new", data={"label": ""}).status_code == 200
    )
    page = logged_in.get(f"/texts/revisions/{row.revision_id}/issue").get_data(as_text=True)
    response = logged_in.post(
        f"/texts/revisions/{row.revision_id}/issue",
        data={
            "version": _hidden(page, "version"),
            "seen_change": _hidden(page, "seen_change"),
            "issued_on": "2024-11-20",
            "issued_by": "party",
            "issuing_party_id": "",
        },
    )
    assert response.status_code == 200 and "Choose the party" in response.get_data(as_text=True)
    segment_id = _rows(db, row.revision_id)[0].segments[1].id
    page = logged_in.get(f"/texts/brackets/{segment_id}/clean").get_data(as_text=True)
    response = logged_in.post(
        f"/texts/brackets/{segment_id}/clean",
        data={"version": _hidden(page, "version"), "seen_change": "0", "proposal_id": "77777"},
    )
    assert response.status_code == 200


def test_a_viewer_reads_but_cannot_edit(client, db, make_user, drafted):
    text, row = drafted
    client.post("/logout")
    make_user("reader", role=Role.VIEWER)
    log_in(client, "reader")
    page = client.get(f"/texts/revisions/{row.revision_id}").get_data(as_text=True)
    assert "and services" in page, page
    assert "Edit<span" not in page and "Clean this bracket" not in page
    assert client.get(f"/texts/provisions/{row.id}/edit").status_code == 403
    assert client.post(f"/texts/provisions/{row.id}/remove").status_code == 403
    assert (
        client.post(f"/texts/{text.id}/internal-notes/new", data={"body": "x"}).status_code == 403
    )


def test_internal_notes_stay_in_their_own_aside(logged_in, db, drafted):
    text, row = drafted
    response = logged_in.post(
        f"/texts/{text.id}/internal-notes/new",
        data={"kind": "fallback", "body": "Accept Option 1 if pressed", "provision_id": ""},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    page = logged_in.get(f"/texts/revisions/{row.revision_id}").get_data(as_text=True)
    shared, _sep, aside = page.partition('aria-labelledby="internal-heading"')
    assert "Accept Option 1 if pressed" in aside and "Accept Option 1" not in shared
    note = db.session.scalar(sa.select(InternalNote))
    assert logged_in.post(f"/texts/internal-notes/{note.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InternalNote)) == 0


def test_marked_parts_are_not_shown_to_readers_without_clearance(client, db, make_user, drafted):
    text, row = drafted
    secret = stored_id(MarkingValue(3))
    alternative = db.session.scalar(
        sa.select(Alternative).where(Alternative.wording == "and services")
    )
    alternative.marking_id = secret
    hidden = services.start_revision  # a second text, whose only revision is marked
    other = services.create_text(row.revision.text.agreement, title="Annex A")
    other.revisions[0].marking_id = secret
    db.session.commit()
    hidden_revision = other.revisions[0].id
    client.post("/logout")
    make_user("reader", role=Role.VIEWER)
    log_in(client, "reader")
    page = client.get(f"/texts/revisions/{row.revision_id}").get_data(as_text=True)
    assert "Article 1" in page and "and services" not in page
    assert client.get(f"/texts/revisions/{hidden_revision}").status_code == 404
    assert hidden is not None
