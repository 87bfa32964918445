"""Full-text search on the agreements list: own text, meeting minutes, points; hostile input."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tracker.data import search
from tracker.models import AgendaItem, Agreement, Meeting, NegotiationPoint


@pytest.fixture
def talks(db, make_agreement, make_party):
    """Three agreements; one known only through a meeting, one only through a point."""
    india, japan = make_party("India", "IND"), make_party("Japan", "JPN")
    rpss = make_agreement(
        title="Reciprocal Provision of Supplies and Services Agreement",
        short_name="RPSS",
        summary="Use of each other's bases for maintenance.",
        parties=[india, japan],
    )
    antenna = make_agreement(
        title="Naval antenna co-development",
        short_name="UNICORN",
        category="technology",
        parties=[india, japan],
    )
    training = make_agreement(
        title="Mountain training arrangement", short_name="MTA", parties=[india, japan]
    )
    meeting = Meeting(
        title="Defence ministers' meeting",
        starts_at=datetime(2025, 5, 5, 4, 30, tzinfo=UTC),
        level="ministerial",
        summary="Ministers reviewed the stealth mast programme.",
    )
    db.session.add_all(
        [
            meeting,
            AgendaItem(meeting=meeting, agreement=antenna, outcome=""),
            AgendaItem(meeting=meeting, agreement=training, outcome="Glacier exercise postponed."),
            NegotiationPoint(
                agreement=rpss, subject="Reimbursement", details="Barter or cash settlement."
            ),
        ]
    )
    db.session.commit()
    return {"rpss": rpss, "antenna": antenna, "training": training, "meeting": meeting}


def found(client, q: str, **query) -> list[str]:
    """Short names on the list page searched for ``q``."""
    response = client.get("/agreements/", query_string={"q": q, **query})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return [name for name in ("RPSS", "UNICORN", "MTA") if f"({name})" in html]


def test_finds_agreements_by_their_own_text(logged_in, talks):
    assert found(logged_in, "provision") == ["RPSS"]
    assert found(logged_in, "unicorn") == ["UNICORN"]
    assert found(logged_in, "maintenance") == ["RPSS"]


def test_finds_agreements_through_meeting_minutes_outcomes_and_points(logged_in, talks):
    # The meeting's summary names neither agreement: both discussed there are found.
    assert found(logged_in, "stealth mast") == ["UNICORN", "MTA"]
    # An outcome belongs to one agreement of the meeting.
    assert found(logged_in, "glacier") == ["MTA"]
    assert found(logged_in, "barter") == ["RPSS"]
    assert found(logged_in, "reimbursement") == ["RPSS"]


def test_words_are_stemmed_all_required_and_the_last_is_a_prefix(logged_in, talks):
    assert found(logged_in, "supply") == ["RPSS"]
    assert found(logged_in, "SUPPLIES services") == ["RPSS"]
    assert found(logged_in, "supplies unicorn") == []
    assert found(logged_in, "reciprocal provi") == ["RPSS"]
    assert found(logged_in, "co-develop") == ["UNICORN"]
    assert found(logged_in, "nothing like this") == []


def test_search_combines_with_the_other_filters(logged_in, talks):
    assert found(logged_in, "stealth", category="technology") == ["UNICORN"]
    assert found(logged_in, "stealth", status="signed") == []


def test_index_follows_edits_and_deletes(logged_in, db, talks):
    rpss = db.session.get(Agreement, talks["rpss"].id)
    rpss.title = "Logistics support agreement"
    db.session.commit()
    assert found(logged_in, "provision") == []
    assert found(logged_in, "logistics") == ["RPSS"]

    item = db.session.get(AgendaItem, (talks["meeting"].id, talks["training"].id))
    item.outcome = "Avalanche drill agreed."
    db.session.commit()
    assert found(logged_in, "glacier") == []
    assert found(logged_in, "avalanche") == ["MTA"]

    db.session.delete(item)
    db.session.commit()
    assert found(logged_in, "avalanche") == []
    assert found(logged_in, "stealth") == ["UNICORN"]

    point = db.session.scalar(sa.select(NegotiationPoint))
    db.session.delete(point)
    db.session.commit()
    assert found(logged_in, "barter") == []


def test_archived_meetings_no_longer_count(logged_in, db, talks):
    meeting = db.session.get(Meeting, talks["meeting"].id)
    meeting.archived_at = datetime(2025, 6, 1, tzinfo=UTC)
    db.session.commit()
    assert found(logged_in, "stealth") == []
    assert found(logged_in, "glacier") == []


def test_indexes_are_kept_by_the_database(db, talks):
    db.session.get(Agreement, talks["antenna"].id).summary = "Changed text"
    db.session.delete(db.session.get(Meeting, talks["meeting"].id))
    db.session.commit()
    if db.engine.dialect.name == "sqlite":
        for table in search.FTS_TABLES.values():
            # Raises if an index disagrees with the rows it indexes.
            db.session.execute(sa.text(f"INSERT INTO {table}({table}) VALUES ('integrity-check')"))
    else:
        generated = db.session.scalars(
            sa.text(
                "SELECT table_name FROM information_schema.columns "
                "WHERE column_name = :column AND is_generated = 'ALWAYS' "
                "AND table_schema = current_schema() ORDER BY table_name"
            ),
            {"column": search.SEARCH_COLUMN},
        )
        assert list(generated) == sorted(search.FTS_TABLES)


HOSTILE = [
    '"',
    '""',
    "'",
    'unicorn"',
    "NEAR(provision supplies)",
    "provision NEAR supplies",
    "NOT unicorn",
    "unicorn OR",
    "AND",
    "*",
    "uni*",
    "^unicorn",
    "(((",
    "unicorn)",
    "title:unicorn",
    "unicorn & | ! :* <-> ''",
    "\\",
    "%_%",
    "'; DROP TABLE agreement; --",
    "-unicorn",
    "+",
    "{unicorn}",
    "😀 unicorn",
    "ÜNICORN",
    "a",
    "x" * 500,
    " ".join(["word"] * 100),
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(logged_in, talks, q):
    response = logged_in.get("/agreements/", query_string={"q": q})
    assert response.status_code == 200


def test_operators_are_plain_words(logged_in, talks):
    assert found(logged_in, 'unicorn"') == ["UNICORN"]
    assert found(logged_in, "(unicorn") == ["UNICORN"]
    assert found(logged_in, "NEAR(provision supplies)") == []  # "near" is not in the text
    assert found(logged_in, "provision OR unicorn") == []  # every word is required


def test_input_without_words_does_not_narrow_the_list(logged_in, talks):
    assert found(logged_in, "*** (") == ["RPSS", "UNICORN", "MTA"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=st.text(max_size=60))
def test_any_text_makes_a_valid_query(db, text):
    ids = search.matching_agreement_ids(text)
    if ids is not None:
        db.session.execute(sa.select(sa.func.count()).select_from(ids.subquery())).scalar()


def test_words_inside_angle_brackets_are_found(logged_in, db, make_agreement):
    make_agreement(
        title="<script>Stealth</script> mast <b>agreement</b>", short_name="MTA", summary=""
    )
    db.session.commit()
    assert found(logged_in, "stealth") == ["MTA"]
