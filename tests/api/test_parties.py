"""Parties on the API: the same rules as their pages, with ETags, cursors and problems."""

from unittest.mock import ANY

import pytest

from tracker.models import Party, Role


def test_an_editor_creates_changes_and_reads_a_party(api, db):
    made = api.post("/api/v1/parties/", json={"name": "India", "kind": "state", "code": "IND"})
    assert made.status_code == 201, made.json
    url = made.headers["Location"]
    assert made.json["url"] == url and made.headers["ETag"] == '"v1"'

    changed = api.patch(url, json={"name": "Republic of India"}, headers={"If-Match": '"v1"'})
    assert changed.status_code == 200, changed.json
    assert changed.json["name"] == "Republic of India" and changed.json["code"] == "IND"
    assert changed.headers["ETag"] == '"v2"'
    assert db.session.get(Party, made.json["id"]).name == "Republic of India"


def test_a_change_without_or_with_a_stale_if_match_is_refused_and_loses_nothing(api, db):
    url = api.post(
        "/api/v1/parties/", json={"name": "Japan", "kind": "state", "code": "JPN"}
    ).headers["Location"]
    without = api.patch(url, json={"name": "Nippon"})
    assert without.status_code == 428
    assert without.mimetype == "application/problem+json"
    assert (
        api.patch(url, json={"name": "Japan (1)"}, headers={"If-Match": '"v1"'}).status_code == 200
    )
    stale = api.patch(url, json={"name": "Nippon"}, headers={"If-Match": '"v1"'})
    assert stale.status_code == 412 and stale.json["current"] == url
    assert api.get(url).json["name"] == "Japan (1)"


def test_refused_input_gets_a_problem_with_messages_by_field(api):
    response = api.post("/api/v1/parties/", json={"name": "", "kind": "planet", "colour": "blue"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert problem["status"] == 422 and problem["title"].startswith("Unprocessable")
    fields = problem["errors"]["json"]
    assert {"name", "kind", "colour"} <= fields.keys()


def test_a_broken_rule_names_its_field(api, make_party, db):
    make_party("India", "IND")
    db.session.commit()
    response = api.post("/api/v1/parties/", json={"name": "India", "kind": "state", "code": "NPL"})
    assert response.status_code == 422
    assert "name" in response.json["errors"]["json"]


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewer_and_a_read_only_token_read_but_never_write(api_as, read_only):
    caller = api_as(Role.VIEWER if not read_only else Role.ADMIN, read_only=read_only)
    assert caller.get("/api/v1/parties/").status_code == 200
    refused = caller.post("/api/v1/parties/", json={"name": "India", "kind": "state"})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def test_text_is_taken_as_the_forms_take_it(api, db):
    blank = api.post("/api/v1/parties/", json={"name": " \f\t", "kind": "grouping"})
    assert blank.status_code == 422 and "name" in blank.json["errors"]["json"]
    made = api.post("/api/v1/parties/", json={"name": " Quad\u0011 ", "kind": "grouping"})
    assert made.status_code == 201 and made.json["name"] == "Quad"
    assert db.session.query(Party).count() == 1


def test_a_nul_character_is_refused_by_field_never_stored(api, db):
    response = api.post("/api/v1/parties/", json={"name": "In\x00dia", "kind": "state"})
    assert response.status_code == 422
    assert response.json["errors"] == {"json": {"name": [ANY]}}
    listed = api.get("/api/v1/parties/?q=In%00")
    assert listed.status_code == 422 and "q" in listed.json["errors"]["query"]
    assert db.session.query(Party).count() == 0


def test_a_misspelt_query_argument_is_refused_by_name_not_ignored(api):
    response = api.get("/api/v1/parties/?archivd=true")
    assert response.status_code == 422
    assert response.json["errors"]["query"] == {"archivd": ["Unknown field."]}
