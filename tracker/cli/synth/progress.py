"""The last step: how each agreement progressed, citing a meeting that discussed it: its
status changes, negotiation points with the parties' positions, and action items."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from tracker.cli.synth.state import SynthRun
from tracker.cli.synth.vocabulary import ACTIONS, PHRASES, POSITIONS, SUBJECTS, phrases
from tracker.models import ActionItem, NegotiationPoint, PartyPosition, PointStatus, StatusChange


def add_progress(run: SynthRun) -> None:
    rng = run.rng

    def changes() -> Iterator[dict]:
        for agreement_id, history in zip(run.agreement_ids, run.histories, strict=True):
            cited = run.a_meeting.get(agreement_id)
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
        point_id = run.first_id[NegotiationPoint]
        for agreement_id, parties in zip(run.agreement_ids, run.parties_of, strict=True):
            cited = run.a_meeting.get(agreement_id)
            for subject in rng.sample(SUBJECTS, rng.randint(0, 5)):
                status = rng.choice(list(PointStatus))
                settled = cited[0] if cited and status.is_settled else None
                point_ids.append((point_id, parties))
                yield {
                    "id": point_id,
                    "agreement_id": agreement_id,
                    "subject": subject,
                    "details": phrases(rng, 0, 2),
                    "status": status.value,
                    "raised_at_id": cited[0] if cited else None,
                    "settled_at_id": settled,
                    "created_at": run.created,
                    "updated_at": run.created,
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
        for agreement_id, parties in zip(run.agreement_ids, run.parties_of, strict=True):
            cited = run.a_meeting.get(agreement_id)
            for _ in range(rng.randint(0, 4)):
                owners = run.people_of[rng.choice(parties)]
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
                    "created_at": run.created,
                    "updated_at": run.created,
                }

    run.writer.insert("status changes", StatusChange.__table__, changes())
    run.writer.insert("negotiation points", NegotiationPoint.__table__, points())
    run.writer.insert("party positions", PartyPosition.__table__, positions())
    run.writer.insert("action items", ActionItem.__table__, actions())
