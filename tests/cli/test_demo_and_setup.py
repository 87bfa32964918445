"""`tracker demo-data` and `tracker setup`, the steps behind `make run`."""

import re

import sqlalchemy as sa

from tracker.data import access, markings
from tracker.models import (
    AccessGroup,
    ActionItem,
    AgendaItem,
    Agreement,
    Meeting,
    NegotiationPoint,
    Party,
    PartyPosition,
    Role,
    Status,
    StatusChange,
    User,
)

DEMO_ACCOUNTS = ["demo.viewer", "demo.editor", "demo.analyst", "demo.lead", "demo.security"]
# A line of the demo accounts' table: name, password, role, what they read.
ACCOUNT_LINE = re.compile(r"^\s+(demo\.\S+)\s+(\S+)\s+(viewer|editor|admin)\s+\S", re.MULTILINE)


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


def test_demo_points_name_the_articles_of_the_rpss_text(runner, db):
    from tracker.points.queries import provisions_of  # noqa: PLC0415

    runner.invoke(args=["demo-data"])
    point = db.session.scalar(
        sa.select(NegotiationPoint).where(
            NegotiationPoint.subject == "Scope of supplies and services"
        )
    )
    names = [name.name for name in provisions_of(point)]
    assert len(names) == 1 and "Article 2 Supplies and services" in names[0]


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
    assert set(db.session.scalars(sa.select(User.username))) == {"admin", *DEMO_ACCOUNTS}


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


def _marking(db, record) -> str:
    value = markings.value_of(db.session, record.marking_id)
    codes = dict(db.session.execute(sa.select(Party.id, Party.code)).all())
    return value.describe(markings.levels(), codes)


def test_demo_world_marks_its_material(runner, db):
    assert runner.invoke(args=["demo-data"]).exit_code == 0

    rpss = db.session.scalar(sa.select(Agreement).where(Agreement.short_name == "RPSS"))
    assert _marking(db, rpss) == "UNCLASSIFIED"
    for point in rpss.points:
        assert _marking(db, point) == "RESTRICTED // REL TO IND, JPN"
        for position in point.positions:
            assert _marking(db, position) == "RESTRICTED // REL TO IND, JPN"
    fallback = db.session.scalar(
        sa.select(ActionItem).where(ActionItem.description.contains("internal fallback"))
    )
    assert fallback.agreement == rpss
    assert _marking(db, fallback) == "CONFIDENTIAL"
    cabinet = db.session.scalar(
        sa.select(NegotiationPoint).where(NegotiationPoint.subject.contains("Cabinet"))
    )
    assert _marking(db, cabinet) == "CONFIDENTIAL // CABINET"

    secret = db.session.scalar(sa.select(Agreement).where(Agreement.short_name == "UNDERSEA"))
    assert _marking(db, secret) == "SECRET"
    assert secret.need_to_know
    assert [entry.group.name for entry in secret.access_entries] == ["Maritime desk"]
    # What belongs to it is at its level: history, points, positions, actions, outcomes.
    under = [
        *secret.status_changes,
        *secret.points,
        *(p for point in secret.points for p in point.positions),
        *secret.action_items,
        *secret.agenda_items,
    ]
    assert len(under) >= 5
    assert {_marking(db, record) for record in under} == {"SECRET"}

    # The meetings' existence stays Unclassified.
    assert {_marking(db, m) for m in db.session.scalars(sa.select(Meeting))} == {"UNCLASSIFIED"}


def test_no_demo_record_is_marked_below_what_it_belongs_to(runner, db):
    assert runner.invoke(args=["demo-data"]).exit_code == 0

    def level(record) -> int:
        return markings.value_of(db.session, record.marking_id).level

    pairs = [
        *((c, c.agreement) for c in db.session.scalars(sa.select(StatusChange))),
        *((p, p.agreement) for p in db.session.scalars(sa.select(NegotiationPoint))),
        *((a, a.agreement) for a in db.session.scalars(sa.select(ActionItem))),
        *((p, p.point) for p in db.session.scalars(sa.select(PartyPosition))),
        *((i, i.agreement) for i in db.session.scalars(sa.select(AgendaItem))),
        *((i, i.meeting) for i in db.session.scalars(sa.select(AgendaItem))),
    ]
    assert [(child, parent) for child, parent in pairs if level(child) < level(parent)] == []


def test_setup_on_an_empty_database_makes_demo_accounts_and_prints_each_password_once(runner, db):
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    printed = {name: password for name, password, _role in ACCOUNT_LINE.findall(result.output)}
    assert sorted(printed) == sorted(DEMO_ACCOUNTS)
    assert len(set(printed.values())) == len(printed)  # random, not one shared password
    for name, password in printed.items():
        assert result.output.count(password) == 1
        user = db.session.scalar(sa.select(User).where(User.username == name))
        assert user.active and user.check_password(password), name

    def user(name: str) -> User:
        return db.session.scalar(sa.select(User).where(User.username == name))

    india = db.session.scalar(sa.select(Party.id).where(Party.name == "India"))
    levels = markings.levels()
    profiles = {
        name: (
            user(name).role,
            levels[user(name).clearance],
            user(name).party_id,
            user(name).caveats,
            user(name).security_officer,
        )
        for name in DEMO_ACCOUNTS
    }
    assert profiles == {
        "demo.viewer": (Role.VIEWER, "Unclassified", None, "", False),
        "demo.editor": (Role.EDITOR, "Restricted", india, "", False),
        "demo.analyst": (Role.VIEWER, "Confidential", india, "", False),
        "demo.lead": (Role.EDITOR, "Secret", india, "CABINET", False),
        "demo.security": (Role.VIEWER, "Confidential", None, "", True),
    }
    group = db.session.scalar(sa.select(AccessGroup).where(AccessGroup.name == "Maritime desk"))
    assert [member.username for member in group.members] == ["demo.lead"]

    # They make the difference visible: each reads more of the agreements than the last.
    def agreements_seen(name: str) -> set[str]:
        seen = access.for_user(db.session, user(name))
        access.use(db.session, seen)
        try:
            return set(db.session.scalars(sa.select(Agreement.short_name)))
        finally:
            access.use(db.session, access.EVERYTHING)

    assert "UNDERSEA" not in agreements_seen("demo.security")
    assert "UNDERSEA" in agreements_seen("demo.lead")

    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0
    assert not ACCOUNT_LINE.search(again.output)
    assert not any(password in again.output for password in printed.values())


def test_demo_accounts_are_never_added_to_a_database_that_had_users(runner, db, make_user):
    make_user("ann", role=Role.ADMIN)
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "Loaded demo data" in result.output
    assert "password" not in result.output.lower()
    assert set(db.session.scalars(sa.select(User.username))) == {"ann"}


def test_demo_accounts_need_the_demo_world(runner, db):
    first = runner.invoke(args=["setup", "--no-demo"])
    assert first.exit_code == 0
    later = runner.invoke(args=["setup"])
    assert later.exit_code == 0
    assert "Loaded demo data" in later.output
    assert not ACCOUNT_LINE.search(first.output + later.output)
    assert set(db.session.scalars(sa.select(User.username))) == {"admin"}


def test_demo_rpss_text_has_three_revisions_with_brackets_cleaned(runner, db):
    """The illustrative RPSS text: Japan's draft, India's counter-draft (a new article that
    renumbers the rest), and a joint Rev.1 in which two brackets were cleaned."""
    from tracker.texts import compare, queries

    assert runner.invoke(args=["demo-data"]).exit_code == 0
    rpss = db.session.scalar(sa.select(Agreement).where(Agreement.short_name == "RPSS"))
    (text,) = rpss.texts
    assert "illustrative" in text.title
    labels = [r.label for r in text.revisions]
    assert labels == ["Japan's draft", "India's counter-draft", "Rev.1"]
    assert all(r.is_issued for r in text.revisions)
    japan, india, rev1 = (queries.document(r) for r in text.revisions)
    assert (japan.issuing_party, india.issuing_party) == ("JPN", "IND")
    assert [japan.open_brackets, india.open_brackets, rev1.open_brackets] == [3, 4, 2]
    counter = compare.compare(japan, india)
    renumbered = {(r.old_label, r.new_label) for r in counter.provenance}
    assert ("Article 3", "Article 4") in renumbered
    cleaned = {
        c.new.label: {s.won_by for s in c.new.segments if s.won}
        for c in compare.compare(india, rev1).provisions
        if c.cleaned
    }
    assert cleaned == {"PP2": {("IND",)}, "Article 1": {("JPN",)}}
