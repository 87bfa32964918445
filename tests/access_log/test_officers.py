"""The access log's page, CSV export and API: for security officers only, newest first,
filtered, titles only of records the officer may see."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from tests.access_log.conftest import CONFIDENTIAL, SECRET, log_rows
from tests.helpers import log_in
from tracker.accounts import tokens
from tracker.models import AccessLogEntry, AccessOutcome, Role, utcnow


def _entry(db, user, record_id, *, level=CONFIDENTIAL, outcome=AccessOutcome.READ, ago=0, **kw):
    values = {
        "at": utcnow() - timedelta(minutes=ago),
        "user_id": user.id,
        "record_type": "agreement",
        "record_id": record_id,
        "level": level,
        "outcome": outcome,
        "address": "10.0.0.1",
        "path": f"/agreements/{record_id}",
    }
    values.update(kw)
    db.session.add(AccessLogEntry(**values))
    db.session.commit()


def test_only_officers_reach_the_log_not_even_admins(db, client, reader):
    reader("admin.user", role=Role.ADMIN)
    reader("editor.user", role=Role.EDITOR)
    reader("officer", officer=True)
    for username in ("admin.user", "editor.user"):
        assert log_in(client, username).status_code == 302
        for url in ("/security/access-log", "/security/access-log.csv"):
            assert client.get(url).status_code == 403
        assert "Access log" not in client.get("/").text
        client.post("/logout")
    assert log_in(client, "officer").status_code == 302
    page = client.get("/")
    assert 'href="/security/access-log"' in page.text
    assert client.get("/security/access-log").status_code == 200
    assert client.get("/security/access-log.csv").status_code == 200


def test_the_page_lists_newest_first_with_titles_only_of_what_the_officer_sees(
    db, client, reader, make_agreement, marking
):
    seen = make_agreement(title="Fuel agreement", marking_id=marking(CONFIDENTIAL))
    hidden = make_agreement(
        title="Cabinet fallback", short_name="CAB", parties=[], marking_id=marking(SECRET)
    )
    db.session.commit()
    ann = reader("ann", clearance=SECRET)
    reader("officer", clearance=CONFIDENTIAL, officer=True)
    _entry(db, ann, seen.id, ago=10)
    _entry(db, ann, hidden.id, level=SECRET, outcome=AccessOutcome.REFUSED, ago=5)
    assert log_in(client, "officer").status_code == 302

    text = client.get("/security/access-log").text

    assert "Fuel agreement" in text
    assert "Cabinet fallback" not in text
    assert f"#{hidden.id}" in text and "Secret" in text and "Refused" in text
    assert text.index(f"#{hidden.id}") < text.index(f"#{seen.id}")  # newest first
    # The officer read a Confidential title on it: that too is logged.
    reads = [r for r in log_rows(db) if r.path == "/security/access-log"]
    assert [(r.record_id, r.outcome) for r in reads] == [(seen.id, AccessOutcome.READ)]


def test_filters_and_cursor_pages(db, client, reader, monkeypatch):
    from tracker.access_log import views

    ann = reader("ann")
    bob = reader("bob")
    reader("officer", officer=True)
    for n in range(5):
        _entry(db, ann, 100 + n, ago=10 - n)
    _entry(db, bob, 200, outcome=AccessOutcome.REFUSED)
    assert log_in(client, "officer").status_code == 302

    text = client.get(f"/security/access-log?user={bob.id}").text
    assert "#200" in text and "#100" not in text
    text = client.get("/security/access-log?outcome=refused").text
    assert "#200" in text and "#104" not in text
    text = client.get("/security/access-log?type=meeting").text
    assert "No entries match" in text
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()
    assert "No entries match" in client.get(f"/security/access-log?since={tomorrow}").text

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    seen, url = [], f"/security/access-log?user={ann.id}"
    while url:
        text = client.get(url).text
        shown = [n for n in range(100, 105) if f"#{n}" in text]
        seen += sorted(shown, key=lambda n: text.index(f"#{n}"))
        marker = 'href="/security/access-log?'
        older = [part for part in text.split(marker)[1:] if "Older" in part.split("</a>")[0]]
        url = (
            "/security/access-log?" + older[0].split('"')[0].replace("&amp;", "&")
            if older
            else None
        )
    assert seen == [104, 103, 102, 101, 100]


def test_csv_export_is_streamed_and_neutralises_formulas(
    db, client, reader, make_agreement, marking
):
    agreement = make_agreement(title='=HYPERLINK("http://evil")', marking_id=marking(CONFIDENTIAL))
    db.session.commit()
    ann = reader("ann", clearance=CONFIDENTIAL)
    reader("officer", clearance=CONFIDENTIAL, officer=True)
    _entry(db, ann, agreement.id, path="/=cmd")
    assert log_in(client, "officer").status_code == 302

    response = client.get("/security/access-log.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert len(rows) == 1
    assert rows[0]["user"] == "ann"
    assert rows[0]["outcome"] == "read"
    assert rows[0]["level"] == "Confidential"
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil")'
    # Streamed: the title it read while streaming is logged as the officer's read.
    assert [r.path for r in log_rows(db)][-1] == "/security/access-log.csv"


def test_the_api_is_for_officers_only(db, client, reader, make_agreement, marking):
    agreement = make_agreement(title="Fuel agreement", marking_id=marking(CONFIDENTIAL))
    db.session.commit()
    ann = reader("ann", clearance=CONFIDENTIAL)
    admin = reader("admin.user", role=Role.ADMIN, clearance=SECRET)
    officer = reader("officer", clearance=CONFIDENTIAL, officer=True)
    _entry(db, ann, agreement.id)
    secrets = {}
    for user in (admin, officer):
        secrets[user.username] = tokens.create_token(user, "Script")[1]
    db.session.commit()

    def call(username, query=""):
        headers = {"Authorization": f"Bearer {secrets[username]}"}
        return client.get(f"/api/v1/access-log/{query}", headers=headers)

    refused = call("admin.user")
    assert refused.status_code == 403
    assert refused.mimetype == "application/problem+json"
    response = call("officer", f"?user={ann.id}&outcome=read")
    assert response.status_code == 200
    (item,) = response.json["items"]
    assert item["username"] == "ann"
    assert (item["record_type"], item["record_id"], item["level_name"]) == (
        "agreement",
        agreement.id,
        "Confidential",
    )
    assert item["title"] == "Fuel agreement"
    assert response.json["next"] is None
    assert call("officer", "?outcome=refused").json["items"] == []
    assert call("officer", "?outcome=maybe").status_code == 422
