"""A deterministic synthetic collection at scale, for benchmarks: bulk Core inserts, no ORM.

The rows go in with ``executemany`` through Core ``insert()``, so the ORM's flush hooks
(the status-history guard, the audit trail) do not run; instead every row is built to the
same rules: each agreement's status is the last step of a history that follows the allowed
transitions, key dates are filled as ``Agreement.change_status`` fills them, and every CHECK
constraint holds. The database's own triggers (full-text search, activity dates) do run.
Synthetic records are not in the audit trail: nobody made them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice

import pycountry
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from tracker.models import (
    ActionItem,
    AgendaItem,
    Agreement,
    AgreementParty,
    Category,
    Meeting,
    MeetingLevel,
    NegotiationPoint,
    Party,
    PartyPosition,
    Person,
    PointStatus,
    Priority,
    Status,
    StatusChange,
    User,
    meeting_participant,
)
from tracker.models.status import INITIAL_STATUSES, TRANSITIONS

# The first agreement is discussed at exactly this many meetings (fewer if there are fewer
# meetings), so benchmarks have a known heavy agreement page; it carries this short name.
BUSY_MEETINGS = 500
BUSY_SHORT_NAME = "SYN-BUSY"
BATCH = 5_000
# Tables synth-data writes to; any row in them means the database is not empty.
CONTENT_TABLES = (Party, Person, Agreement, Meeting)
# Unusable password hash: synthetic staff appear as leads but can never log in.
NO_PASSWORD = "!synthetic"  # noqa: S105

EPOCH = date(2012, 1, 1)
MEETINGS_FROM = datetime(2015, 1, 1, tzinfo=UTC)
MEETINGS_DAYS = 4_200  # until late 2026, so some meetings are still to come

ORGANISATIONS = (
    "Defence Cooperation Council",
    "Maritime Security Forum",
    "Regional Arms Control Agency",
    "Joint Logistics Organisation",
    "Space Situational Awareness Group",
    "Cyber Defence Alliance",
    "Humanitarian Assistance Network",
    "Peacekeeping Training Centre",
    "Coastal States Commission",
    "Export Control Regime",
)
INSTRUMENTS = (
    "Agreement",
    "Memorandum of Understanding",
    "Framework Agreement",
    "Protocol",
    "Arrangement",
    "Joint Declaration",
    "Implementing Arrangement",
    "Treaty",
)
TOPICS = (
    ("Reciprocal Provision of Supplies and Services", Category.LOGISTICS),
    ("Mutual Logistics Support", Category.LOGISTICS),
    ("Fuel and Ammunition Resupply", Category.LOGISTICS),
    ("Port Access and Ship Repair", Category.LOGISTICS),
    ("Airlift and Air-to-Air Refuelling", Category.LOGISTICS),
    ("Co-development of Unmanned Ground Vehicles", Category.DEFENCE_INDUSTRIAL),
    ("Co-production of Naval Radar Antennas", Category.DEFENCE_INDUSTRIAL),
    ("Transfer of Defence Equipment and Technology", Category.DEFENCE_INDUSTRIAL),
    ("Jet Engine Co-development", Category.DEFENCE_INDUSTRIAL),
    ("Submarine Maintenance and Overhaul", Category.DEFENCE_INDUSTRIAL),
    ("Artificial Intelligence for Situational Awareness", Category.TECHNOLOGY),
    ("Quantum-Secure Communications", Category.TECHNOLOGY),
    ("Hypersonic Materials Research", Category.TECHNOLOGY),
    ("Space Domain Awareness", Category.TECHNOLOGY),
    ("Semiconductor Supply Chain Security", Category.TECHNOLOGY),
    ("Maritime Security Dialogue", Category.SECURITY_DIALOGUE),
    ("Counter-Terrorism Cooperation", Category.SECURITY_DIALOGUE),
    ("Cyber Security Dialogue", Category.SECURITY_DIALOGUE),
    ("Nuclear Non-Proliferation Consultations", Category.SECURITY_DIALOGUE),
    ("Humanitarian Assistance and Disaster Relief", Category.EXERCISES_TRAINING),
    ("Joint Naval Exercises", Category.EXERCISES_TRAINING),
    ("Staff College Exchanges", Category.EXERCISES_TRAINING),
    ("Mountain Warfare Training", Category.EXERCISES_TRAINING),
    ("Peacekeeping Training", Category.EXERCISES_TRAINING),
    ("Exchange of Classified Information", Category.INFORMATION_SHARING),
    ("White Shipping Information", Category.INFORMATION_SHARING),
    ("Geospatial Intelligence Sharing", Category.INFORMATION_SHARING),
    ("Early Warning Data Exchange", Category.INFORMATION_SHARING),
    ("Hydrographic Survey Cooperation", Category.OTHER),
    ("Military Medicine and Field Hospitals", Category.OTHER),
    ("Veterans Affairs Cooperation", Category.OTHER),
    ("Defence Education and Languages", Category.OTHER),
)
QUALIFIERS = (
    "",
    "",
    "",
    "in the Indian Ocean",
    "in the Pacific",
    "in the Arctic",
    "in the Gulf of Aden",
    "for Coastal Surveillance",
    "for Peace Support Operations",
    "for Disaster Response",
    "for Training Areas",
    "(Phase II)",
    "(Revised)",
)
# Code names make rare words, as real files have, so searches can be specific.
CODE_SYLLABLES = (
    "al", "bar", "cor", "dan", "el", "far", "gal", "hor", "is", "jor", "kal", "lum",
    "mar", "nor", "or", "pel", "quin", "ros", "sol", "tar", "ul", "var", "wen", "zed",
)  # fmt: skip
SUBJECTS = (
    "Scope of services",
    "Reimbursement and pricing",
    "Liability and claims",
    "Customs and tax exemptions",
    "Jurisdiction over personnel",
    "Intellectual property",
    "Technology release approvals",
    "Third-party transfer",
    "Duration and termination",
    "Dispute settlement",
    "Security of information",
    "Environmental obligations",
    "Access to facilities",
    "Work share",
    "Financing",
    "Languages of the text",
)
PHRASES = (
    "The delegations reviewed the draft text article by article.",
    "Both sides agreed to exchange revised proposals before the next round.",
    "Legal experts will meet separately on the dispute settlement clause.",
    "The reimbursement formula remains the main open question.",
    "Progress was noted on customs procedures for visiting vessels.",
    "One delegation requested more time for inter-ministerial consultations.",
    "The chair circulated a compromise wording on liability.",
    "Technical annexes on fuel specifications were finalised.",
    "Parties welcomed the conclusion of the staff talks.",
    "The question of third-party transfers was referred to capitals.",
    "A joint working group on interoperability will be set up.",
    "Delegations discussed access to ports and airfields for resupply.",
    "Export licensing timelines were raised as a concern.",
    "The text on protection of classified information was agreed ad referendum.",
    "Further discussion is needed on the cost-sharing of joint exercises.",
    "Ministers instructed negotiators to conclude by the end of the year.",
    "The parties exchanged views on maritime domain awareness.",
    "Satellite data sharing arrangements were presented by the experts.",
    "Observers were briefed on the state of the negotiations.",
    "Work on the implementing arrangement will resume after the elections.",
)
OUTCOMES = (
    "Text of the preamble agreed.",
    "Open brackets reduced on the scope article.",
    "No progress; positions unchanged.",
    "Agreed to resume at expert level.",
    "Draft annex on logistics support accepted.",
    "Referred to ministers for a decision.",
    "Legal scrubbing of the text started.",
    "Signature date discussed but not fixed.",
    "Reimbursement rates to be recalculated.",
    "Consensus on dispute settlement reached.",
    "",
)
ACTIONS = (
    "Circulate the revised draft",
    "Send comments on the annex",
    "Confirm the date of the next round",
    "Prepare a costing of the proposal",
    "Consult the legal department",
    "Brief the minister",
    "Request the partner's position paper",
    "Translate the agreed text",
    "Draft the press release",
    "Arrange the signing ceremony",
)
POSITIONS = (
    "Supports the current draft.",
    "Wants a narrower scope.",
    "Insists on reciprocity.",
    "Can accept with minor changes.",
    "Needs parliamentary approval first.",
    "Proposes a phased approach.",
    "Opposes the clause as drafted.",
)
PLACES = (
    ("New Delhi", "India", "Asia/Kolkata"),
    ("Tokyo", "Japan", "Asia/Tokyo"),
    ("Canberra", "Australia", "Australia/Sydney"),
    ("Washington", "United States", "America/New_York"),
    ("Brussels", "Belgium", "Europe/Brussels"),
    ("Geneva", "Switzerland", "Europe/Zurich"),
    ("Singapore", "Singapore", "Asia/Singapore"),
    ("Jakarta", "Indonesia", "Asia/Jakarta"),
    ("Paris", "France", "Europe/Paris"),
    ("London", "United Kingdom", "Europe/London"),
    ("Nairobi", "Kenya", "Africa/Nairobi"),
    ("Brasília", "Brazil", "America/Sao_Paulo"),
    ("Seoul", "Republic of Korea", "Asia/Seoul"),
    ("Abu Dhabi", "United Arab Emirates", "Asia/Dubai"),
    ("", "", "UTC"),
)
MEETING_KINDS = (
    ("Working group on", MeetingLevel.WORKING_GROUP),
    ("Senior officials' talks on", MeetingLevel.SENIOR_OFFICIALS),
    ("Ministerial meeting on", MeetingLevel.MINISTERIAL),
    ("Video conference on", MeetingLevel.VIRTUAL),
    ("Summit on", MeetingLevel.SUMMIT),
    ("Plenary round on", MeetingLevel.MULTILATERAL),
)


PRIORITIES = (Priority.HIGH, Priority.NORMAL, Priority.NORMAL, Priority.LOW)
SIDE_ROLES = ("observer", "facilitator")
JOBS = ("Head of delegation", "Legal adviser", "Defence attaché")
ID_MODELS = (Party, Person, User, Agreement, Meeting, NegotiationPoint)


@dataclass(frozen=True)
class SynthParams:
    """The size and seed of a synthetic collection; the same values give the same data."""

    agreements: int = 250_000
    parties: int = 200
    meetings: int = 250_000
    seed: int = 1


@dataclass
class SynthReport:
    """Rows written per table and how long each step took."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


class NotEmptyError(RuntimeError):
    """The database already holds records and the caller did not confirm adding to them."""


def is_empty(connection: Connection) -> bool:
    return not any(
        connection.scalar(sa.select(sa.literal(1)).select_from(model).limit(1))
        for model in CONTENT_TABLES
    )


def _batches(rows: Iterator[dict], size: int = BATCH) -> Iterator[list[dict]]:
    while batch := list(islice(rows, size)):
        yield batch


def _code_name(rng: random.Random) -> str:
    return "".join(rng.choice(CODE_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.sample(PHRASES, rng.randint(low, high)))


class _Generator:
    """Produces the rows in one fixed order from one random stream, so output is repeatable."""

    def __init__(self, connection: Connection, params: SynthParams) -> None:
        self.connection = connection
        self.params = params
        self.rng = random.Random(params.seed)  # noqa: S311  (repeatable, not secret)
        self.report = SynthReport()
        # Ids are assigned here, after any rows already present, so foreign keys are known
        # without reading rows back.
        self.first_id = {
            model: (connection.scalar(sa.select(sa.func.max(model.id))) or 0) + 1
            for model in ID_MODELS
        }
        self.created = datetime(2026, 1, 5, 9, tzinfo=UTC)

    # One step: build rows lazily, insert them in batches, time it. The rows go straight to
    # the driver's executemany, with each column's own bind processing (UTC datetimes, dates
    # as SQLite stores them) applied here: SQLAlchemy's per-row parameter handling would
    # otherwise cost more than the database's work.
    def _insert(self, label: str, table: sa.Table, rows: Iterator[dict]) -> None:
        started = time.perf_counter()
        count = 0
        dialect = self.connection.dialect
        statement = processors = None
        for batch in _batches(rows):
            if statement is None:
                columns = list(batch[0])
                marker = "?" if dialect.paramstyle == "qmark" else "%s"
                quote = dialect.identifier_preparer.quote
                statement = (
                    f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, columns))}) "  # noqa: S608
                    f"VALUES ({', '.join([marker] * len(columns))})"
                )
                processors = [
                    table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
                    for name in columns
                ]
                converting = [(k, p) for k, p in enumerate(processors) if p is not None]
            values = [list(row.values()) for row in batch]
            for row in values:
                for k, process in converting:
                    row[k] = process(row[k])
            if dialect.name == "postgresql":
                self._copy(table, columns, values)
            else:
                self.connection.exec_driver_sql(statement, [tuple(row) for row in values])
            count += len(batch)
        self.report.rows[label] = self.report.rows.get(label, 0) + count
        elapsed = time.perf_counter() - started
        self.report.seconds[label] = self.report.seconds.get(label, 0.0) + elapsed

    def _copy(self, table: sa.Table, columns: list[str], values: list[list]) -> None:
        """PostgreSQL's COPY: one statement per batch, where executemany sends one per row
        (and statement-level triggers would run for each)."""
        quote = self.connection.dialect.identifier_preparer.quote
        names = ", ".join(map(quote, columns))
        cursor = self.connection.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)

    def run(self) -> SynthReport:
        self._parties_people_staff()
        self._agreements()
        self._meetings()
        self._histories_points_actions()
        return self.report

    def _parties_people_staff(self) -> None:
        rng, params = self.rng, self.params
        taken_names = set(self.connection.scalars(sa.select(Party.name)))
        taken_codes = set(self.connection.scalars(sa.select(Party.code)))
        countries = sorted(pycountry.countries, key=lambda c: c.alpha_3)
        states = [
            c for c in countries if c.name not in taken_names and c.alpha_3 not in taken_codes
        ]
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
        first = self.first_id[Party]
        for n, row in enumerate(rows):
            row.update(id=first + n, created_at=self.created, updated_at=self.created)
        self.party_ids = [row["id"] for row in rows]
        self._insert("parties", Party.__table__, iter(rows))

        people = []
        self.people_of: dict[int, list[int]] = {}
        person_id = self.first_id[Person]
        for party_id in self.party_ids:
            for n in range(rng.randint(2, 4)):
                people.append(
                    {
                        "id": person_id,
                        "name": f"{_code_name(rng)} {_code_name(rng)}",
                        "position": JOBS[n % len(JOBS)],
                        "party_id": party_id,
                        "created_at": self.created,
                        "updated_at": self.created,
                    }
                )
                self.people_of.setdefault(party_id, []).append(person_id)
                person_id += 1
        self.person_ids = [row["id"] for row in people]
        self._insert("people", Person.__table__, iter(people))

        taken_users = dict(self.connection.execute(sa.select(User.username, User.id)).all())
        staff = []
        self.staff_ids = []
        for n in range(1, 21):
            username = f"synth.lead{n:02d}"
            if username in taken_users:  # from an earlier run: lead again
                self.staff_ids.append(taken_users[username])
                continue
            staff.append(
                {
                    "id": self.first_id[User] + len(staff),
                    "username": username,
                    "display_name": f"Synthetic lead {n:02d}",
                    "role": "editor",
                    "password_hash": NO_PASSWORD,
                    "active": True,
                    "created_at": self.created,
                }
            )
        self.staff_ids += [row["id"] for row in staff]
        self._insert("staff", User.__table__, iter(staff))

    # Agreements with their parties; the status history comes later, once meetings exist.
    def _history(self) -> list[tuple[Status | None, Status, date]]:
        """A random walk over the allowed transitions, with the key-date rules respected."""
        rng = self.rng
        day = EPOCH + timedelta(days=rng.randrange(4_500))
        current = rng.choice(INITIAL_STATUSES[:3] * 4 + INITIAL_STATUSES)
        steps = [(None, current, day)]
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

    def _agreements(self) -> None:
        rng, params = self.rng, self.params
        first = self.first_id[Agreement]
        self.agreement_ids = list(range(first, first + params.agreements))
        self.histories: list[list[tuple[Status | None, Status, date]]] = []
        self.parties_of: list[list[int]] = []
        categories = list(Category)
        busy_name = BUSY_SHORT_NAME
        if self.connection.scalar(sa.select(Agreement.id).where(Agreement.short_name == busy_name)):
            busy_name = f"{BUSY_SHORT_NAME}-{first}"  # an earlier run's is there

        def agreements() -> Iterator[dict]:
            for n, agreement_id in enumerate(self.agreement_ids):
                instrument = rng.choice(INSTRUMENTS)
                topic, category = rng.choice(TOPICS)
                qualifier = rng.choice(QUALIFIERS)
                code = _code_name(rng)
                title = " ".join(p for p in (instrument, "on", topic, qualifier) if p)
                if rng.random() < 0.3:
                    title += f" ({code})"
                if rng.random() < 0.1:
                    category = rng.choice(categories)
                history = self._history()
                self.histories.append(history)
                key_dates = {"opened_on": None, "signed_on": None, "in_force_on": None}
                for _before, status, day in history:
                    name = {
                        Status.UNDER_NEGOTIATION: "opened_on",
                        Status.SIGNED: "signed_on",
                        Status.IN_FORCE: "in_force_on",
                    }.get(status)
                    if name and key_dates[name] is None:
                        key_dates[name] = day
                last_day = history[-1][2]
                short = "".join(w[0] for w in topic.split() if w[0].isupper())[:6]
                target_on = last_day + timedelta(days=rng.randint(30, 900))
                if rng.random() < 0.4:
                    target_on = None
                lead_id = rng.choice(self.staff_ids) if self.staff_ids else None
                if rng.random() < 0.2:
                    lead_id = None
                yield {
                    "id": agreement_id,
                    "title": title,
                    "short_name": busy_name if n == 0 else f"{short}-{agreement_id}",
                    "category": category.value,
                    "summary": f"{code}: {_text(rng, 1, 3)}",
                    "status": history[-1][1].value,
                    "priority": rng.choice(PRIORITIES).value,
                    **key_dates,
                    "target_on": target_on,
                    "lead_id": lead_id,
                    "created_at": datetime.combine(history[0][2], datetime.min.time(), UTC),
                    "updated_at": datetime.combine(last_day, datetime.min.time(), UTC),
                    "archived_at": self.created if rng.random() < 0.01 and n else None,
                }

        def links() -> Iterator[dict]:
            for agreement_id in self.agreement_ids:
                parties = rng.sample(self.party_ids, min(len(self.party_ids), rng.randint(2, 5)))
                self.parties_of.append(parties)
                for k, party_id in enumerate(parties):
                    role = "party" if k < 2 or rng.random() < 0.7 else rng.choice(SIDE_ROLES)
                    yield {"agreement_id": agreement_id, "party_id": party_id, "role": role}

        self._insert("agreements", Agreement.__table__, agreements())
        self._insert("agreement parties", AgreementParty.__table__, links())

    def _meetings(self) -> None:
        rng, params = self.rng, self.params
        first = self.first_id[Meeting]
        meeting_ids = range(first, first + params.meetings)
        busy = self.agreement_ids[0] if self.agreement_ids else None
        every = max(1, params.meetings // BUSY_MEETINGS)
        busy_at = set(meeting_ids[::every][:BUSY_MEETINGS]) if busy else set()
        # Agreement index -> one meeting that discussed it, for histories and points to cite.
        self.a_meeting: dict[int, tuple[int, datetime]] = {}
        agendas: list[list[int]] = []
        plenaries: list[int] = []
        others = self.agreement_ids[1:]

        def meetings() -> Iterator[dict]:
            for meeting_id in meeting_ids:
                kind, level = rng.choice(MEETING_KINDS)
                city, country, zone = rng.choice(PLACES)
                starts_at = MEETINGS_FROM + timedelta(
                    days=rng.randrange(MEETINGS_DAYS), hours=rng.randrange(24)
                )
                size = rng.randint(1, 8)
                agenda = rng.sample(others, min(len(others), size)) if others else []
                if meeting_id in busy_at:
                    agenda = [busy, *agenda[: size - 1]]
                agendas.append(agenda)
                topic = rng.choice(TOPICS)[0] if agenda else "general matters"
                parent = None
                if level == MeetingLevel.MULTILATERAL:
                    plenaries.append(meeting_id)
                elif plenaries and rng.random() < 0.05:
                    parent = rng.choice(plenaries[-50:])
                for agreement_id in agenda:
                    self.a_meeting[agreement_id] = (meeting_id, starts_at)
                yield {
                    "id": meeting_id,
                    "title": f"{kind} {topic}",
                    "starts_at": starts_at,
                    "ends_at": starts_at + timedelta(hours=rng.randint(1, 30)),
                    "timezone": zone,
                    "city": city,
                    "country": country,
                    "setting": "",
                    "level": level.value,
                    "summary": _text(rng, 1, 4),
                    "parent_id": parent,
                    "created_at": self.created,
                    "updated_at": self.created,
                    "archived_at": None,
                }

        def agenda_items() -> Iterator[dict]:
            for meeting_id, agenda in zip(meeting_ids, agendas, strict=True):
                for agreement_id in agenda:
                    yield {
                        "meeting_id": meeting_id,
                        "agreement_id": agreement_id,
                        "outcome": rng.choice(OUTCOMES),
                    }

        def participants() -> Iterator[dict]:
            for meeting_id in meeting_ids:
                for person_id in rng.sample(self.person_ids, rng.randint(1, 3)):
                    yield {"meeting_id": meeting_id, "person_id": person_id}

        self._insert("meetings", Meeting.__table__, meetings())
        self._insert("agenda items", AgendaItem.__table__, agenda_items())
        self._insert("meeting participants", meeting_participant, participants())

    def _histories_points_actions(self) -> None:
        rng = self.rng

        def changes() -> Iterator[dict]:
            for agreement_id, history in zip(self.agreement_ids, self.histories, strict=True):
                cited = self.a_meeting.get(agreement_id)
                for k, (before, after, day) in enumerate(history):
                    meeting_id = None
                    if cited and k == len(history) - 1 and rng.random() < 0.5:
                        meeting_id = cited[0]
                    yield {
                        "agreement_id": agreement_id,
                        "from_status": before.value if before else None,
                        "to_status": after.value,
                        "effective_on": day,
                        "note": "Recorded in the tracker" if k == 0 else rng.choice(PHRASES),
                        "meeting_id": meeting_id,
                        "recorded_by_id": None,
                        "recorded_at": datetime.combine(day, datetime.min.time(), UTC),
                    }

        point_ids: list[tuple[int, list[int]]] = []

        def points() -> Iterator[dict]:
            point_id = self.first_id[NegotiationPoint]
            for agreement_id, parties in zip(self.agreement_ids, self.parties_of, strict=True):
                cited = self.a_meeting.get(agreement_id)
                for subject in rng.sample(SUBJECTS, rng.randint(0, 5)):
                    status = rng.choice(list(PointStatus))
                    settled = cited[0] if cited and status.is_settled else None
                    point_ids.append((point_id, parties))
                    yield {
                        "id": point_id,
                        "agreement_id": agreement_id,
                        "subject": subject,
                        "details": _text(rng, 0, 2),
                        "status": status.value,
                        "raised_at_id": cited[0] if cited else None,
                        "settled_at_id": settled,
                        "created_at": self.created,
                        "updated_at": self.created,
                    }
                    point_id += 1

        def positions() -> Iterator[dict]:
            for point_id, parties in point_ids:
                for party_id in parties[: rng.randint(0, 2)]:
                    yield {
                        "point_id": point_id,
                        "party_id": party_id,
                        "position": rng.choice(POSITIONS),
                    }

        def actions() -> Iterator[dict]:
            for agreement_id, parties in zip(self.agreement_ids, self.parties_of, strict=True):
                cited = self.a_meeting.get(agreement_id)
                for _ in range(rng.randint(0, 4)):
                    owners = self.people_of[rng.choice(parties)]
                    due = cited[1].date() + timedelta(days=rng.randint(7, 120)) if cited else None
                    done = rng.random() < 0.5
                    yield {
                        "agreement_id": agreement_id,
                        "meeting_id": cited[0] if cited else None,
                        "description": rng.choice(ACTIONS),
                        "owner_id": rng.choice(owners),
                        "due_on": due,
                        "done": done,
                        "done_on": due if done and due else None,
                        "created_at": self.created,
                        "updated_at": self.created,
                    }

        self._insert("status changes", StatusChange.__table__, changes())
        self._insert("negotiation points", NegotiationPoint.__table__, points())
        self._insert("party positions", PartyPosition.__table__, positions())
        self._insert("action items", ActionItem.__table__, actions())


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not advance."""
    if connection.dialect.name != "postgresql":
        return
    for model in (*ID_MODELS, StatusChange, ActionItem):
        table = model.__tablename__
        connection.execute(
            sa.text(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'
            )
        )


def tidy(engine: sa.Engine) -> None:
    """After a bulk load: statistics for the query planner, and on PostgreSQL the space of
    the row versions the triggers' updates left behind (VACUUM cannot run in a transaction)."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as connection:
            connection.exec_driver_sql("ANALYZE")


def generate(
    connection: Connection,
    params: SynthParams,
    *,
    allow_existing: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SynthReport:
    """Write a synthetic collection in the caller's transaction; refuse a non-empty database."""
    if not allow_existing and not is_empty(connection):
        raise NotEmptyError("The database already holds records.")
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # room for the indexes being filled in random order; the default is 2 MB
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
    try:
        report = _Generator(connection, params).run()
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA cache_size = -2000")
    _reset_sequences(connection)
    if progress:
        for label, rows in report.rows.items():
            progress(f"{label:>22}: {rows:>9,} rows in {report.seconds[label]:6.1f} s")
    return report
