"""Each form sets and shows a marking; a refused downgrade shows the reason box; the lists
filter by classification."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers import log_in
from tracker.markings.services import MarkingChoice, stored_id, value_of
from tracker.models import (
    ActionItem,
    Agreement,
    AuditRecord,
    MarkingValue,
    Meeting,
    Role,
    utcnow,
)
from tracker.points import services as points

RESTRICTED, CONFIDENTIAL = 1, 2


@pytest.fixture
def india(make_party, db):
    party = make_party("India", "IND")
    db.session.commit()
    return party


@pytest.fixture
def cleared(client, make_user, db, india):
    """An Indian editor cleared for everything, holding every caveat, logged in."""
    user = make_user("cleared.editor", role=Role.EDITOR)
    user.clearance, user.party_id, user.caveats = 4, india.id, "CABINET,LEGAL ADVICE"
    db.session.commit()
    assert log_in(client, user.username).status_code == 302
    return client


@pytest.fixture
def rpss(db, make_agreement, make_party, india):
    agreement = make_agreement(parties=[india, make_party("Japan", "JPN")])
    ids = frozenset(link.party_id for link in agreement.party_links)
    agreement.marking_id = stored_id(MarkingValue(RESTRICTED, ids))
    db.session.commit()
    return agreement


def _agreement_form(**overrides) -> dict:
    data = {
        "title": "Defence Equipment Transfer",
        "category": "logistics",
        "priority": "normal",
        "status": "proposed",
        "status_on": "2024-11-20",
    }
    data.update(overrides)
    return data


def test_the_agreement_form_sets_and_shows_a_marking(cleared, db, make_party, india):
    japan = make_party("Japan", "JPN")
    db.session.commit()
    form = _agreement_form(
        **{
            "marking-level": "2",
            "marking-rel_to": [str(india.id), str(japan.id)],
            "marking-caveats": ["CABINET"],
        }
    )
    response = cleared.post("/agreements/new", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    agreement = db.session.scalars(sa.select(Agreement)).one()
    assert value_of(agreement) == MarkingValue(
        CONFIDENTIAL, frozenset({india.id, japan.id}), frozenset({"CABINET"})
    )
    page = cleared.get(response.headers["Location"]).get_data(as_text=True)
    assert "CONFIDENTIAL // CABINET // REL TO IND, JPN" in page
    edit = cleared.get(f"/agreements/{agreement.id}/edit").get_data(as_text=True)
    assert '<option selected value="2">Confidential</option>' in edit


def test_a_new_point_is_shown_with_its_agreements_marking(cleared, rpss):
    page = cleared.get(f"/agreements/{rpss.id}/points/new").get_data(as_text=True)
    assert '<option selected value="1">Restricted</option>' in page
    assert "RESTRICTED // REL TO IND, JPN" in page  # each position's group, folded


def test_a_point_form_left_as_shown_inherits_and_a_position_can_be_raised(cleared, db, rpss):
    india = rpss.party_links[0].party_id
    rel = [str(p) for p in sorted(value_of(rpss).release_to)]
    response = cleared.post(
        f"/agreements/{rpss.id}/points/new",
        data={
            "subject": "Scope",
            "status": "open",
            f"position_{india}": "Wide",
            f"position_{india}_marking-level": "2",
            f"position_{india}_marking-rel_to": rel,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    point = rpss.points[0]
    assert point.marking_id == rpss.marking_id
    assert value_of(point.positions[0]).level == CONFIDENTIAL


def test_a_lower_marking_is_refused_on_its_field_then_saved_with_a_reason(cleared, db, rpss):
    data = {"description": "Share the draft", "marking-level": "0"}
    refused = cleared.post(f"/agreements/{rpss.id}/actions/new", data=data)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert "An action item cannot be marked lower than its agreement" in page
    assert 'id="marking-level-errors"' in page
    assert 'name="marking-downgrade_reason"' in page  # shown now that it is needed
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ActionItem)) == 0

    data["marking-downgrade_reason"] = "Cleared for release by the JS."
    saved = cleared.post(f"/agreements/{rpss.id}/actions/new", data=data)
    assert saved.status_code == 302
    action = db.session.scalars(sa.select(ActionItem)).one()
    assert value_of(action) == MarkingValue()
    audit = db.session.scalars(
        sa.select(AuditRecord).where(AuditRecord.record_type == "action")
    ).one()
    assert audit.user.username == "cleared.editor"
    assert {"field": "downgrade reason", "old": None, "new": "Cleared for release by the JS."} in (
        audit.changes
    )


def test_the_reason_box_is_hidden_until_needed(cleared, rpss):
    page = cleared.get(f"/agreements/{rpss.id}/actions/new").get_data(as_text=True)
    assert "marking-downgrade_reason" not in page


def test_the_status_change_form_sets_its_marking(cleared, db, rpss):
    rel = [str(p) for p in sorted(value_of(rpss).release_to)]
    response = cleared.post(
        f"/agreements/{rpss.id}/status",
        data={
            "version": str(rpss.version),
            "status": "under_negotiation",
            "effective_on": "2024-12-01",
            "marking-level": "3",
            "marking-rel_to": rel,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert value_of(rpss.status_changes[-1]).level == 3


def test_the_meeting_form_sets_a_marking_and_the_list_filters_by_it(cleared, db):
    base = {
        "start_date": "2024-11-20",
        "start_time": "10:00",
        "timezone": "Asia/Kolkata",
        "level": "ministerial",
    }
    for title, level in (("Open talks", "0"), ("Closed talks", "2")):
        made = cleared.post("/meetings/new", data={**base, "title": title, "marking-level": level})
        assert made.status_code == 302, made.get_data(as_text=True)
    closed = db.session.scalars(sa.select(Meeting).where(Meeting.title == "Closed talks")).one()
    assert value_of(closed).level == CONFIDENTIAL
    listed = cleared.get("/meetings/?classification=Confidential").get_data(as_text=True)
    assert ">Closed talks</a>" in listed and ">Open talks</a>" not in listed
    assert "CONFIDENTIAL" in cleared.get(f"/meetings/{closed.id}").get_data(as_text=True)


def test_the_agreements_list_filters_at_or_above_a_level(cleared, db, rpss, make_agreement):
    make_agreement(title="Open Skies", short_name="OS", parties=[])
    db.session.commit()
    restricted = cleared.get("/agreements/?classification=restricted").get_data(as_text=True)
    assert "Reciprocal Provision" in restricted and "Open Skies" not in restricted
    assert "RESTRICTED // REL TO IND, JPN" in restricted  # the row's badge
    everything = cleared.get("/agreements/?classification=Unclassified").get_data(as_text=True)
    assert "Reciprocal Provision" in everything and "Open Skies" in everything
    secret = cleared.get("/agreements/?classification=Secret").get_data(as_text=True)
    assert "Reciprocal Provision" not in secret
    ignored = cleared.get("/agreements/?classification=nonsense").get_data(as_text=True)
    assert "Open Skies" in ignored


def test_an_edit_left_as_shown_keeps_a_downgraded_marking(cleared, db, rpss):
    point = points.create_point(
        rpss, subject="Scope", marking=MarkingChoice(MarkingValue(), "Public already.")
    )
    db.session.commit()
    form = cleared.get(f"/points/{point.id}/edit").get_data(as_text=True)
    assert '<option selected value="0">Unclassified</option>' in form
    saved = cleared.post(
        f"/points/{point.id}/edit",
        data={
            "version": str(point.version),
            "subject": "Scope of services",
            "status": "open",
            "marking-level": "0",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)
    db.session.refresh(point)
    assert value_of(point) == MarkingValue()


def test_the_release_list_offers_the_parties_not_archived_and_keeps_an_archived_one_chosen(
    cleared, db, rpss, make_party
):
    """The REL TO choices are read once until the data changes: archiving a party takes it
    off them, except where a release list already names it."""
    japan = next(link.party for link in rpss.party_links if link.party.code == "JPN")
    korea = make_party("Korea", "KOR")
    db.session.commit()

    def choices() -> str:
        page = cleared.get(f"/agreements/{rpss.id}/edit").get_data(as_text=True)
        return page.split('name="marking-rel_to"')[1].split("</select>")[0]

    assert f'<option value="{korea.id}">KOR — Korea</option>' in choices()
    japan.archived_at = korea.archived_at = utcnow()
    db.session.commit()
    offered = choices()
    assert f'<option selected value="{japan.id}">JPN — Japan</option>' in offered
    assert f'value="{korea.id}"' not in offered
    new = cleared.get("/agreements/new").get_data(as_text=True)
    assert f'value="{japan.id}">JPN' not in new.split('name="marking-rel_to"')[1]
