"""The status report on the API: the report's JSON download, by token, described by its schema."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from tests.api.described import assert_described
from tests.helpers import log_in
from tests.reports.conftest import negotiation  # noqa: F401
from tests.test_query_counts import counting
from tracker.models import Role

SCHEMA = json.loads(
    (Path(__file__).parents[2] / "docs" / "agreement-report.schema.json").read_text()
)


def report_url(agreement_id: int, **query) -> str:
    base = f"/api/v1/agreements/{agreement_id}/report"
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def without_time(report: dict) -> dict:
    """The report without when it was generated, the one thing two readings differ in."""
    return {key: value for key, value in report.items() if key != "generated_at"}


@pytest.mark.parametrize("as_of", [None, "2022-01-01", "2024-02-10"])
def test_the_report_is_the_json_download(api_as, client, negotiation, as_of):  # noqa: F811
    caller = api_as(Role.VIEWER)
    query = {"as_of": as_of} if as_of else {}
    response = caller.get(report_url(negotiation.agreement.id, **query))
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/json"

    log_in(client, caller.user.username)
    download = client.get(
        f"/agreements/{negotiation.agreement.id}/report.json" + (f"?as_of={as_of}" if as_of else "")
    )
    assert download.status_code == 200
    assert without_time(response.json) == without_time(download.get_json())
    assert response.json["as_of"] == (as_of or date.today().isoformat())


def test_the_report_matches_its_schema_and_the_documented_shape(api, negotiation):  # noqa: F811
    report = api.get(report_url(negotiation.agreement.id, as_of="2024-03-01")).json
    assert_described(api.client, report, "Report")
    with pytest.raises(jsonschema.ValidationError):  # the check is a real one
        assert_described(api.client, {**report, "status": {"status": "asleep"}}, "Report")
    jsonschema.validate(report, SCHEMA, format_checker=jsonschema.FormatChecker())
    # Something in every part, so the schemas were tried on real values.
    assert report["status_history"] and report["meetings"] and report["next_meeting"]
    assert report["open_points"] and report["open_actions"] and report["parties"]


def test_as_of_describes_that_day(api, negotiation):  # noqa: F811
    early = api.get(report_url(negotiation.agreement.id, as_of="2022-01-01")).json
    assert early["status"]["status"] == "under_negotiation"
    assert [m["title"] for m in early["meetings"]] == ["First official-level round"]
    late = api.get(report_url(negotiation.agreement.id, as_of="2024-03-01")).json
    assert late["status"]["status"] == "stalled"
    assert len(late["meetings"]) == 2


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("2022-13-01", "Not a valid date"),
        ("yesterday", "Not a valid date"),
        ("2999-01-01", "only describe today"),
    ],
)
def test_a_bad_day_is_a_problem_on_as_of(api, negotiation, bad, message):  # noqa: F811
    response = api.get(report_url(negotiation.agreement.id, as_of=bad))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert message in " ".join(response.json["errors"]["query"]["as_of"])


def test_an_unknown_agreement_is_404(api, negotiation):  # noqa: F811
    response = api.get(report_url(negotiation.agreement.id + 99))
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_without_a_token_it_is_401(client, negotiation):  # noqa: F811
    response = client.get(report_url(negotiation.agreement.id))
    assert response.status_code == 401


def test_a_report_costs_the_same_queries_as_the_download(api_as, client, db, negotiation):  # noqa: F811
    """The API adds only its token's queries to what the report costs."""
    caller = api_as(Role.VIEWER)
    caller.get(report_url(negotiation.agreement.id))  # the token's last use is noted once
    with counting(db) as by_api:
        assert caller.get(report_url(negotiation.agreement.id)).status_code == 200
    log_in(client, caller.user.username)
    client.get(f"/agreements/{negotiation.agreement.id}/report.json")
    with counting(db) as by_download:
        assert client.get(f"/agreements/{negotiation.agreement.id}/report.json").status_code == 200
    assert len(by_api) <= len(by_download) + 3
