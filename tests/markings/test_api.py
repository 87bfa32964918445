"""Markings on the API: the marking object, a round trip, refusals by field, the filter."""

from __future__ import annotations

import pytest

from tracker.markings.services import stored_id, value_of
from tracker.models import MarkingValue, NegotiationPoint


@pytest.fixture
def india(make_party, db):
    party = make_party("India", "IND")
    db.session.commit()
    return party


@pytest.fixture
def cleared_api(api, db, india):
    """An Indian editor's caller, cleared for everything and holding every caveat."""
    api.user.clearance, api.user.party_id, api.user.caveats = 4, india.id, "CABINET"
    db.session.commit()
    return api


def test_a_marking_round_trips_through_the_api(cleared_api, db, make_party, india):
    japan = make_party("Japan", "JPN")
    db.session.commit()
    made = cleared_api.post(
        "/api/v1/agreements/",
        json={
            "title": "Reciprocal Provision",
            "category": "logistics",
            "parties": [{"party": india.id}, {"party": japan.id}],
            "marking": {
                "level": "Restricted",
                "rel_to": ["IND", "jpn"],
                "caveats": ["CABINET"],
                "declassify_on": "2040-01-01",
                "downgrade_to": "Unclassified",
            },
        },
    )
    assert made.status_code == 201, made.json
    assert made.json["marking"] == {
        "level": "Restricted",
        "rel_to": ["IND", "JPN"],
        "caveats": ["CABINET"],
        "declassify_on": "2040-01-01",
        "downgrade_to": "Unclassified",
        "text": "RESTRICTED // CABINET // REL TO IND, JPN (declassify on 01 Jan 2040 to "
        "UNCLASSIFIED)",
    }
    again = cleared_api.get(made.headers["Location"])
    assert again.json["marking"] == made.json["marking"]

    point = cleared_api.post(
        "/api/v1/points/",
        json={
            "agreement_id": made.json["id"],
            "subject": "Scope",
            "positions": [{"party_id": japan.id, "position": "Narrow"}],
        },
    )
    assert point.status_code == 201, point.json
    assert point.json["marking"]["text"].startswith("RESTRICTED // CABINET // REL TO IND, JPN")
    assert point.json["positions"][0]["marking"] == point.json["marking"]


@pytest.mark.parametrize(
    ("marking", "field"),
    [
        ({"level": "Cosmic"}, "level"),
        ({"level": "Restricted", "rel_to": ["XXX"]}, "rel_to"),
        ({"level": "Restricted", "caveats": ["EYES ONLY"]}, "caveats"),
        ({"level": "Restricted", "colour": "red"}, "colour"),
    ],
)
def test_unknown_values_are_refused_by_field(cleared_api, marking, field):
    refused = cleared_api.post(
        "/api/v1/agreements/",
        json={"title": "X", "category": "logistics", "marking": marking},
    )
    assert refused.status_code == 422
    assert field in refused.json["errors"]["json"]["marking"]


def test_a_refused_downgrade_names_its_field_and_a_reason_saves_it(cleared_api, db, make_agreement):
    agreement = make_agreement(parties=[])
    agreement.marking_id = stored_id(MarkingValue(2))
    db.session.commit()
    body = {"agreement_id": agreement.id, "subject": "Scope", "marking": {"level": "Restricted"}}
    refused = cleared_api.post("/api/v1/points/", json=body)
    assert refused.status_code == 422
    assert "lower than its agreement" in refused.json["errors"]["json"]["marking"]["level"][0]
    body["marking"]["downgrade_reason"] = "Shared with the working group."
    saved = cleared_api.post("/api/v1/points/", json=body)
    assert saved.status_code == 201, saved.json
    assert "downgrade_reason" not in saved.json["marking"]
    assert value_of(db.session.get(NegotiationPoint, saved.json["id"])).level == 1


def test_the_lists_filter_by_classification(cleared_api, db, make_agreement):
    secret = make_agreement(parties=[])
    secret.marking_id = stored_id(MarkingValue(3))
    make_agreement(title="Open Skies", short_name="OS", parties=[])
    db.session.commit()
    listed = cleared_api.get("/api/v1/agreements/?classification=Confidential")
    assert [row["title"] for row in listed.json["items"]] == [secret.title]
    assert listed.json["items"][0]["marking"]["level"] == "Secret"
    for resource in ("agreements", "meetings", "points", "actions"):
        refused = cleared_api.get(f"/api/v1/{resource}/?classification=Cosmic")
        assert refused.status_code == 422, resource
