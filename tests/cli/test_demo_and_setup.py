"""`tracker demo-data` and `tracker setup`, the steps behind `make run`."""

import re

import sqlalchemy as sa

from tracker.models import (
    Agreement,
    Meeting,
    NegotiationPoint,
    Party,
    Role,
    Status,
    User,
)


def _row_counts(db):
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def test_demo_data_loads_the_world_of_the_source_article(runner, db):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Loaded demo data:")

    parties = set(db.session.scalars(sa.select(Party.name)))
    assert {"India", "Japan"} <= parties
    assert any("ASEAN" in name for name in parties)
    assert any("Quad" in name for name in parties)

    rpss = db.session.scalar(sa.select(Agreement).where(Agreement.short_name == "RPSS"))
    assert rpss.status == Status.UNDER_NEGOTIATION
    assert sorted(p.code for p in rpss.parties) == ["IND", "JPN"]
    begun = rpss.status_changes[-1]
    assert begun.meeting.setting.startswith("Sidelines of the ASEAN Defence Ministers")
    assert begun.meeting.parent.city == "Vientiane"
    assert begun.meeting.local_starts_at.strftime("%Y-%m") == "2024-11"
    assert {p.name for p in begun.meeting.participants} == {"Rajnath Singh", "Gen Nakatani"}

    delhi = db.session.scalar(sa.select(Meeting).where(Meeting.city == "New Delhi"))
    assert delhi.local_starts_at.tzname() == "IST"
    assert {item.agreement.short_name for item in delhi.agenda_items} >= {"RPSS", "UNICORN"}

    titles = set(db.session.scalars(sa.select(Agreement.title)))
    assert any("stealth radio antenna" in title for title in titles)
    assert any("co-production" in title for title in titles)
    assert any("Special Strategic and Global Partnership" in title for title in titles)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(NegotiationPoint)
            .where(NegotiationPoint.agreement_id == rpss.id)
        )
        >= 2
    )
    # Demo data makes no accounts: no default passwords.
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_demo_data_is_idempotent(runner, db):
    runner.invoke(args=["demo-data"])
    before = _row_counts(db)
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0
    assert "nothing changed" in result.output
    assert _row_counts(db) == before


def test_setup_creates_one_admin_and_prints_the_password_once(runner, db):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    password = re.search(r"password: (\S+)", result.output).group(1)
    admin = db.session.scalar(sa.select(User).where(User.username == "admin"))
    assert admin.role == Role.ADMIN
    assert admin.check_password(password)
    assert "tracker users set-password admin" in result.output
    assert "Loaded demo data" in result.output

    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0
    assert "password:" not in again.output
    assert "Loaded demo data" not in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_setup_leaves_a_database_with_agreements_alone(runner, db, make_agreement, make_user):
    make_user("ann", role=Role.ADMIN)
    make_agreement(title="Our own agreement", short_name="OWN")
    db.session.commit()
    before = _row_counts(db)
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert _row_counts(db) == before


def test_setup_without_demo(runner, db):
    result = runner.invoke(args=["setup", "--no-demo"])
    assert result.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 0
