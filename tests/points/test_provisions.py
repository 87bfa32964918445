"""Negotiation points name the provisions they concern: set on the point's form and through
the API, shown on the point's page and on the text's, only as far as the reader may see."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, loaded_from, log_in
from tracker.markings.services import stored_id
from tracker.models import (
    AuditRecord,
    MarkingValue,
    NegotiationPoint,
    Revision,
    Role,
)
from tracker.models import text_document as doc
from tracker.points import services as point_services
from tracker.texts import services as text_services

MAIN_5 = "Main text: Article 5 Access to facilities"


def html(response) -> str:
    return response.get_data(as_text=True)


def _draft_with(agreement, title: str, *provisions: tuple[str, str]):
    text = text_services.create_text(agreement, title=title)
    draft = text.revisions[0]
    rows = [
        text_services.add_provision(
            draft,
            doc.Provision(label=label, heading=heading, segments=(doc.Segment(text="Text."),)),
        )
        for label, heading in provisions
    ]
    return draft, rows


@pytest.fixture
def linked(db, talks, make_agreement):
    """The RPSS main text (Articles 1 and 5) and another agreement's text."""
    draft, (art1, art5) = _draft_with(
        talks["agreement"],
        "Main text",
        ("Article 1", "Purpose"),
        ("Article 5", "Access to facilities"),
    )
    _other_draft, (foreign,) = _draft_with(
        make_agreement(title="Another agreement", short_name="Other", parties=[]),
        "Main text",
        ("Article 9", ""),
    )
    db.session.commit()
    return {
        **talks,
        "draft": draft.id,
        "art1": art1.provision_id,
        "art5": art5.provision_id,
        "foreign": foreign.provision_id,
    }


def form_data(linked, **overrides) -> dict:
    data = {
        "subject": "Access to airfields",
        "details": "",
        "status": "open",
        f"position_{linked['india'].id}": "",
        f"position_{linked['japan'].id}": "",
    }
    data.update(overrides)
    return data


def point_of(db, subject: str = "Access to airfields") -> NegotiationPoint | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(NegotiationPoint).where(NegotiationPoint.subject == subject))


def linked_ids(point: NegotiationPoint) -> set[int]:
    return {provision.id for provision in point.provisions}


def test_the_form_sets_and_changes_the_provisions_of_a_point(logged_in, db, linked):
    agreement_id = linked["agreement"].id
    page = html(logged_in.get(f"/agreements/{agreement_id}/points/new"))
    assert f'<option value="{linked["art5"]}">{MAIN_5}</option>' in page
    assert "Main text: Article 1 Purpose" in page
    assert "Article 9" not in page  # another agreement's text is not offered

    response = logged_in.post(
        f"/agreements/{agreement_id}/points/new",
        data=form_data(linked, provision_ids=[str(linked["art5"]), str(linked["art1"])]),
    )
    assert response.status_code == 302
    point = point_of(db)
    assert linked_ids(point) == {linked["art1"], linked["art5"]}

    page = html(logged_in.get(f"/points/{point.id}/edit"))
    assert f'<option selected value="{linked["art5"]}">{MAIN_5}</option>' in page
    version = point.version
    response = logged_in.post(
        f"/points/{point.id}/edit",
        data=form_data(linked, provision_ids=[str(linked["art1"])], **loaded_from(point)),
    )
    assert response.status_code == 302
    point = point_of(db)
    assert linked_ids(point) == {linked["art1"]}
    assert point.version > version  # a change of provisions alone raises the version
    entries = db.session.scalars(
        sa.select(AuditRecord).where(
            AuditRecord.record_type == "point", AuditRecord.record_id == point.id
        )
    ).all()
    changes = [c for entry in entries for c in entry.changes if c["field"] == "provisions"]
    assert changes[-1]["old"] == ["Main text: Article 1 Purpose", MAIN_5]  # in the text's order
    assert changes[-1]["new"] == ["Main text: Article 1 Purpose"]


def test_a_provision_of_another_agreement_or_unknown_is_refused(logged_in, db, linked):
    agreement_id = linked["agreement"].id
    for refused in (linked["foreign"], 2_000_000_000):
        response = logged_in.post(
            f"/agreements/{agreement_id}/points/new",
            data=form_data(linked, provision_ids=[str(refused)]),
        )
        assert response.status_code == 200  # the form again, with the reason
        assert f"Provision {refused} is not one of this agreement&#39;s texts" in html(response)
        assert point_of(db) is None
    response = logged_in.post(
        f"/agreements/{agreement_id}/points/new", data=form_data(linked, provision_ids=["x"])
    )
    assert response.status_code == 200  # the form again, with the reason
    assert "Choose the provisions from the list." in html(response)


def test_a_provision_the_editor_may_not_see_is_neither_offered_nor_taken_nor_dropped(
    app, client, db, linked, make_user
):
    """A Secret revision's provisions are not offered to an editor cleared for less; one
    sent is refused, and a link to one kept when they save the point."""
    cleared = make_user("cleared.editor", role=Role.EDITOR)
    cleared.clearance = 4
    point = point_services.create_point(
        linked["agreement"], subject="Access to airfields", provisions=[linked["art5"]]
    )
    secret = stored_id(MarkingValue(level=3))
    db.session.execute(
        sa.update(Revision).where(Revision.id == linked["draft"]).values(marking_id=secret)
    )
    make_user("desk.officer", role=Role.EDITOR)
    db.session.commit()
    log_in(client, "desk.officer")
    page = html(client.get(f"/points/{point.id}/edit"))
    assert "Article 5" not in page and "Article 1" not in page
    response = client.post(
        f"/points/{point.id}/edit",
        data=form_data(linked, provision_ids=[str(linked["art1"])], **loaded_from(point)),
    )
    assert "is not one of this agreement&#39;s texts that you may see" in html(response)
    response = client.post(
        f"/points/{point.id}/edit", data=form_data(linked, details="More", **loaded_from(point))
    )
    assert response.status_code == 302
    point = point_of(db)
    assert point.details == "More"
    assert linked_ids(point) == {linked["art5"]}  # kept, though they never saw it
    assert "Article 5" not in html(client.get(f"/points/{point.id}"))

    other = app.test_client()
    log_in(other, "cleared.editor", PASSWORD)
    assert MAIN_5 in html(other.get(f"/points/{point.id}"))


def test_the_point_page_and_the_text_page_link_each_other(logged_in, db, linked):
    point = point_services.create_point(
        linked["agreement"], subject="Access to airfields", provisions=[linked["art5"]]
    )
    db.session.commit()
    page = html(logged_in.get(f"/points/{point.id}"))
    assert (
        f'<a href="/texts/revisions/{linked["draft"]}#provision-{linked["art5"]}">{MAIN_5}</a>'
        in page
    )
    text_page = html(logged_in.get(f"/texts/revisions/{linked['draft']}"))
    assert f'<a href="/points/{point.id}">Access to airfields</a>' in text_page
    # Under Article 5, not Article 1.
    assert text_page.index(f'id="provision-{linked["art5"]}"') < text_page.index(
        f'href="/points/{point.id}"'
    )


def test_a_deleted_provision_is_named_so(logged_in, db, linked):
    revision = db.session.get(Revision, linked["draft"])
    text_services.issue(revision, text_services.Issue(issued_on=revision.created_at.date()))
    db.session.flush()
    draft = text_services.start_revision(revision.text, label="Rev.1")
    row = next(r for r in draft.provisions if r.provision_id == linked["art5"])
    text_services.remove_provision(row)
    db.session.commit()
    page = html(logged_in.get(f"/agreements/{linked['agreement'].id}/points/new"))
    assert f"{MAIN_5} (deleted)" in page


def test_a_reader_below_the_points_marking_does_not_see_it_on_the_text(
    app, client, db, linked, make_user
):
    point = point_services.create_point(
        linked["agreement"], subject="Airfield fallback", provisions=[linked["art5"]]
    )
    point.marking_id = stored_id(MarkingValue(level=2))
    make_user("reader", role=Role.VIEWER)
    cleared = make_user("cleared", role=Role.VIEWER)
    cleared.clearance = 2
    db.session.commit()
    log_in(client, "reader")
    page = html(client.get(f"/texts/revisions/{linked['draft']}"))
    assert "Airfield fallback" not in page and f"/points/{point.id}" not in page
    assert client.get(f"/points/{point.id}").status_code == 404
    other = app.test_client()
    log_in(other, "cleared")
    assert "Airfield fallback" in html(other.get(f"/texts/revisions/{linked['draft']}"))
