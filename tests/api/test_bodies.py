"""Request bodies the API cannot use get a problem (RFC 9457), never an HTML page or a 500."""

import io

import pytest

from tests.helpers import db_snapshot, snapshot_difference

PARTIES = "/api/v1/parties/"


def assert_problem(response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.data[:300])
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == response.status_code


def test_a_body_over_the_size_cap_is_a_413_problem(api, app, db):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    before = db_snapshot(db.engine)
    big = {"name": "India", "kind": "state", "code": "IND", "notes": "x" * 2000}
    response = api.post(PARTIES, json=big)
    assert_problem(response, 413)
    # Sent in chunks, without a length given ahead.
    chunked = api.post(
        PARTIES,
        input_stream=io.BytesIO(b'{"name": "' + b"x" * 2000 + b'"}'),
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert_problem(chunked, 413)
    assert snapshot_difference(before, db_snapshot(db.engine)) == []


def test_a_body_within_the_cap_is_taken(api, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    assert (
        api.post(PARTIES, json={"name": "India", "kind": "state", "code": "IND"}).status_code == 201
    )


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"name": "India", "kind": ', "application/json", 400),  # cut short
        (b"{'name': 'India'}", "application/json", 400),  # not JSON
        (b"\xff\xfe\x00garbage", "application/json", 400),  # not even text
        (b'{"name": "' + b"[" * 5000 + b'"}', "application/json", 422),  # a long name
        (b"[" * 100_000, "application/json", 400),  # nested past the parser's depth
        (b'{"name": 1e999999, "kind": "state"}', "application/json", 422),
        (b'"India"', "application/json", 422),  # JSON, not an object
        (b"[1, 2]", "application/json", 422),
        (b"null", "application/json", 422),
        (b"{}", "application/json", 422),
        (b'{"name": "India", "kind": "state"}', "application/merge-patch+json", 422),
        (b"name=India&kind=state", "application/x-www-form-urlencoded", 415),
        (b'{"name": "India", "kind": "state"}', "text/plain", 415),
        (b'{"name": "India", "kind": "state"}', None, 415),
        (b"<party><name>India</name></party>", "application/xml", 415),
        (b"--x\r\n\r\n--x--\r\n", "multipart/form-data; boundary=x", 415),
    ],
)
def test_unusable_bodies_are_refused_with_a_problem(api, db, body, content_type, status):
    before = db_snapshot(db.engine)
    headers = {"Content-Type": content_type} if content_type else {}
    response = api.post(PARTIES, data=body, headers=headers)
    assert_problem(response, status)
    assert snapshot_difference(before, db_snapshot(db.engine)) == []


@pytest.mark.parametrize("method", ["PATCH", "POST"])
def test_a_change_with_no_usable_body_is_a_problem(api, method):
    url = api.post(PARTIES, json={"name": "India", "kind": "state", "code": "IND"}).headers[
        "Location"
    ]
    target = url if method == "PATCH" else PARTIES
    response = api.open(
        target,
        method,
        data=b"not json",
        headers={"Content-Type": "application/json", "If-Match": '"v1"'},
    )
    assert_problem(response, 400, 422)
