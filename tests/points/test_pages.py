"""Adding, editing and deleting negotiation points from the agreement page."""

import pytest
import sqlalchemy as sa

from tests.helpers import PASSWORD, extra_app, loaded_from, log_in
from tracker.models import NegotiationPoint, PartyPosition, PointStatus, Role


def html(response) -> str:
    return response.get_data(as_text=True)


def points(db) -> list[NegotiationPoint]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(NegotiationPoint).order_by(NegotiationPoint.id)))


def positions(db, point) -> dict[int, str]:
    rows = db.session.scalars(sa.select(PartyPosition).where(PartyPosition.point_id == point.id))
    return {row.party_id: row.position for row in rows}


def form_data(talks, **overrides) -> dict:
    data = {
        "subject": "Scope of services",
        "details": "Fuel, rations, transport",
        "status": "open",
        "raised_at_id": "",
        "settled_at_id": "",
        f"position_{talks['india'].id}": "",
        f"position_{talks['japan'].id}": "",
    }
    data.update(overrides)
    return data


def test_new_point_form_offers_the_agreements_meetings_and_parties(
    logged_in, db, talks, make_meeting
):
    make_meeting(title="Unrelated talks")
    db.session.commit()
    page = html(logged_in.get(f"/agreements/{talks['agreement'].id}/points/new"))
    assert "New negotiation point" in page
    assert 'aria-label="Breadcrumb"' in page and "RPSS" in page
    assert page.index("5 Nov 2024 · Second round") < page.index("20 Aug 2024 · First round")
    assert "Unrelated talks" not in page
    assert f'<label class="form-label" for="position_{talks["india"].id}">India</label>' in page
    assert f'<label class="form-label" for="position_{talks["japan"].id}">Japan</label>' in page
    assert '<option selected value="open">Open</option>' in page


def test_add_a_point_with_both_positions(logged_in, db, talks):
    india, japan = talks["india"], talks["japan"]
    data = form_data(
        talks,
        raised_at_id=str(talks["first"].id),
        **{f"position_{india.id}": "Fuel only", f"position_{japan.id}": "All services"},
    )
    response = logged_in.post(f"/agreements/{talks['agreement'].id}/points/new", data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/agreements/{talks['agreement'].id}"
    [point] = points(db)
    assert (point.subject, point.status, point.raised_at_id) == (
        "Scope of services",
        PointStatus.OPEN,
        talks["first"].id,
    )
    assert positions(db, point) == {india.id: "Fuel only", japan.id: "All services"}

    page = html(logged_in.get(response.headers["Location"]))
    assert "Point “Scope of services” added." in page
    assert "Fuel only" in page and "All services" in page
    assert "Raised at First round" in page


def test_empty_positions_are_not_stored(logged_in, db, talks):
    data = form_data(talks, **{f"position_{talks['india'].id}": "   "})
    logged_in.post(f"/agreements/{talks['agreement'].id}/points/new", data=data)
    [point] = points(db)
    assert positions(db, point) == {}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"subject": ""}, "Give the point a subject."),
        ({"subject": "x" * 201}, "Field cannot be longer than 200 characters."),
        ({"status": "agreed-ish"}, "Not a valid choice."),
        ({"settled_at_id": "second"}, "only when it is agreed or dropped"),
        (
            {"status": "agreed", "raised_at_id": "second", "settled_at_id": "first"},
            "before the one it was raised at",
        ),
        ({"raised_at_id": "abc"}, "Not a valid choice."),
    ],
    ids=["missing", "too-long", "bad-status", "settled-while-open", "settled-before", "bad-id"],
)
def test_refused_points_keep_what_was_typed(logged_in, db, talks, overrides, message):
    overrides = dict(overrides)
    for key in ("raised_at_id", "settled_at_id"):
        if overrides.get(key) in ("first", "second"):
            overrides[key] = str(talks[overrides[key]].id)
    data = form_data(talks, details="Kept details", **{f"position_{talks['india'].id}": "Kept"})
    data.update(overrides)
    response = logged_in.post(f"/agreements/{talks['agreement'].id}/points/new", data=data)
    page = html(response)
    assert response.status_code == 200
    assert message in page
    assert "Please correct the fields marked below." in page
    assert "Kept details" in page and "Kept</textarea>" in page
    assert points(db) == []


def test_settled_while_open_is_shown_next_to_the_settled_field(logged_in, talks):
    data = form_data(talks, settled_at_id=str(talks["first"].id))
    page = html(logged_in.post(f"/agreements/{talks['agreement'].id}/points/new", data=data))
    assert 'id="settled_at_id-errors"' in page
    errors = page.split('id="settled_at_id-errors"')[1].split("</div>\n")[0]
    assert "only when it is agreed or dropped" in errors


def make_point(db, talks, **values):
    from tracker.points import services

    point = services.create_point(
        talks["agreement"],
        subject=values.pop("subject", "Reimbursement"),
        positions={talks["india"].id: "In kind", talks["japan"].id: "Cash"},
        **values,
    )
    db.session.commit()
    return point


def test_edit_form_is_prefilled(logged_in, db, talks):
    point = make_point(db, talks, details="Cash or kind", raised_at_id=talks["first"].id)
    page = html(logged_in.get(f"/points/{point.id}/edit"))
    assert "Edit negotiation point" in page
    assert 'value="Reimbursement"' in page
    assert "Cash or kind</textarea>" in page
    assert "In kind</textarea>" in page and "Cash</textarea>" in page
    assert f'<option selected value="{talks["first"].id}">' in page


def test_edit_replaces_and_removes_positions_and_settles(logged_in, db, talks):
    point = make_point(db, talks, raised_at_id=talks["first"].id)
    data = form_data(
        talks,
        subject="Reimbursement",
        status="agreed",
        raised_at_id=str(talks["first"].id),
        settled_at_id=str(talks["second"].id),
        **{f"position_{talks['india'].id}": "Cash after all", f"position_{talks['japan'].id}": ""},
        **loaded_from(point),
    )
    response = logged_in.post(f"/points/{point.id}/edit", data=data)
    assert response.status_code == 302
    [point] = points(db)
    assert point.status == PointStatus.AGREED
    assert point.settled_at_id == talks["second"].id
    assert positions(db, point) == {talks["india"].id: "Cash after all"}


def test_agreement_page_lists_open_points_before_settled_ones(logged_in, db, talks):
    make_point(db, talks, subject="Aardvark clause", status="dropped")
    make_point(db, talks, subject="Zebra clause", status="converging")
    page = html(logged_in.get(f"/agreements/{talks['agreement'].id}"))
    assert page.index("Zebra clause") < page.index("Aardvark clause")
    assert "Add a point" in page
    assert "/edit" in page and f"/points/{points(db)[0].id}/delete" not in page


def test_only_admins_delete_points_for_good(logged_in, app, make_user, db, talks):
    """Editors change a point's status (agreed, dropped); deleting for good is for admins."""
    point = make_point(db, talks)
    assert logged_in.get(f"/points/{point.id}/delete").status_code == 403
    assert logged_in.post(f"/points/{point.id}/delete").status_code == 403
    assert len(points(db)) == 1
    make_user("chief", role=Role.ADMIN)
    admin = app.test_client()
    assert log_in(admin, "chief").status_code == 302
    page = html(admin.get(f"/agreements/{talks['agreement'].id}"))
    assert f"/points/{point.id}/delete" in page


def test_viewers_see_no_buttons_and_get_403(client, make_user, db, talks):
    point = make_point(db, talks)
    make_user("reader", role=Role.VIEWER)
    log_in(client, "reader")
    page = html(client.get(f"/agreements/{talks['agreement'].id}"))
    assert "Reimbursement" in page
    assert "Add a point" not in page and f"/points/{point.id}/edit" not in page
    agreement_id = talks["agreement"].id
    for method, url in [
        ("get", f"/agreements/{agreement_id}/points/new"),
        ("post", f"/agreements/{agreement_id}/points/new"),
        ("get", f"/points/{point.id}/edit"),
        ("post", f"/points/{point.id}/edit"),
        ("get", f"/points/{point.id}/delete"),
        ("post", f"/points/{point.id}/delete"),
    ]:
        assert getattr(client, method)(url, data=form_data(talks)).status_code == 403
    assert len(points(db)) == 1


def test_delete_goes_through_a_confirmation_page(admin, db, talks):
    point = make_point(db, talks)
    page = html(admin.get(f"/points/{point.id}/delete"))
    assert "Delete the point “Reimbursement”?" in page
    assert "2 positions" in page
    assert len(points(db)) == 1
    response = admin.post(f"/points/{point.id}/delete")
    assert response.headers["Location"] == f"/agreements/{talks['agreement'].id}"
    assert points(db) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PartyPosition)) == 0
    assert "Point “Reimbursement” deleted." in html(admin.get(response.headers["Location"]))


@pytest.mark.parametrize(
    "url",
    [
        "/agreements/999/points/new",
        "/points/999/edit",
        "/points/999/delete",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_missing_ids_are_404(admin, talks, url, method):
    assert getattr(admin, method)(url).status_code == 404


def test_points_of_a_deleted_agreement_are_404(admin, db, talks):
    point = make_point(db, talks)
    db.session.delete(talks["agreement"])
    db.session.commit()
    assert admin.get(f"/points/{point.id}/edit").status_code == 404
    assert admin.post(f"/points/{point.id}/delete").status_code == 404


def test_csrf_is_required_when_enabled(database_url, db, make_user, talks):
    point = make_point(db, talks)
    make_user("ann", role=Role.EDITOR)
    agreement_id = talks["agreement"].id
    with extra_app(database_url, WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        page = html(client.get("/login"))
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        data = {"username": "ann", "password": PASSWORD, "csrf_token": token}
        assert client.post("/login", data=data).status_code == 302
        response = client.post(f"/agreements/{agreement_id}/points/new", data=form_data(talks))
        assert response.status_code == 400
        assert client.post(f"/points/{point.id}/delete").status_code == 400
        page = html(client.get(f"/agreements/{agreement_id}/points/new"))
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            f"/agreements/{agreement_id}/points/new",
            data=form_data(talks, subject="With a token", csrf_token=token),
        )
        assert response.status_code == 302
    assert [p.subject for p in points(db)] == ["Reimbursement", "With a token"]
