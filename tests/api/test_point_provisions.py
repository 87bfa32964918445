"""A negotiation point's provisions on the API: read with their names, written as ids,
guarded by If-Match like the point's other fields, refused when foreign or malformed."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.meetings.conftest import make_meeting  # noqa: F401
from tests.points.conftest import talks  # noqa: F401
from tests.points.test_provisions import MAIN_5, linked  # noqa: F401
from tracker.models import NegotiationPoint
from tracker.points import services as point_services


def test_the_api_reads_and_writes_a_points_provisions(api, db, linked):  # noqa: F811
    made = api.post(
        "/api/v1/points/",
        json={
            "agreement_id": linked["agreement"].id,
            "subject": "Access to airfields",
            "provisions": [linked["art5"]],
        },
    )
    assert made.status_code == 201, made.json
    assert made.json["provisions"] == [
        {"id": linked["art5"], "label": MAIN_5, "revision_id": linked["draft"]}
    ]
    url, etag = made.json["url"], made.headers["ETag"]
    body = {"provisions": [linked["art1"], *made.json["provisions"]]}
    assert api.patch(url, json=body).status_code == 428
    changed = api.patch(url, json=body, headers={"If-Match": etag})
    assert changed.status_code == 200, changed.json
    assert [p["id"] for p in changed.json["provisions"]] == [linked["art1"], linked["art5"]]
    assert changed.headers["ETag"] != etag
    assert api.patch(url, json=body, headers={"If-Match": etag}).status_code == 412
    # Fields sent without provisions leave them as they are.
    etag = changed.headers["ETag"]
    renamed = api.patch(url, json={"subject": "Airfields"}, headers={"If-Match": etag})
    assert [p["id"] for p in renamed.json["provisions"]] == [linked["art1"], linked["art5"]]
    listed = api.get(f"/api/v1/points/?agreement={linked['agreement'].id}")
    assert listed.json["items"][0]["provisions"] == renamed.json["provisions"]


@pytest.mark.parametrize(
    "sent",
    [["foreign"], [0], ["1"], [True], [{"id": 1, "colour": "red"}], [{"label": "x"}]],
)
def test_the_api_refuses_a_provision_it_should_not_take(api, db, linked, sent):  # noqa: F811
    sent = [linked["foreign"] if value == "foreign" else value for value in sent]
    refused = api.post(
        "/api/v1/points/",
        json={"agreement_id": linked["agreement"].id, "subject": "Scope", "provisions": sent},
    )
    assert refused.status_code == 422, refused.json
    assert "provisions" in refused.json["errors"]["json"]
    assert db.session.scalar(sa.select(sa.func.count(NegotiationPoint.id))) == 0


def test_the_openapi_description_says_how_provisions_are_sent_and_read(api):
    spec = api.get("/api/v1/openapi.json").json
    field = spec["components"]["schemas"]["Point"]["properties"]["provisions"]
    assert field["type"] == "array" and field["maxItems"] == point_services.MAX_PROVISIONS
    kinds = [option["type"] for option in field["items"]["oneOf"]]
    assert kinds == ["integer", "object"]
