"""Negotiating texts on the API: the round trip of a text through its revisions, If-Match on
every change, two editors on one provision, refusals by field, roles, and what a reader
without clearance (or without the internal layer) never sees."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from tests.test_query_counts import counting
from tracker.markings.services import stored_id
from tracker.models import Alternative, MarkingValue, ProvisionRevision, Revision, Role

ARTICLE_1 = {
    "label": "Article 1",
    "kind": "article",
    "heading": "Purpose",
    "status": "open",
    "depth": 0,
    "segments": [
        {"text": "The Parties shall provide supplies ", "alternatives": [], "won": None},
        {
            "text": "",
            "alternatives": [
                {
                    "key": None,
                    "label": "Option 1",
                    "wording": "and services",
                    "proposed_by": ["JPN"],
                    "supported_by": [],
                    "opposed_by": ["IND"],
                    "notes": [{"kind": "footnote", "body": "As in 2019.", "party": None}],
                },
                {
                    "key": None,
                    "label": "Option 2",
                    "wording": "",
                    "proposed_by": ["IND"],
                    "supported_by": [],
                    "opposed_by": [],
                    "notes": [],
                },
            ],
            "won": None,
        },
        {"text": ".", "alternatives": [], "won": None},
    ],
    "notes": [{"kind": "reservation", "body": "India reserves.", "party": "IND"}],
}
SECRET_NOTE = "Fall back to supplies only if Japan insists"


@pytest.fixture
def agreement(make_agreement, db):
    agreement = make_agreement()
    db.session.commit()
    return agreement


def read_only(provision: dict) -> dict:
    """What a provision's answer says that is only read, left out: what was sent."""
    sent = {k: v for k, v in provision.items() if k not in ("id", "key", "version", "url")}
    sent["segments"] = [
        {
            **segment,
            "alternatives": [
                {k: v for k, v in a.items() if k != "marking"} for a in segment["alternatives"]
            ],
        }
        for segment in provision["segments"]
    ]
    return sent


def new_text(api, agreement, **values) -> dict:
    made = api.post(
        f"/api/v1/agreements/{agreement.id}/texts",
        json={"title": "Main text", "first_label": "Japan's draft", **values},
    )
    assert made.status_code == 201, made.json
    return made.json


def add(api, revision_url: str, body: dict):
    return api.post(f"{revision_url}/provisions", json=body)


@pytest.fixture
def draft(api, agreement):
    """A text with one draft holding Article 1 (a bracket of two options): its URLs."""
    text = new_text(api, agreement)
    revision = text["revisions"][0]["url"]
    added = add(api, revision, ARTICLE_1)
    assert added.status_code == 201, added.json
    return {"text": text, "revision": revision, "provision": added.json}


def test_a_text_round_trips_through_its_revisions(api, agreement, draft, db):
    text, revision, provision = draft["text"], draft["revision"], draft["provision"]
    assert text["kind"] == "main" and text["standing"] is None
    assert [r["label"] for r in text["revisions"]] == ["Japan's draft"]
    # What is read is what was sent (with the keys the store gave it).
    assert provision["key"] and provision["version"] == 1
    assert read_only(provision) == {
        **ARTICLE_1,
        "segments": [
            ARTICLE_1["segments"][0],
            {
                **ARTICLE_1["segments"][1],
                "alternatives": [
                    {**a, "key": got["key"]}
                    for a, got in zip(
                        ARTICLE_1["segments"][1]["alternatives"],
                        provision["segments"][1]["alternatives"],
                        strict=True,
                    )
                ],
            },
            ARTICLE_1["segments"][2],
        ],
    }
    listed = api.get(f"/api/v1/agreements/{agreement.id}/texts")
    assert listed.status_code == 200 and [t["id"] for t in listed.json["items"]] == [text["id"]]

    # A second article, then the first reworded: GET gives back exactly what was PUT.
    second = add(api, revision, {"label": "Article 2", "segments": [{"text": "Definitions."}]})
    assert second.status_code == 201, second.json
    changed = read_only(provision)
    changed["segments"][1]["alternatives"][0]["wording"] = "and related services"
    changed["segments"][1]["alternatives"].append(
        {"key": None, "label": "Option 3", "wording": "and logistics", "proposed_by": ["IND"]}
    )
    put = api.put(provision["url"], json=changed, headers={"If-Match": '"v1"'})
    assert put.status_code == 200, put.json
    assert put.headers["ETag"] == '"v2"' and put.json["version"] == 2
    first, second_key, third = (a["key"] for a in put.json["segments"][1]["alternatives"])
    old_keys = [a["key"] for a in provision["segments"][1]["alternatives"]]
    assert [first, second_key] == old_keys and third not in old_keys  # proposals kept
    got = api.get(provision["url"])
    assert got.json == put.json and got.headers["ETag"] == '"v2"'
    assert read_only(got.json)["segments"][1]["alternatives"][0]["wording"] == (
        "and related services"
    )
    whole = api.get(revision)
    assert [p["label"] for p in whole.json["provisions"]] == ["Article 1", "Article 2"]
    assert whole.json["provisions"][0] == got.json and whole.json["open_brackets"] == 1
    assert whole.json["parties"] == {"IND": "India", "JPN": "Japan"}

    # Clean the bracket: Option 1 won.
    cleaned = api.post(
        f"{provision['url']}/clean",
        json={"segment": 1, "proposal": first},
        headers={"If-Match": '"v2"'},
    )
    assert cleaned.status_code == 200, cleaned.json
    assert cleaned.json["segments"][1] == {
        "text": "and related services",
        "alternatives": [],
        "won": first,
    }

    # Issue it: frozen from then on.
    revision_etag = whole.headers["ETag"]
    issued = api.post(
        f"{revision}/issue",
        json={"issued_on": "2024-11-20", "issued_by": "party", "issuing_party": "jpn"},
        headers={"If-Match": revision_etag},
    )
    assert issued.status_code == 200, issued.json
    assert issued.json["issued"] and issued.json["issuing_party"] == "JPN"
    frozen = api.put(provision["url"], json=read_only(cleaned.json), headers={"If-Match": '"v3"'})
    assert frozen.status_code == 422
    assert "frozen" in frozen.json["errors"]["json"]["_schema"][0]
    # The text says which revision stood when.
    text_url = text["url"]
    assert api.get(f"{text_url}?on=2024-11-19").json["standing"] is None
    assert api.get(f"{text_url}?on=2024-11-20").json["standing"]["label"] == "Japan's draft"

    # A new draft copies it: the same provisions and proposals.
    started = api.post(f"{text_url}/revisions", json={"label": "Rev.1"})
    assert started.status_code == 201, started.json
    assert started.headers["Location"] == started.json["url"]
    assert started.json["based_on_id"] == issued.json["id"] and not started.json["issued"]
    old = api.get(revision).json["provisions"]
    new = started.json["provisions"]
    assert [p["key"] for p in new] == [p["key"] for p in old]
    assert [read_only(p) for p in new] == [read_only(p) for p in old]
    assert {p["id"] for p in new}.isdisjoint({p["id"] for p in old})
    # Removing a provision its base had keeps it, marked deleted.
    gone = api.delete(new[1]["url"], headers={"If-Match": f'"v{new[1]["version"]}"'})
    assert gone.status_code == 204
    assert api.get(new[1]["url"]).json["status"] == "deleted"
    # A draft is deleted with its ETag; an issued revision is not.
    assert api.delete(started.json["url"]).status_code == 428
    deleted = api.delete(started.json["url"], headers={"If-Match": started.headers["ETag"]})
    assert deleted.status_code == 204
    refused = api.delete(revision, headers={"If-Match": issued.headers["ETag"]})
    assert refused.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1


def test_a_change_needs_the_current_etag(api, draft):
    url = draft["provision"]["url"]
    body = read_only(draft["provision"])
    assert api.put(url, json=body).status_code == 428
    assert api.put(url, json=body, headers={"If-Match": "*"}).status_code == 428
    stale = api.put(url, json=body, headers={"If-Match": '"v7"'})
    assert stale.status_code == 412 and stale.json["current"] == url
    assert api.post(f"{url}/clean", json={"segment": 1, "proposal": 1}).status_code == 428
    assert api.delete(url).status_code == 428
    issue = api.post(f"{draft['revision']}/issue", json={"issued_on": "2024-11-20"})
    assert issue.status_code == 428


def test_two_editors_on_one_provision_never_lose_each_others_work(api, api_as, draft, db):
    other = api_as(Role.EDITOR)
    url = draft["provision"]["url"]
    mine, theirs = api.get(url), other.get(url)
    assert mine.headers["ETag"] == theirs.headers["ETag"] == '"v1"'
    first = read_only(mine.json)
    first["heading"] = "Purpose and scope"
    assert api.put(url, json=first, headers={"If-Match": mine.headers["ETag"]}).status_code == 200
    second = read_only(theirs.json)
    second["status"] = "agreed"
    late = other.put(url, json=second, headers={"If-Match": theirs.headers["ETag"]})
    assert late.status_code == 412 and late.json["current"] == url
    # Nothing of the first change was lost; the second, made again on it, keeps both.
    again = other.get(url)
    assert again.json["heading"] == "Purpose and scope" and again.json["status"] == "open"
    second = read_only(again.json)
    second["status"] = "agreed"
    saved = other.put(url, json=second, headers={"If-Match": again.headers["ETag"]})
    assert saved.status_code == 200
    assert (saved.json["heading"], saved.json["status"]) == ("Purpose and scope", "agreed")


def test_bad_bodies_are_refused_by_field(api, draft, agreement):
    url, revision = draft["provision"]["url"], draft["revision"]
    etag = {"If-Match": '"v1"'}
    body = read_only(draft["provision"])

    unknown_party = json.loads(json.dumps(body))
    unknown_party["segments"][1]["alternatives"][1]["proposed_by"] = ["XYZ"]
    refused = api.put(url, json=unknown_party, headers=etag)
    assert refused.status_code == 422
    where = refused.json["errors"]["json"]["segments"]["1"]["alternatives"]["1"]
    assert where == ["No party with the code or name 'XYZ'."]

    # An alternative of another provision (its key) is not this one's proposal.
    other = add(
        api,
        revision,
        {"label": "Article 2", "segments": [{"alternatives": [{"wording": "x"}]}]},
    ).json
    foreign = json.loads(json.dumps(body))
    foreign["segments"][1]["alternatives"][0]["key"] = other["segments"][0]["alternatives"][0][
        "key"
    ]
    refused = api.put(url, json=foreign, headers=etag)
    assert refused.status_code == 422
    assert refused.json["errors"]["json"]["segments"]["1"]["alternatives"]["0"] == [
        "This alternative belongs to another provision."
    ]

    # The schema's own refusals, by field.
    cases = [
        ({**body, "label": "  "}, ["label"]),
        ({**body, "status": "nearly"}, ["status"]),
        ({**body, "depth": 4}, ["depth"]),
        ({**body, "colour": "red"}, ["colour"]),
        ({**body, "segments": [{"text": "x", "alternatives": [{"wording": "y"}]}]}, ["segments"]),
    ]
    for sent, fields in cases:
        refused = api.put(url, json=sent, headers=etag)
        assert refused.status_code == 422, sent
        assert list(refused.json["errors"]["json"]) == fields
    # Cleaning: a bracket that is not there, an alternative that is not in it.
    refused = api.post(f"{url}/clean", json={"segment": 0, "proposal": 1}, headers=etag)
    assert refused.status_code == 422 and "segment" in refused.json["errors"]["json"]
    refused = api.post(f"{url}/clean", json={"segment": 1, "proposal": 10**6}, headers=etag)
    assert refused.status_code == 422 and "proposal" in refused.json["errors"]["json"]
    # Issuing: an unknown party, a party issuer without its party.
    revision_etag = {"If-Match": api.get(revision).headers["ETag"]}
    refused = api.post(
        f"{revision}/issue",
        json={"issued_on": "2024-11-20", "issued_by": "party", "issuing_party": "XYZ"},
        headers=revision_etag,
    )
    assert refused.status_code == 422 and "issuing_party" in refused.json["errors"]["json"]
    refused = api.post(
        f"{revision}/issue",
        json={"issued_on": "2024-11-20", "issued_by": "party"},
        headers=revision_etag,
    )
    assert refused.status_code == 422 and "issuing_party" in refused.json["errors"]["json"]
    # A second draft, a duplicate title.
    refused = api.post(f"{draft['text']['url']}/revisions", json={"label": "Rev.1"})
    assert refused.status_code == 422 and "label" in refused.json["errors"]["json"]
    refused = api.post(f"/api/v1/agreements/{agreement.id}/texts", json={"title": "Main text"})
    assert refused.status_code == 422 and "title" in refused.json["errors"]["json"]
    # Nothing of it was saved.
    assert api.get(url).json == draft["provision"]


def test_a_viewer_reads_but_cannot_write(api_as, draft, agreement):
    viewer = api_as(Role.VIEWER)
    url = draft["provision"]["url"]
    assert viewer.get(draft["revision"]).status_code == 200
    assert viewer.get(url).status_code == 200
    body = read_only(draft["provision"])
    assert viewer.put(url, json=body, headers={"If-Match": '"v1"'}).status_code == 403
    assert viewer.post(f"{draft['revision']}/provisions", json=body).status_code == 403
    assert viewer.post(f"/api/v1/agreements/{agreement.id}/texts", json={}).status_code == 403
    # Our side's staff, viewers too, read the internal layer their clearance allows.
    assert viewer.get(f"{draft['revision']}?internal=true").status_code == 200
    assert viewer.get(f"{draft['text']['url']}/internal-notes").status_code == 200


def test_the_internal_layer_only_when_asked_for(api, draft):
    text = draft["text"]
    key = draft["provision"]["key"]
    made = api.post(
        f"{text['url']}/internal-notes",
        json={"kind": "fallback", "body": SECRET_NOTE, "provision_key": key},
    )
    assert made.status_code == 201, made.json
    assert made.json["provision_key"] == key and made.json["kind"] == "fallback"
    shared = api.get(draft["revision"])
    assert SECRET_NOTE not in shared.get_data(as_text=True)
    assert "internal_notes" not in shared.json
    internal = api.get(f"{draft['revision']}?internal=true")
    assert [n["body"] for n in internal.json["internal_notes"]] == [SECRET_NOTE]
    listed = api.get(f"{text['url']}/internal-notes")
    assert [n["id"] for n in listed.json["items"]] == [made.json["id"]]
    refused = api.post(f"{text['url']}/internal-notes", json={"body": "x", "provision_key": 10**6})
    assert refused.status_code == 422 and "provision_key" in refused.json["errors"]["json"]
    assert api.delete(made.json["url"]).status_code == 428
    gone = api.delete(made.json["url"], headers={"If-Match": made.headers["ETag"]})
    assert gone.status_code == 204
    assert api.get(made.json["url"]).status_code == 404


def test_a_reader_without_clearance_sees_no_marked_part(api, api_as, draft, db):
    """A Secret alternative is not in an uncleared reader's answer; a Secret revision is a
    404 for them, and so is everything in it."""
    secret = stored_id(MarkingValue(3))
    hidden_key = draft["provision"]["segments"][1]["alternatives"][1]["key"]
    db.session.execute(
        sa.update(Alternative)
        .where(Alternative.proposal_id == hidden_key)
        .values(marking_id=secret)
    )
    db.session.commit()
    api.user.clearance = 4
    db.session.commit()
    cleared = api.get(draft["provision"]["url"])
    alternatives = cleared.json["segments"][1]["alternatives"]
    assert [a["key"] for a in alternatives][1] == hidden_key
    assert alternatives[1]["marking"]["level"] == "Secret"
    assert cleared.headers["X-Classification"].startswith("SECRET")

    reader = api_as(Role.VIEWER)  # cleared for nothing above Unclassified
    seen = reader.get(draft["revision"])
    assert seen.status_code == 200
    assert hidden_key not in [
        a["key"] for a in seen.json["provisions"][0]["segments"][1]["alternatives"]
    ]
    assert "SECRET" not in seen.headers["X-Classification"]
    # An editor who does not see the Secret alternative cannot drop it unseen by saving,
    # cleaning or removing the provision.
    editor = api_as(Role.EDITOR)
    partial = editor.get(draft["provision"]["url"])
    body, etag = read_only(partial.json), {"If-Match": partial.headers["ETag"]}
    body["heading"] = "Changed"
    for refused in (
        editor.put(draft["provision"]["url"], json=body, headers=etag),
        editor.post(
            f"{draft['provision']['url']}/clean", json={"segment": 1, "proposal": 1}, headers=etag
        ),
        editor.delete(draft["provision"]["url"], headers=etag),
    ):
        assert refused.status_code == 422, refused.json
    refused = editor.put(draft["provision"]["url"], json=body, headers=etag)
    assert "marked above what you may read" in refused.json["errors"]["json"]["_schema"][0]
    assert db.session.scalar(
        sa.select(sa.func.count()).where(Alternative.proposal_id == hidden_key)
    )

    db.session.execute(
        sa.update(Revision).where(Revision.text_id == draft["text"]["id"]).values(marking_id=secret)
    )
    db.session.commit()
    assert reader.get(draft["revision"]).status_code == 404
    assert reader.get(draft["provision"]["url"]).status_code == 404
    assert reader.get(draft["text"]["url"]).json["revisions"] == []
    row = db.session.get(ProvisionRevision, draft["provision"]["id"])
    assert row is not None  # it is there, only not for them


def test_a_revision_costs_the_same_queries_however_long(api, draft, db):
    def queries(url: str) -> int:
        db.session.expire_all()
        with counting(db) as statements:
            assert api.get(url).status_code == 200
        return len(statements)

    revision = draft["revision"]
    provision = draft["provision"]["url"]
    api.get(revision)  # the token's first use of the minute is noted: not a read's cost
    few, one = queries(revision), queries(provision)
    for n in range(2, 12):
        assert add(api, revision, {**ARTICLE_1, "label": f"Article {n}"}).status_code == 201
    assert queries(revision) == few, few
    assert queries(provision) == one
