"""People on the API: the same rules as their pages, with ETags, cursors and problems."""

import pytest

from tests.test_query_counts import counting
from tracker.models import ActionItem, Person, Role


@pytest.fixture
def india(make_party, db):
    party = make_party("India", "IND")
    db.session.commit()
    return party


def test_an_editor_adds_changes_and_reads_a_person(api, india, make_party, db):
    made = api.post(
        "/api/v1/people/",
        json={"name": " Rajnath Singh ", "position": "Defence Minister", "party_id": india.id},
    )
    assert made.status_code == 201, made.json
    url = made.headers["Location"]
    assert made.json["url"] == url and made.headers["ETag"] == '"v1"'
    assert made.json["name"] == "Rajnath Singh" and made.json["archived"] is False

    japan = make_party("Japan", "JPN")
    db.session.commit()
    changed = api.patch(url, json={"party_id": japan.id}, headers={"If-Match": '"v1"'})
    assert changed.status_code == 200, changed.json
    assert changed.json["party_id"] == japan.id
    assert changed.json["position"] == "Defence Minister"
    assert changed.headers["ETag"] == '"v2"'
    person = db.session.get(Person, made.json["id"])
    assert (person.name, person.party_id) == ("Rajnath Singh", japan.id)
    read = api.get(url)
    assert read.json == changed.json and read.headers["ETag"] == '"v2"'


def test_a_change_without_or_with_a_stale_if_match_is_refused_and_loses_nothing(api, india):
    url = api.post("/api/v1/people/", json={"name": "Singh", "party_id": india.id}).headers[
        "Location"
    ]
    without = api.patch(url, json={"name": "R. Singh"})
    assert without.status_code == 428 and without.mimetype == "application/problem+json"
    changed = api.patch(url, json={"position": "Minister"}, headers={"If-Match": '"v1"'})
    assert changed.status_code == 200
    stale = api.patch(url, json={"name": "R. Singh"}, headers={"If-Match": '"v1"'})
    assert stale.status_code == 412 and stale.json["current"] == url
    assert api.get(url).json | {"version": None} == {
        "id": int(url.rsplit("/", 1)[1]),
        "name": "Singh",
        "position": "Minister",
        "party_id": india.id,
        "archived": False,
        "version": None,
        "url": url,
    }


def test_refused_input_gets_a_problem_with_messages_by_field(api, india):
    response = api.post(
        "/api/v1/people/",
        json={"name": "", "position": "x" * 201, "party_id": 2**31, "mood": "calm"},
    )
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert {"name", "position", "party_id", "mood"} <= response.json["errors"]["json"].keys()
    nul = api.post("/api/v1/people/", json={"name": "Sin\x00gh", "party_id": india.id})
    assert nul.status_code == 422 and "name" in nul.json["errors"]["json"]


@pytest.mark.parametrize("name", ["   ", "Singh"])
def test_a_broken_rule_names_its_field(api, india, db, name):
    """A blank name, or a party that does not exist or is archived."""
    archived = api.post("/api/v1/parties/", json={"name": "Old grouping", "kind": "grouping"}).json
    api.post(archived["url"] + "/archive")
    party_id = india.id if name.strip() == "" else archived["id"]
    response = api.post("/api/v1/people/", json={"name": name, "party_id": party_id})
    assert response.status_code == 422
    field = "name" if name.strip() == "" else "party_id"
    assert list(response.json["errors"]["json"]) == [field]
    missing = api.post("/api/v1/people/", json={"name": "Singh", "party_id": 999_999})
    assert list(missing.json["errors"]["json"]) == ["party_id"]
    assert db.session.query(Person).count() == 0


def test_an_unknown_person_is_a_404_problem(api):
    response = api.get("/api/v1/people/999999")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    assert api.patch("/api/v1/people/999999", json={}).status_code == 404


def test_archive_restore_and_the_archived_list(api, api_as, india):
    person = api.post("/api/v1/people/", json={"name": "Singh", "party_id": india.id}).json
    archived = api.post(person["url"] + "/archive")
    assert archived.status_code == 200 and archived.json["archived"] is True
    assert api.get("/api/v1/people/").json["items"] == []
    assert [p["id"] for p in api.get("/api/v1/people/?archived=true").json["items"]] == [
        person["id"]
    ]
    assert api.post(person["url"] + "/restore").status_code == 403
    restored = api_as(Role.ADMIN).post(person["url"] + "/restore")
    assert restored.status_code == 200 and restored.json["archived"] is False


def test_an_admin_deletes_a_person_nothing_refers_to(api_as, api, india, make_agreement, db):
    admin = api_as(Role.ADMIN)
    free = api.post("/api/v1/people/", json={"name": "Free", "party_id": india.id}).json
    owner = api.post("/api/v1/people/", json={"name": "Owner", "party_id": india.id}).json
    agreement = make_agreement(parties=[india])
    db.session.add(ActionItem(agreement=agreement, description="Draft", owner_id=owner["id"]))
    db.session.commit()

    assert api.delete(free["url"], headers={"If-Match": '"v1"'}).status_code == 403
    assert admin.delete(free["url"]).status_code == 428
    assert admin.delete(free["url"], headers={"If-Match": '"v0"'}).status_code == 412
    assert admin.delete(free["url"], headers={"If-Match": '"v1"'}).status_code == 204
    assert db.session.get(Person, free["id"]) is None

    refused = admin.delete(owner["url"], headers={"If-Match": '"v1"'})
    assert refused.status_code == 422 and "archive" in refused.json["detail"].lower()
    assert db.session.get(Person, owner["id"]) is not None


@pytest.mark.parametrize("read_only", [False, True])
def test_a_viewer_and_a_read_only_token_read_but_never_write(api_as, india, read_only):
    caller = api_as(Role.VIEWER if not read_only else Role.ADMIN, read_only=read_only)
    assert caller.get("/api/v1/people/").status_code == 200
    refused = caller.post("/api/v1/people/", json={"name": "Singh", "party_id": india.id})
    assert refused.status_code == 403 and refused.mimetype == "application/problem+json"


def _people(db, party, count: int, name: str = "Person") -> None:
    db.session.add_all(
        Person(name=f"{name} {n:03d}", position="Negotiator", party=party) for n in range(count)
    )
    db.session.commit()


def test_the_list_pages_by_cursor_and_filters(api, india, make_party, db):
    japan = make_party("Japan", "JPN")
    _people(db, india, 5)
    _people(db, japan, 2, name="Nakatani")
    first = api.get(f"/api/v1/people/?limit=2&party={india.id}")
    assert first.status_code == 200
    names = [p["name"] for p in first.json["items"]]
    url = first.headers["Link"].split(">")[0].lstrip("<")
    assert first.json["next"] in url and f"party={india.id}" in url
    # A person added before where the cursor stands does not shift the pages.
    _people(db, india, 1, name="Aaron")
    while url:
        following = api.get(url)
        assert following.status_code == 200
        names += [p["name"] for p in following.json["items"]]
        url = following.json["next"] and following.headers["Link"].split(">")[0].lstrip("<")
    assert names == [f"Person {n:03d}" for n in range(5)]
    assert [p["name"] for p in api.get("/api/v1/people/?q=nakat").json["items"]] == [
        "Nakatani 000",
        "Nakatani 001",
    ]
    other = api.get(f"/api/v1/people/?archived=true&cursor={first.json['next']}")
    assert other.status_code == 400
    assert api.get("/api/v1/people/?cursor=made-up").status_code == 400
    assert api.get("/api/v1/people/?q=a%00b").status_code == 422


def test_a_list_page_costs_the_same_queries_whatever_the_data(api, india, db):
    def queries() -> int:
        db.session.expire_all()
        with counting(db) as statements:
            assert api.get("/api/v1/people/?limit=100").status_code == 200
        return len(statements)

    _people(db, india, 3)
    api.get("/api/v1/people/")  # the token's first use of the minute is noted: not a list's cost
    few = queries()
    _people(db, india, 60, name="More")
    assert queries() == few
    assert few <= 6
