"""The third step: meetings with their agendas and participants; the busy agreement is on
the agenda of ``BUSY_MEETINGS`` of them, spread evenly."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from tracker.cli.synth.state import BUSY_MEETINGS, SynthRun
from tracker.cli.synth.vocabulary import MEETING_KINDS, OUTCOMES, PLACES, TOPICS, phrases
from tracker.models import AgendaItem, Meeting, MeetingLevel, meeting_participant

MEETINGS_FROM = datetime(2015, 1, 1, tzinfo=UTC)
MEETINGS_DAYS = 4_200  # until late 2026, so some meetings are still to come


def add_meetings(run: SynthRun) -> None:
    rng, params = run.rng, run.params
    first = run.first_id[Meeting]
    meeting_ids = range(first, first + params.meetings)
    busy = run.agreement_ids[0] if run.agreement_ids else None
    every = max(1, params.meetings // BUSY_MEETINGS)
    busy_at = set(meeting_ids[::every][:BUSY_MEETINGS]) if busy else set()
    agendas: list[list[int]] = []
    plenaries: list[int] = []
    others = run.agreement_ids[1:]

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
                run.a_meeting[agreement_id] = (meeting_id, starts_at)
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
                "summary": phrases(rng, 1, 4),
                "parent_id": parent,
                "created_at": run.created,
                "updated_at": run.created,
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
            for person_id in rng.sample(run.person_ids, rng.randint(1, 3)):
                yield {"meeting_id": meeting_id, "person_id": person_id}

    run.writer.insert("meetings", Meeting.__table__, meetings())
    run.writer.insert("agenda items", AgendaItem.__table__, agenda_items())
    run.writer.insert("meeting participants", meeting_participant, participants())
