"""What one run of the generator shares between its steps: the size asked for, the one
random stream, where new ids start, and the ids each step made for the steps after it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.cli.synth.bulk import BulkWriter, SynthReport
from tracker.models import Agreement, Meeting, NegotiationPoint, Party, Person, Status, User

# The first agreement is discussed at exactly this many meetings (fewer if there are fewer
# meetings), so benchmarks have a known heavy agreement page; it carries this short name.
BUSY_MEETINGS = 500
BUSY_SHORT_NAME = "SYN-BUSY"
# Tables whose ids the generator assigns itself.
ID_MODELS = (Party, Person, User, Agreement, Meeting, NegotiationPoint)

History = list[tuple[Status | None, Status, date]]


@dataclass(frozen=True)
class SynthParams:
    """The size and seed of a synthetic collection; the same values give the same data."""

    agreements: int = 250_000
    parties: int = 200
    meetings: int = 250_000
    seed: int = 1


@dataclass
class SynthRun:
    """One run: every step draws from ``rng`` in a fixed order, so output is repeatable.

    The steps fill the id lists in this order: parties, people and staff; agreements with
    their histories and parties; meetings (``a_meeting``); then what cites them.
    """

    connection: Connection
    params: SynthParams
    rng: random.Random = field(init=False)
    report: SynthReport = field(init=False, default_factory=SynthReport)
    writer: BulkWriter = field(init=False)
    first_id: dict[type, int] = field(init=False)
    # When every synthetic record says it was made: fixed, so output is repeatable.
    created: datetime = field(init=False, default=datetime(2026, 1, 5, 9, tzinfo=UTC))

    party_ids: list[int] = field(init=False, default_factory=list)
    people_of: dict[int, list[int]] = field(init=False, default_factory=dict)
    person_ids: list[int] = field(init=False, default_factory=list)
    staff_ids: list[int] = field(init=False, default_factory=list)
    agreement_ids: list[int] = field(init=False, default_factory=list)
    histories: list[History] = field(init=False, default_factory=list)
    parties_of: list[list[int]] = field(init=False, default_factory=list)
    # Agreement id -> one meeting that discussed it, for histories and points to cite.
    a_meeting: dict[int, tuple[int, datetime]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.params.seed)  # noqa: S311  (repeatable, not secret)
        self.writer = BulkWriter(self.connection, self.report)
        # Ids are assigned here, after any rows already present, so foreign keys are known
        # without reading rows back.
        self.first_id = {
            model: (self.connection.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
            for model in ID_MODELS
        }
