"""The second step: agreements with their parties. Each agreement's status is the last step
of a history drawn here; the history's rows are written later, once meetings exist to cite."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from tracker.cli.synth.state import BUSY_SHORT_NAME, History, SynthRun
from tracker.cli.synth.vocabulary import (
    INSTRUMENTS,
    PRIORITIES,
    QUALIFIERS,
    SIDE_ROLES,
    TOPICS,
    code_name,
    phrases,
)
from tracker.models import Agreement, AgreementParty, Category, Status
from tracker.models.status import INITIAL_STATUSES, TRANSITIONS

EPOCH = date(2012, 1, 1)
# The key date each status fills, the first time an agreement reaches it.
KEY_DATES = {
    Status.UNDER_NEGOTIATION: "opened_on",
    Status.SIGNED: "signed_on",
    Status.IN_FORCE: "in_force_on",
}


def status_history(rng: random.Random) -> History:
    """A random walk over the allowed transitions, with the key-date rules respected."""
    day = EPOCH + timedelta(days=rng.randrange(4_500))
    current = rng.choice(INITIAL_STATUSES[:3] * 4 + INITIAL_STATUSES)
    steps: History = [(None, current, day)]
    opened = day if current == Status.UNDER_NEGOTIATION else None
    signed = day if current == Status.SIGNED else None
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4, 5))):
        options = sorted(TRANSITIONS[current])
        if not options:
            break
        new = rng.choice(options)
        day = day + timedelta(days=rng.randint(20, 400))
        # The model fills opened_on on the first move to under negotiation: it must not
        # come after a signature already recorded (CHECK signed_after_opened).
        if new == Status.UNDER_NEGOTIATION and opened is None and signed is not None:
            break
        if new == Status.UNDER_NEGOTIATION and opened is None:
            opened = day
        if new == Status.SIGNED and signed is None:
            signed = day
        steps.append((current, new, day))
        current = new
    return steps


def add_agreements(run: SynthRun) -> None:
    rng, params = run.rng, run.params
    first = run.first_id[Agreement]
    run.agreement_ids = list(range(first, first + params.agreements))
    categories = list(Category)
    busy_name = BUSY_SHORT_NAME
    if run.connection.scalar(sa.select(Agreement.id).where(Agreement.short_name == busy_name)):
        busy_name = f"{BUSY_SHORT_NAME}-{first}"  # an earlier run's is there

    def agreements() -> Iterator[dict]:
        for n, agreement_id in enumerate(run.agreement_ids):
            instrument = rng.choice(INSTRUMENTS)
            topic, category = rng.choice(TOPICS)
            qualifier = rng.choice(QUALIFIERS)
            code = code_name(rng)
            title = " ".join(p for p in (instrument, "on", topic, qualifier) if p)
            if rng.random() < 0.3:
                title += f" ({code})"
            if rng.random() < 0.1:
                category = rng.choice(categories)
            history = status_history(rng)
            run.histories.append(history)
            key_dates = dict.fromkeys(KEY_DATES.values())
            for _before, status, day in history:
                name = KEY_DATES.get(status)
                if name and key_dates[name] is None:
                    key_dates[name] = day
            last_day = history[-1][2]
            short = "".join(w[0] for w in topic.split() if w[0].isupper())[:6]
            target_on = last_day + timedelta(days=rng.randint(30, 900))
            if rng.random() < 0.4:
                target_on = None
            lead_id = rng.choice(run.staff_ids) if run.staff_ids else None
            if rng.random() < 0.2:
                lead_id = None
            yield {
                "id": agreement_id,
                "title": title,
                "short_name": busy_name if n == 0 else f"{short}-{agreement_id}",
                "category": category.value,
                "summary": f"{code}: {phrases(rng, 1, 3)}",
                "status": history[-1][1].value,
                "priority": rng.choice(PRIORITIES).value,
                **key_dates,
                "target_on": target_on,
                "lead_id": lead_id,
                "created_at": datetime.combine(history[0][2], datetime.min.time(), UTC),
                "updated_at": datetime.combine(last_day, datetime.min.time(), UTC),
                "archived_at": run.created if rng.random() < 0.01 and n else None,
            }

    def links() -> Iterator[dict]:
        for agreement_id in run.agreement_ids:
            parties = rng.sample(run.party_ids, min(len(run.party_ids), rng.randint(2, 5)))
            run.parties_of.append(parties)
            for k, party_id in enumerate(parties):
                role = "party" if k < 2 or rng.random() < 0.7 else rng.choice(SIDE_ROLES)
                yield {"agreement_id": agreement_id, "party_id": party_id, "role": role}

    run.writer.insert("agreements", Agreement.__table__, agreements())
    run.writer.insert("agreement parties", AgreementParty.__table__, links())
