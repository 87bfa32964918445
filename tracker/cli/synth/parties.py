"""The first step: parties (states, then organisations), their people, and synthetic staff."""

from __future__ import annotations

import pycountry
import sqlalchemy as sa

from tracker.cli.synth.state import SynthRun
from tracker.cli.synth.vocabulary import JOBS, ORGANISATIONS, code_name
from tracker.models import Party, Person, User

# Unusable password hash: synthetic staff appear as leads but can never log in.
NO_PASSWORD = "!synthetic"  # noqa: S105


def add_parties_people_staff(run: SynthRun) -> None:
    _parties(run)
    _people(run)
    _staff(run)


def _parties(run: SynthRun) -> None:
    """States not in the database yet, then numbered organisations to make up the count."""
    rng, params = run.rng, run.params
    taken_names = set(run.connection.scalars(sa.select(Party.name)))
    taken_codes = set(run.connection.scalars(sa.select(Party.code)))
    countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)
    states = [c for c in countries if c.name not in taken_names and c.alpha_3 not in taken_codes]
    n_states = min(len(states), params.parties * 9 // 10)
    chosen = sorted(rng.sample(states, n_states), key=lambda c: c.alpha_3)
    rows = [{"name": c.name, "code": c.alpha_3, "kind": "state"} for c in chosen]
    serial = 0
    while len(rows) < params.parties:
        serial += 1
        base = ORGANISATIONS[serial % len(ORGANISATIONS)]
        name = f"{base} {serial}" if serial > len(ORGANISATIONS) else base
        code = f"SYN{serial}"
        if name in taken_names or code in taken_codes:
            continue
        kind = "organisation" if serial % 3 else "grouping"
        rows.append({"name": name, "code": code, "kind": kind})
    first = run.first_id[Party]
    for n, row in enumerate(rows):
        row.update(id=first + n, created_at=run.created, updated_at=run.created)
    run.party_ids = [row["id"] for row in rows]
    run.writer.insert("parties", Party.__table__, iter(rows))


def _people(run: SynthRun) -> None:
    rng = run.rng
    people = []
    person_id = run.first_id[Person]
    for party_id in run.party_ids:
        for n in range(rng.randint(2, 4)):
            people.append(
                {
                    "id": person_id,
                    "name": f"{code_name(rng)} {code_name(rng)}",
                    "position": JOBS[n % len(JOBS)],
                    "party_id": party_id,
                    "created_at": run.created,
                    "updated_at": run.created,
                }
            )
            run.people_of.setdefault(party_id, []).append(person_id)
            person_id += 1
    run.person_ids = [row["id"] for row in people]
    run.writer.insert("people", Person.__table__, iter(people))


def _staff(run: SynthRun) -> None:
    """Twenty editors to lead agreements; draws nothing from the random stream."""
    taken_users = dict(run.connection.execute(sa.select(User.username, User.id)).all())
    staff = []
    for n in range(1, 21):
        username = f"synth.lead{n:02d}"
        if username in taken_users:  # from an earlier run: lead again
            run.staff_ids.append(taken_users[username])
            continue
        staff.append(
            {
                "id": run.first_id[User] + len(staff),
                "username": username,
                "display_name": f"Synthetic lead {n:02d}",
                "role": "editor",
                "password_hash": NO_PASSWORD,
                "active": True,
                "created_at": run.created,
            }
        )
    run.staff_ids += [row["id"] for row in staff]
    run.writer.insert("staff", User.__table__, iter(staff))
