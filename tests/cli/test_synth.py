"""`tracker synth-data`: a deterministic, consistent synthetic collection, written in bulk."""

from collections import Counter, defaultdict

import pytest
import sqlalchemy as sa

from tracker.cli import synth
from tracker.data import row_security, search
from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    AuditRecord,
    Marking,
    Meeting,
    NegotiationPoint,
    Party,
    Status,
    StatusChange,
)
from tracker.models.status import check_transition

SIZE = ["--agreements", "60", "--parties", "12", "--meetings", "80"]


def _synth(runner, *extra: str):
    return runner.invoke(args=["synth-data", *SIZE, *extra])


def _dump(db) -> dict[str, list[tuple]]:
    """Every row of every table, in key order (the data version counts changes, not data)."""
    dump = {}
    for table in db.metadata.sorted_tables:
        if table.name == "data_version":
            continue
        order = list(table.primary_key.columns)
        dump[table.name] = [
            tuple(row) for row in db.session.execute(sa.select(table).order_by(*order))
        ]
    return dump


def _wipe(db) -> None:
    for table in reversed(db.metadata.sorted_tables):
        if table.name == "marking":  # all but the lowest, that the migration made
            db.session.execute(table.delete().where(table.c.id != 1))
        elif table.name != "audit_record":  # append-only, and synth-data writes none
            db.session.execute(table.delete())
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # The sequences' owner's work (the app's role may only use them).
        with row_security.maintenance_engine().begin() as owner:
            owner.execute(sa.text("SELECT setval(pg_get_serial_sequence('marking', 'id'), 1)"))
            for table in ("status_change", "action_item"):
                owner.execute(
                    sa.text(f"ALTER SEQUENCE {table}_id_seq RESTART WITH 1")  # noqa: S608
                )


def test_same_seed_same_data_other_seed_other_data(runner, db):
    assert _synth(runner, "--seed", "7").exit_code == 0
    first = _dump(db)
    _wipe(db)
    assert _synth(runner, "--seed", "7").exit_code == 0
    assert _dump(db) == first
    _wipe(db)
    assert _synth(runner, "--seed", "8").exit_code == 0
    assert _dump(db)["agreement"] != first["agreement"]


def test_counts_match_the_parameters(runner, db):
    result = _synth(runner)
    assert result.exit_code == 0, result.output
    assert "Synthetic data written in" in result.output

    def count(model) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    assert (count(Agreement), count(Party), count(Meeting)) == (60, 12, 80)
    parties_per_agreement = Counter(db.session.scalars(sa.select(AgreementParty.agreement_id)))
    assert len(parties_per_agreement) == 60
    assert set(parties_per_agreement.values()) <= {2, 3, 4, 5}
    agenda = Counter(db.session.scalars(sa.select(AgendaItem.meeting_id)))
    assert len(agenda) == 80
    assert set(agenda.values()) <= set(range(1, 9))
    # The known heavy agreement is at every meeting when there are fewer than 500.
    busy = db.session.scalar(
        sa.select(Agreement.id).where(Agreement.short_name == synth.BUSY_SHORT_NAME)
    )
    assert agenda and sum(1 for _ in _meetings_of(db, busy)) == 80
    # Not audited: nobody made these records.
    assert count(AuditRecord) == 0


def _meetings_of(db, agreement_id):
    return db.session.scalars(
        sa.select(AgendaItem.meeting_id).where(AgendaItem.agreement_id == agreement_id)
    )


def test_every_agreement_follows_the_status_rules(runner, db):
    assert _synth(runner).exit_code == 0
    histories = defaultdict(list)
    for change in db.session.scalars(
        sa.select(StatusChange).order_by(StatusChange.effective_on, StatusChange.id)
    ):
        histories[change.agreement_id].append(change)
    agreements = db.session.scalars(sa.select(Agreement)).all()
    for agreement in agreements:
        history = histories[agreement.id]
        assert history[-1].to_status == agreement.status
        previous = None
        for change in history:
            assert change.from_status == previous
            check_transition(previous, change.to_status)
            previous = change.to_status

        def first(status, history=history):
            return next((c.effective_on for c in history if c.to_status == status), None)

        assert agreement.opened_on == first(Status.UNDER_NEGOTIATION)
        assert agreement.signed_on == first(Status.SIGNED)
        assert agreement.in_force_on == first(Status.IN_FORCE)
        assert agreement.status_changed_on == history[-1].effective_on
    assert len({a.status for a in agreements}) > 3


def test_search_indexes_and_activity_dates_are_filled(runner, db):
    assert _synth(runner).exit_code == 0
    if db.engine.dialect.name == "sqlite":
        for table in search.FTS_TABLES.values():
            db.session.execute(sa.text(f"INSERT INTO {table}({table}) VALUES ('integrity-check')"))
    last_meeting = dict(
        db.session.execute(
            sa.select(AgendaItem.agreement_id, sa.func.max(Meeting.starts_at))
            .join(Meeting)
            .group_by(AgendaItem.agreement_id)
        ).all()
    )
    for agreement in db.session.scalars(sa.select(Agreement)):
        assert agreement.last_meeting_at == last_meeting.get(agreement.id)
    some_word = db.session.scalar(sa.select(Agreement.title).order_by(Agreement.id)).split()[-1]
    assert db.session.execute(search.matching_agreement_ids(some_word)).first() is not None


def test_refuses_a_database_with_records_unless_confirmed(runner, db):
    assert _synth(runner).exit_code == 0
    refused = _synth(runner)
    assert refused.exit_code != 0
    assert "--yes" in refused.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 60
    db.session.rollback()  # see what the command writes next

    added = _synth(runner, "--yes")
    assert added.exit_code == 0, added.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 120
    # Parties already there are not duplicated; new ones fill the count.
    names = db.session.scalars(sa.select(Party.name)).all()
    assert len(names) == len(set(names))


@pytest.mark.parametrize("option", ["--parties=1", "--agreements=0"])
def test_refuses_sizes_it_cannot_honour(runner, db, option):
    result = runner.invoke(args=["synth-data", option])
    assert result.exit_code != 0


def test_a_tenth_of_the_collection_is_at_the_lowest_level_and_parts_follow(runner, db):
    assert _synth(runner).exit_code == 0
    levels = dict(
        db.session.execute(
            sa.select(Agreement.id, Marking.level).join(Marking, Marking.id == Agreement.marking_id)
        ).all()
    )
    assert {id_: synth.LEVEL_BY_LAST_DIGIT[id_ % 10] for id_ in levels} == levels
    assert sum(1 for level in levels.values() if level == 0) == len(levels) // 10
    for model in (NegotiationPoint, AgendaItem, StatusChange, ActionItem):
        under = db.session.execute(
            sa.select(model.marking_id, Agreement.marking_id).join(
                Agreement, Agreement.id == model.agreement_id
            )
        ).all()
        assert under and all(own == parent for own, parent in under), model
    assert {m for (m,) in db.session.execute(sa.select(Meeting.marking_id))} == {1}
