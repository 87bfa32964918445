"""The history of a record, the admins' audit page and its CSV export."""

import csv
import io
import json

import pytest

from tests.helpers import loaded_from, log_in
from tracker.models import Role
from tracker.render.csvfile import neutralise


@pytest.fixture
def changed_agreement(client, db, make_agreement, make_user):
    """An agreement an editor renamed through the form."""
    agreement = make_agreement(summary="Old summary")
    db.session.commit()
    make_user("ann", role=Role.EDITOR)
    log_in(client, "ann")
    form = {
        "title": '=HYPERLINK("http://evil")',
        "short_name": "RPSS",
        "category": "logistics",
        "priority": "normal",
        "summary": "New summary",
        "lead": "",
    }
    for n, link in enumerate(agreement.party_links):
        form |= {f"parties-{n}-party": str(link.party_id), f"parties-{n}-role": "party"}
    form |= loaded_from(agreement)
    assert client.post(f"/agreements/{agreement.id}/edit", data=form).status_code == 302
    client.post("/logout")
    return agreement.id


def test_history_shows_who_changed_what(client, make_user, changed_agreement):
    make_user("reader", role=Role.VIEWER)
    log_in(client, "reader")
    agreement_page = client.get(f"/agreements/{changed_agreement}").get_data(as_text=True)
    assert f'href="/history/agreement/{changed_agreement}"' in agreement_page
    html = client.get(f"/history/agreement/{changed_agreement}").get_data(as_text=True)
    assert "Ann" in html
    assert "<del>Old summary</del> → New summary" in html
    assert "Create" in html and "Update" in html
    assert "=HYPERLINK(&#34;http://evil&#34;)" in html  # escaped, inert


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR])
def test_a_users_history_is_for_admins_only(client, make_user, role):
    """Usernames, roles and account states are on the admins' Users pages, and so is their
    history; a refusal is logged like any other."""
    account = make_user("officer.k", role=Role.EDITOR)
    make_user("reader", role=role)
    log_in(client, "reader")
    response = client.get(f"/history/user/{account.id}")
    assert response.status_code == 403
    assert "officer.k" not in response.get_data(as_text=True)
    client.post("/logout")

    make_user("chief", role=Role.ADMIN)
    log_in(client, "chief")
    response = client.get(f"/history/user/{account.id}")
    assert response.status_code == 200
    assert "officer.k" in response.get_data(as_text=True)


def test_history_of_unknown_records_is_404(logged_in):
    assert logged_in.get("/history/agreement/999").status_code == 404
    assert logged_in.get("/history/spaceship/1").status_code == 404


def test_audit_page_is_for_admins_and_filters(client, make_user, changed_agreement):
    make_user("editor2", role=Role.EDITOR)
    log_in(client, "editor2")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    client.post("/logout")

    make_user("boss", role=Role.ADMIN)
    log_in(client, "boss")
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "Agreement #" in html and "Party #" in html
    only_parties = client.get("/admin/audit?type=party").get_data(as_text=True)
    assert "Party #" in only_parties and "Agreement #" not in only_parties
    future = client.get("/admin/audit?since=2999-01-01").get_data(as_text=True)
    assert "No audit records match." in future
    bad = client.get("/admin/audit?since=yesterday&user=x&type=%3Cscript%3E&page=-3")
    assert bad.status_code == 200


def test_csv_export_reads_back_and_is_safe_in_a_spreadsheet(client, make_user, changed_agreement):
    make_user("boss", role=Role.ADMIN)
    log_in(client, "boss")
    response = client.get("/admin/audit.csv?type=agreement")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeffUNCLASSIFIED\r\n")  # the marking of what it holds
    assert text.endswith("\r\nUNCLASSIFIED\r\n")  # first and last
    body = text.removeprefix("\ufeffUNCLASSIFIED\r\n").removesuffix("UNCLASSIFIED\r\n")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert {row["record_type"] for row in rows} == {"agreement"}
    update = next(row for row in rows if row["action"] == "update")
    assert update["user"] == "ann"
    assert update["summary"].startswith("'=HYPERLINK")
    changes = json.loads(update["changes"])
    assert {"field": "summary", "old": "Old summary", "new": "New summary"} in changes


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    assert neutralise("RPSS") == "RPSS"
    assert neutralise(None) == ""


def test_only_admins_see_the_audit_link(client, make_user):
    make_user("boss", role=Role.ADMIN)
    make_user("editor3", role=Role.EDITOR)
    log_in(client, "editor3")
    assert 'href="/admin/audit"' not in client.get("/").get_data(as_text=True)
    client.post("/logout")
    log_in(client, "boss")
    assert 'href="/admin/audit"' in client.get("/").get_data(as_text=True)
